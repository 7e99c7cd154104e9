#include "liaise/client/client.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "liaise/client/feedback.hpp"
#include "liaise/protocol/fields.hpp"

#include "liaise/protocol/messages.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// The public identity a device object (from room_show, user_keys or sender_keys) describes.
std::optional<crypto::PublicIdentity> identity_of(const json::object& d) {
    const auto sk = crypto::SignPublicKey::from_base64(str(d, "sign_key"));
    const auto bk = crypto::BoxPublicKey::from_base64(str(d, "box_key"));
    const auto sig = crypto::Signature::from_base64(str(d, "box_key_signature"));
    if (!sk || !bk || !sig)
        return std::nullopt;
    return crypto::PublicIdentity{*sk, *bk, *sig};
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

Client::Client(const Home& home, Profile profile, crypto::DeviceKeys keys,
               std::unique_ptr<Connection> conn)
    : home_(home),
      profile_(std::move(profile)),
      keys_(std::move(keys)),
      conn_(std::move(conn)),
      known_(home) {
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

protocol::Expected<json::object> Client::enrol(const Home& home, std::string_view server,
                                               std::string_view code, std::string_view passphrase,
                                               std::string_view device_name) {
    if (home.enrolled())
        return failure(
            "already_enrolled",
            home.dir().string() + " already holds an enrolled device; use another LIAISE_HOME");
    auto conn = Connection::open(server, ConnectOptions{.ca_file = home.ca_file()});
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
    auto conn = Connection::open(profile.value().server, ConnectOptions{.ca_file = home.ca_file()});
    if (!conn)
        return conn.error();
    auto challenge = hello(*conn.value());
    if (!challenge)
        return challenge.error();
    const auto signature = crypto::sign_login(keys.value(), challenge.value());
    auto reply = conn.value()->request("login", {{"user", profile.value().user},
                                                 {"device", profile.value().device},
                                                 {"signature", signature.to_base64()}});
    if (!reply)
        return reply.error();
    std::unique_ptr<Client> client(new Client(home, std::move(profile).value(),
                                              std::move(keys).value(), std::move(conn).value()));
    client->discipline_ = str(reply.value(), "discipline");
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

protocol::Expected<std::vector<crypto::Recipient>> Client::recipients(const json::array& members) {
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
            const auto identity = identity_of(d.get_object());
            if (!identity || !identity->verify())
                return failure("bad_signature", "the key of " + user + "'s device " + device +
                                                    " is not properly signed");
            const auto verdict = known_.check(user, device, identity->sign_key);
            if (verdict == KnownKeys::Verdict::new_device || verdict == KnownKeys::Verdict::changed)
                return failure("key_changed", user + "'s keys have changed (device " + device +
                                                  ", fingerprint " + identity->fingerprint() +
                                                  "). Compare fingerprints with " + user +
                                                  ", then run 'liaise trust " + user + "'");
            out.push_back({device, identity->box_key});
        }
    }
    return out;
}

protocol::Expected<std::int64_t> Client::send(std::string_view room, std::string_view text,
                                              std::optional<std::string> client_msg_id) {
    const auto msg_id = client_msg_id ? *client_msg_id : new_message_id();
    auto shown = conn_->request("room_show", {{"room", room}});
    if (!shown)
        return shown.error();
    json::array members = shown.value().at("members").as_array();
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto to = recipients(members);
        if (!to)
            return to.error();
        const auto envelope = crypto::seal(keys_, profile_.device, room, msg_id, text, to.value());
        auto reply =
            conn_->request("send", {{"room", room}, {"envelope", crypto::to_json(envelope)}});
        if (reply)
            return num(reply.value(), "seq");
        if (reply.error().code != "stale_membership")
            return reply.error();
        const auto* fresh = conn_->last_error_body().if_contains("members");
        if (!fresh || !fresh->is_array())
            return reply.error();
        members = fresh->get_array();  // re-wrap for the room as it is now, same message id
    }
    return failure("stale_membership", "the room's membership kept changing; try again");
}

ReadMessage Client::open_message(const json::object& m) {
    ReadMessage out;
    out.room = str(m, "room");
    out.seq = num(m, "seq");
    out.sender = str(m, "sender");
    out.sender_device = str(m, "sender_device");
    out.sent_at = num(m, "sent_at");
    const auto* keys = m.if_contains("sender_keys");
    const auto* env = m.if_contains("envelope");
    const auto identity =
        keys && keys->is_object() ? identity_of(keys->get_object()) : std::nullopt;
    if (!identity || !identity->verify() || !env) {
        out.error =
            failure("bad_signature", "the sender's keys are missing or not properly signed");
        return out;
    }
    auto envelope = crypto::envelope_from_json(*env);
    if (!envelope) {
        out.error = envelope.error();
        return out;
    }
    if (envelope.value().sender_device != out.sender_device || envelope.value().room != out.room) {
        out.error =
            failure("bad_signature", "the envelope does not belong to this room and sender");
        return out;
    }
    // Opened before the sender's key is checked against the pins, so that a message this
    // device cannot read (sent before it joined) reports that, and pins nothing; the text is
    // kept only if the key is the one pinned.
    auto text = crypto::open(envelope.value(), keys_, profile_.device, *identity);
    if (!text) {
        out.error = text.error();
        return out;
    }
    const auto verdict = known_.check(out.sender, out.sender_device, identity->sign_key);
    if (verdict == KnownKeys::Verdict::pinned_now || verdict == KnownKeys::Verdict::matches) {
        out.text = std::move(text).value();
        return out;
    }
    const auto advice =
        "compare fingerprints with " + out.sender + ", then run 'liaise trust " + out.sender + "'";
    out.error = failure("key_changed", verdict == KnownKeys::Verdict::new_device
                                           ? "sent from a device of " + out.sender +
                                                 "'s that you have not verified (device " +
                                                 out.sender_device + "); " + advice
                                           : out.sender + "'s keys have changed; " + advice);
    return out;
}

protocol::Expected<std::vector<ReadMessage>> Client::read(std::string_view room,
                                                          std::int64_t after) {
    std::vector<ReadMessage> out;
    while (true) {
        auto page = conn_->request("sync", {{"room", room}, {"after", after}, {"limit", 500}});
        if (!page)
            return page.error();
        const auto& messages = page.value().at("messages").as_array();
        for (const auto& m : messages) {
            out.push_back(open_message(m.as_object()));
            after = out.back().seq;
        }
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

protocol::Expected<json::object> Client::trust(std::string_view user) {
    auto keys = conn_->request("user_keys", {{"user", user}});
    if (!keys)
        return keys.error();
    std::map<std::string, std::string> devices;
    for (const auto& d : keys.value().at("devices").as_array()) {
        const auto identity = identity_of(d.as_object());
        if (!identity || !identity->verify())
            return failure("bad_signature",
                           "a key of " + std::string(user) + " is not properly signed");
        devices[str(d.as_object(), "device")] = identity->sign_key.to_base64();
    }
    known_.trust(std::string(user), devices);
    return keys;
}

}  // namespace liaise::client
