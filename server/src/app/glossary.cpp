// A room's shared language: the terms a chair agrees for a room (PROTOCOL.md, "Room glossary").
//
// Members read the glossary; a chair (or an admin) who is a member of the room agrees and
// withdraws terms. Each change is a new version of the room's glossary, an entry in the audit
// log and an event in the room's history, so members see in the room itself who agreed what;
// online members are told so that their clients check drafts against the new glossary at once.
#include <boost/json.hpp>

#include "app/room_events.hpp"
#include "app/rows_json.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/jargon/glossary.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;
using store::GlossaryChange;

constexpr std::int64_t kHistoryMax = 200;

/// The room named `name` as `caller` may see it: a member may read and (as a chair) change its
/// glossary; an admin outside it may read it; anyone else is answered as if it did not exist,
/// as for every room request (PROTOCOL.md, "Errors").
store::Room require_room(const store::RoomsView& rooms, std::string_view name, std::int64_t caller,
                         Role role, bool change) {
    const auto missing = ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
    auto room = rooms.find(name);
    if (!room)
        throw missing;
    if (rooms.membership(room->id, caller))
        return std::move(*room);
    if (role != Role::admin)
        throw missing;
    if (change)
        throw ServiceError(errc::forbidden,
                           "only a chair who is a member of '" + room->name +
                               "' can agree terms for it: the room's members decide its words");
    return std::move(*room);
}

void require_valid(const std::string& field, const std::string& problem) {
    if (!problem.empty())
        throw ServiceError(errc::bad_request, field + ": " + problem);
}

std::string_view change_name(GlossaryChange c) {
    switch (c) {
        case GlossaryChange::added:
            return "added";
        case GlossaryChange::changed:
            return "changed";
        case GlossaryChange::removed:
            return "removed";
        case GlossaryChange::none:
            break;
    }
    return "none";
}

/// The room's changes, newest first: {"version", "change", "term", "meaning" (not for a
/// withdrawal), "by", "at"}.
json::array history_json(const std::vector<store::GlossaryVersion>& history) {
    json::array out;
    for (const auto& v : history) {
        json::object o{{"version", v.version}, {"change", change_name(v.change)}, {"term", v.term}};
        if (v.meaning)
            o["meaning"] = *v.meaning;
        o["by"] = v.by;
        o["at"] = v.at;
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace

void Service::glossary(Context& ctx) {
    read_object(ctx, [with_history = ctx.req.boolean("history", false),
                      name = std::string(ctx.req.string("room")), account = ctx.who.account,
                      role = ctx.who.role](const store::ReadTx& tx) {
        const auto room = require_room(tx.rooms(), name, account, role, false);
        auto o = glossary_json(tx.glossary().version(room.id), tx.glossary().terms(room.id));
        o["room"] = room.name;
        o["public"] = room.is_public;
        if (with_history)
            o["history"] = history_json(tx.glossary().history(room.id, kHistoryMax));
        return o;
    });
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
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            events->clear();
            const auto room = require_room(tx.rooms(), room_name, caller, role, true);
            const auto now = now_ms();
            auto& glossary = tx.glossary();
            store::GlossaryWritten w;
            if (add) {
                if (glossary.count(room.id) >= static_cast<std::int64_t>(jargon::kMaxAgreedTerms) &&
                    !glossary.has(room.id, term))
                    throw ServiceError(errc::bad_request,
                                       "term: a room agrees at most " +
                                           std::to_string(jargon::kMaxAgreedTerms) + " terms");
                w = glossary.agree(room.id, term, meaning, caller, now);
            } else {
                w = glossary.withdraw(room.id, term, caller, now);
            }
            const bool changed = w.change != GlossaryChange::none;
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
            record(tx, caller, "room_glossary_changed", details);
            set_event_actor(event, account_by_id(tx.accounts(), caller));
            events->append(tx, room.id, room.name, caller_device, event);
            notify_later(out, tx.rooms().member_accounts(room.id));
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
