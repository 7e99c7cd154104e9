#include "liaise/client/client.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "history_store.hpp"
#include "liaise/client/feedback.hpp"
#include "liaise/client/message_size.hpp"
#include "liaise/client/server_pin.hpp"
#include "liaise/protocol/fields.hpp"

#include "liaise/protocol/messages.hpp"

namespace liaise::client {
namespace {

/// The id of the session this home's last login was given (PROTOCOL.md, login).
constexpr const char* kLastSession = "last-session";

/// The session id in kLastSession, or 0.
std::int64_t last_session(const Home& home) {
    const auto text = home.read_file(kLastSession);
    if (!text || text->empty() || text->find_first_not_of("0123456789\n") != std::string::npos)
        return 0;
    return std::strtoll(text->c_str(), nullptr, 10);
}

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// Connects and says hello; returns the login challenge.
protocol::Expected<std::vector<unsigned char>> hello(Connection& conn) {
    auto reply =
        conn.request("hello", {{"version", protocol::kVersion}, {"client", "liaise/0.1.0"}});
    if (!reply)
        return reply.error();
    const auto challenge = crypto::from_base64(str(reply.value(), "challenge"));
    if (!challenge)
        return failure("bad_reply", "the server's hello carried no challenge");
    return *challenge;
}

}  // namespace

std::optional<crypto::PublicIdentity> device_identity(const json::object& d) {
    const auto sk = crypto::SignPublicKey::from_base64(str(d, "sign_key"));
    const auto bk = crypto::BoxPublicKey::from_base64(str(d, "box_key"));
    const auto sig = crypto::Signature::from_base64(str(d, "box_key_signature"));
    if (!sk || !bk || !sig)
        return std::nullopt;
    return crypto::PublicIdentity{*sk, *bk, *sig};
}

Client::Client(const Home& home, Profile profile, crypto::DeviceKeys keys,
               std::unique_ptr<Connection> conn)
    : home_(home),
      profile_(std::move(profile)),
      keys_(std::move(keys)),
      conn_(std::move(conn)),
      known_(home),
      ledger_(home) {
    // This device's own key needs no comparing: sending to a room it is in never asks to.
    known_.pin(profile_.user, profile_.device, keys_.identity().sign_key);
}

std::string Client::new_message_id() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    char time[16];
    std::snprintf(
        time, sizeof time, "%012llx",
        static_cast<unsigned long long>(std::max<std::int64_t>(ms, 0)) & 0xFFFFFFFFFFFFULL);
    return time + crypto::to_base64(crypto::random_bytes(12));
}

protocol::Expected<bool> Client::can_enrol(const Home& home, std::string_view server) {
    if (home.enrolled())
        return failure(
            "already_enrolled",
            home.dir().string() + " already holds an enrolled device; use another LIAISE_HOME");
    return check_url(server, plain_text_from_environment());
}

protocol::Expected<json::object> Client::enrol(const Home& home, std::string_view server,
                                               std::string_view code, std::string_view passphrase,
                                               std::string_view device_name) {
    if (auto allowed = can_enrol(home, server); !allowed)
        return allowed.error();
    auto conn = Connection::open(
        server,
        ConnectOptions{.ca_file = home.ca_file(), .plain_text = plain_text_from_environment()});
    if (!conn)
        return conn.error();
    if (auto h = hello(*conn.value()); !h)
        return h.error();
    auto keys = crypto::DeviceKeys::generate();
    const auto& id = keys.identity();
    auto reply =
        conn.value()->request("enrol", {{"code", code},
                                        {"sign_key", id.sign_key.to_base64()},
                                        {"box_key", id.box_key.to_base64()},
                                        {"box_key_signature", id.box_key_signature.to_base64()},
                                        {"device_name", device_name}});
    if (!reply)
        return reply.error();
    // The server's own key, for checking its signed audit heads later (server_pin.hpp). A
    // fresh home has nothing pinned, so this only records the key.
    if (auto pinned = ServerPin(home).check_key(
            crypto::SignPublicKey::from_base64(str(reply.value(), "server_key")));
        !pinned)
        return pinned.error();
    if (auto saved = home.save_keys(keys, passphrase); !saved)
        return saved.error();
    if (auto saved = home.save_profile(
            {std::string(server), str(reply.value(), "user"), str(reply.value(), "device")});
        !saved)
        return saved.error();
    return reply;
}

protocol::Expected<std::unique_ptr<Client>> Client::login(const Home& home,
                                                          std::string_view passphrase) {
    auto profile = home.profile();
    if (!profile)
        return profile.error();
    auto keys = home.open_keys(passphrase);
    if (!keys)
        return keys.error();
    return login(home, std::move(keys).value());
}

protocol::Expected<std::unique_ptr<Client>> Client::login(const Home& home,
                                                          crypto::DeviceKeys keys) {
    auto profile = home.profile();
    if (!profile)
        return profile.error();
    auto conn = Connection::open(
        profile.value().server,
        ConnectOptions{.ca_file = home.ca_file(), .plain_text = plain_text_from_environment()});
    if (!conn)
        return conn.error();
    auto challenge = hello(*conn.value());
    if (!challenge)
        return challenge.error();
    const auto signature = crypto::sign_login(keys, challenge.value());
    json::object fields{{"user", profile.value().user},
                        {"device", profile.value().device},
                        {"signature", signature.to_base64()}};
    // The session this home was given last time: the server tells of every login since then,
    // including a copy of this device's keystore logging in somewhere else.
    if (const auto last = last_session(home); last > 0)
        fields["last_session"] = last;
    auto reply = conn.value()->request("login", std::move(fields));
    if (!reply) {
        if (reply.error().code != "device_replaced")
            return reply.error();
        // This device is shut out for good: what it kept of the rooms goes with it, before
        // anyone can read it offline (history_store.hpp).
        std::error_code ec;
        bool removed = false;
        for (const char* suffix : {"", "-journal"})
            removed =
                std::filesystem::remove(home.dir() / (std::string(kHistoryFile) + suffix), ec) ||
                removed;
        auto error = reply.error();
        if (removed)
            error.message += "; the history kept on this device was deleted";
        return error;
    }
    std::optional<AuditHeadCheck> audit_check;
    if (str(reply.value(), "role") == "admin") {
        // An admin's device refuses a server whose key changed, and an audit log shorter than
        // (or not extending) the one it saw before, before anything else is done.
        if (auto pinned = ServerPin(home).check_key(
                crypto::SignPublicKey::from_base64(str(reply.value(), "server_key")));
            !pinned)
            return pinned.error();
        auto checked = check_audit_head(home, *conn.value());
        if (!checked)
            return checked.error();
        audit_check = checked.value();
    }
    json::array new_logins;
    if (const auto* logins = reply.value().if_contains("new_logins");
        logins != nullptr && logins->is_array()) {
        // A command of this same home that logged in meanwhile (scripts run in parallel) has
        // written its session by now: it is not another copy of the keys.
        const auto mine = last_session(home);
        for (const auto& l : logins->get_array()) {
            const auto* o = l.if_object();
            if (o == nullptr)
                continue;
            const auto* id = o->if_contains("session");
            if (str(*o, "device") == profile.value().device && id != nullptr && id->is_int64() &&
                id->get_int64() <= mine)
                continue;
            new_logins.push_back(l);
        }
    }
    if (const auto* session = reply.value().if_contains("session");
        session != nullptr && session->is_int64() && session->get_int64() > last_session(home))
        (void)home.write_file(kLastSession, std::to_string(session->get_int64()) + "\n");
    std::unique_ptr<Client> client(
        new Client(home, std::move(profile).value(), std::move(keys), std::move(conn).value()));
    client->discipline_ = str(reply.value(), "discipline");
    client->new_logins_ = std::move(new_logins);
    client->audit_head_check_ = audit_check;
    // A failed refresh (a damaged download) keeps the cache as it was: checks go on working
    // with the last good dictionaries, and the next login tries again.
    client->dictionary_refresh_ = DictionaryCache(home).refresh(*client->conn_);
    // Yesterday's noisy-entry counts, if not sent yet. A failure keeps them for the next try
    // and does not stop the command that logged in.
    (void)feedback::report_if_due(home, *client->conn_,
                                  feedback::utc_day(std::chrono::system_clock::now()));
    return client;
}

protocol::Expected<json::object> Client::call(std::string_view type, json::object fields) {
    return conn_->request(type, std::move(fields));
}

protocol::Expected<std::vector<crypto::Recipient>> Client::recipients(
    const json::array& members, std::set<std::string>& readers, std::vector<Pin>& pins) {
    std::vector<crypto::Recipient> out;
    for (const auto& m : members) {
        if (!m.is_object())
            continue;
        const auto& member = m.get_object();
        const auto user = str(member, "user");
        const auto* devices = member.if_contains("devices");
        if (!devices || !devices->is_array())
            continue;
        for (const auto& d : devices->get_array()) {
            if (!d.is_object())
                continue;
            const auto device = str(d.get_object(), "device");
            const auto identity = device_identity(d.get_object());
            if (!identity || !identity->verify())
                return failure("bad_signature", "the key of " + user + "'s device " + device +
                                                    " is not properly signed");
            if (const auto other = known_.other_owner(user, identity->sign_key))
                return failure("key_changed", "the server lists " + *other + "'s key as " + user +
                                                  "'s device " + device +
                                                  ": one key cannot be two people's; nothing "
                                                  "was sent");
            const auto before = known_.pinned(user, device);
            // Pinned only once the message is on its way (send()): a reader the person refuses
            // leaves no pin behind.
            const auto verdict = known_.peek(user, device, identity->sign_key);
            if (verdict != KnownKeys::Verdict::matches)
                pins.push_back({user, device, identity->sign_key});
            if (verdict == KnownKeys::Verdict::new_device ||
                verdict == KnownKeys::Verdict::changed) {
                const auto was = before ? crypto::PublicIdentity{*before, {}, {}}.fingerprint()
                                        : std::string("none");
                if (known_.verified(user))
                    return failure("key_changed",
                                   user + "'s keys have changed since you verified them (device " +
                                       device + ", was " + was + ", now " +
                                       identity->fingerprint() +
                                       "). Nothing was sent. Compare safety numbers with " + user +
                                       " again ('liaise fingerprint " + user +
                                       "'), then run 'liaise verify " + user + " NUMBER'");
                notices_.push_back(
                    {"key_changed", verdict == KnownKeys::Verdict::new_device
                                        ? user + " has a new device (" + device + ", key " +
                                              identity->fingerprint() + ")"
                                        : user + "'s device " + device + " has a new key (was " +
                                              was + ", now " + identity->fingerprint() + ")"});
            }
            readers.insert(user + "/" + device);
            out.push_back({device, identity->box_key});
        }
    }
    return out;
}

std::string NewReader::describe() const {
    std::string who = display_name.empty() ? user : display_name;
    if (!agency.empty())
        who += ", " + agency;
    return who + " (" + user + ", device " + device + ")";
}

namespace {

/// `readers` ("user/device") with the names and agencies `members` (room_show's) give them.
std::vector<NewReader> describe_readers(const json::array& members,
                                        const std::vector<std::string>& readers) {
    std::vector<NewReader> out;
    for (const auto& r : readers) {
        const auto slash = r.find('/');
        NewReader n{r.substr(0, slash), r.substr(slash + 1), {}, {}};
        for (const auto& m : members)
            if (m.is_object() && str(m.get_object(), "user") == n.user) {
                n.display_name = str(m.get_object(), "display_name");
                n.agency = str(m.get_object(), "agency");
            }
        out.push_back(std::move(n));
    }
    return out;
}

}  // namespace

protocol::Expected<std::int64_t> Client::send(std::string_view room, std::string_view text,
                                              std::optional<std::string> client_msg_id,
                                              const ConfirmReaders& confirm) {
    notices_.clear();
    // A frame over the server's limit would be cut off with the connection ("Broken pipe"):
    // a text that cannot fit whatever the room is refused before anything is sent.
    if (auto too_long = message_too_long(text.size()))
        return *too_long;
    const auto msg_id = client_msg_id ? *client_msg_id : new_message_id();
    auto shown = conn_->request("room_show", {{"room", room}});
    if (!shown)
        return shown.error();
    json::array members = shown.value().at("members").as_array();
    const std::string room_name(room);
    std::optional<crypto::History> history;
    const auto give_back = [&] {
        if (history)
            ledger_.unsend(room_name, history->counter);
    };
    for (int attempt = 0; attempt < 4; ++attempt) {
        std::set<std::string> readers;
        std::vector<Pin> pins;
        notices_.clear();
        auto to = recipients(members, readers, pins);
        if (!to) {
            give_back();
            return to.error();
        }
        readers.erase(profile_.user + "/" + profile_.device);
        if (auto fresh = ledger_.new_readers(room_name, readers); !fresh.empty()) {
            if (confirm && !confirm(describe_readers(members, fresh))) {
                give_back();
                return failure("new_readers",
                               "not sent: the room has readers you have not "
                               "written to before");
            }
            ledger_.encrypted_to(room_name, readers);
        }
        for (const auto& p : pins)  // the person accepted these readers (or none was new)
            known_.pin(p.user, p.device, p.key);
        if (!history)
            history = ledger_.next(room_name, profile_.user,
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
        const auto envelope =
            crypto::seal(keys_, profile_.device, room, msg_id, text, to.value(), *history);
        auto envelope_json = crypto::to_json(envelope);
        // The request as sent: the envelope, the room again, and "type" and "id" (64 is ample).
        const auto frame = json::serialize(envelope_json).size() + room.size() + 64;
        if (frame > kMaxFrameBytes) {
            give_back();
            const auto text_part = crypto::to_base64(envelope.ciphertext).size();
            if (auto too_long = message_too_long(text.size(), frame - text_part))
                return *too_long;
        }
        auto reply =
            conn_->request("send", {{"room", room}, {"envelope", std::move(envelope_json)}});
        if (reply) {
            const auto seq = num(reply.value(), "seq");
            ledger_.sent(room_name, seq, envelope);
            return seq;
        }
        if (reply.error().code != "stale_membership") {
            // Refused outright (nothing stored): the counter was not used. A lost connection
            // may have stored it: keep the counter, at worst a reader sees one gap.
            if (reply.error().code != "connection_closed" && reply.error().code != "timeout")
                give_back();
            return reply.error();
        }
        const auto* fresh = conn_->last_error_body().if_contains("members");
        if (!fresh || !fresh->is_array()) {
            give_back();
            return reply.error();
        }
        members = fresh->get_array();  // re-wrap for the room as it is now, same message id
    }
    give_back();
    return failure("stale_membership", "the room's membership kept changing; try again");
}

ReadMessage Client::open_message(const json::object& m) {
    auto out = open_one(m);
    if (!batching_) {
        ledger_.flush();
        if (out.withdraws > 0) {  // a withdrawal as it came: delete the kept copy, or refuse
            std::vector<ReadMessage> one{out};
            apply_withdrawals(one);
            out = std::move(one.front());
        }
        if (kept_rooms_.contains(out.room))
            if (auto* kept = store())
                kept->append(out);  // one the person saw as it came: the history goes on
    }
    return out;
}

ReadMessage Client::open_one(const json::object& m) {
    ReadMessage out;
    out.room = str(m, "room");
    out.seq = num(m, "seq");
    if (const auto* event = m.if_contains("event"); event && event->is_object()) {
        out.sent_at = num(m, "sent_at");
        out.event = event->get_object();
        // This account added again: what was said while it was out of the room is not its.
        const bool rejoined =
            str(*out.event, "kind") == "member_added" && str(*out.event, "user") == profile_.user;
        out.warnings = ledger_.observe_event(out.room, out.seq, rejoined);
        if (str(*out.event, "kind") == "message_withdrawn")
            check_withdrawal(out);
        return out;
    }
    // A message this device cannot check still takes its place in the history seen.
    const auto unverifiable = [&](protocol::Error error) {
        out.error = std::move(error);
        out.warnings = ledger_.observe_event(out.room, out.seq, false);
        return out;
    };
    out.sender = str(m, "sender");
    out.sender_device = str(m, "sender_device");
    out.sent_at = num(m, "sent_at");
    const auto* keys = m.if_contains("sender_keys");
    const auto* env = m.if_contains("envelope");
    const auto identity =
        keys && keys->is_object() ? device_identity(keys->get_object()) : std::nullopt;
    if (!identity || !identity->verify() || !env)
        return unverifiable(
            failure("bad_signature", "the sender's keys are missing or not properly signed"));
    auto envelope = crypto::envelope_from_json(*env);
    if (!envelope)
        return unverifiable(envelope.error());
    if (envelope.value().sender_device != out.sender_device || envelope.value().room != out.room)
        return unverifiable(
            failure("bad_signature", "the envelope does not belong to this room and sender"));
    // Opened before the sender's key is checked against the pins, so that a message this
    // device cannot read (sent before it joined) reports that, and pins nothing; the text is
    // kept only if the key is acceptable.
    auto text = crypto::open(envelope.value(), keys_, profile_.device, *identity);
    // Not sent to this device: a key restored, transferred or shared may still open it.
    if (!text && text.error().code == "not_a_recipient") {
        const auto& moved = moved_keys();
        if (const auto it = moved.find({out.room, out.seq});
            it != moved.end() &&
            it->second.message_hash == crypto::message_hash(envelope.value())) {
            text = crypto::open_with_key(envelope.value(), it->second.key, *identity);
            if (text)
                ++extra_used_;
        }
    }
    if (text && collecting_)
        note_key(envelope.value(), out.seq, *identity);
    if (!text && text.error().code == "bad_signature")
        return unverifiable(text.error());
    out.hash = crypto::to_base64(crypto::message_hash(envelope.value()));
    // The signature holds: what it binds can be checked against what this device was shown.
    out.warnings = ledger_.observe(out.room, out.seq, out.sent_at, out.sender, envelope.value(),
                                   [this](const std::string& d) { return known_.owner_of(d); });
    if (!text) {
        out.error = text.error();
        return out;
    }
    if (const auto other = known_.other_owner(out.sender, identity->sign_key)) {
        out.warnings.push_back({"sender_mismatch", "shown as from " + out.sender +
                                                       ", but signed with the key of " + *other});
        out.text = std::move(text).value();
        return out;
    }
    const auto before = known_.pinned(out.sender, out.sender_device);
    const auto verdict = known_.check(out.sender, out.sender_device, identity->sign_key);
    if (verdict == KnownKeys::Verdict::pinned_now || verdict == KnownKeys::Verdict::matches) {
        out.text = std::move(text).value();
        return out;
    }
    const auto was =
        before ? crypto::PublicIdentity{*before, {}, {}}.fingerprint() : std::string("none");
    const auto change = verdict == KnownKeys::Verdict::new_device
                            ? out.sender + " wrote from a new device (" + out.sender_device +
                                  ", key " + identity->fingerprint() + ")"
                            : out.sender + "'s device " + out.sender_device +
                                  " has a new key (was " + was + ", now " +
                                  identity->fingerprint() + ")";
    if (known_.verified(out.sender)) {
        out.error = failure("key_changed", change +
                                               " since you verified them; compare safety "
                                               "numbers again ('liaise fingerprint " +
                                               out.sender + "'), then 'liaise verify " +
                                               out.sender + " NUMBER'");
        return out;
    }
    known_.pin(out.sender, out.sender_device, identity->sign_key);
    out.warnings.push_back({"key_changed", change});
    out.text = std::move(text).value();
    return out;
}

Client::~Client() = default;

HistoryStore* Client::store() {
    if (!store_tried_) {
        store_tried_ = true;
        auto opened = HistoryStore::open(home_, profile_.user, profile_.device, keys_);
        if (opened)
            store_ = std::move(opened).value();
        else
            history_notes_.push_back(opened.error().message);
    }
    return store_.get();
}

protocol::Expected<std::vector<ReadMessage>> Client::read(std::string_view room,
                                                          std::int64_t after) {
    const std::string name(room);
    auto* kept = store();
    // Kept only when it continues what is kept: reading from anywhere else would leave a hole.
    const bool keeping = kept != nullptr && after == kept->tail(name);
    begin_backup();
    auto out = fetch(room, after);
    back_up_collected(out.ok());
    if (out)
        apply_withdrawals(out.value());
    if (out && keeping && kept->keep(name, after, out.value()))
        kept_rooms_.insert(name);
    return out;
}

protocol::Expected<History> Client::history(std::string_view room, std::int64_t after) {
    const std::string name(room);
    History out;
    auto* kept = store();
    std::int64_t from = after;
    std::map<std::int64_t, ReadMessage> beyond;  // rows kept past the point fetched from
    bool keeping = false;
    if (kept != nullptr) {
        auto loaded = kept->load(name);
        for (const auto seq : loaded.refused)
            out.notes.push_back("message #" + std::to_string(seq) +
                                " kept on this device did not open (damaged or altered); it is "
                                "fetched again from the server");
        if (after <= loaded.resume_after) {
            keeping = true;
            from = loaded.resume_after;
            for (auto& m : loaded.messages) {
                if (m.seq > after && m.seq <= from) {
                    out.messages.push_back(std::move(m));
                    ++out.kept;
                } else if (m.seq > from) {
                    beyond.emplace(m.seq, std::move(m));
                }
            }
        }
    }
    fetched_ = 0;
    begin_backup();
    auto fresh = fetch(room, from);
    back_up_collected(fresh.ok());
    for (auto& n : history_notes_)
        out.notes.push_back(std::move(n));
    history_notes_.clear();
    if (!fresh)
        return fresh.error();
    out.fetched = fetched_;
    for (auto& m : fresh.value()) {
        // Fetched again after a hole: what the ledger said when it first came still holds.
        if (const auto it = beyond.find(m.seq); it != beyond.end())
            for (auto& w : it->second.warnings)
                if (std::none_of(m.warnings.begin(), m.warnings.end(), [&](const Warning& x) {
                        return x.code == w.code && x.message == w.message;
                    }))
                    m.warnings.push_back(std::move(w));
    }
    const auto first_fresh = out.messages.size();
    for (auto& m : fresh.value())
        out.messages.push_back(std::move(m));
    // Before keep(): a withdrawal deletes the copy wherever it is (kept before, or among what
    // is kept now), and a refused one is kept as refused.
    apply_withdrawals(out.messages);
    if (keeping) {
        const std::vector<ReadMessage> now(
            out.messages.begin() + static_cast<std::ptrdiff_t>(first_fresh), out.messages.end());
        if (kept->keep(name, from, now))
            kept_rooms_.insert(name);
    }
    if (kept != nullptr)
        for (auto& n : kept->take_notes())
            out.notes.push_back(std::move(n));
    return out;
}

protocol::Expected<std::vector<ReadMessage>> Client::fetch(std::string_view room,
                                                           std::int64_t after) {
    std::vector<ReadMessage> out;
    ledger_.reading_from(std::string(room), after);
    while (true) {
        auto page = conn_->request("sync", {{"room", room}, {"after", after}, {"limit", 500}});
        if (!page)
            return page.error();
        const auto& messages = page.value().at("messages").as_array();
        fetched_ += messages.size();
        batching_ = true;  // one ledger write per page, not per message
        for (const auto& m : messages) {
            out.push_back(open_message(m.as_object()));
            after = out.back().seq;
        }
        batching_ = false;
        ledger_.flush();
        const auto* more = page.value().if_contains("more");
        if (messages.empty() || !more || !more->is_bool() || !more->get_bool())
            return out;
    }
}

protocol::Expected<std::shared_ptr<const jargon::Engine>> Client::engine() {
    if (!engine_) {
        auto compiled = DictionaryCache(home_).engine();
        if (!compiled)
            return compiled.error();
        engine_ = compiled.value();
    }
    return engine_;
}

protocol::Expected<jargon::Audience> Client::audience(std::string_view room) {
    auto r = readers(room);
    if (!r)
        return r.error();
    return std::move(r).value().audience;
}

protocol::Expected<RoomReaders> Client::readers(std::string_view room) {
    auto shown = conn_->request("room_show", {{"room", room}});
    if (!shown)
        return shown.error();
    return room_readers(shown.value());
}

protocol::Expected<std::optional<json::object>> Client::next_event(
    std::chrono::milliseconds timeout) {
    auto event = conn_->next_event(timeout);
    if (event && event.value() && str(*event.value(), "type") == "dictionaries") {
        // An admin changed the dictionaries: fetch the new version before anyone checks again.
        dictionary_refresh_ = DictionaryCache(home_).refresh(*conn_);
        if (dictionary_refresh_ && dictionary_refresh_.value())
            engine_.reset();
    }
    return event;
}

protocol::Expected<std::size_t> Client::report_findings(
    std::string_view outcome, const std::vector<jargon::Finding>& findings) {
    return feedback::record(home_, outcome, findings,
                            feedback::utc_day(std::chrono::system_clock::now()));
}

protocol::Expected<SafetyNumber> Client::safety_number(std::string_view user) {
    std::vector<crypto::Party> parties;
    SafetyNumber out;
    out.user = user;
    for (const std::string& account : {profile_.user, std::string(user)}) {
        auto keys = conn_->request("user_keys", {{"user", account}});
        if (!keys)
            return keys.error();
        crypto::Party party{account, {}};
        for (const auto& d : keys.value().at("devices").as_array()) {
            const auto identity = device_identity(d.as_object());
            if (!identity || !identity->verify())
                return failure("bad_signature", "a key of " + account + " is not properly signed");
            party.sign_keys.push_back(identity->sign_key);
            const auto device = str(d.as_object(), "device");
            auto& listed = account == user ? out.their_devices : out.my_devices;
            listed.push_back(
                device + " (" + str(d.as_object(), "name") +
                (account == profile_.user && device == profile_.device ? ", this one" : "") + ")");
            if (account == user)
                out.devices[device] = identity->sign_key.to_base64();
        }
        if (account == profile_.user &&
            std::find(party.sign_keys.begin(), party.sign_keys.end(), keys_.identity().sign_key) ==
                party.sign_keys.end())
            return failure("key_changed",
                           "the server does not list this device's own key as "
                           "yours: it cannot be trusted for safety numbers");
        if (party.sign_keys.empty())
            return failure("not_found", account + " has no current device");
        parties.push_back(std::move(party));
    }
    out.number = crypto::safety_number(parties[0], parties[1]);
    out.verified = known_.verified(out.user);
    for (const auto& [device, key] : out.devices) {
        const auto pinned = known_.pinned(out.user, device);
        if (!pinned || pinned->to_base64() != key)
            out.verified = false;
    }
    return out;
}

protocol::Expected<SafetyNumber> Client::verify(std::string_view user, std::string_view number) {
    auto computed = safety_number(user);
    if (!computed)
        return computed.error();
    std::string digits;
    for (const char c : number)
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c != ' ' && c != '-')
            return failure("bad_request", "a safety number is 60 digits, in groups of 5");
    std::string expected;
    for (const char c : computed.value().number)
        if (c != ' ')
            expected += c;
    if (digits.size() != 60)
        return failure("bad_request", "a safety number is 60 digits, in groups of 5; that was " +
                                          std::to_string(digits.size()));
    if (digits != expected)
        return failure("number_mismatch",
                       "that is not the safety number this device computes for you and " +
                           std::string(user) +
                           ": do not trust these keys. Someone may be between you (a changed "
                           "key, or a server showing you different keys); nothing was pinned");
    known_.verify(std::string(user), computed.value().devices);
    computed.value().verified = true;
    return computed;
}

}  // namespace liaise::client
