// Retention schedules and legal holds (PROTOCOL.md, "Retention and legal hold"; docs/admin.md).
//
// What is kept how long: each agency may set a period, in days, for "chat" (a room's messages)
// and for each kind of meeting; a record without one takes the default below. The clock runs from
// the record's last contact: for a room, when its newest message was sent (room events such as
// membership changes are not contact); for a meeting, its record's last change (any edit,
// circulation, approval or correction moves meetings.updated_at). A room or meeting involves
// every agency of its room's members (a meeting, its chair's too) and the longest period among
// them governs: deleting a record one agency must keep is the mistake that cannot be undone.
//
// Expiry: a sweep (every hour on the server, or `liaise admin retention run`) deletes what has
// expired: a room's message envelopes (ciphertext and every wrapped key) and their key-backup
// entries through Messages::withdraw, each seq kept as an "expired" tombstone; a meeting's
// records through Retention::erase_meeting. It works in write units of at most
// ServiceConfig::retention_batch deletions (envelopes or meetings) each, so that a large room
// never holds the writer (and everyone's sends) for long; each unit plans afresh, and the next
// is queued once one commits, until nothing expired is left. One audit record per room or
// meeting per unit says what kind, how many and under which schedule, never any content (a room
// whose expiry spans units has one per unit, each but the last marked "more").
//
// One sweeper: every unit of a sweep first claims "retention_sweep" in the store (Claims,
// store/repo/claims.hpp) for this node; while another node's sweep holds it (several nodes on
// PostgreSQL), this node's sweep stops at once and leaves the work to it. The last unit releases
// the claim; a node that dies mid-sweep holds it only until its lease runs out. A legal hold on a
// room (which holds its meetings too) or on a meeting stops its deletion until lifted; the sweep
// says what it skipped and why.
//
// Claims that stopped mattering: a sweep's last unit also deletes claims (the outbox's emails,
// digests, the sweep's own) whose lease ran out more than a day ago, at most kClaimsPurged a
// sweep. Sends release their claims; these are what nodes that died left behind.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>

#include "app/minutes_template.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/meeting_kinds/catalogue.hpp"
#include "store/audit.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kMaxDays = 36'500;  // 100 years; the request spec says the same
constexpr std::int64_t kPage = 1000;
/// The sweep's claim (store/repo/claims.hpp), and how long one unit's claim lasts: far longer
/// than a unit takes, and renewed by each.
constexpr const char* kSweepClaim = "retention_sweep";
constexpr std::int64_t kSweepLeaseMs = 10LL * 60 * 1000;
/// Claims run out more than a day ago that one sweep deletes at most (Claims::purge).
constexpr int kClaimsPurged = 1000;

/// A period of `years` in days, counting a leap day every fourth year.
constexpr std::int64_t years(std::int64_t n) {
    return n * 365 + n / 4;
}

/// The default period of `record` ("chat" or a meeting kind), when no agency involved set one.
/// Chat: 2 years. Minutes: 35 years after last contact, as Blackpool keeps child protection
/// conference records (docs/admin.md has the sources); children in care reviews 75 years, as
/// looked-after children's records are kept to the 75th birthday. Kinds without a figure of
/// their own take the child protection one: keeping longer is the safe default, and an agency
/// shortens it with a reason.
std::int64_t default_days(std::string_view record) {
    if (record == "chat")
        return years(2);
    if (record == "children-in-care-review")
        return years(75);
    return years(35);
}

/// Every record a schedule may name: "chat", then the meeting kinds in catalogue order.
std::vector<std::string> records() {
    std::vector<std::string> out{"chat"};
    for (const auto& k : meeting_kinds::Catalogue::shipped().kinds())
        out.push_back(k.id);
    return out;
}

std::string require_record(std::string_view record) {
    const auto all = records();
    if (std::find(all.begin(), all.end(), record) != all.end())
        return std::string(record);
    std::string list;
    for (const auto& r : all)
        list += (list.empty() ? "" : ", ") + r;
    throw ServiceError(errc::bad_request, "record: '" + std::string(record.substr(0, 40)) +
                                              "' is not chat or a kind of meeting; use one of " +
                                              list);
}

/// A reason with its surrounding blanks removed; refused when nothing is left.
std::string require_reason(std::string_view reason, std::string_view what) {
    const auto first = reason.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        throw ServiceError(errc::bad_request, "reason: say why you " + std::string(what) +
                                                  " (it goes in the audit log)");
    const auto last = reason.find_last_not_of(" \t");
    return std::string(reason.substr(first, last - first + 1));
}

/// The schedule that governs a record, and whose it is.
struct Governing {
    std::int64_t days = 0;
    std::string agency;  ///< "" for the default
};

/// Each (agency, record) an admin set, and the agencies' names.
struct Schedules {
    std::map<std::pair<store::Id, std::string>, std::int64_t> set;
    std::map<store::Id, std::string> names;

    explicit Schedules(const store::RetentionView& view) {
        for (const auto& s : view.schedules()) {
            set[{s.agency, s.record}] = s.days;
            names[s.agency] = s.agency_name;
        }
    }

    /// The longest period among `agencies` for `record` (each agency's own, or the default);
    /// the default alone when there are none.
    [[nodiscard]] Governing governing(const std::string& record,
                                      const std::vector<store::Id>& agencies) const {
        Governing g{default_days(record), ""};
        bool first = true;
        for (const auto agency : agencies) {
            const auto it = set.find({agency, record});
            const auto days = it == set.end() ? default_days(record) : it->second;
            const auto name = it == set.end() ? std::string() : names.at(agency);
            if (first || days > g.days || (days == g.days && g.agency.empty() && !name.empty()))
                g = {days, name};
            first = false;
        }
        return g;
    }
};

/// One room's messages or one meeting's records that the sweep found expired.
struct Expired {
    std::string kind;  ///< "messages" or "minutes"
    store::Id room = 0;
    std::string room_name;
    store::Id meeting = 0;   ///< minutes only
    std::string record;      ///< "chat" or the meeting's kind
    std::int64_t count = 0;  ///< messages only: how many still have their envelope
    store::Millis last_contact = 0;
    Governing schedule;
    std::optional<store::LegalHold> hold;  ///< the hold that keeps it, if any
};

/// What has expired at `now`, held or not.
std::vector<Expired> plan(const store::RetentionView& view, store::Millis now) {
    const Schedules schedules(view);
    std::map<store::Id, store::LegalHold> room_holds, meeting_holds;
    for (const auto& h : view.holds())
        (h.target == "room" ? room_holds : meeting_holds)[h.id] = h;
    const auto held = [](const auto& holds, store::Id id) -> std::optional<store::LegalHold> {
        const auto it = holds.find(id);
        if (it == holds.end())
            return std::nullopt;
        return it->second;
    };
    const auto expired = [now](store::Millis last, std::int64_t days) {
        return now - last > days * kDayMs;
    };
    std::vector<Expired> out;
    for (const auto& r : view.rooms_with_messages()) {
        const auto g = schedules.governing("chat", r.agencies);
        if (expired(r.last_contact, g.days))
            out.push_back({"messages", r.room, r.name, 0, "chat", r.stored, r.last_contact, g,
                           held(room_holds, r.room)});
    }
    // Newest first: a meeting that carried an earlier one's actions forward goes before it, so
    // that both can go in one sweep (erase_meeting keeps a meeting whose actions are carried).
    auto meetings = view.meetings();
    std::reverse(meetings.begin(), meetings.end());
    for (const auto& m : meetings) {
        const auto record =
            minutes_template::kind_of(m.kind).id;  // a kind no longer shipped counts as "other"
        const auto g = schedules.governing(record, m.agencies);
        if (!expired(m.last_contact, g.days))
            continue;
        auto hold = held(meeting_holds, m.meeting);
        if (!hold)
            hold = held(room_holds, m.room);
        out.push_back({"minutes", m.room, m.room_name, m.meeting, record, 0, m.last_contact, g,
                       std::move(hold)});
    }
    return out;
}

json::object describe(const Expired& e) {
    json::object o{{"kind", e.kind},
                   {"room", e.room_name},
                   {"record", e.record},
                   {"last_contact", e.last_contact},
                   {"days", e.schedule.days},
                   {"schedule", e.schedule.agency.empty() ? "default" : e.schedule.agency}};
    if (e.meeting != 0)
        o["meeting"] = e.meeting;
    else
        o["count"] = e.count;
    if (e.hold) {
        o["hold"] = e.hold->target;
        o["hold_reason"] = e.hold->reason;
    }
    return o;
}

/// Drops the envelopes of at most `limit` messages of `room` still stored, oldest first, through
/// Messages::withdraw (as a withdrawal does: ciphertext, wrapped keys and key-backup entries);
/// returns how many, and whether any are left.
std::pair<std::int64_t, bool> expire_messages(store::Tx& tx, store::Id room,
                                              const std::string& tombstone, std::int64_t limit) {
    std::int64_t dropped = 0;
    std::int64_t after = 0;
    while (true) {
        const auto rows = tx.messages().after(room, after, kPage);
        for (const auto& row : rows) {
            if (!row.event.empty() || row.envelope.empty())
                continue;
            if (dropped == limit)
                return {dropped, true};
            if (tx.messages().withdraw(room, row.seq, tombstone))
                ++dropped;
        }
        if (static_cast<std::int64_t>(rows.size()) < kPage)
            return {dropped, false};
        after = rows.back().seq;
    }
}

}  // namespace

void Service::retention_show(Context& ctx) {
    read_object(ctx, [](const store::ReadTx& tx) {
        json::array defaults;
        for (const auto& r : records())
            defaults.push_back(json::object{{"record", r}, {"days", default_days(r)}});
        json::array schedules;
        for (const auto& s : tx.retention().schedules()) {
            const auto by = tx.accounts().by_id(s.set_by);
            schedules.push_back(json::object{{"agency", s.agency_name},
                                             {"record", s.record},
                                             {"days", s.days},
                                             {"set_by", by ? by->user : std::string()},
                                             {"set_at", s.set_at},
                                             {"reason", s.reason}});
        }
        json::array holds;
        for (const auto& h : tx.retention().holds()) {
            json::object o{{"target", h.target},
                           {"room", h.name},
                           {"placed_by", h.placed_by_user},
                           {"placed_at", h.placed_at},
                           {"reason", h.reason}};
            if (h.target == "meeting")
                o["meeting"] = h.id;
            holds.push_back(std::move(o));
        }
        return json::object{{"defaults", std::move(defaults)},
                            {"schedules", std::move(schedules)},
                            {"holds", std::move(holds)}};
    });
}

void Service::retention_set(Context& ctx) {
    const auto agency_name = std::string(ctx.req.string("agency"));
    const auto kind = require_record(ctx.req.string("record"));
    const auto days = ctx.req.integer("days", 0);
    if (days < 1 || days > kMaxDays)
        throw ServiceError(errc::bad_request, "days: a period is 1 day to 100 years (36500 days)");
    const auto reason = require_reason(ctx.req.string("reason"), "change the schedule");
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const auto agency = tx.accounts().agency(agency_name);
        if (!agency)
            throw ServiceError(errc::not_found, "no agency named '" + agency_name + "'");
        std::int64_t previous = default_days(kind);
        for (const auto& s : tx.retention().schedules())
            if (s.agency == agency->id && s.record == kind)
                previous = s.days;
        tx.retention().set_schedule(
            {agency->id, agency->name, kind, days, actor, now_ms(), reason});
        record(tx, actor, "retention_set",
               {{"agency", agency->name},
                {"record", kind},
                {"days", days},
                {"previous_days", previous},
                {"reason", reason}});
        out.reply = {{"agency", agency->name},
                     {"record", kind},
                     {"days", days},
                     {"previous_days", previous}};
    });
}

void Service::hold_change(Context& ctx, bool place) {
    const auto room_name = std::string(ctx.req.string("room"));
    const auto meeting = ctx.req.integer("meeting", 0);
    if (room_name.empty() == (meeting == 0))
        throw ServiceError(errc::bad_request, "name a room or a meeting (one of them)");
    const auto reason =
        require_reason(ctx.req.string("reason"), place ? "place the hold" : "lift the hold");
    const auto actor = ctx.who.account;
    write_tx(ctx, [=, this](store::Tx& tx, Outcome& out) {
        const std::string target = meeting != 0 ? "meeting" : "room";
        store::Id id = meeting;
        std::string room = room_name;
        if (meeting != 0) {
            const auto m = tx.meetings().meeting(meeting);
            if (!m)
                throw ServiceError(errc::not_found,
                                   "there is no meeting " + std::to_string(meeting));
            room = m->room_name;
        } else {
            const auto r = tx.rooms().find(room_name);
            if (!r)
                throw ServiceError(errc::not_found, "there is no room named '" + room_name + "'");
            id = r->id;
        }
        const auto what = meeting != 0
                              ? "meeting " + std::to_string(meeting) + " (in '" + room + "')"
                              : "room '" + room + "'";
        const auto at = now_ms();
        if (place) {
            if (!tx.retention().place_hold({target, id, room, actor, "", at, reason}))
                throw ServiceError(errc::conflict, what + " is under a legal hold already");
        } else if (!tx.retention().lift_hold(target, id)) {
            throw ServiceError(errc::not_found, "there is no legal hold on " + what);
        }
        json::object details{{"target", target}, {"room", room}, {"reason", reason}};
        if (meeting != 0)
            details["meeting"] = meeting;
        record(tx, actor, place ? "hold_placed" : "hold_lifted", details);
        out.reply = {{"target", target}, {"room", room}, {"at", at}};
        if (meeting != 0)
            out.reply["meeting"] = meeting;
    });
}

void Service::hold_targets(Context& ctx) {
    read_object(ctx, [](const store::ReadTx& tx) {
        json::array rooms;
        json::array meetings;
        auto all = tx.rooms().all();
        std::sort(all.begin(), all.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
        for (const auto& r : all) {
            rooms.push_back(json::object{{"room", r.name}});
            for (const auto id : tx.meetings().meetings_in(r.id)) {
                const auto m = tx.meetings().meeting(id);
                if (!m)
                    continue;
                // No title: it is in the sealed record, and the admin need not be a member.
                meetings.push_back(json::object{{"meeting", m->id},
                                                {"room", r.name},
                                                {"kind", m->kind},
                                                {"starts_at", m->starts_at},
                                                {"status", m->status}});
            }
        }
        return json::object{{"rooms", std::move(rooms)}, {"meetings", std::move(meetings)}};
    });
}

namespace {

/// Deletes what `found` says has expired and is not held, at most `budget` message envelopes and
/// meetings, recording each deletion in the audit log through `audit`; returns the sweep's
/// reply, with "more" true when expired records were left for another unit.
template <class Audit>
json::object carry_out(store::Tx& tx, const std::vector<Expired>& found, store::Millis at,
                       const Audit& audit, std::int64_t budget) {
    json::array deleted, held, kept;
    bool more = false;
    for (const auto& e : found) {
        if (e.hold) {
            held.push_back(describe(e));
            continue;
        }
        if (budget <= 0) {
            more = true;
            continue;  // still listed as held or kept above, deleted by the next unit
        }
        auto d = describe(e);
        if (e.kind == "messages") {
            json::object tombstone{
                {"kind", "expired"}, {"record", e.record}, {"days", e.schedule.days}, {"at", at}};
            const auto [count, left] =
                expire_messages(tx, e.room, json::serialize(tombstone), budget);
            budget -= count;
            d["count"] = count;
            if (left) {
                d["more"] = true;
                more = true;
            }
        } else if (budget -= 1; !tx.retention().erase_meeting(e.meeting)) {
            d["why"] = "an action raised in it is carried forward to a meeting still kept";
            kept.push_back(std::move(d));
            continue;
        }
        json::object details = d;
        details.erase("hold");
        details.erase("hold_reason");
        audit(tx, details);
        deleted.push_back(std::move(d));
    }
    return {{"preview", false},
            {"at", at},
            {"deleted", std::move(deleted)},
            {"held", std::move(held)},
            {"kept", std::move(kept)},
            {"more", more}};
}

/// Claims the sweep for `node` in this unit (see the top of this file); false when another
/// node's sweep holds it.
bool claim_sweep(store::Tx& tx, const std::string& node, store::Millis at) {
    return tx.claims().claim(kSweepClaim, node, at, at + kSweepLeaseMs);
}

/// The end of a sweep, in its last unit: releases its claim, and deletes claims that ran out
/// more than a day ago (see the top of this file); returns how many it deleted.
int finish_sweep(store::Tx& tx, const std::string& node, store::Millis at) {
    tx.claims().release(kSweepClaim, node);
    return tx.claims().purge(at - kDayMs, kClaimsPurged);
}

}  // namespace

void Service::retention_sweep(Context& ctx) {
    const auto* p = ctx.req.body.if_contains("preview");
    const bool preview = p != nullptr && p->as_bool();
    if (preview) {
        read_object(ctx, [](const store::ReadTx& tx) {
            const auto at = now_ms();
            json::array deleted, held;
            for (const auto& e : plan(tx.retention(), at))
                (e.hold ? held : deleted).push_back(describe(e));
            return json::object{{"preview", true},
                                {"at", at},
                                {"deleted", std::move(deleted)},
                                {"held", std::move(held)},
                                {"kept", json::array()}};
        });
        return;
    }
    const auto actor = ctx.who.account;
    write_tx(
        ctx,
        [=, this](store::Tx& tx, Outcome& out) {
            const auto at = now_ms();
            if (!claim_sweep(tx, config_.node, at))
                throw ServiceError(errc::conflict,
                                   "another server is running the retention sweep now; try again "
                                   "in a few minutes");
            out.reply = carry_out(
                tx, plan(tx.retention(), at), at,
                [&](store::Tx& t, const json::object& details) {
                    record(t, actor, "retention_deleted", details);
                },
                config_.retention_batch);
            if (!out.reply.at("more").as_bool())
                (void)finish_sweep(tx, config_.node, at);
        },
        // The rest in units of its own, queued once this one has committed.
        [this](const Outcome& out) {
            if (out.reply.at("more").as_bool())
                sweep_retention();
        });
}

void Service::sweep_retention() {
    sweep_step(std::make_shared<SweepTotals>());
}

void Service::stop_sweeping() {
    sweep_stopped_.store(true);
}

void Service::sweep_step(const std::shared_ptr<SweepTotals>& totals) {
    if (sweep_stopped_.load())
        return;
    auto summary = std::make_shared<json::object>();
    auto purged = std::make_shared<int>(0);
    store_.write(
        [this, summary, purged](store::Tx& tx) {
            const auto at = now_ms();
            if (!claim_sweep(tx, config_.node, at))
                return;  // another node sweeps: `summary` stays empty
            *summary = carry_out(
                tx, plan(tx.retention(), at), at,
                [&](store::Tx& t, const json::object& details) {
                    record(t, audit::kOperator, "retention_deleted", details);
                },
                config_.retention_batch);
            if (!summary->at("more").as_bool())
                *purged = finish_sweep(tx, config_.node, at);
        },
        [this, summary, totals, purged, work = in_flight_.start()](std::exception_ptr error) {
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    spdlog::error("retention sweep failed: {}", e.what());
                }
                return;  // its claim, if an earlier unit took it, runs out
            }
            if (summary->empty()) {
                spdlog::info("retention sweep: another node is sweeping; left to it");
                return;
            }
            const auto size = [&](const char* key) { return summary->at(key).as_array().size(); };
            totals->units += 1;
            totals->deleted += size("deleted");
            if (summary->at("more").as_bool()) {
                sweep_step(totals);  // queued behind whatever was queued meanwhile
                return;
            }
            if (*purged > 0)
                spdlog::info("retention sweep: {} claim(s) run out over a day ago deleted",
                             *purged);
            // Counts only: the rooms and meetings are in the audit log.
            if (totals->deleted + size("held") + size("kept") > 0)
                spdlog::info("retention sweep: {} deleted in {} unit(s), {} held, {} kept",
                             totals->deleted, totals->units, size("held"), size("kept"));
        });
}

}  // namespace liaise::server
