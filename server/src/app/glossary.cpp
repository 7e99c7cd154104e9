// A room's shared language: the terms a chair agrees for a room (PROTOCOL.md, "Room glossary").
//
// Members read the glossary; a chair (or an admin) who is a member of the room agrees and
// withdraws terms. Each change is a new version of the room's glossary, an entry in the audit
// log and an event in the room's history, so members see in the room itself who agreed what;
// online members are told so that their clients check drafts against the new glossary at once.
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>

#include "app/room_events.hpp"
#include "app/service.hpp"
#include "liaise/jargon/glossary.hpp"
#include "store/db.hpp"
#include "store/glossary_store.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;

constexpr std::int64_t kHistoryMax = 200;

struct GlossaryRoom {
    std::int64_t id = 0;
    std::string name;
    bool is_public = false;
};

bool is_member(SQLite::Database& db, std::int64_t room, std::int64_t account) {
    SQLite::Statement q(db, "SELECT 1 FROM room_members WHERE room_id = ? AND account_id = ?");
    q.bind(1, room);
    q.bind(2, account);
    return q.executeStep();
}

/// The room named `name` as `caller` may see it: a member may read and (as a chair) change its
/// glossary; an admin outside it may read it; anyone else is answered as if it did not exist,
/// as for every room request (PROTOCOL.md, "Errors").
GlossaryRoom require_room(SQLite::Database& db, std::string_view name, std::int64_t caller,
                          Role role, bool change) {
    SQLite::Statement q(db, "SELECT id, name, public FROM rooms WHERE name = ?");
    q.bind(1, std::string(name));
    const auto missing = ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
    if (!q.executeStep())
        throw missing;
    GlossaryRoom room{q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                      q.getColumn(2).getInt() != 0};
    if (is_member(db, room.id, caller))
        return room;
    if (role != Role::admin)
        throw missing;
    if (change)
        throw ServiceError(errc::forbidden,
                           "only a chair who is a member of '" + room.name +
                               "' can agree terms for it: the room's members decide its words");
    return room;
}

void require_valid(const std::string& field, const std::string& problem) {
    if (!problem.empty())
        throw ServiceError(errc::bad_request, field + ": " + problem);
}

std::string_view change_name(glossary_store::Change c) {
    switch (c) {
        case glossary_store::Change::added:
            return "added";
        case glossary_store::Change::changed:
            return "changed";
        case glossary_store::Change::removed:
            return "removed";
        case glossary_store::Change::none:
            break;
    }
    return "none";
}

}  // namespace

void Service::glossary(Context& ctx) {
    const bool with_history = ctx.req.boolean("history", false);
    auto out = read(ctx, [&](SQLite::Database& db) {
        const auto room =
            require_room(db, ctx.req.string("room"), ctx.who.account, ctx.who.role, false);
        auto o = glossary_store::to_json(db, room.id);
        o["room"] = room.name;
        o["public"] = room.is_public;
        if (with_history)
            o["history"] = glossary_store::history(db, room.id, kHistoryMax);
        return o;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::glossary_change(Context& ctx, bool add) {
    const auto room_name = std::string(ctx.req.string("room"));
    const auto term = std::string(ctx.req.string("term"));
    const auto meaning = add ? std::string(ctx.req.string("meaning")) : std::string();
    require_valid("term", jargon::agreed_term_problem(term));
    if (add)
        require_valid("meaning", jargon::agreed_meaning_problem(meaning));
    const auto caller = ctx.who.account;
    const auto role = ctx.who.role;
    const auto caller_device = ctx.who.device;
    auto events = std::make_shared<RoomEvents>();
    write(
        ctx,
        [=, this](SQLite::Database& db, Outcome& out) {
            events->clear();
            const auto room = require_room(db, room_name, caller, role, true);
            const auto now = now_ms();
            glossary_store::Written w;
            if (add) {
                if (glossary_store::count(db, room.id) >=
                        static_cast<std::int64_t>(jargon::kMaxAgreedTerms) &&
                    !glossary_store::has(db, room.id, term))
                    throw ServiceError(errc::bad_request,
                                       "term: a room agrees at most " +
                                           std::to_string(jargon::kMaxAgreedTerms) + " terms");
                w = glossary_store::agree(db, room.id, term, meaning, caller, now);
            } else {
                w = glossary_store::withdraw(db, room.id, term, caller, now);
            }
            const bool changed = w.change != glossary_store::Change::none;
            out.reply = {{"room", room.name},
                         {"term", w.term},
                         {"version", w.version},
                         {"change", change_name(w.change)}};
            if (!changed)
                return;
            json::object details{{"room", room.name},
                                 {"term", w.term},
                                 {"version", w.version},
                                 {"change", change_name(w.change)}};
            json::object event{{"kind", "glossary_changed"},
                               {"change", change_name(w.change)},
                               {"term", w.term},
                               {"version", w.version}};
            if (add) {
                details["meaning"] = meaning;
                event["meaning"] = meaning;
            }
            record(db, caller, "room_glossary_changed", details);
            set_event_actor(event, account_by_id(db, caller));
            events->append(db, room.id, room.name, caller_device, event);
            SQLite::Statement members(db, "SELECT account_id FROM room_members WHERE room_id = ?");
            members.bind(1, room.id);
            notify_later(out, int64_column(members));
        },
        [this, room_name, events](const Outcome& out) {
            if (out.reply.at("change").as_string() == "none")
                return;
            bus_.publish(out.notify,
                         std::make_shared<const Frame>(protocol::encode_event(
                             "membership", {{"room", room_name}, {"change", "glossary"}})));
            events->publish(bus_);
        });
}

}  // namespace liaise::server
