// The continuity requests (PROTOCOL.md, "Continuity"): the account's backup public key, its
// sealed key backup, the device-to-device transfer mailbox and history shares. The server
// stores what devices sealed and checks who may store or fetch it; it never holds anything that
// opens a message key. What it keeps is the store's Continuity repository
// (store/repo/continuity.hpp).
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "app/require.hpp"
#include "app/room_events.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/protocol/continuity.hpp"
#include "liaise/protocol/crypto.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;

constexpr std::int64_t kTransferLifetimeMs = 10 * 60 * 1000;
constexpr std::size_t kMaxPutEntries = 500;
constexpr std::int64_t kGetPage = 1000;
constexpr std::size_t kMaxSealedBytes = 1024;

/// A seq given as an object key ("41"): 1..2^53.
std::int64_t seq_key(std::string_view key) {
    std::int64_t n = 0;
    if (key.empty() || key.size() > 16)
        throw ServiceError(errc::bad_request, "keys: '" + std::string(key) + "' is not a seq");
    for (const char c : key) {
        if (c < '0' || c > '9')
            throw ServiceError(errc::bad_request, "keys: '" + std::string(key) + "' is not a seq");
        n = n * 10 + (c - '0');
    }
    if (n < 1)
        throw ServiceError(errc::bad_request, "keys: seqs start at 1");
    return n;
}

json::object device_object(const store::Device& d) {
    return {{"device", std::to_string(d.id)},
            {"name", d.name},
            {"sign_key", d.sign_key},
            {"box_key", d.box_key},
            {"box_key_signature", d.box_key_signature}};
}

/// A stored message of `room` as `sync` gives it, but without wrapped keys: JSON text; nullopt
/// when `seq` is not a message of the room (or its envelope does not parse).
std::optional<std::string> message_without_keys(const store::MessagesView& messages,
                                                std::int64_t room, const std::string& room_name,
                                                std::int64_t seq) {
    const auto rows = messages.after(room, seq - 1, 1);
    if (rows.empty() || rows.front().seq != seq || !rows.front().event.empty())
        return std::nullopt;
    const auto& row = rows.front();
    boost::system::error_code ec;
    auto envelope = json::parse(row.envelope, ec);
    if (ec || !envelope.is_object())
        return std::nullopt;
    const auto* version = envelope.as_object().if_contains("v");
    if (!(version && version->is_int64() && version->get_int64() == 1))
        envelope.as_object()["keys"] = json::array{};  // version 1 signs every wrapped key
    json::object m{
        {"room", room_name},
        {"seq", seq},
        {"sender", row.user},
        {"sender_device", std::to_string(row.device)},
        {"sent_at", row.sent_at},
        {"sender_keys", json::object{{"sign_key", row.sender.sign_key},
                                     {"box_key", row.sender.box_key},
                                     {"box_key_signature", row.sender.box_key_signature}}},
        {"envelope", std::move(envelope)}};
    return json::serialize(m);
}

ServiceError bad_share(std::string why) {
    return ServiceError("bad_share", "history share: " + std::move(why));
}

/// Whether `part` continues a share already stored for `device` in `room`: one from the same
/// device and date whose last seq is before the part's first.
bool continues_share(const store::ContinuityView& c, store::Id room, store::Id device,
                     const crypto::HistoryShare& part) {
    for (const auto& text : c.shares_for(room, device)) {
        const auto stored = crypto::share_from_json(text);
        if (stored && stored.value().from_device == part.from_device &&
            stored.value().since == part.since && stored.value().last_seq < part.first_seq)
            return true;
    }
    return false;
}

}  // namespace

void Service::backup_key(Context& ctx) {
    const auto account = ctx.who.account;
    read_object(ctx, [account](const store::ReadTx& tx) {
        json::object o{{"version", 0}};
        const auto key = tx.continuity().backup_key(account);
        if (!key)
            return o;
        o["version"] = key->version;
        o["public_key"] = key->public_key;
        o["device"] = std::to_string(key->device);
        o["signature"] = key->signature;
        if (const auto d = tx.accounts().device(key->device, account); d && !d->revoked_at)
            o["signer"] = device_object(*d);
        return o;
    });
}

void Service::backup_key_set(Context& ctx) {
    const auto version = ctx.req.integer("version", 0);
    const auto public_key = crypto::BoxPublicKey::from_base64(ctx.req.string("public_key"));
    const auto signature = crypto::Signature::from_base64(ctx.req.string("signature"));
    if (!public_key || !signature)
        throw ServiceError(errc::bad_request,
                           "public_key and signature: must be base64 of 32 and 64 bytes");
    crypto::BackupKeyRecord signed_key{ctx.who.user, version, *public_key,
                                       std::to_string(ctx.who.device), *signature};
    if (!crypto::backup_key_valid(signed_key, ctx.who.sign_key))
        throw ServiceError(errc::bad_signature,
                           "the backup key's signature does not verify with your device's key");
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    const auto text = std::string(ctx.req.string("public_key"));
    const auto sig = std::string(ctx.req.string("signature"));
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto current = tx.continuity().backup_key(account);
        const auto expected = current ? current->version + 1 : 1;
        if (version != expected)
            throw ServiceError(errc::conflict,
                               "the backup key is at version " + std::to_string(expected - 1) +
                                   ": a new one must be version " + std::to_string(expected));
        tx.continuity().set_backup_key(account, {version, text, device, sig});
        record(tx, account, "backup_key_set", {{"version", version}});
        out.reply = {{"version", version}};
    });
}

void Service::backup_put(Context& ctx) {
    const auto room = std::string(ctx.req.string("room"));
    const auto version = ctx.req.integer("version", 0);
    const auto& keys = ctx.req.object("keys");
    if (keys.empty() || keys.size() > kMaxPutEntries)
        throw ServiceError(errc::bad_request, "keys: 1 to 500 entries");
    std::vector<std::pair<std::int64_t, std::string>> list;
    for (const auto& [k, v] : keys) {
        const auto sealed = v.is_string() ? crypto::from_base64(v.get_string()) : std::nullopt;
        if (!sealed || sealed->empty() || sealed->size() > kMaxSealedBytes)
            throw ServiceError(errc::bad_request,
                               "keys." + std::string(k) + ": must be base64 of a sealed entry");
        list.emplace_back(seq_key(k), std::string(v.get_string()));
    }
    const auto account = ctx.who.account;
    write_tx(ctx, [=](store::Tx& tx, Outcome& out) {
        const auto [room_id, joined] = require_membership(tx.rooms(), room, account);
        const auto current = tx.continuity().backup_key(account);
        if (!current || current->version != version)
            throw ServiceError(errc::conflict, "the backup key is at version " +
                                                   std::to_string(current ? current->version : 0) +
                                                   ": seal the entries to that key");
        for (const auto& [seq, sealed] : list)
            if (!tx.continuity().is_message(room_id, seq))
                throw ServiceError(errc::bad_request, "keys." + std::to_string(seq) +
                                                          ": no such message in '" + room + "'");
        out.reply = {{"stored", tx.continuity().put_entries(account, room_id, version, list)}};
    });
}

void Service::backup_get(Context& ctx) {
    const auto room = std::string(ctx.req.string("room"));
    const auto after = ctx.req.integer("after", 0);
    const auto account = ctx.who.account;
    read_object(ctx, [room, after, account](const store::ReadTx& tx) {
        const auto [room_id, joined] = require_membership(tx.rooms(), room, account);
        const auto current = tx.continuity().backup_key(account);
        const auto version = current ? current->version : 0;
        auto list = tx.continuity().entries(account, room_id, version, after, kGetPage + 1);
        const bool more = list.size() > static_cast<std::size_t>(kGetPage);
        if (more)
            list.pop_back();
        json::object keys;
        for (auto& [seq, sealed] : list)
            keys[std::to_string(seq)] = std::move(sealed);
        return json::object{
            {"room", room}, {"version", version}, {"keys", std::move(keys)}, {"more", more}};
    });
}

void Service::backup_prune(Context& ctx) {
    const auto version = ctx.req.integer("version", 0);
    const auto account = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto current = tx.continuity().backup_key(account);
        const auto at = current ? current->version : 0;
        if (version != at)
            throw ServiceError(errc::conflict, "the backup key is at version " +
                                                   std::to_string(at) +
                                                   ": only entries below it can be deleted");
        const auto deleted = tx.continuity().drop_entries_before(account, version);
        record(tx, account, "backup_pruned", {{"version", version}, {"deleted", deleted}});
        out.reply = {{"deleted", deleted}};
    });
}

void Service::transfer_put(Context& ctx) {
    const auto bundle = std::string(ctx.req.string("bundle"));
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto expires = now_ms() + kTransferLifetimeMs;
        tx.continuity().put_transfer(account, device, bundle, expires);
        record(tx, account, "key_transfer_offered", {{"device", std::to_string(device)}});
        out.reply = {{"expires_at", expires}};
    });
}

void Service::transfer_take(Context& ctx) {
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto t = tx.continuity().take_transfer(account, device, now_ms());
        if (!t) {
            out.reply = {{"waiting", false}};
            return;
        }
        record(
            tx, account, "key_transfer_taken",
            {{"from_device", std::to_string(t->from_device)}, {"device", std::to_string(device)}});
        out.reply = {{"waiting", true},
                     {"bundle", t->bundle},
                     {"from_device", std::to_string(t->from_device)}};
        if (const auto from = tx.accounts().device(t->from_device, account))
            out.reply["from_keys"] = device_object(*from);
    });
}

void Service::transfer_done(Context& ctx) {
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const bool closed = tx.continuity().drop_transfer(account);
        if (closed)
            record(tx, account, "key_transfer_closed", {{"device", std::to_string(device)}});
        out.reply = {{"closed", closed}};
    });
}

void Service::history_share(Context& ctx) {
    const auto room = std::string(ctx.req.string("room"));
    const auto user = std::string(ctx.req.string("user"));
    const auto& shares_obj = ctx.req.object("shares");
    if (shares_obj.empty() || shares_obj.size() > 100)
        throw bad_share("one share for each of the member's devices");
    std::vector<crypto::HistoryShare> shares;
    for (const auto& [device, v] : shares_obj) {
        auto parsed = crypto::share_from_json(json::serialize(v));
        if (!parsed)
            throw bad_share("the share for device " + std::string(device) + " is malformed");
        const auto& s = parsed.value();
        if (s.to_device != device || s.room != room || s.to_user != user ||
            s.from_user != ctx.who.user || s.from_device != std::to_string(ctx.who.device))
            throw bad_share("the share for device " + std::string(device) +
                            " names another room, person or device");
        if (!shares.empty() && (s.since != shares[0].since || s.first_seq != shares[0].first_seq ||
                                s.last_seq != shares[0].last_seq))
            throw bad_share("every device's share must cover the same messages");
        if (!crypto::share_valid(s, ctx.who.sign_key))
            throw bad_share("the share for device " + std::string(device) +
                            " is not signed by your device (or its entries are out of range)");
        shares.push_back(std::move(parsed).value());
    }
    // A share too large for one frame is sent in parts: the first announces it (the event,
    // with `through`, the whole share's last seq); each further part `continues` one this
    // device already stored for the same recipient device and date, after its last seq.
    const bool continues = ctx.req.boolean("continues", false);
    const auto through = std::max(ctx.req.integer("through", 0), shares[0].last_seq);
    const auto caller = ctx.who.account;
    const auto caller_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto [room_id, joined] = require_membership(tx.rooms(), room, caller);
            const auto target = tx.accounts().find(user);
            if (!target || !tx.rooms().membership(room_id, target->id))
                throw ServiceError(errc::not_found, user + " is not a member of '" + room + "'");
            if (target->id == caller)
                throw bad_share("share history with someone else");
            const auto& first = shares[0];
            if (first.first_seq <= joined)
                throw bad_share("you can share only what was sent after you joined (seq " +
                                std::to_string(joined) + ")");
            const auto devices = tx.accounts().devices(target->id);
            if (devices.size() != shares.size())
                throw bad_share(user + " has " + std::to_string(devices.size()) +
                                " devices: share with each of them");
            for (const auto& d : devices) {
                const auto it = std::find_if(shares.begin(), shares.end(), [&](const auto& s) {
                    return s.to_device == std::to_string(d.id);
                });
                if (it == shares.end())
                    throw bad_share("no share for " + user + "'s device " + std::to_string(d.id));
                for (const auto& e : it->entries)
                    if (!tx.continuity().is_message(room_id, e.seq))
                        throw bad_share("seq " + std::to_string(e.seq) + " is not a message of '" +
                                        room + "'");
                if (continues && !continues_share(tx.continuity(), room_id, d.id, *it))
                    throw bad_share(
                        "a part that continues a share must follow one this device "
                        "stored for " +
                        user + " from the same date");
                tx.continuity().put_share({room_id, d.id, caller_device, it->since, it->first_seq,
                                           it->last_seq, crypto::share_to_json(*it)},
                                          now_ms());
            }
            if (through > tx.messages().last_seq(room_id))
                throw bad_share("through: after the room's last message");
            if (!continues) {
                auto event = event_about("history_shared", *target);
                event["since"] = first.since;
                event["first_seq"] = first.first_seq;
                event["last_seq"] = through;
                set_event_actor(event, account_by_id(tx.accounts(), caller));
                events->append(tx, room_id, room, caller_device, event);
            }
            json::object details{{"room", room},
                                 {"user", user},
                                 {"since", first.since},
                                 {"first_seq", first.first_seq},
                                 {"last_seq", continues ? first.last_seq : through}};
            if (continues)
                details["continues"] = true;
            record(tx, caller, "history_shared", std::move(details));
            const auto seq = tx.messages().last_seq(room_id);
            out.reply = {{"room", room},
                         {"user", user},
                         {"devices", static_cast<std::int64_t>(devices.size())},
                         {"seq", seq}};
        },
        [this, events](const Outcome&) { events->publish(bus_); });
}

void Service::history_shared(Context& ctx) {
    const auto room = std::string(ctx.req.string("room"));
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    read_members(ctx, [room, account, device](const store::ReadTx& tx) {
        const auto [room_id, joined] = require_membership(tx.rooms(), room, account);
        std::string text = "\"room\":" + json::serialize(json::string(room)) + ",\"shares\":[";
        std::set<std::int64_t> seqs;
        bool first = true;
        for (const auto& share : tx.continuity().shares_for(room_id, device)) {
            text += first ? "" : ",";
            text += share;
            first = false;
            const auto parsed = json::parse(share).as_object();
            for (const auto& e : parsed.at("entries").as_array())
                seqs.insert(e.at("seq").as_int64());
        }
        text += "],\"messages\":[";
        first = true;
        for (const auto seq : seqs) {
            if (const auto m = message_without_keys(tx.messages(), room_id, room, seq)) {
                text += first ? "" : ",";
                text += *m;
                first = false;
            }
        }
        return text + "]";
    });
}

}  // namespace liaise::server
