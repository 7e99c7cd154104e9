// Withdrawing a misdirected message (PROTOCOL.md, "Withdrawing a message"). The sender of a
// message, or an admin who is a member of its room, signs a statement naming the room, the seq
// and the message's hash; the server checks who may withdraw it, then, in one unit of work,
// drops the envelope (ciphertext and every wrapped key) and the message's key backup entries,
// keeps the row as a tombstone at its seq, appends a `message_withdrawn` room event carrying the
// signed statement and the withdrawer's keys, and records it in the audit log. Readers delete
// their copies only if the statement verifies against the withdrawer's pinned key: the server
// is not trusted to say that a message was withdrawn.
#include <boost/json.hpp>
#include <cstdlib>

#include "app/require.hpp"
#include "app/room_events.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/withdrawal.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;

/// How far a statement's withdrawn_at may be from the server's clock: readers show it as the
/// time of the withdrawal.
constexpr std::int64_t kClockToleranceMs = 10 * 60 * 1000;

/// The message hash a stored envelope (JSON text) has, or nullopt if it does not parse.
std::optional<std::array<unsigned char, 32>> stored_hash(const std::string& envelope) {
    boost::system::error_code ec;
    const auto value = json::parse(envelope, ec);
    if (ec)
        return std::nullopt;
    const auto parsed = crypto::envelope_from_json(value);
    if (!parsed)
        return std::nullopt;
    return crypto::message_hash(parsed.value());
}

std::string kind_of(const std::string& event_json) {
    boost::system::error_code ec;
    const auto value = json::parse(event_json, ec);
    if (ec || !value.is_object())
        return {};
    const auto* kind = value.as_object().if_contains("kind");
    return kind && kind->is_string() ? std::string(kind->get_string()) : std::string();
}

}  // namespace

void Service::message_withdraw(Context& ctx) {
    crypto::Withdrawal w;
    w.room = std::string(ctx.req.string("room"));
    w.seq = ctx.req.integer("seq", 0);
    w.by = ctx.who.user;
    w.by_device = std::to_string(ctx.who.device);
    w.withdrawn_at = ctx.req.integer("withdrawn_at", 0);
    const auto hash = crypto::from_base64(ctx.req.string("hash"));
    const auto signature = crypto::Signature::from_base64(ctx.req.string("signature"));
    if (!hash || hash->size() != w.message_hash.size())
        throw ServiceError(errc::bad_request, "hash: must be base64 of 32 bytes");
    if (!signature)
        throw ServiceError(errc::bad_request, "signature: must be base64 of 64 bytes");
    std::copy(hash->begin(), hash->end(), w.message_hash.begin());
    w.signature = *signature;
    // Checked here, on the session's thread: the statement every reader will check.
    if (!crypto::withdrawal_valid(w, ctx.who.sign_key))
        throw ServiceError(errc::bad_signature,
                           "the withdrawal's signature does not verify with your device's key");
    if (std::llabs(w.withdrawn_at - now_ms()) > kClockToleranceMs)
        throw ServiceError(errc::bad_request,
                           "withdrawn_at: more than 10 minutes from the server's clock; check "
                           "this device's clock");
    const auto account = ctx.who.account;
    const auto device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto [room_id, joined] = require_membership(tx.rooms(), w.room, account);
            const auto rows = tx.messages().after(room_id, w.seq - 1, 1);
            const auto what = "message #" + std::to_string(w.seq) + " of '" + w.room + "'";
            if (rows.empty() || rows.front().seq != w.seq)
                throw ServiceError(errc::not_found, "there is no " + what);
            const auto& row = rows.front();
            if (!row.event.empty()) {
                if (kind_of(row.event) == "withdrawn")
                    throw ServiceError("already_withdrawn", what + " was withdrawn already");
                throw ServiceError(errc::not_found,
                                   "#" + std::to_string(w.seq) + " is a room event, not a message");
            }
            const auto standing = tx.accounts().standing(device);
            if (row.user != w.by && standing.role != protocol::Role::admin)
                throw ServiceError(errc::forbidden,
                                   "only the sender of a message, or an admin, may withdraw it");
            if (stored_hash(row.envelope) != w.message_hash)
                throw ServiceError(errc::bad_request,
                                   "hash: is not the hash of " + what + "; read the room again");
            const auto me = account_by_id(tx.accounts(), account);
            const auto keys = tx.accounts().device(device, account);
            if (!keys)
                throw ServiceError(errc::device_replaced, "this device is no longer current");
            json::object event{
                {"kind", "message_withdrawn"},
                {"seq", w.seq},
                {"hash", crypto::to_base64(w.message_hash)},
                {"sender", row.user},
                {"by_device", w.by_device},
                {"by_role", protocol::to_string(standing.role)},
                {"withdrawn_at", w.withdrawn_at},
                {"signature", w.signature.to_base64()},
                {"signer_keys", json::object{{"sign_key", keys->sign_key},
                                             {"box_key", keys->box_key},
                                             {"box_key_signature", keys->box_key_signature}}}};
            set_event_actor(event, me);
            events->append(tx, room_id, w.room, device, event);
            const auto event_seq = tx.messages().last_seq(room_id);
            json::object tombstone{{"kind", "withdrawn"}, {"withdrawal_seq", event_seq}};
            set_event_actor(tombstone, me);
            if (!tx.messages().withdraw(room_id, w.seq, json::serialize(tombstone)))
                throw std::logic_error("message_withdraw: the message went away in its own unit");
            record(tx, account, "message_withdrawn",
                   {{"room", w.room}, {"seq", w.seq}, {"sender", row.user}});
            out.reply = {
                {"room", w.room}, {"seq", w.seq}, {"event_seq", event_seq}, {"withdrawn", true}};
        },
        [this, events](const Outcome&) { events->publish(bus_); });
}

}  // namespace liaise::server
