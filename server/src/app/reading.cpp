// Read positions and the daily digest of unread rooms (PROTOCOL.md, "Read positions"). A
// member's client says how far its person has seen a room (room_read); the position only rises,
// and never past the room's last seq. An account turns its own digest off or on
// (email_digest). An admin may ask for today's digest to be sent now (digest_run): the request
// is stored, and the email outbox's thread (mail_notices.hpp) sends it at its next check, never
// on the request path. Read positions are not audited (they change with every reading); a
// digest run is.
#include <boost/json.hpp>

#include "app/require.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"

namespace liaise::server {

namespace errc = protocol::errc;

void Service::room_read(Context& ctx) {
    const auto room_name = std::string(ctx.req.string("room"));
    const auto seq = ctx.req.integer("seq", 0);
    const auto account = ctx.who.account;
    write_tx(ctx, [=](store::Tx& tx, Outcome& out) {
        const auto [room, joined] = require_membership(tx.rooms(), room_name, account);
        const auto last = tx.rooms().by_id(room)->last_seq;
        if (seq > last)
            throw ServiceError(errc::bad_request, "seq: " + room_name + " has no message #" +
                                                      std::to_string(seq) + " (its last is #" +
                                                      std::to_string(last) + ")");
        const bool changed = tx.reading().mark_read(room, account, seq, now_ms());
        out.reply = {{"room", room_name},
                     {"read_seq", changed ? seq : tx.reading().read_seq(room, account)},
                     {"changed", changed}};
    });
}

void Service::email_digest(Context& ctx) {
    const bool on = ctx.req.boolean("on", true);
    const auto account = ctx.who.account;
    write_tx(ctx, [=](store::Tx& tx, Outcome& out) {
        out.reply = {{"on", on}, {"changed", tx.reading().set_digest(account, on)}};
    });
}

void Service::digest_run(Context& ctx) {
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto at = now_ms();
        tx.reading().request_digest(at);
        const auto day = calendar::iso_text(calendar::london_date(at));
        record(tx, actor, "digest_run", {{"day", day}});
        out.reply = {{"day", day}, {"requested_at", at}};
    });
}

}  // namespace liaise::server
