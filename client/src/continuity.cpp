// Client's continuity (client.hpp; PROTOCOL.md, "Continuity"): the recovery key and key backup,
// the device transfer and the history share. Every key that arrives here opens a message only
// through crypto::open_with_key, which checks it against the message's signed commitment.
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <utility>

#include "history_store.hpp"
#include "liaise/client/client.hpp"
#include "liaise/protocol/continuity.hpp"
#include "liaise/protocol/envelope_json.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
using protocol::num;
using protocol::str;

/// The recovery key as this device keeps it: sealed to its own box key.
constexpr const char* kRecoveryFile = "recovery.sealed";
/// The message keys that came by restore, transfer or share, kept for later sessions (to pass
/// on, back up or share again): {"ROOM\nSEQ": base64 of the entry sealed to this device's own
/// box key}, as the browser keeps them.
constexpr const char* kMovedKeysFile = "moved-keys.json";
constexpr std::size_t kPutBatch = 500;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// The recovery key this device keeps, if any.
std::optional<crypto::RecoveryKey> kept_recovery_key(const Home& home,
                                                     const crypto::DeviceKeys& keys) {
    const auto text = home.read_file(kRecoveryFile);
    const auto sealed = text ? crypto::from_base64(*text) : std::nullopt;
    auto plain = sealed ? crypto::open_sealed(keys, *sealed) : std::nullopt;
    if (!plain || plain->size() != crypto::kRecoverySecretBytes)
        return std::nullopt;
    auto key = crypto::RecoveryKey::from_secret(
        std::span<const unsigned char, crypto::kRecoverySecretBytes>(plain->data(), plain->size()));
    sodium_memzero(plain->data(), plain->size());
    return key;
}

protocol::Expected<bool> keep_recovery_key(const Home& home, const crypto::DeviceKeys& keys,
                                           const crypto::RecoveryKey& key) {
    const auto secret = key.secret();
    std::vector<unsigned char> sealed(secret.size() + crypto_box_SEALBYTES);
    crypto_box_seal(sealed.data(), secret.data(), secret.size(), keys.identity().box_key.data());
    return home.write_file(kRecoveryFile, crypto::to_base64(sealed));
}

}  // namespace

// ---- moved keys ---------------------------------------------------------------------------------

namespace {

/// The kept moved keys as their file holds them: {"ROOM\nSEQ": sealed}; empty when there is
/// none or it does not parse (those keys are then not on this device: a restore brings them
/// back).
json::object moved_key_file(const Home& home) {
    const auto text = home.read_file(kMovedKeysFile);
    if (!text)
        return {};
    boost::system::error_code ec;
    auto parsed = json::parse(*text, ec);
    return !ec && parsed.is_object() ? std::move(parsed.as_object()) : json::object{};
}

std::string moved_key_id(const std::string& room, std::int64_t seq) {
    return room + "\n" + std::to_string(seq);
}

}  // namespace

Client::MovedKeys& Client::moved_keys() {
    if (moved_keys_loaded_)
        return extra_keys_;
    moved_keys_loaded_ = true;
    for (const auto& [id, sealed] : moved_key_file(home_)) {
        const std::string key(id);
        const auto cut = key.rfind('\n');
        const auto bytes =
            sealed.is_string() ? crypto::from_base64(sealed.get_string()) : std::nullopt;
        if (cut == std::string::npos || !bytes)
            continue;
        const auto room = key.substr(0, cut);
        const auto seq = std::strtoll(key.c_str() + cut + 1, nullptr, 10);
        // Checked as any moved key is: sealed here, to this device, for that room and message.
        // A key added in this session before the file was read stays as it is.
        if (auto entry = crypto::open_shared_entry(keys_, *bytes, room, seq))
            extra_keys_.emplace(std::pair{room, seq}, std::move(entry).value());
    }
    return extra_keys_;
}

void Client::keep_moved_keys(std::vector<crypto::KeyEntry> entries) {
    if (entries.empty())
        return;
    auto& held = moved_keys();
    auto kept = moved_key_file(home_);
    for (auto& e : entries) {
        kept[moved_key_id(e.room, e.seq)] =
            crypto::to_base64(crypto::seal_key_entry(e, keys_.identity().box_key));
        held[{e.room, e.seq}] = std::move(e);
    }
    if (!home_.write_file(kMovedKeysFile, json::serialize(kept)))
        continuity_notes_.push_back(
            "the keys that arrived could not be kept on this device for later: they open the "
            "messages now, but restore or receive them again before passing them on");
}

void Client::forget_moved_key(const std::string& room, std::int64_t seq) {
    moved_keys().erase({room, seq});
    auto kept = moved_key_file(home_);
    if (kept.erase(moved_key_id(room, seq)) > 0)
        (void)home_.write_file(kMovedKeysFile, json::serialize(kept));
}

// ---- collecting keys --------------------------------------------------------------------------

void Client::note_key(const crypto::Envelope& envelope, std::int64_t seq,
                      const crypto::PublicIdentity& sender) {
    HeldKey held;
    held.entry.room = envelope.room;
    held.entry.seq = seq;
    held.entry.message_hash = crypto::message_hash(envelope);
    held.sent_at = envelope.history.sent_at;
    const auto& moved = moved_keys();
    if (const auto it = moved.find({envelope.room, seq}); it != moved.end()) {
        held.entry.key = it->second.key;
    } else {
        auto key = crypto::message_key(envelope, keys_, profile_.device, sender);
        if (!key)
            return;  // version 1: no commitment to check a moved key against
        held.entry.key = key.value();
    }
    collected_.push_back(std::move(held));
}

protocol::Expected<std::vector<Client::HeldKey>> Client::keys_of(const std::string& room) {
    collected_.clear();
    collecting_ = true;
    auto read = fetch(room, 0);
    collecting_ = false;
    auto out = std::move(collected_);
    collected_.clear();
    if (!read)
        return read.error();
    return out;
}

protocol::Expected<std::size_t> Client::read_again(const std::string& room) {
    extra_used_ = 0;
    auto read = fetch(room, 0);
    if (!read)
        return read.error();
    if (auto* kept = store())
        (void)kept->keep(room, 0, read.value());
    return extra_used_;
}

protocol::Expected<std::vector<std::string>> Client::room_names() {
    auto reply = conn_->request("rooms", {});
    if (!reply)
        return reply.error();
    std::vector<std::string> out;
    for (const auto& r : reply.value().at("rooms").as_array())
        out.push_back(str(r.as_object(), "room"));
    return out;
}

bool Client::own_device(const std::string& device, const crypto::SignPublicKey& key) {
    if (device == profile_.device)
        return key == keys_.identity().sign_key;
    switch (known_.check(profile_.user, device, key)) {
        case KnownKeys::Verdict::pinned_now:
        case KnownKeys::Verdict::matches:
            return true;
        case KnownKeys::Verdict::new_device:
        case KnownKeys::Verdict::changed:
            if (known_.verified(profile_.user))
                return false;
            known_.pin(profile_.user, device, key);
            return true;
    }
    return false;
}

// ---- backup -------------------------------------------------------------------------------------

protocol::Expected<Client::BackupStatus> Client::backup_status() {
    auto reply = conn_->request("backup_key", {});
    if (!reply)
        return reply.error();
    const auto& o = reply.value();
    BackupStatus s;
    s.version = num(o, "version");
    if (s.version == 0)
        return s;
    s.device = str(o, "device");
    const auto pk = crypto::BoxPublicKey::from_base64(str(o, "public_key"));
    const auto sig = crypto::Signature::from_base64(str(o, "signature"));
    const auto mine = kept_recovery_key(home_, keys_);
    s.on_this_device = mine && pk && mine->backup_public_key() == *pk;
    // Keys are sealed only to a backup key this device vouched for itself (it created or
    // restored the recovery key), never to one another device or the server names: a key the
    // server substituted would hand it every message this device reads.
    if (pk && sig && s.device == profile_.device) {
        crypto::BackupKeyRecord r{profile_.user, s.version, *pk, s.device, *sig};
        s.trusted = crypto::backup_key_valid(r, keys_.identity().sign_key);
    }
    s.trusted = s.trusted || s.on_this_device;
    backup_checked_ = true;
    backup_version_ = s.version;
    backup_key_ = s.trusted ? pk : std::nullopt;
    if (!s.trusted)
        continuity_notes_.push_back(
            "the key backup's public key is not one this device vouched for: nothing is backed "
            "up from here until you restore your recovery key on it ('liaise recovery restore')");
    return s;
}

std::optional<crypto::BoxPublicKey> Client::backup_target() {
    if (!backup_checked_)
        (void)backup_status();
    return backup_key_;
}

void Client::begin_backup() {
    collected_.clear();
    // Until the server was asked (after the first read that worked), collect: asking before
    // a read would cost a request on a connection that may be gone.
    collecting_ = !backup_checked_ || backup_key_.has_value();
}

bool Client::back_up_collected(bool connected) {
    collecting_ = false;
    auto held = std::move(collected_);
    collected_.clear();
    if (held.empty() || !connected || !backup_target())
        return connected;
    std::map<std::string, json::object> by_room;
    for (const auto& h : held)
        by_room[h.entry.room][std::to_string(h.entry.seq)] =
            crypto::to_base64(crypto::seal_key_entry(h.entry, *backup_key_));
    bool stored = true;
    const auto put = [&](const std::string& room, json::object batch) {
        stored = conn_
                     ->request(
                         "backup_put",
                         {{"room", room}, {"version", backup_version_}, {"keys", std::move(batch)}})
                     .ok() &&
                 stored;
    };
    for (auto& [room, keys] : by_room) {
        json::object batch;
        for (auto& [seq, sealed] : keys) {
            batch[seq] = std::move(sealed);
            if (batch.size() == kPutBatch)
                put(room, std::exchange(batch, {}));
        }
        if (!batch.empty())
            put(room, std::move(batch));
    }
    return stored;
}

protocol::Expected<Client::OpenedBackup> Client::open_backup(
    const crypto::RecoveryKey& key, const std::vector<std::string>& rooms) {
    OpenedBackup out;
    for (const auto& room : rooms) {
        std::int64_t after = 0;
        while (true) {
            auto page = conn_->request("backup_get", {{"room", room}, {"after", after}});
            if (!page)
                return page.error();
            for (const auto& [seq_text, sealed] : page.value().at("keys").as_object()) {
                const auto seq = std::strtoll(std::string(seq_text).c_str(), nullptr, 10);
                after = std::max<std::int64_t>(after, seq);
                const auto bytes =
                    sealed.is_string() ? crypto::from_base64(sealed.get_string()) : std::nullopt;
                auto entry = bytes ? key.open_entry(*bytes, room, seq)
                                   : protocol::Expected<crypto::KeyEntry>(
                                         failure("bad_backup_entry", "not base64"));
                if (entry)
                    out.entries.push_back(std::move(entry).value());
                else
                    ++out.refused;
            }
            const auto* more = page.value().if_contains("more");
            if (!more || !more->is_bool() || !more->get_bool())
                break;
        }
    }
    return out;
}

void Client::prune_backup() {
    if (!conn_->request("backup_prune", {{"version", backup_version_}}))
        continuity_notes_.push_back(
            "the old recovery key's backup could not be deleted from the server; it is deleted "
            "the next time you make a recovery key or restore one");
}

protocol::Expected<crypto::RecoveryKey> Client::create_recovery_key() {
    auto status = backup_status();
    if (!status)
        return status.error();
    auto rooms = room_names();
    if (!rooms)
        return rooms.error();
    // Rotation: what the old recovery key opens is carried over to the new one, so keys backed
    // up by other devices (or restored here) are not lost with the old key.
    OpenedBackup carried;
    const auto old_key = kept_recovery_key(home_, keys_);
    if (status.value().version > 0) {
        if (status.value().on_this_device && old_key) {
            auto opened = open_backup(*old_key, rooms.value());
            if (!opened)
                return opened.error();
            carried = std::move(opened).value();
            if (carried.refused > 0)
                continuity_notes_.push_back(
                    std::to_string(carried.refused) +
                    " backed-up keys did not open with the old recovery key, or belonged to "
                    "another message; they were left out of the new backup");
        } else {
            continuity_notes_.push_back(
                "this device does not keep your old recovery key: the new backup holds the keys "
                "of the messages this device can read, and keys only the old backup held are "
                "left out (restore the old recovery key here first to carry them over)");
        }
    }
    auto key = crypto::RecoveryKey::generate();
    crypto::BackupKeyRecord r{
        profile_.user, status.value().version + 1, key.backup_public_key(), profile_.device, {}};
    crypto::sign_backup_key(r, keys_);
    auto set = conn_->request("backup_key_set", {{"version", r.version},
                                                 {"public_key", r.public_key.to_base64()},
                                                 {"signature", r.signature.to_base64()}});
    if (!set)
        return set.error();
    if (auto kept = keep_recovery_key(home_, keys_, key); !kept)
        return kept.error();
    backup_checked_ = true;
    backup_version_ = r.version;
    backup_key_ = r.public_key;
    // Everything the old key opened, then everything this device can read (the later wins).
    std::vector<HeldKey> all;
    for (auto& e : carried.entries)
        all.push_back({std::move(e), 0});
    for (const auto& room : rooms.value()) {
        auto held = keys_of(room);
        if (!held)
            return held.error();
        for (auto& h : held.value())
            all.push_back(std::move(h));
    }
    collected_ = std::move(all);
    if (back_up_collected() && status.value().version > 0)
        prune_backup();
    return key;
}

protocol::Expected<std::size_t> Client::restore(const crypto::RecoveryKey& key) {
    auto current = conn_->request("backup_key", {});
    if (!current)
        return current.error();
    const auto version = num(current.value(), "version");
    const auto pk = crypto::BoxPublicKey::from_base64(str(current.value(), "public_key"));
    if (version == 0)
        return failure("not_found", "your account has no key backup: nothing to restore");
    if (!pk || !(key.backup_public_key() == *pk))
        return failure("bad_recovery_key",
                       "that is not your account's current recovery key; nothing was changed");
    auto rooms = room_names();
    if (!rooms)
        return rooms.error();
    auto opened_backup = open_backup(key, rooms.value());
    if (!opened_backup)
        return opened_backup.error();
    keep_moved_keys(std::move(opened_backup.value().entries));
    if (const auto refused = opened_backup.value().refused; refused > 0)
        continuity_notes_.push_back(std::to_string(refused) +
                                    " backed-up keys did not open or belonged to another "
                                    "message; they were left out");
    // This device now keeps the key too, and vouches for it (the signer may be the lost one).
    if (auto kept = keep_recovery_key(home_, keys_, key); !kept)
        return kept.error();
    crypto::BackupKeyRecord r{profile_.user, version + 1, *pk, profile_.device, {}};
    crypto::sign_backup_key(r, keys_);
    if (auto set = conn_->request("backup_key_set", {{"version", r.version},
                                                     {"public_key", pk->to_base64()},
                                                     {"signature", r.signature.to_base64()}});
        !set)
        return set.error();
    // Entries of the earlier version are sealed to the same key: carry them over, then delete
    // the earlier version's once all are stored again.
    backup_checked_ = true;
    backup_version_ = r.version;
    backup_key_ = *pk;
    std::size_t opened = 0;
    bool stored = true;
    for (const auto& room : rooms.value()) {
        collected_.clear();
        collecting_ = true;
        auto n = read_again(room);
        if (!n)
            return n.error();
        opened += n.value();
        stored = back_up_collected() && stored;
    }
    if (stored)
        prune_backup();
    return opened;
}

// ---- transfer -----------------------------------------------------------------------------------

protocol::Expected<std::string> Client::offer_transfer() {
    auto rooms = room_names();
    if (!rooms)
        return rooms.error();
    crypto::TransferContents contents{profile_.user, profile_.device, {}};
    for (const auto& room : rooms.value()) {
        auto held = keys_of(room);
        if (!held)
            return held.error();
        for (auto& h : held.value())
            contents.entries.push_back(std::move(h.entry));
    }
    const auto code = crypto::new_transfer_code();
    auto put =
        conn_->request("transfer_put", {{"bundle", crypto::seal_transfer(contents, keys_, code)}});
    if (!put)
        return put.error();
    return code;
}

protocol::Expected<std::size_t> Client::receive_transfer(std::string_view code) {
    if (!crypto::normalise_transfer_code(code))
        return failure("bad_transfer_code",
                       "a transfer code is 10 letters and digits, like 7K3QD-M9XPA");
    auto taken = conn_->request("transfer_take", {});
    if (!taken)
        return taken.error();
    if (const auto* waiting = taken.value().if_contains("waiting");
        !waiting || !waiting->is_bool() || !waiting->get_bool())
        return failure("not_found",
                       "no transfer is waiting: run 'liaise device transfer' on your old device "
                       "first (a transfer lasts ten minutes)");
    // The old device: usually the one this device replaced. The code authenticates the bundle
    // (the server never sees it); the signature must still be that device's, and its key the
    // one this device has pinned for it, if any.
    const auto* from = taken.value().if_contains("from_keys");
    const auto from_id =
        from && from->is_object() ? device_identity(from->get_object()) : std::nullopt;
    const auto from_device = str(taken.value(), "from_device");
    auto opened =
        crypto::open_transfer(str(taken.value(), "bundle"), code, profile_.user,
                              [&](std::string_view device) -> std::optional<crypto::SignPublicKey> {
                                  if (!from_id || !from_id->verify() || device != from_device ||
                                      !own_device(from_device, from_id->sign_key))
                                      return std::nullopt;
                                  return from_id->sign_key;
                              });
    // The transfer stays on the server for its ten minutes: a mistyped code can be typed again.
    if (!opened && opened.error().code == "bad_transfer_code")
        return failure("bad_transfer_code",
                       "the transfer did not open with that code: check it against the code the "
                       "old device shows and type it again (it works for ten minutes from when it "
                       "was shown)");
    if (!opened)
        return opened.error();
    // Opened: nobody needs it any more (if this fails, it is gone in ten minutes anyway).
    if (!conn_->request("transfer_done", {}))
        continuity_notes_.push_back(
            "the transfer could not be closed on the server; it is deleted within ten minutes");
    std::set<std::string> rooms;
    for (const auto& e : opened.value().entries)
        rooms.insert(e.room);
    keep_moved_keys(std::move(opened.value().entries));
    std::size_t count = 0;
    begin_backup();
    for (const auto& room : rooms) {
        auto n = read_again(room);
        if (!n)
            return n.error();
        count += n.value();
    }
    back_up_collected();
    return count;
}

// ---- history share ------------------------------------------------------------------------------

protocol::Expected<std::int64_t> Client::share_history(std::string_view room, std::string_view user,
                                                       std::int64_t since, std::size_t max_frame) {
    const std::string name(room);
    auto shown = conn_->request("room_show", {{"room", room}});
    if (!shown)
        return shown.error();
    const json::object* member = nullptr;
    for (const auto& m : shown.value().at("members").as_array())
        if (str(m.as_object(), "user") == user)
            member = &m.as_object();
    if (member == nullptr)
        return failure("not_found", std::string(user) + " is not a member of " + name +
                                        ": add them first ('liaise room add')");
    // Every device of the newcomer, checked before anything is sealed to it.
    std::vector<std::pair<std::string, crypto::PublicIdentity>> to;
    for (const auto& d : member->at("devices").as_array()) {
        const auto id = device_identity(d.as_object());
        const auto device = str(d.as_object(), "device");
        if (!id || !id->verify())
            return failure("bad_signature", std::string(user) + "'s device " + device +
                                                " does not have properly signed keys");
        const auto verdict = known_.check(std::string(user), device, id->sign_key);
        if ((verdict == KnownKeys::Verdict::changed || verdict == KnownKeys::Verdict::new_device) &&
            known_.verified(std::string(user)))
            return failure("key_changed", std::string(user) +
                                              "'s keys changed since you verified them; "
                                              "compare safety numbers again first");
        to.emplace_back(device, *id);
    }
    if (to.empty())
        return failure("not_found", std::string(user) + " has no device to share with");
    auto held = keys_of(name);
    if (!held)
        return held.error();
    std::vector<const HeldKey*> chosen;
    for (const auto& h : held.value())
        if (h.sent_at >= since)
            chosen.push_back(&h);
    if (chosen.empty())
        return failure("not_found",
                       "this device holds no message of " + name + " sent since that date");
    // Parts that fit in half a frame: an entry takes about 300 bytes of JSON per device.
    const std::size_t per_entry = (300 + 2 * name.size()) * to.size();
    const std::size_t part = std::max<std::size_t>(1, max_frame / 2 / per_entry);
    std::int64_t event_seq = 0;
    for (std::size_t begin = 0; begin < chosen.size(); begin += part) {
        const auto end = std::min(chosen.size(), begin + part);
        json::object shares;
        for (const auto& [device, id] : to) {
            crypto::HistoryShare s{name,
                                   profile_.user,
                                   profile_.device,
                                   std::string(user),
                                   device,
                                   since,
                                   chosen[begin]->entry.seq,
                                   chosen[end - 1]->entry.seq,
                                   {},
                                   {}};
            for (auto i = begin; i < end; ++i)
                s.entries.push_back({chosen[i]->entry.seq, chosen[i]->entry.message_hash,
                                     crypto::seal_key_entry(chosen[i]->entry, id.box_key)});
            crypto::sign_share(s, keys_);
            shares[device] = json::parse(crypto::share_to_json(s));
        }
        json::object request{{"room", room}, {"user", user}, {"shares", std::move(shares)}};
        if (begin == 0)
            request["through"] = chosen.back()->entry.seq;
        else
            request["continues"] = true;
        auto reply = conn_->request("history_share", std::move(request));
        if (!reply && begin > 0)
            return failure(reply.error().code,
                           "only part of the history was shared (up to message #" +
                               std::to_string(chosen[begin - 1]->entry.seq) +
                               "): " + reply.error().message);
        if (!reply)
            return reply.error();
        if (begin == 0)
            event_seq = num(reply.value(), "seq");
    }
    return event_seq;
}

protocol::Expected<std::vector<ReadMessage>> Client::shared_history(std::string_view room) {
    const std::string name(room);
    auto reply = conn_->request("history_shared", {{"room", room}});
    if (!reply)
        return reply.error();
    const auto& shares = reply.value().at("shares").as_array();
    if (shares.empty())
        return std::vector<ReadMessage>{};
    auto shown = conn_->request("room_show", {{"room", room}});
    if (!shown)
        return shown.error();
    // The sharing device must be a current device of a member, with an acceptable key.
    std::map<std::string, std::pair<std::string, crypto::PublicIdentity>> devices;
    for (const auto& m : shown.value().at("members").as_array())
        if (const auto* list = m.as_object().if_contains("devices"); list && list->is_array())
            for (const auto& d : list->get_array())
                if (const auto id = device_identity(d.as_object()); id && id->verify())
                    devices.emplace(str(d.as_object(), "device"),
                                    std::pair{str(m.as_object(), "user"), *id});
    std::map<std::int64_t, std::int64_t> since_of;  // seq -> the share's since
    for (const auto& v : shares) {
        auto share = crypto::share_from_json(json::serialize(v));
        if (!share) {
            continuity_notes_.push_back("a history share is malformed: left out");
            continue;
        }
        const auto& s = share.value();
        const auto from = devices.find(s.from_device);
        if (from == devices.end() || from->second.first != s.from_user ||
            s.to_device != profile_.device || s.to_user != profile_.user || s.room != name) {
            continuity_notes_.push_back("a history share from " + s.from_user +
                                        " is not from a current member's device, or not for "
                                        "this device: left out");
            continue;
        }
        const auto verdict = known_.peek(s.from_user, s.from_device, from->second.second.sign_key);
        if ((verdict == KnownKeys::Verdict::changed || verdict == KnownKeys::Verdict::new_device) &&
            known_.verified(s.from_user)) {
            continuity_notes_.push_back("a history share from " + s.from_user +
                                        " is signed by a key you have not verified: left out");
            continue;
        }
        if (!crypto::share_valid(s, from->second.second.sign_key)) {
            continuity_notes_.push_back("a history share from " + s.from_user +
                                        " does not verify: left out");
            continue;
        }
        for (const auto& e : s.entries) {
            auto entry = crypto::open_shared_entry(keys_, e.sealed, name, e.seq);
            if (!entry || entry.value().message_hash != e.message_hash)
                continue;
            extra_keys_[{name, e.seq}] = std::move(entry).value();
            since_of[e.seq] = s.since;
        }
    }
    std::vector<ReadMessage> out;
    std::vector<crypto::KeyEntry> accepted;
    for (const auto& m : reply.value().at("messages").as_array()) {
        const auto& o = m.as_object();
        const auto seq = num(o, "seq");
        const auto it = since_of.find(seq);
        if (it == since_of.end())
            continue;
        // Sent before the shared date: not part of what was shared, whatever key came with it.
        const auto* env = o.if_contains("envelope");
        const auto envelope =
            env ? crypto::envelope_from_json(*env)
                : protocol::Expected<crypto::Envelope>(failure("bad_request", ""));
        if (!envelope || envelope.value().history.sent_at < it->second) {
            continuity_notes_.push_back("message #" + std::to_string(seq) +
                                        " was sent before the shared date: left out");
            extra_keys_.erase({name, seq});
            continue;
        }
        auto read = open_one(o);
        if (read.text) {
            accepted.push_back(extra_keys_.at({name, seq}));
            out.push_back(std::move(read));
        } else {
            continuity_notes_.push_back("shared message #" + std::to_string(seq) +
                                        " did not open: " + read.error.message);
        }
    }
    keep_moved_keys(std::move(accepted));
    ledger_.flush();
    return out;
}

std::vector<std::string> Client::take_continuity_notes() {
    return std::exchange(continuity_notes_, {});
}

}  // namespace liaise::client
