// Meetings, minutes and actions (PROTOCOL.md, "Meetings and minutes"): the request handlers.
//
// A meeting belongs to a room: only the room's members may read it, and only the meeting's chair
// and minute-taker may edit it while it is a draft. Its text (title, place, attendance, agenda,
// decisions, correction reasons) is one JSON document sealed with the at-rest key; each action is
// its own row, with its text sealed the same way and its owner, dates and status in plain columns
// so that lists and reminders need no decryption. Circulating fixes a version: a sealed snapshot
// with its distribution. Nothing here logs minutes text: log lines carry ids only.
//
// The handlers run as units of work on the store (store/store.hpp) through the repositories;
// the rules are app/minutes_rules, the records (opening, sealing, the live event) app/
// minutes_records, the reply shapes app/minutes_json. Audit records are written in the same
// unit of work as the change they record.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "app/minutes_check.hpp"
#include "app/minutes_json.hpp"
#include "app/minutes_records.hpp"
#include "app/minutes_rules.hpp"
#include "app/minutes_signing.hpp"
#include "app/minutes_template.hpp"
#include "app/require.hpp"
#include "app/service.hpp"
#include "clock.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_export.hpp"
#include "store/at_rest.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;
using protocol::flag;
using protocol::num;
using protocol::str;
using namespace minutes;
using minutes_rules::array_of;

/// What an edit changed: the meeting's own body and columns, or only rows beside it (an action
/// added or removed), which leave the meeting's row as it was.
enum class Body { changed, unchanged };

/// The one path of every edit to a draft: loads meeting `id`, requires that `caller` may edit
/// it (a room member who runs the meeting, and a draft), lets `change` change it, then saves it
/// (when its body changed) and queues the `minutes_changed` event for the room either way.
/// Returns the meeting as saved.
template <class Change>
Meeting edit_draft(store::Tx& tx, const AtRestKey& key, Id id, Id caller, Outcome& out,
                   Change&& change) {
    const auto r = reader_of(tx);
    auto m = load_meeting(r, key, id);
    require_editor(r, m, caller);
    if (change(m, r) == Body::changed)
        save_edit(tx, key, m, out, {caller});
    else
        edited(tx, m, out, {caller});
    return m;
}

/// After an action write: tells its owner, if the write set one, that it is theirs.
void tell_owner(Bus& bus, const Outcome& out) {
    if (out.owner)
        bus.publish({*out.owner}, std::make_shared<const Frame>(
                                      protocol::encode_event("action_assigned", out.reply)));
}

/// Whether two audiences are the same readers.
bool same_audience(const jargon::Audience& a, const jargon::Audience& b) {
    return a.is_public() == b.is_public() && a.disciplines() == b.disciplines();
}

/// What a write throws when the minutes changed while they were being checked off the writer.
Moved minutes_moved() {
    return Moved(
        "the minutes changed while they were being checked; nothing was changed: look at them "
        "again and retry");
}

/// The account's user name, for refusals that name someone.
minutes_rules::UserOf user_of(const Reader& r) {
    return [&r](Id id) { return person_by_id(r, id).user; };
}

}  // namespace

// ---- handlers ----------------------------------------------------------------------------------

const AtRestKey& Service::at_rest() const {
    if (at_rest_ == nullptr)
        throw ServiceError(errc::internal, "minutes are not available on this server");
    return *at_rest_;
}

jargon::SharedEngine& Service::engine() const {
    if (engine_ == nullptr)
        throw ServiceError(errc::internal, "plain-language checks are not available");
    return *engine_;
}

void Service::meeting_create(Context& ctx) {
    const auto& key = at_rest();
    const auto room_name = std::string(ctx.req.string("room"));
    const auto title = std::string(ctx.req.string("title"));
    const auto place = std::string(ctx.req.string("place"));
    const auto kind = minutes_rules::require_kind(ctx.req.string("kind"));
    const auto starts_at =
        minutes_rules::require_datetime("starts_at", ctx.req.string("starts_at"));
    const auto marking = minutes_rules::require_marking(
        ctx.req.body.contains("marking") ? ctx.req.string("marking") : "OFFICIAL");
    const auto next =
        ctx.req.body.contains("next_meeting")
            ? minutes_rules::require_when("next_meeting", ctx.req.string("next_meeting"))
            : std::string();
    const auto chair_user = std::string(ctx.req.string("chair"));
    const auto taker_user = std::string(ctx.req.string("minute_taker"));
    const auto case_reference =
        minutes_template::require_case_reference(ctx.req.string("case_reference"));
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        const auto r = reader_of(tx);
        const auto room = require_room(r, room_name);
        if (!is_member(r, room.id, caller))
            throw_no_such_room(room_name);
        const auto chair =
            chair_user.empty() ? caller : require_room_member(r, room, "chair", chair_user).id;
        const auto taker = taker_user.empty()
                               ? caller
                               : require_room_member(r, room, "minute_taker", taker_user).id;
        const auto previous = tx.meetings().latest_meeting(room.id);
        Meeting m;
        m.room = room;
        m.kind = kind;
        m.starts_at = starts_at;
        m.next_meeting = next;
        m.marking = marking;
        m.status = "draft";
        m.chair = chair;
        m.minute_taker = taker;
        m.version = 1;
        m.body = {{"title", title},
                  {"place", place},
                  {"attendance", json::array()},
                  {"agenda", json::array()},
                  {"decisions", json::array()},
                  {"case_reference", case_reference}};
        create_meeting(tx, key, m, caller);
        // The previous meeting's open actions come forward for review.
        if (previous != 0)
            (void)tx.meetings().carry_forward(previous, m.id, minutes_rules::open_statuses(),
                                              minutes_rules::kCarriedForward, now_ms());
        out.reply = minutes_json(r, key, m);
        edited(tx, m, out, {caller});
        spdlog::info("meeting {} created in room {}", m.id, room.id);
    });
}

void Service::meeting_update(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto& b = ctx.req.body;
    std::optional<std::string> title, place, kind, starts_at, marking, next, chair, taker,
        case_reference;
    if (b.contains("case_reference"))
        case_reference = minutes_template::require_case_reference(ctx.req.string("case_reference"));
    if (b.contains("title"))
        title = std::string(ctx.req.string("title"));
    if (b.contains("place"))
        place = std::string(ctx.req.string("place"));
    if (b.contains("kind"))
        kind = minutes_rules::require_kind(ctx.req.string("kind"));
    if (b.contains("starts_at"))
        starts_at = minutes_rules::require_datetime("starts_at", ctx.req.string("starts_at"));
    if (b.contains("marking"))
        marking = minutes_rules::require_marking(ctx.req.string("marking"));
    if (b.contains("next_meeting"))
        next = minutes_rules::require_when("next_meeting", ctx.req.string("next_meeting"));
    if (b.contains("chair"))
        chair = std::string(ctx.req.string("chair"));
    if (b.contains("minute_taker"))
        taker = std::string(ctx.req.string("minute_taker"));
    if (!title && !place && !kind && !starts_at && !marking && !next && !chair && !taker &&
        !case_reference)
        throw ServiceError(errc::bad_request, "meeting: nothing to change");
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        const auto m = edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader& r) {
            if (chair) {
                if (caller != m.chair)
                    throw ServiceError(errc::forbidden, "only the chair may hand over the chair");
                m.chair = require_room_member(r, m.room, "chair", *chair).id;
            }
            if (taker)
                m.minute_taker = require_room_member(r, m.room, "minute_taker", *taker).id;
            if (title)
                m.body["title"] = *title;
            if (place)
                m.body["place"] = *place;
            if (kind)
                m.kind = *kind;
            if (starts_at)
                m.starts_at = *starts_at;
            if (marking)
                m.marking = *marking;
            if (next)
                m.next_meeting = *next;
            if (case_reference)
                m.body["case_reference"] = *case_reference;
            return Body::changed;
        });
        out.reply = minutes_json(reader_of(tx), key, m);
    });
}

void Service::meetings(Context& ctx) {
    const auto& key = at_rest();
    read_object(ctx, [&key, &clocks = config_.clocks, name = std::string(ctx.req.string("room")),
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto room = require_room(r, name);
        if (!is_member(r, room.id, account))
            throw_no_such_room(room.name);
        json::array list;
        for (const auto id : r.meetings.meetings_in(room.id))
            list.push_back(meeting_summary(r, load_meeting(r, key, id), clocks));
        return json::object{{"room", room.name}, {"meetings", std::move(list)}};
    });
}

void Service::meeting_show(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto asked = ctx.req.integer("version", 0);
    read_object(ctx, [this, &key, id, asked, account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, key, id);
        require_reader(r, m, account);
        std::int64_t received = 0;  // the fixed version the caller has now seen, if any
        json::object o;
        if (asked != 0 && (asked != m.version || m.status != "draft")) {
            if (asked > m.version)
                throw ServiceError(errc::not_found, "meeting " + std::to_string(id) +
                                                        " has no version " + std::to_string(asked));
            o = fixed_version(r, key, id, asked);
            received = asked;
        } else {
            o = minutes_json(r, key, m);
            if (m.status != "draft") {
                const auto fixed = fixed_version(r, key, id, m.version);
                for (const auto* k : {"circulated_by", "circulated_at", "approved_by",
                                      "approved_at", "distribution", "signatures"})
                    if (const auto* v = fixed.if_contains(k))
                        o[k] = *v;
                received = m.version;
            }
        }
        o["versions"] = versions_json(r, id);
        o["audience"] = minutes_audience(r, m).to_string();
        o["deadlines"] = deadlines(r, m, config_.clocks);
        // Queued once the minutes are read, and not refused for a session whose standing
        // changed since: they were read (and are answered) in a snapshot from before the
        // change, and the record says so.
        if (received != 0)
            store_.write(
                [id, received, account](store::Tx& w) {
                    (void)w.meetings().mark_received(id, received, account, now_ms());
                },
                [work = in_flight_.start()](std::exception_ptr) {});
        return o;
    });
}

void Service::meeting_attend(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto entry = ctx.req.integer("entry", 0);
    const auto user = std::string(ctx.req.string("user"));
    const auto name = std::string(ctx.req.string("name"));
    const auto agency = std::string(ctx.req.string("agency"));
    const auto role = std::string(ctx.req.string("role"));
    const auto discipline = std::string(ctx.req.string("discipline"));
    const bool family = ctx.req.boolean("family", false);
    const bool copy = ctx.req.boolean("copy", false);
    const bool chose = ctx.req.body.contains("receives");
    const auto receives = chose ? ctx.req.strings("receives") : std::vector<std::string>{};
    const auto status = std::string(ctx.req.string("status"));
    minutes_rules::require_attendance_status(status);
    if (user.empty() == name.empty())
        throw ServiceError(errc::bad_request,
                           std::string(user.empty() ? "user: say who" : "user: not both") +
                               ": give either user (someone with an account) or name (someone "
                               "without one)");
    if (!user.empty() && (!agency.empty() || !discipline.empty() || family || copy))
        throw ServiceError(errc::bad_request,
                           "agency: comes from the account for a user; agency, discipline, "
                           "family and copy are for people without an account");
    if (chose && (!user.empty() || !copy))
        throw ServiceError(errc::bad_request,
                           "receives: is for someone without an account who receives a copy "
                           "(copy: true); people with accounts read the whole record");
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        if (!discipline.empty())
            require_discipline(tx.dictionaries(), discipline);
        json::object e{{"role", role}, {"status", status}};
        const auto m = edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader& r) {
            if (chose) {
                // The chair decides what each recipient without an account receives; a family
                // member can never be given a section marked professionals-only.
                if (caller != m.chair)
                    throw ServiceError(
                        errc::forbidden,
                        "only the chair decides which sections a recipient receives");
                const auto& kind = minutes_template::kind_of(m.kind);
                const json::object marks{
                    {"sections", minutes_template::sections_json(kind, m.body)}};
                json::array chosen;
                for (const auto& s : receives) {
                    if (!kind.has_section(s))
                        throw ServiceError(errc::bad_request, "receives: the record of a " +
                                                                  kind.label + " has no section '" +
                                                                  s + "'");
                    if (family && minutes_template::professionals_only(marks, s))
                        throw ServiceError(errc::professionals_only,
                                           "receives: the section '" + s +
                                               "' is marked professionals-only and can never go "
                                               "in a family member's copy");
                    chosen.push_back(json::string(s));
                }
                e["receives"] = std::move(chosen);
            }
            if (!user.empty()) {
                const auto p = require_person(r, "user", user);
                e["user"] = p.user;
                e["name"] = p.display_name;
                e["agency"] = p.agency;
                e["family"] = false;
                e["copy"] = false;
            } else {
                e["name"] = name;
                e["agency"] = agency;
                if (!discipline.empty())
                    e["discipline"] = discipline;
                e["family"] = family;
                e["copy"] = copy;
            }
            auto* target = minutes_rules::existing_item(m.body, "attendance", entry, "entry",
                                                        "attendance entry");
            if (target == nullptr && !user.empty())  // one entry per account
                for (auto& v : array_of(m.body, "attendance"))
                    if (str(v.as_object(), "user") == user)
                        target = &v.as_object();
            // The chair's choice of sections stays with the entry when someone changes it
            // without choosing again (the minute-taker recording attendance, say).
            if (!chose && target != nullptr && user.empty() && copy)
                if (const auto* kept = target->if_contains("receives"); kept != nullptr)
                    e["receives"] = *kept;
            minutes_rules::put_item(m.body, "attendance", target, e);
            return Body::changed;
        });
        out.reply = {{"meeting", id}, {"entry", e}, {"attendance", array_of(m.body, "attendance")}};
    });
}

void Service::meeting_agenda(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto item = ctx.req.integer("item", 0);
    const auto title = std::string(ctx.req.string("title"));
    const auto discussion = std::string(ctx.req.string("discussion"));
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        json::object e{{"title", title}, {"discussion", discussion}};
        (void)edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader&) {
            minutes_rules::put_item(
                m.body, "agenda",
                minutes_rules::existing_item(m.body, "agenda", item, "item", "agenda item"), e);
            return Body::changed;
        });
        out.reply = {{"meeting", id}, {"item", e}};
    });
}

void Service::meeting_decision(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto item = ctx.req.integer("item", 0);
    const auto agenda = ctx.req.integer("agenda", 0);
    const auto decision = std::string(ctx.req.string("decision"));
    const auto reasons = std::string(ctx.req.string("reasons"));
    const auto dissent = std::string(ctx.req.string("dissent"));
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        json::object e{{"decision", decision}, {"reasons", reasons}, {"dissent", dissent}};
        e["agenda"] = agenda != 0 ? json::value(agenda) : json::value();
        (void)edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader&) {
            if (agenda != 0 && minutes_rules::find_item(m.body, "agenda", agenda) == nullptr)
                throw ServiceError(
                    errc::bad_request,
                    "agenda: no agenda item " + std::to_string(agenda) + " in this meeting");
            minutes_rules::put_item(
                m.body, "decisions",
                minutes_rules::existing_item(m.body, "decisions", item, "item", "decision"), e);
            return Body::changed;
        });
        out.reply = {{"meeting", id}, {"item", e}};
    });
}

void Service::meeting_section(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto item = ctx.req.integer("item", 0);
    const auto section = std::string(ctx.req.string("section"));
    const auto& b = ctx.req.body;
    const auto opt_text = [&](std::string_view field) -> std::optional<std::string> {
        if (!b.contains(field))
            return std::nullopt;
        return std::string(ctx.req.string(field));
    };
    const auto text = opt_text("text");
    const auto how = opt_text("how_gathered");
    const auto report = opt_text("report");
    const auto report_by = opt_text("report_by");
    const auto agency = opt_text("agency");
    const auto view = opt_text("view");
    const std::optional<bool> restricted =
        b.contains("professionals_only")
            ? std::optional<bool>(ctx.req.boolean("professionals_only", false))
            : std::nullopt;
    const bool shared_given = b.contains("shared_with_parents");
    const bool shared = ctx.req.boolean("shared_with_parents", false);
    if (how && section != "child-views")
        throw ServiceError(errc::bad_request,
                           "how_gathered: belongs to the section child-views (the child's views "
                           "and how they were gathered)");
    if ((report || report_by || shared_given || item != 0) && section != "reports")
        throw ServiceError(errc::bad_request,
                           "report: reports received are recorded in the section reports");
    if (section == "reports" && (report_by || shared_given || item != 0) && !report)
        throw ServiceError(errc::bad_request, "report: name the report received");
    if (report && !shared_given)
        throw ServiceError(errc::bad_request,
                           "shared_with_parents: say whether the report was shared with the "
                           "parents beforehand (true or false)");
    if ((agency || view) && section != "decision")
        throw ServiceError(errc::bad_request,
                           "agency: an agency's view is recorded in the section decision");
    if (agency.has_value() != view.has_value() || (agency && agency->empty()))
        throw ServiceError(errc::bad_request,
                           "agency: give the agency and its view of the decision together");
    if (!text && !how && !report && !agency && !restricted)
        throw ServiceError(errc::bad_request, "section: nothing to change");
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        const auto m = edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader&) {
            const auto& kind = minutes_template::kind_of(m.kind);
            if (!kind.has_section(section)) {
                std::string ids;
                for (const auto& s : kind.sections)
                    ids += (ids.empty() ? "" : ", ") + s;
                throw ServiceError(errc::bad_request, "section: the record of a " + kind.label +
                                                          " has no section '" + section +
                                                          "'; its sections are " + ids);
            }
            if (restricted && caller != m.chair)
                throw ServiceError(errc::forbidden,
                                   "only the chair may mark a section professionals-only or lift "
                                   "the marking");
            if (agency && !kind.vote_recorded)
                throw ServiceError(errc::bad_request,
                                   "agency: the record of a " + kind.label +
                                       " records no vote; write the decision and its reasons");
            auto& sections = m.body["sections"];
            if (!sections.is_object())
                sections = json::object();
            auto& entry = sections.as_object()[section];
            if (!entry.is_object())
                entry = json::object();
            auto& e = entry.as_object();
            if (text)
                e["text"] = *text;
            if (how)
                e["how_gathered"] = *how;
            if (restricted)
                e["professionals_only"] = *restricted;
            if (report) {
                json::object r{{"report", *report},
                               {"by", report_by.value_or("")},
                               {"shared_with_parents", shared}};
                minutes_rules::put_item(
                    m.body, "reports",
                    minutes_rules::existing_item(m.body, "reports", item, "item", "report"), r);
            }
            if (agency) {
                auto& views = array_of(m.body, "agency_views");
                auto it = std::find_if(views.begin(), views.end(), [&](const json::value& v) {
                    return str(v.as_object(), "agency") == *agency;
                });
                if (view->empty()) {
                    if (it != views.end())
                        views.erase(it);
                } else if (it != views.end()) {
                    it->as_object()["view"] = *view;
                } else {
                    views.push_back(json::object{{"agency", *agency}, {"view", *view}});
                }
            }
            return Body::changed;
        });
        const auto minutes = minutes_json(reader_of(tx), key, m);
        out.reply = {{"meeting", id},
                     {"section", section},
                     {"sections", minutes.at("sections")},
                     {"reports", minutes.at("reports")},
                     {"agency_views", minutes.at("agency_views")},
                     {"missing_sections", minutes.at("missing_sections")}};
    });
}

void Service::meeting_remove(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto item = ctx.req.integer("item", 0);
    const auto section = std::string(ctx.req.string("section"));
    if (section != "attendance" && section != "agenda" && section != "decision" &&
        section != "action")
        throw ServiceError(errc::bad_request,
                           "section: must be attendance, agenda, decision or action");
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, &key](store::Tx& tx, Outcome& out) {
        (void)edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader&) {
            const auto missing =
                ServiceError(errc::not_found, "item: no " + section + " " + std::to_string(item) +
                                                  " in this meeting");
            if (section != "action") {
                if (!minutes_rules::remove_item(m.body, section, item))
                    throw missing;
                return Body::changed;
            }
            const auto carried = tx.meetings().carried(m.id, item);
            if (!carried)
                throw missing;
            if (*carried)
                throw ServiceError(errc::bad_request,
                                   "item: a carried-forward action stays on the record; set its "
                                   "status (e.g. cancelled) instead");
            tx.meetings().remove_action(item);
            return Body::unchanged;
        });
        out.reply = {{"meeting", id}, {"section", section}, {"item", item}, {"removed", true}};
    });
}

void Service::meeting_check(Context& ctx) {
    const auto& key = at_rest();
    read_object(ctx, [&key, checker = engine().get(), id = ctx.req.integer("meeting", 0),
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, key, id);
        require_reader(r, m, account);
        const auto minutes = minutes_json(r, key, m);
        auto o = check_minutes(*checker, minutes_audience(r, m), minutes);
        o["copies"] = copy_reading_ages(minutes);
        o["meeting"] = m.id;
        o["version"] = m.version;
        return o;
    });
}

void Service::meeting_circulate(Context& ctx) {
    const auto& key = at_rest();
    const auto checker = engine().get();
    const auto id = ctx.req.integer("meeting", 0);
    const bool acknowledge = ctx.req.boolean("acknowledge", false);
    const auto caller = ctx.who.account;
    const auto signature = signed_act(ctx.req, ctx.who, protocol::MinutesAct::circulate, now_ms());
    // The plain-language check is CPU work: it runs on the worker, on the minutes as a read
    // found them; the write then requires them unchanged (off_writer).
    struct Checked {
        json::object snapshot;  ///< minutes_json of the draft read
        jargon::Audience audience = jargon::Audience::everyone();
        json::object check;  ///< check_minutes of `snapshot`
    };
    auto checked = std::make_shared<Checked>();
    auto steps = std::make_shared<OffWriter>();
    // What the read and the write require before circulating; returns the meeting and its
    // minutes as clients see them.
    const auto load = [id, caller, &key](const Reader& r) {
        auto m = load_meeting(r, key, id);
        require_reader(r, m, caller);
        minutes_rules::require_may_circulate(m.state(), caller);
        auto snapshot = minutes_json(r, key, m);
        return std::pair{std::move(m), std::move(snapshot)};
    };
    steps->read = [checked, load](const store::ReadTx& tx) {
        *checked = {};
        const auto r = reader_of(tx);
        auto [m, snapshot] = load(r);
        const auto& kind = minutes_template::kind_of(m.kind);
        if (const auto& missing = snapshot.at("missing_sections").as_array();
            minutes_template::templated(kind, m.body) && !missing.empty()) {
            std::string lacks;
            for (const auto& v : missing)
                lacks += (lacks.empty() ? "" : "; ") + str(v.as_object(), "label") + " (" +
                         str(v.as_object(), "why") + ")";
            throw ServiceError(errc::sections_missing,
                               "the record of this " + kind.label + " lacks " +
                                   std::to_string(missing.size()) +
                                   " section(s) its template requires: " + lacks,
                               {{"missing", missing}});
        }
        checked->audience = minutes_audience(r, m);
        checked->snapshot = std::move(snapshot);
    };
    steps->work = [checked, checker] {
        checked->check = check_minutes(*checker, checked->audience, checked->snapshot);
    };
    steps->write = [=, this, &key](store::Tx& tx, Outcome& out) {
        std::int64_t findings = 0;
        Meeting m;
        {
            const auto r = reader_of(tx);
            auto [loaded, snapshot] = load(r);
            m = std::move(loaded);
            if (snapshot != checked->snapshot ||
                !same_audience(minutes_audience(r, m), checked->audience))
                throw minutes_moved();
            const auto& check = checked->check;
            minutes_rules::require_acknowledged(check, acknowledge, caller == m.chair,
                                                "circulating");
            findings = check.at("findings").as_int64();
            const auto now = now_ms();
            // People without an account who receive a copy, with the sections each
            // receives (which the distribution keeps with the version).
            json::array copies;
            for (const auto& v : array_of(m.body, "attendance")) {
                const auto& e = v.as_object();
                if (flag(e, "copy"))
                    copies.push_back(
                        json::object{{"entry", num(e, "id")},
                                     {"name", str(e, "name")},
                                     {"agency", str(e, "agency")},
                                     {"role", str(e, "role")},
                                     {"family", flag(e, "family")},
                                     {"sections", minutes_template::copy_sections(snapshot, e)},
                                     {"sent_at", now},
                                     {"received_at", nullptr}});
            }
            snapshot["status"] = "circulated";
            snapshot["copies"] = std::move(copies);
            snapshot["recipients"] = recipients_json(r, m.room.id);
            store::MinutesVersion v;
            v.meeting = m.id;
            v.version = m.version;
            v.status = "circulated";
            v.circulated_by = caller;
            v.circulated_at = now;
            v.findings = findings;
            v.acknowledged_by = findings > 0 ? caller : 0;
            v.body = key.seal(json::serialize(snapshot), {"minutes_versions", m.id, m.version});
            tx.meetings().add_version(v);
            record_signature(tx.meetings(), m.id, m.version, snapshot, signature, now_ms());
            const auto members = tx.rooms().member_accounts(m.room.id);
            tx.meetings().distribute(m.id, m.version, members, now);
            m.status = "circulated";
            // Told by its own event, minutes_circulated, below: not an edit.
            store_meeting(tx, key, m);
            out.reply = {{"meeting", m.id},
                         {"room", m.room.name},
                         {"version", m.version},
                         {"status", "circulated"},
                         {"findings", check.at("findings")},
                         {"distribution", distribution_json(r, m.id, m.version, snapshot)},
                         {"signatures", signatures_json(r, m.id, m.version)}};
            out.notify = members;
        }
        record(tx, caller, "minutes_circulated",
               {{"meeting", m.id},
                {"room", m.room.name},
                {"version", m.version},
                {"findings", findings}});
        spdlog::info("meeting {} version {} circulated", m.id, m.version);
    };
    steps->after = [this](const Outcome& out) {
        bus_.publish(out.notify,
                     std::make_shared<const Frame>(protocol::encode_event(
                         "minutes_circulated", {{"meeting", out.reply.at("meeting")},
                                                {"room", out.reply.at("room")},
                                                {"version", out.reply.at("version")}})));
    };
    off_writer(later(ctx), std::move(steps));
}

void Service::meeting_approve(Context& ctx) {
    const auto& key = at_rest();
    const auto checker = engine().get();
    const auto id = ctx.req.integer("meeting", 0);
    const bool acknowledge = ctx.req.boolean("acknowledge", false);
    const auto caller = ctx.who.account;
    const auto signature = signed_act(ctx.req, ctx.who, protocol::MinutesAct::approve, now_ms());
    // As meeting_circulate: the check on the worker, the write only if the meeting is as read.
    struct Checked {
        std::int64_t version = 0;
        std::string status;
        json::object fixed;  ///< the circulated version being approved
        jargon::Audience audience = jargon::Audience::everyone();
        json::object check;
    };
    auto checked = std::make_shared<Checked>();
    auto steps = std::make_shared<OffWriter>();
    steps->read = [checked, id, caller, &key](const store::ReadTx& tx) {
        *checked = {};
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, key, id);
        require_reader(r, m, caller);
        minutes_rules::require_may_approve(m.state(), caller, user_of(r));
        checked->version = m.version;
        checked->status = m.status;
        checked->fixed = fixed_version(r, key, id, m.version);
        checked->audience = minutes_audience(r, m);
    };
    steps->work = [checked, checker] {
        checked->check = check_minutes(*checker, checked->audience, checked->fixed);
    };
    steps->write = [=, this, &key](store::Tx& tx, Outcome& out) {
        std::int64_t version = 0;
        {
            const auto r = reader_of(tx);
            auto m = load_meeting(r, key, id);
            require_reader(r, m, caller);
            minutes_rules::require_may_approve(m.state(), caller, user_of(r));
            // A circulated version does not change; a correction makes a new one.
            if (m.version != checked->version || m.status != checked->status ||
                !same_audience(minutes_audience(r, m), checked->audience))
                throw minutes_moved();
            const auto& check = checked->check;
            minutes_rules::require_acknowledged(check, acknowledge, true, "approving");
            record_signature(tx.meetings(), id, m.version, checked->fixed, signature, now_ms());
            const auto now = now_ms();
            auto v = tx.meetings().version(id, m.version);
            if (!v)
                throw ServiceError(errc::internal, "a circulated version is missing");
            const auto findings = check.at("findings").as_int64();
            v->status = "approved";
            v->approved_by = caller;
            v->approved_at = now;
            v->findings = findings;
            if (findings > 0)
                v->acknowledged_by = caller;
            tx.meetings().update_version(*v);
            m.status = "approved";
            save_edit(tx, key, m, out, {caller});
            out.reply = {
                {"meeting", id},        {"version", m.version},
                {"status", "approved"}, {"approved_by", person_json(person_by_id(r, caller))},
                {"approved_at", now},   {"signatures", signatures_json(r, id, m.version)}};
            version = m.version;
        }
        record(tx, caller, "minutes_approved", {{"meeting", id}, {"version", version}});
        spdlog::info("meeting {} version {} approved", id, version);
    };
    off_writer(later(ctx), std::move(steps));
}

void Service::meeting_correct(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto reason = std::string(ctx.req.string("reason"));
    const auto caller = ctx.who.account;
    write_tx(ctx, [=, this, &key](store::Tx& tx, Outcome& out) {
        std::int64_t version = 0;
        {
            const auto r = reader_of(tx);
            auto m = load_meeting(r, key, id);
            require_reader(r, m, caller);
            minutes_rules::require_may_correct(m.state(), caller);
            if (auto v = tx.meetings().version(id, m.version)) {
                const auto after = minutes_rules::status_after_correction(v->status);
                if (after != v->status) {
                    v->status = after;
                    tx.meetings().update_version(*v);
                }
            }
            m.body["correction"] = json::object{{"reason", reason},
                                                {"of_version", m.version},
                                                {"by", person_by_id(r, caller).user},
                                                {"at", now_ms()}};
            ++m.version;
            m.status = "draft";
            save_edit(tx, key, m, out, {caller});
            out.reply = minutes_json(r, key, m);
            out.reply["versions"] = versions_json(r, id);
            version = m.version;
        }
        record(tx, caller, "minutes_correction_started", {{"meeting", id}, {"version", version}});
        spdlog::info("meeting {}: correction started as version {}", id, version);
    });
}

void Service::meeting_export(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto asked = ctx.req.integer("version", 0);
    const auto recipient = ctx.req.integer("recipient", 0);
    const auto format = std::string(ctx.req.string("format"));
    if (format != "markdown" && format != "html")
        throw ServiceError(errc::bad_request, "format: must be markdown or html");
    read_object(ctx, [this, &key, id, asked, recipient, format,
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, key, id);
        require_reader(r, m, account);
        const auto version = asked != 0 ? asked : m.version;
        if (version > m.version)
            throw ServiceError(errc::not_found, "meeting " + std::to_string(id) +
                                                    " has no version " + std::to_string(version));
        const auto doc = [&] {
            if (version == m.version && m.status == "draft") {
                if (recipient != 0)
                    throw ServiceError(errc::wrong_status,
                                       "recipient: a recipient's copy is made from a circulated "
                                       "or approved version, with the sections decided when it "
                                       "was circulated; circulate the minutes first");
                return minutes_json(r, key, m);
            }
            auto fixed = fixed_version(r, key, id, version);
            if (recipient == 0)
                return fixed;
            // The copy as the version's distribution recorded it, never as asked now.
            for (const auto& v : array_of(fixed, "distribution")) {
                const auto& d = v.as_object();
                if (!d.contains("user") && num(d, "entry") == recipient)
                    return minutes_template::copy_document(fixed, d);
            }
            throw ServiceError(errc::not_found,
                               "recipient: version " + std::to_string(version) +
                                   " was not sent as a copy to attendance entry " +
                                   std::to_string(recipient) +
                                   " (copies go to people without an account marked copy)");
        }();
        const auto status = str(doc, "status");
        json::object reply{{"meeting", id},
                           {"version", version},
                           {"status", status},
                           {"format", format},
                           {"content", format == "html" ? protocol::export_html(doc)
                                                        : protocol::export_markdown(doc)}};
        // Recorded whatever happens to the session's standing from here: the export is
        // answered, and the audit log must show it (see meeting_show).
        store_.write(
            [this, id, version, format, recipient, draft = status == "draft",
             account](store::Tx& w) {
                if (!draft && recipient == 0)
                    (void)w.meetings().mark_received(id, version, account, now_ms());
                json::object detail{{"meeting", id}, {"version", version}, {"format", format}};
                if (recipient != 0)
                    detail["recipient"] = recipient;
                record(w, account, "minutes_exported", detail);
            },
            [work = in_flight_.start()](std::exception_ptr) {});
        return reply;
    });
}

void Service::action_add(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto what = std::string(ctx.req.string("what"));
    const auto outcome = std::string(ctx.req.string("outcome"));
    const auto owner = std::string(ctx.req.string("owner"));
    const auto owner_name = std::string(ctx.req.string("owner_name"));
    const auto owner_agency = std::string(ctx.req.string("owner_agency"));
    const auto due = minutes_rules::require_date("due", ctx.req.string("due"));
    const auto review = ctx.req.body.contains("review")
                            ? minutes_rules::require_date("review", ctx.req.string("review"))
                            : std::string();
    if (owner.empty() == owner_name.empty())
        throw ServiceError(errc::bad_request,
                           std::string(owner.empty() ? "owner: say who" : "owner: not both") +
                               ": give either owner (an account) or owner_name (someone "
                               "without one)");
    if (!owner.empty() && !owner_agency.empty())
        throw ServiceError(errc::bad_request,
                           "owner_agency: comes from the account when the owner has one");
    const auto caller = ctx.who.account;
    write_tx(
        ctx,
        [=, &key](store::Tx& tx, Outcome& out) {
            Action a;
            const auto m = edit_draft(tx, key, id, caller, out, [&](Meeting& m, const Reader& r) {
                a.room_id = m.room.id;
                a.room = m.room.name;
                a.raised_in = m.id;
                a.due = due;
                a.review = review;
                a.status = "open";
                a.body = {{"what", what}, {"outcome", outcome}, {"evidence", ""}};
                if (!owner.empty()) {
                    const auto p = require_room_member(r, m.room, "owner", owner);
                    a.owner = p.id;
                    a.owner_user = p.user;
                    a.body["owner_name"] = p.display_name;
                    a.body["owner_agency"] = p.agency;
                } else {
                    a.body["owner_name"] = owner_name;
                    a.body["owner_agency"] = owner_agency;
                }
                create_action(tx, key, a);
                return Body::unchanged;
            });
            out.reply = action_json(a);
            out.reply["meeting_title"] = str(m.body, "title");
            if (a.owner)
                out.owner = *a.owner;
        },
        [this](const Outcome& out) { tell_owner(bus_, out); });
}

void Service::action_update(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("action", 0);
    const auto& b = ctx.req.body;
    std::optional<std::string> status, evidence, what, outcome, owner, owner_name, owner_agency,
        due, review;
    if (b.contains("status")) {
        status = std::string(ctx.req.string("status"));
        minutes_rules::require_action_status(*status);
    }
    if (b.contains("evidence"))
        evidence = std::string(ctx.req.string("evidence"));
    if (b.contains("what"))
        what = std::string(ctx.req.string("what"));
    if (b.contains("outcome"))
        outcome = std::string(ctx.req.string("outcome"));
    if (b.contains("owner"))
        owner = std::string(ctx.req.string("owner"));
    if (b.contains("owner_name"))
        owner_name = std::string(ctx.req.string("owner_name"));
    if (b.contains("owner_agency"))
        owner_agency = std::string(ctx.req.string("owner_agency"));
    if (b.contains("due"))
        due = minutes_rules::require_date("due", ctx.req.string("due"));
    if (b.contains("review"))
        review = minutes_rules::require_date("review", ctx.req.string("review"));
    if (owner && owner_name)
        throw ServiceError(errc::bad_request, "owner: give owner or owner_name, not both");
    if (owner && owner_agency)
        throw ServiceError(errc::bad_request,
                           "owner_agency: comes from the account when the owner has one");
    if (!status && !evidence && !what && !outcome && !owner && !owner_name && !owner_agency &&
        !due && !review)
        throw ServiceError(errc::bad_request, "action: nothing to change");
    const bool plan_change =
        what || outcome || owner || owner_name || owner_agency || due || review;
    const auto caller = ctx.who.account;
    write_tx(
        ctx,
        [=, &key](store::Tx& tx, Outcome& out) {
            const auto r = reader_of(tx);
            auto a = load_action(r, key, id);
            if (!is_member(r, a.room_id, caller))
                throw_no_such_action(id);
            const bool runs = tx.meetings().runs_meeting_of(id, caller, false);
            if (!runs && a.owner != caller)
                throw ServiceError(errc::forbidden,
                                   "only the action's owner and the chair or minute-taker of its "
                                   "meeting may update it");
            if (plan_change) {
                if (!runs)
                    throw ServiceError(errc::forbidden,
                                       "only the chair or minute-taker may change what an action "
                                       "is, who owns it and when it is due");
                if (!tx.meetings().runs_meeting_of(id, caller, true))
                    throw ServiceError(errc::minutes_locked,
                                       "the minutes that record this action are locked; change "
                                       "its status, or carry it to a new meeting to re-plan it");
            }
            std::optional<std::int64_t> assigned;
            if (owner) {
                const auto p = require_room_member(r, {a.room_id, a.room, false}, "owner", *owner);
                if (a.owner != p.id)
                    assigned = p.id;
                a.owner = p.id;
                a.owner_user = p.user;
                a.body["owner_name"] = p.display_name;
                a.body["owner_agency"] = p.agency;
            } else if (owner_name) {
                a.owner.reset();
                a.owner_user.clear();
                a.body["owner_name"] = *owner_name;
                a.body["owner_agency"] = owner_agency.value_or("");
            } else if (owner_agency) {
                if (a.owner)
                    throw ServiceError(errc::bad_request,
                                       "owner_agency: comes from the account when the owner has "
                                       "one");
                a.body["owner_agency"] = *owner_agency;
            }
            if (what)
                a.body["what"] = *what;
            if (outcome)
                a.body["outcome"] = *outcome;
            if (due)
                a.due = *due;
            if (review)
                a.review = *review;
            if (evidence)
                a.body["evidence"] = *evidence;
            if (status)
                a.status = *status;
            minutes_rules::require_evidence(a.status, str(a.body, "evidence"));
            save_action(tx, key, a, out, caller);
            out.reply = action_json(a);
            if (assigned)
                out.owner = *assigned;
        },
        [this](const Outcome& out) { tell_owner(bus_, out); });
}

void Service::actions(Context& ctx) {
    const auto& key = at_rest();
    const bool mine = ctx.req.boolean("mine", false);
    const bool overdue = ctx.req.boolean("overdue", false);
    read_object(ctx, [&key, mine, overdue, room_name = std::string(ctx.req.string("room")),
                      account = ctx.who.account](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        store::ActionFilter f;
        f.member = account;
        if (!room_name.empty()) {
            const auto room = require_room(r, room_name);
            if (!is_member(r, room.id, account))
                throw_no_such_room(room_name);
            f.room = room.id;
        }
        if (mine)
            f.owner = account;
        if (overdue) {
            f.due_before = protocol::utc_date();
            f.statuses = minutes_rules::open_statuses();
        }
        json::array out;
        std::map<Id, std::string> titles;
        for (const auto& row : r.meetings.actions(f)) {
            const auto a = opened_action(row, key);
            auto o = action_json(a);
            if (!titles.count(a.raised_in))
                titles[a.raised_in] = str(load_meeting(r, key, a.raised_in).body, "title");
            o["meeting_title"] = titles[a.raised_in];
            out.push_back(std::move(o));
        }
        return json::object{{"actions", std::move(out)}};
    });
}

std::shared_ptr<const Frame> Service::action_reminder(const store::ReadTx& tx, std::int64_t account,
                                                      std::int64_t device) const {
    if (at_rest_ == nullptr)
        return nullptr;
    std::optional<json::array> list;
    try {
        // The session's account was suspended or its device replaced since the login: it is
        // about to be closed, and gets no reminders.
        const auto standing = tx.accounts().standing(device);
        if (!standing.current || standing.suspended)
            return nullptr;
        const auto r = reader_of(tx);
        store::ActionFilter f;
        f.owner = account;
        f.statuses = minutes_rules::open_statuses();
        f.due_by = protocol::utc_date(2);
        json::array out;
        for (const auto& row : r.meetings.actions(f))
            if (is_member(r, row.room, account))
                out.push_back(action_json(opened_action(row, *at_rest_)));
        list = std::move(out);
    } catch (const std::exception& e) {
        // The login goes on; a reminder that fails is only logged.
        spdlog::error("action reminders for account {} failed: {}", account, e.what());
        return nullptr;
    }
    if (!list || list->empty())
        return nullptr;
    auto& actions = *list;
    std::int64_t overdue = 0;
    for (const auto& a : actions)
        overdue += a.at("overdue").as_bool() ? 1 : 0;
    const auto due_soon = static_cast<std::int64_t>(actions.size()) - overdue;
    return std::make_shared<const Frame>(protocol::encode_event(
        "action_reminder",
        {{"overdue", overdue}, {"due_soon", due_soon}, {"actions", std::move(actions)}}));
}

}  // namespace liaise::server
