// Meetings, minutes and actions (PROTOCOL.md, "Meetings and minutes").
//
// A meeting belongs to a room: only the room's members may read it, and only the meeting's chair
// and minute-taker may edit it while it is a draft. Its text (title, place, attendance, agenda,
// decisions, correction reasons) is one JSON document sealed with the at-rest key; each action is
// its own row, with its text sealed the same way and its owner, dates and status in plain columns
// so that lists and reminders need no decryption. Circulating fixes a version: a sealed snapshot
// in minutes_versions, with the distribution in minutes_distribution. Nothing here logs minutes
// text: log lines carry ids only.
#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "app/minutes_check.hpp"
#include "app/minutes_live.hpp"
#include "app/minutes_rules.hpp"
#include "app/minutes_template.hpp"
#include "app/require.hpp"
#include "app/service.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_digest.hpp"
#include "liaise/protocol/minutes_export.hpp"
#include "store/accounts.hpp"
#include "store/at_rest.hpp"
#include "store/db.hpp"
#include "store/dictionary_store.hpp"
#include "store/storage.hpp"

namespace liaise::server {
namespace {

namespace json = boost::json;
using protocol::Role;
namespace errc = protocol::errc;
using protocol::flag;
using protocol::num;
using protocol::str;
using namespace minutes_rules;

/// Statuses of an action still to be done, for SQL (minutes_rules::open_statuses()).
constexpr const char* kOpenStatuses = "('open', 'in_progress', 'carried_forward')";

// ---- rows --------------------------------------------------------------------------------------

struct Person {
    std::int64_t id = 0;
    std::string user, display_name, agency, discipline;
};

std::optional<Person> person_where(SQLite::Database& db, const std::string& where,
                                   const std::string& key) {
    SQLite::Statement q(db,
                        "SELECT a.id, a.username, a.display_name, g.name, g.discipline FROM "
                        "accounts a JOIN agencies g ON g.id = a.agency_id WHERE " +
                            where);
    q.bind(1, key);
    if (!q.executeStep())
        return std::nullopt;
    return Person{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                  q.getColumn(3).getString(), q.getColumn(4).getString()};
}

Person person_by_id(SQLite::Database& db, std::int64_t id) {
    auto p = person_where(db, "a.id = CAST(? AS INTEGER)", std::to_string(id));
    if (!p)
        throw ServiceError(errc::internal, "a meeting refers to an account that does not exist");
    return *p;
}

Person require_person(SQLite::Database& db, std::string_view field, const std::string& user) {
    auto p = person_where(db, "a.username = ?", user);
    if (!p)
        throw ServiceError(errc::not_found,
                           std::string(field) + ": no account named '" + user + "'");
    return *p;
}

json::object person_json(const Person& p) {
    return {{"user", p.user}, {"display_name", p.display_name}, {"agency", p.agency}};
}

struct RoomRow {
    std::int64_t id = 0;
    std::string name;
    bool is_public = false;
};

RoomRow require_room(SQLite::Database& db, std::string_view name) {
    SQLite::Statement q(db, "SELECT id, name, public FROM rooms WHERE name = ?");
    q.bind(1, std::string(name));
    if (!q.executeStep())
        throw ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
    return {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt() != 0};
}

bool is_member(SQLite::Database& db, std::int64_t room, std::int64_t account) {
    SQLite::Statement q(db, "SELECT 1 FROM room_members WHERE room_id = ? AND account_id = ?");
    q.bind(1, room);
    q.bind(2, account);
    return q.executeStep();
}

std::string opened(const protocol::Expected<std::string>& text, std::string_view what,
                   std::int64_t id) {
    if (!text) {
        spdlog::error("{} {} does not decrypt with the at-rest key", what, id);
        throw ServiceError(errc::internal,
                           "stored minutes do not decrypt with this server's key file");
    }
    return text.value();
}

json::object parse_body(const std::string& text) {
    auto v = json::parse(text);
    if (!v.is_object())
        throw ServiceError(errc::internal, "stored minutes are damaged");
    return std::move(v.as_object());
}

std::vector<unsigned char> blob(SQLite::Statement& q, int column) {
    const auto c = q.getColumn(column);
    const auto* p = static_cast<const unsigned char*>(c.getBlob());
    return std::vector<unsigned char>(p, p + c.getBytes());
}

/// What a meeting the asker may not see answers: exactly what a missing one does, naming no
/// room (PROTOCOL.md, "Errors").
ServiceError no_such_meeting(std::int64_t id) {
    return ServiceError(errc::not_found, "no meeting " + std::to_string(id));
}

/// The same for rooms (as service.cpp's) and actions.
ServiceError no_such_room(std::string_view name) {
    return ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
}

ServiceError no_such_action(std::int64_t id) {
    return ServiceError(errc::not_found, "no action " + std::to_string(id));
}

/// A meeting with its sealed body opened.
struct Meeting {
    std::int64_t id = 0;
    RoomRow room;
    std::string kind, starts_at, next_meeting, marking, status;
    std::int64_t chair = 0, minute_taker = 0, version = 0, rev = 0;
    json::object body;  ///< title, place, attendance, agenda, decisions, next_*, correction
};

Meeting load_meeting(SQLite::Database& db, const AtRestKey& key, std::int64_t id) {
    SQLite::Statement q(db,
                        "SELECT m.id, m.room_id, r.name, r.public, m.kind, m.starts_at, "
                        "COALESCE(m.next_meeting, ''), m.marking, m.status, m.chair_id, "
                        "m.minute_taker_id, m.version, m.rev, m.body FROM meetings m JOIN rooms r "
                        "ON r.id = m.room_id WHERE m.id = ?");
    q.bind(1, id);
    if (!q.executeStep())
        throw no_such_meeting(id);
    Meeting m;
    m.id = q.getColumn(0).getInt64();
    m.room = {q.getColumn(1).getInt64(), q.getColumn(2).getString(), q.getColumn(3).getInt() != 0};
    m.kind = q.getColumn(4).getString();
    m.starts_at = q.getColumn(5).getString();
    m.next_meeting = q.getColumn(6).getString();
    m.marking = q.getColumn(7).getString();
    m.status = q.getColumn(8).getString();
    m.chair = q.getColumn(9).getInt64();
    m.minute_taker = q.getColumn(10).getInt64();
    m.version = q.getColumn(11).getInt64();
    m.rev = q.getColumn(12).getInt64();
    const auto sealed = blob(q, 13);
    m.body = parse_body(opened(key.open(sealed, {"meetings", m.id, m.rev}), "meeting", m.id));
    return m;
}

/// Writes `m` back with its body sealed afresh under the next revision.
void save_meeting(SQLite::Database& db, const AtRestKey& key, Meeting& m) {
    ++m.rev;
    const auto sealed = key.seal(json::serialize(m.body), {"meetings", m.id, m.rev});
    SQLite::Statement q(db,
                        "UPDATE meetings SET kind = ?, starts_at = ?, next_meeting = ?, marking = "
                        "?, status = ?, chair_id = ?, minute_taker_id = ?, version = ?, rev = ?, "
                        "body = ?, updated_at = ? WHERE id = ?");
    q.bind(1, m.kind);
    q.bind(2, m.starts_at);
    if (m.next_meeting.empty())
        q.bind(3);
    else
        q.bind(3, m.next_meeting);
    q.bind(4, m.marking);
    q.bind(5, m.status);
    q.bind(6, m.chair);
    q.bind(7, m.minute_taker);
    q.bind(8, m.version);
    q.bind(9, m.rev);
    q.bind(10, sealed.data(), static_cast<int>(sealed.size()));
    q.bind(11, now_ms());
    q.bind(12, m.id);
    q.exec();
}

minutes_rules::MeetingState state_of(const Meeting& m) {
    return {m.chair, m.minute_taker, m.status, m.version};
}

/// Only the room's members may see a meeting; to anyone else it does not exist.
void require_reader(SQLite::Database& db, const Meeting& m, std::int64_t account) {
    if (!is_member(db, m.room.id, account))
        throw no_such_meeting(m.id);
}

/// Only the chair and the minute-taker may edit, and only a draft.
void require_editor(SQLite::Database& db, const Meeting& m, std::int64_t account) {
    require_reader(db, m, account);
    minutes_rules::require_editor(state_of(m), account, [&](std::int64_t id) {
        return person_by_id(db, id).user;
    });
}

// ---- actions -----------------------------------------------------------------------------------

/// After an action write: tells its owner, if the write set one, that it is theirs.
void tell_owner(Bus& bus, const Outcome& out) {
    if (out.owner)
        bus.publish({*out.owner}, std::make_shared<const Frame>(
                                      protocol::encode_event("action_assigned", out.reply)));
}

struct Action {
    std::int64_t id = 0, room_id = 0, raised_in = 0, rev = 0;
    std::optional<std::int64_t> owner;
    std::string room, owner_user, due, review, status;
    json::object body;  ///< what, outcome, owner_name, owner_agency, evidence
};

constexpr const char* kActionColumns =
    "SELECT a.id, a.room_id, r.name, a.raised_in, a.owner_id, COALESCE(o.username, ''), a.due, "
    "COALESCE(a.review, ''), a.status, a.rev, a.body FROM actions a JOIN rooms r ON r.id = "
    "a.room_id LEFT JOIN accounts o ON o.id = a.owner_id ";

Action action_from(SQLite::Statement& q, const AtRestKey& key) {
    Action a;
    a.id = q.getColumn(0).getInt64();
    a.room_id = q.getColumn(1).getInt64();
    a.room = q.getColumn(2).getString();
    a.raised_in = q.getColumn(3).getInt64();
    if (!q.getColumn(4).isNull())
        a.owner = q.getColumn(4).getInt64();
    a.owner_user = q.getColumn(5).getString();
    a.due = q.getColumn(6).getString();
    a.review = q.getColumn(7).getString();
    a.status = q.getColumn(8).getString();
    a.rev = q.getColumn(9).getInt64();
    const auto sealed = blob(q, 10);
    a.body = parse_body(opened(key.open(sealed, {"actions", a.id, a.rev}), "action", a.id));
    return a;
}

Action load_action(SQLite::Database& db, const AtRestKey& key, std::int64_t id) {
    SQLite::Statement q(db, std::string(kActionColumns) + "WHERE a.id = ?");
    q.bind(1, id);
    if (!q.executeStep())
        throw no_such_action(id);
    return action_from(q, key);
}

void save_action(SQLite::Database& db, const AtRestKey& key, Action& a) {
    ++a.rev;
    const auto sealed = key.seal(json::serialize(a.body), {"actions", a.id, a.rev});
    SQLite::Statement q(
        db,
        "UPDATE actions SET owner_id = ?, due = ?, review = ?, status = ?, rev = ?, "
        "body = ?, updated_at = ? WHERE id = ?");
    if (a.owner)
        q.bind(1, *a.owner);
    else
        q.bind(1);
    q.bind(2, a.due);
    if (a.review.empty())
        q.bind(3);
    else
        q.bind(3, a.review);
    q.bind(4, a.status);
    q.bind(5, a.rev);
    q.bind(6, sealed.data(), static_cast<int>(sealed.size()));
    q.bind(7, now_ms());
    q.bind(8, a.id);
    q.exec();
}

json::object action_json(const Action& a) {
    json::object owner{{"name", str(a.body, "owner_name")},
                       {"agency", str(a.body, "owner_agency")}};
    if (!a.owner_user.empty())
        owner["user"] = a.owner_user;
    json::object o{{"id", a.id},
                   {"room", a.room},
                   {"meeting", a.raised_in},
                   {"what", str(a.body, "what")},
                   {"outcome", str(a.body, "outcome")},
                   {"owner", std::move(owner)},
                   {"due", a.due},
                   {"review", a.review.empty() ? json::value() : json::value(a.review)},
                   {"status", a.status},
                   {"evidence", str(a.body, "evidence")},
                   {"overdue", is_open(a.status) && a.due < protocol::utc_date()}};
    return o;
}

/// The actions a meeting lists: raised there (carried = false) or carried forward to it.
std::vector<std::pair<Action, bool>> meeting_actions(SQLite::Database& db, const AtRestKey& key,
                                                     std::int64_t meeting) {
    SQLite::Statement q(db, std::string(kActionColumns) +
                                ", meeting_actions ma WHERE ma.action_id = a.id AND "
                                "ma.meeting_id = ? ORDER BY a.id");
    // kActionColumns ends in joins; the comma join above adds meeting_actions.
    q.bind(1, meeting);
    std::vector<std::pair<Action, bool>> out;
    while (q.executeStep())
        out.emplace_back(action_from(q, key), false);
    SQLite::Statement c(
        db, "SELECT action_id FROM meeting_actions WHERE meeting_id = ? AND carried = 1");
    c.bind(1, meeting);
    std::set<std::int64_t> carried;
    while (c.executeStep())
        carried.insert(c.getColumn(0).getInt64());
    for (auto& [a, is_carried] : out)
        is_carried = carried.count(a.id) > 0;
    return out;
}

/// Whether `account` chairs or takes the minutes of a meeting that lists action `id`; with
/// `draft_only`, only draft meetings count.
bool runs_meeting_of(SQLite::Database& db, std::int64_t id, std::int64_t account, bool draft_only) {
    SQLite::Statement q(db,
                        std::string("SELECT 1 FROM meeting_actions ma JOIN meetings m ON m.id = "
                                    "ma.meeting_id WHERE ma.action_id = ? AND (m.chair_id = ? "
                                    "OR m.minute_taker_id = ?)") +
                            (draft_only ? " AND m.status = 'draft'" : ""));
    q.bind(1, id);
    q.bind(2, account);
    q.bind(3, account);
    return q.executeStep();
}

// ---- the minutes as a document
// -------------------------------------------------------------------

/// The whole minutes of `m` as they stand: what meeting_show returns, what a circulated
/// version's snapshot holds, and what the exports are made from.
json::object minutes_json(SQLite::Database& db, const AtRestKey& key, const Meeting& m) {
    json::array raised, carried;
    for (const auto& [a, is_carried] : meeting_actions(db, key, m.id))
        (is_carried ? carried : raised).push_back(action_json(a));
    json::object o{
        {"meeting", m.id},
        {"room", m.room.name},
        {"version", m.version},
        {"status", m.status},
        {"kind", m.kind},
        {"title", str(m.body, "title")},
        {"starts_at", m.starts_at},
        {"place", str(m.body, "place")},
        {"chair", person_json(person_by_id(db, m.chair))},
        {"minute_taker", person_json(person_by_id(db, m.minute_taker))},
        {"marking", m.marking},
        {"next_meeting", m.next_meeting.empty() ? json::value() : json::value(m.next_meeting)},
        {"attendance", array_of(m.body, "attendance")},
        {"agenda", array_of(m.body, "agenda")},
        {"decisions", array_of(m.body, "decisions")},
        {"actions", std::move(raised)},
        {"carried_forward", std::move(carried)}};
    if (const auto* c = m.body.if_contains("correction"); c != nullptr && c->is_object())
        o["correction"] = *c;
    // The kind's template (minutes_template.hpp): sections, reports received, agencies' views.
    const auto& kind = minutes_template::kind_of(m.kind);
    o["case_reference"] = str(m.body, "case_reference");
    o["kind_label"] = kind.label;
    o["vote_recorded"] = kind.vote_recorded;
    o["templated"] = minutes_template::templated(kind, m.body);
    o["sections"] = minutes_template::sections_json(kind, m.body);
    o["reports"] = array_of(m.body, "reports");
    o["agency_views"] = array_of(m.body, "agency_views");
    o["missing_sections"] = minutes_template::missing_sections(kind, o);
    return o;
}

/// Who will read the minutes: the public when a family member attended or will receive a copy
/// (or the room includes the public); otherwise the attendees' disciplines, or the room
/// members' when no attendee's discipline is known.
jargon::Audience minutes_audience(SQLite::Database& db, const Meeting& m) {
    if (m.room.is_public)
        return jargon::Audience::everyone();
    std::set<std::string> disciplines;
    for (const auto& v : array_of(m.body, "attendance")) {
        const auto& e = v.as_object();
        if (flag(e, "family") && (str(e, "status") == "present" || flag(e, "copy")))
            return jargon::Audience::everyone();
        if (const auto user = str(e, "user"); !user.empty()) {
            if (const auto p = person_where(db, "a.username = ?", user))
                disciplines.insert(p->discipline);
        } else if (const auto d = str(e, "discipline"); !d.empty()) {
            disciplines.insert(d);
        }
    }
    if (disciplines.empty())
        for (const auto id : member_accounts(db, m.room.id))
            disciplines.insert(person_by_id(db, id).discipline);
    return jargon::Audience::of({disciplines.begin(), disciplines.end()});
}

// ---- signatures (PROTOCOL.md, "Signed minutes") -------------------------------------------------

/// The signature a circulate or approve request carries, with who sent it.
struct SignedAct {
    protocol::MinutesAct act = protocol::MinutesAct::approve;
    std::string user;
    std::int64_t account = 0, device = 0;
    crypto::SignPublicKey key;  ///< the logged-in device's registered key
    std::int64_t signed_at = 0;
    crypto::Signature signature;
};

/// The request's signed_at and signature, checked for shape (bad_request) before any write.
SignedAct signed_act(const protocol::Request& req, const Identity& who, protocol::MinutesAct act) {
    SignedAct s;
    s.act = act;
    s.user = who.user;
    s.account = who.account;
    s.device = who.device;
    s.key = who.sign_key;
    s.signed_at = req.integer("signed_at", 0);
    const auto sig = crypto::Signature::from_base64(req.string("signature"));
    if (!sig)
        throw ServiceError(errc::bad_request, "signature: must be 64 bytes in base64");
    s.signature = *sig;
    minutes_rules::require_signed_near(s.signed_at, now_ms());
    return s;
}

/// Records `s` on `version` of `meeting` if it is the signature of the caller's device over
/// `minutes` as stored; else bad_signature, and the caller's transaction records nothing.
void record_signature(SQLite::Database& db, std::int64_t meeting, std::int64_t version,
                      const json::object& minutes, const SignedAct& s) {
    const auto digest = protocol::minutes_digest(minutes, {s.act, s.user, s.signed_at});
    if (!protocol::minutes_signature_valid(s.key, digest, s.signature))
        throw ServiceError(errc::bad_signature,
                           "the signature does not match version " + std::to_string(version) +
                               " of these minutes as they are stored, signed with your device's "
                               "key; show the minutes again, check them, and sign what you see");
    exec(db,
         "INSERT INTO minutes_signatures(meeting_id, version, act, account_id, device_id, "
         "signed_at, signature, recorded_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
         meeting, version, std::string(protocol::act_name(s.act)), s.account, s.device, s.signed_at,
         s.signature.to_base64(), now_ms());
}

/// The signatures on a fixed version, circulation first: {"act", "user", "display_name",
/// "agency", "device", "signed_at", "signature", "signer_keys": {"device", "sign_key",
/// "box_key", "box_key_signature"}}; the signer's device keys whether or not it was revoked
/// since, for clients to pin and check (never to trust unpinned).
json::array signatures_json(SQLite::Database& db, std::int64_t meeting, std::int64_t version) {
    SQLite::Statement q(db,
                        "SELECT s.act, a.username, a.display_name, g.name, s.device_id, "
                        "s.signed_at, s.signature, d.sign_key, d.box_key, d.box_key_signature "
                        "FROM minutes_signatures s JOIN accounts a ON a.id = s.account_id JOIN "
                        "agencies g ON g.id = a.agency_id JOIN devices d ON d.id = s.device_id "
                        "WHERE s.meeting_id = ? AND s.version = ? ORDER BY s.act = 'approve', "
                        "s.signed_at");
    q.bind(1, meeting);
    q.bind(2, version);
    json::array out;
    while (q.executeStep()) {
        const auto device = std::to_string(q.getColumn(4).getInt64());
        out.push_back(json::object{
            {"act", q.getColumn(0).getString()},
            {"user", q.getColumn(1).getString()},
            {"display_name", q.getColumn(2).getString()},
            {"agency", q.getColumn(3).getString()},
            {"device", device},
            {"signed_at", q.getColumn(5).getInt64()},
            {"signature", q.getColumn(6).getString()},
            {"signer_keys", json::object{{"device", device},
                                         {"sign_key", q.getColumn(7).getString()},
                                         {"box_key", q.getColumn(8).getString()},
                                         {"box_key_signature", q.getColumn(9).getString()}}}});
    }
    return out;
}

// ---- versions ----------------------------------------------------------------------------------

/// The room's members as a version is circulated, by account name: {"user", "name", "agency"},
/// kept in the sealed version so that its distribution reads as it was sent, whatever is renamed
/// later.
json::array recipients_json(SQLite::Database& db, std::int64_t room) {
    SQLite::Statement q(db,
                        "SELECT a.username, a.display_name, g.name FROM room_members m JOIN "
                        "accounts a ON a.id = m.account_id JOIN agencies g ON g.id = a.agency_id "
                        "WHERE m.room_id = ? ORDER BY a.username");
    q.bind(1, room);
    json::array out;
    while (q.executeStep())
        out.push_back(json::object{{"user", q.getColumn(0).getString()},
                                   {"name", q.getColumn(1).getString()},
                                   {"agency", q.getColumn(2).getString()}});
    return out;
}

/// The distribution of a fixed version: every room member it was sent to, when, and when they
/// first opened it; then anyone without an account who is to receive a copy. Names and agencies
/// are those kept in `snapshot` when it was circulated (versions circulated before they were
/// kept show today's).
json::array distribution_json(SQLite::Database& db, std::int64_t meeting, std::int64_t version,
                              const json::object& snapshot) {
    std::map<std::string, const json::object*> as_sent;
    for (const auto& r : array_of(snapshot, "recipients"))
        as_sent[str(r.as_object(), "user")] = &r.as_object();
    SQLite::Statement q(db,
                        "SELECT a.username, a.display_name, g.name, d.sent_at, d.received_at FROM "
                        "minutes_distribution d JOIN accounts a ON a.id = d.account_id JOIN "
                        "agencies g ON g.id = a.agency_id WHERE d.meeting_id = ? AND d.version = "
                        "? ORDER BY a.username");
    q.bind(1, meeting);
    q.bind(2, version);
    json::array out;
    while (q.executeStep()) {
        const auto user = q.getColumn(0).getString();
        const auto kept = as_sent.find(user);
        json::object d{{"user", user},
                       {"name", kept != as_sent.end() ? str(*kept->second, "name")
                                                      : q.getColumn(1).getString()},
                       {"agency", kept != as_sent.end() ? str(*kept->second, "agency")
                                                        : q.getColumn(2).getString()},
                       {"sent_at", q.getColumn(3).getInt64()}};
        d["received_at"] =
            q.getColumn(4).isNull() ? json::value() : json::value(q.getColumn(4).getInt64());
        out.push_back(std::move(d));
    }
    for (const auto& c : array_of(snapshot, "copies"))
        out.push_back(c);
    return out;
}

/// A fixed version as it was circulated, with its lifecycle (status, approval, distribution)
/// from the plain columns. not_found when `version` was never circulated.
json::object fixed_version(SQLite::Database& db, const AtRestKey& key, std::int64_t meeting,
                           std::int64_t version) {
    SQLite::Statement q(db,
                        "SELECT status, circulated_by, circulated_at, approved_by, approved_at, "
                        "findings, acknowledged_by, body FROM minutes_versions WHERE meeting_id = "
                        "? AND version = ?");
    q.bind(1, meeting);
    q.bind(2, version);
    if (!q.executeStep())
        throw ServiceError(errc::not_found, "meeting " + std::to_string(meeting) +
                                                " has no circulated version " +
                                                std::to_string(version));
    const auto sealed = blob(q, 7);
    auto m = parse_body(opened(key.open(sealed, {"minutes_versions", meeting, version}),
                               "minutes version", meeting));
    m["status"] = q.getColumn(0).getString();
    m["circulated_by"] = person_json(person_by_id(db, q.getColumn(1).getInt64()));
    m["circulated_at"] = q.getColumn(2).getInt64();
    if (!q.getColumn(3).isNull()) {
        m["approved_by"] = person_json(person_by_id(db, q.getColumn(3).getInt64()));
        m["approved_at"] = q.getColumn(4).getInt64();
    }
    m["findings_acknowledged"] = q.getColumn(5).getInt64();
    m["distribution"] = distribution_json(db, meeting, version, m);
    m["signatures"] = signatures_json(db, meeting, version);
    m.erase("copies");
    m.erase("recipients");
    return m;
}

/// Every fixed version of a meeting, oldest first: {"version", "status", "circulated_at",
/// "approved_at"}.
json::array versions_json(SQLite::Database& db, std::int64_t meeting) {
    SQLite::Statement q(db,
                        "SELECT version, status, circulated_at, approved_at FROM minutes_versions "
                        "WHERE meeting_id = ? ORDER BY version");
    q.bind(1, meeting);
    json::array out;
    while (q.executeStep())
        out.push_back(json::object{
            {"version", q.getColumn(0).getInt64()},
            {"status", q.getColumn(1).getString()},
            {"circulated_at", q.getColumn(2).getInt64()},
            {"approved_at",
             q.getColumn(3).isNull() ? json::value() : json::value(q.getColumn(3).getInt64())}});
    return out;
}

/// Records that `account` opened fixed `version` (first time only). Runs on the writer.
void mark_received(SQLite::Database& db, std::int64_t meeting, std::int64_t version,
                   std::int64_t account) {
    exec(db,
         "UPDATE minutes_distribution SET received_at = ? WHERE meeting_id = ? AND version = ? "
         "AND account_id = ? AND received_at IS NULL",
         now_ms(), meeting, version, account);
}

// ---- validation of request fields ------------------------------------------------------------

/// A room member named in `field`, as the chair, minute-taker or owner of an action must be.
Person require_room_member(SQLite::Database& db, const RoomRow& room, std::string_view field,
                           const std::string& user) {
    const auto p = require_person(db, field, user);
    if (!is_member(db, room.id, p.id))
        throw ServiceError(errc::bad_request, std::string(field) + ": " + user +
                                                  " is not a member of room '" + room.name + "'");
    return p;
}

/// The meeting's circulation deadlines as of now (minutes_template::deadlines_json): the clocks
/// start on the meeting's day, accuracy comments on the day its record was first circulated.
json::array deadlines(SQLite::Database& db, const Meeting& m) {
    SQLite::Statement q(db, "SELECT MIN(circulated_at) FROM minutes_versions WHERE meeting_id = ?");
    q.bind(1, m.id);
    std::optional<std::int64_t> circulated;
    if (q.executeStep() && !q.getColumn(0).isNull())
        circulated = q.getColumn(0).getInt64();
    return minutes_template::deadlines_json(minutes_template::kind_of(m.kind), m.starts_at,
                                            circulated, now_ms());
}

json::object meeting_summary(SQLite::Database& db, const Meeting& m) {
    return {{"meeting", m.id},
            {"case_reference", str(m.body, "case_reference")},
            {"deadlines", deadlines(db, m)},
            {"room", m.room.name},
            {"kind", m.kind},
            {"title", str(m.body, "title")},
            {"starts_at", m.starts_at},
            {"status", m.status},
            {"version", m.version},
            {"chair", person_by_id(db, m.chair).user},
            {"minute_taker", person_by_id(db, m.minute_taker).user}};
}

}  // namespace

// ---- handlers
// ------------------------------------------------------------------------------------

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
    const auto kind = require_kind(ctx.req.string("kind"));
    const auto starts_at = require_datetime("starts_at", ctx.req.string("starts_at"));
    const auto marking =
        require_marking(ctx.req.body.contains("marking") ? ctx.req.string("marking") : "OFFICIAL");
    const auto next = ctx.req.body.contains("next_meeting")
                          ? require_when("next_meeting", ctx.req.string("next_meeting"))
                          : std::string();
    const auto chair_user = std::string(ctx.req.string("chair"));
    const auto taker_user = std::string(ctx.req.string("minute_taker"));
    const auto case_reference =
        minutes_template::require_case_reference(ctx.req.string("case_reference"));
    const auto caller = ctx.who.account;
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        const auto room = require_room(db, room_name);
        if (!is_member(db, room.id, caller))
            throw no_such_room(room_name);
        const auto chair =
            chair_user.empty() ? caller : require_room_member(db, room, "chair", chair_user).id;
        const auto taker = taker_user.empty()
                               ? caller
                               : require_room_member(db, room, "minute_taker", taker_user).id;
        const auto previous = db.execAndGet(
                                    "SELECT COALESCE(MAX(id), 0) FROM meetings WHERE "
                                    "room_id = " +
                                    std::to_string(room.id))
                                  .getInt64();
        const auto now = now_ms();
        exec(db,
             "INSERT INTO meetings(room_id, kind, starts_at, marking, chair_id, minute_taker_id, "
             "status, version, rev, body, created_by, created_at, updated_at) VALUES(?, ?, ?, ?, "
             "?, ?, 'draft', 1, 0, X'', ?, ?, ?)",
             room.id, kind, starts_at, marking, chair, taker, caller, now, now);
        Meeting m;
        m.id = db.getLastInsertRowid();
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
        save_meeting(db, key, m);
        // The previous meeting's open actions come forward for review.
        if (previous != 0) {
            exec(db,
                 "INSERT INTO meeting_actions(meeting_id, action_id, carried) SELECT ?, a.id, 1 "
                 "FROM meeting_actions ma JOIN actions a ON a.id = ma.action_id WHERE "
                 "ma.meeting_id = ? AND a.status IN " +
                     std::string(kOpenStatuses),
                 m.id, previous);
            exec(db,
                 "UPDATE actions SET status = 'carried_forward', updated_at = ? WHERE id IN "
                 "(SELECT action_id FROM meeting_actions WHERE meeting_id = ? AND carried = 1)",
                 now, m.id);
        }
        out.reply = minutes_json(db, key, m);
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
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
        kind = require_kind(ctx.req.string("kind"));
    if (b.contains("starts_at"))
        starts_at = require_datetime("starts_at", ctx.req.string("starts_at"));
    if (b.contains("marking"))
        marking = require_marking(ctx.req.string("marking"));
    if (b.contains("next_meeting"))
        next = require_when("next_meeting", ctx.req.string("next_meeting"));
    if (b.contains("chair"))
        chair = std::string(ctx.req.string("chair"));
    if (b.contains("minute_taker"))
        taker = std::string(ctx.req.string("minute_taker"));
    if (!title && !place && !kind && !starts_at && !marking && !next && !chair && !taker &&
        !case_reference)
        throw ServiceError(errc::bad_request, "meeting: nothing to change");
    const auto caller = ctx.who.account;
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
        if (chair) {
            if (caller != m.chair)
                throw ServiceError(errc::forbidden, "only the chair may hand over the chair");
            m.chair = require_room_member(db, m.room, "chair", *chair).id;
        }
        if (taker)
            m.minute_taker = require_room_member(db, m.room, "minute_taker", *taker).id;
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
        save_meeting(db, key, m);
        out.reply = minutes_json(db, key, m);
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
    });
}

void Service::meetings(Context& ctx) {
    const auto& key = at_rest();
    auto out = read(ctx, [&](SQLite::Database& db) {
        const auto room = require_room(db, ctx.req.string("room"));
        if (!is_member(db, room.id, ctx.who.account))
            throw no_such_room(room.name);
        SQLite::Statement q(db, "SELECT id FROM meetings WHERE room_id = ? ORDER BY starts_at, id");
        q.bind(1, room.id);
        json::array list;
        while (q.executeStep())
            list.push_back(meeting_summary(db, load_meeting(db, key, q.getColumn(0).getInt64())));
        return json::object{{"room", room.name}, {"meetings", std::move(list)}};
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::meeting_show(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto asked = ctx.req.integer("version", 0);
    std::int64_t received = 0;  // the fixed version the caller has now seen, if any
    auto out = read(ctx, [&](SQLite::Database& db) {
        const auto m = load_meeting(db, key, id);
        require_reader(db, m, ctx.who.account);
        json::object o;
        if (asked != 0 && (asked != m.version || m.status != "draft")) {
            if (asked > m.version)
                throw ServiceError(errc::not_found, "meeting " + std::to_string(id) +
                                                        " has no version " + std::to_string(asked));
            o = fixed_version(db, key, id, asked);
            received = asked;
        } else {
            o = minutes_json(db, key, m);
            if (m.status != "draft") {
                const auto fixed = fixed_version(db, key, id, m.version);
                for (const auto* k : {"circulated_by", "circulated_at", "approved_by",
                                      "approved_at", "distribution", "signatures"})
                    if (const auto* v = fixed.if_contains(k))
                        o[k] = *v;
                received = m.version;
            }
        }
        o["versions"] = versions_json(db, id);
        o["audience"] = minutes_audience(db, m).to_string();
        o["deadlines"] = deadlines(db, m);
        return o;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
    // Not refused for a session whose standing changed since the read: the minutes were read
    // (and answered) in a snapshot from before the change, and the record says so.
    if (received != 0)
        storage_.write([id, received, account = ctx.who.account](
                           SQLite::Database& db) { mark_received(db, id, received, account); },
                       {});
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
    require_attendance_status(status);
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
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        if (!discipline.empty())
            require_discipline(db, discipline);
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
        json::object e{{"role", role}, {"status", status}};
        if (chose) {
            // The chair decides what each recipient without an account receives; a family
            // member can never be given a section marked professionals-only.
            if (caller != m.chair)
                throw ServiceError(errc::forbidden,
                                   "only the chair decides which sections a recipient receives");
            const auto& kind = minutes_template::kind_of(m.kind);
            const json::object marks{{"sections", minutes_template::sections_json(kind, m.body)}};
            json::array chosen;
            for (const auto& s : receives) {
                if (!kind.has_section(s))
                    throw ServiceError(
                        errc::bad_request,
                        "receives: the record of a " + kind.label + " has no section '" + s + "'");
                if (family && minutes_template::professionals_only(marks, s))
                    throw ServiceError(errc::professionals_only,
                                       "receives: the section '" + s +
                                           "' is marked professionals-only and can never go in a "
                                           "family member's copy");
                chosen.push_back(json::string(s));
            }
            e["receives"] = std::move(chosen);
        }
        if (!user.empty()) {
            const auto p = require_person(db, "user", user);
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
        json::object* target = existing_item(m.body, "attendance", entry, "entry", "attendance entry");
        if (target == nullptr && !user.empty())  // one entry per account
            for (auto& v : array_of(m.body, "attendance"))
                if (str(v.as_object(), "user") == user)
                    target = &v.as_object();
        put_item(m.body, "attendance", target, e);
        save_meeting(db, key, m);
        out.reply = {{"meeting", id}, {"entry", e}, {"attendance", array_of(m.body, "attendance")}};
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
    });
}

void Service::meeting_agenda(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto item = ctx.req.integer("item", 0);
    const auto title = std::string(ctx.req.string("title"));
    const auto discussion = std::string(ctx.req.string("discussion"));
    const auto caller = ctx.who.account;
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
        json::object e{{"title", title}, {"discussion", discussion}};
        put_item(m.body, "agenda", existing_item(m.body, "agenda", item, "item", "agenda item"), e);
        save_meeting(db, key, m);
        out.reply = {{"meeting", id}, {"item", e}};
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
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
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
        if (agenda != 0 && find_item(m.body, "agenda", agenda) == nullptr)
            throw ServiceError(errc::bad_request, "agenda: no agenda item " +
                                                      std::to_string(agenda) + " in this meeting");
        json::object e{{"decision", decision}, {"reasons", reasons}, {"dissent", dissent}};
        e["agenda"] = agenda != 0 ? json::value(agenda) : json::value();
        put_item(m.body, "decisions", existing_item(m.body, "decisions", item, "item", "decision"), e);
        save_meeting(db, key, m);
        out.reply = {{"meeting", id}, {"item", e}};
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
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
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
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
                               "only the chair may mark a section professionals-only or lift the "
                               "marking");
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
            put_item(m.body, "reports", existing_item(m.body, "reports", item, "item", "report"), r);
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
        save_meeting(db, key, m);
        const auto minutes = minutes_json(db, key, m);
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
    write(ctx, [=, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_editor(db, m, caller);
        const auto missing =
            ServiceError(errc::not_found,
                         "item: no " + section + " " + std::to_string(item) + " in this meeting");
        if (section == "action") {
            SQLite::Statement q(
                db, "SELECT carried FROM meeting_actions WHERE meeting_id = ? AND action_id = ?");
            q.bind(1, id);
            q.bind(2, item);
            if (!q.executeStep())
                throw missing;
            if (q.getColumn(0).getInt() != 0)
                throw ServiceError(errc::bad_request,
                                   "item: a carried-forward action stays on the record; set its "
                                   "status (e.g. cancelled) instead");
            exec(db, "DELETE FROM meeting_actions WHERE action_id = ?", item);
            exec(db, "DELETE FROM actions WHERE id = ?", item);
        } else {
            auto& list = array_of(m.body, section == "decision" ? "decisions" : section);
            const auto before = list.size();
            for (auto it = list.begin(); it != list.end();) {
                if (num(it->as_object(), "id") == item)
                    it = list.erase(it);
                else
                    ++it;
            }
            if (list.size() == before)
                throw missing;
            if (section == "agenda")  // decisions under it stay, no longer tied to an item
                for (auto& d : array_of(m.body, "decisions"))
                    if (num(d.as_object(), "agenda") == item)
                        d.as_object()["agenda"] = nullptr;
            save_meeting(db, key, m);
        }
        out.reply = {{"meeting", id}, {"section", section}, {"item", item}, {"removed", true}};
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
    });
}

void Service::meeting_check(Context& ctx) {
    const auto& key = at_rest();
    const auto checker = engine().get();
    auto out = read(ctx, [&](SQLite::Database& db) {
        const auto m = load_meeting(db, key, ctx.req.integer("meeting", 0));
        require_reader(db, m, ctx.who.account);
        auto o = check_minutes(*checker, minutes_audience(db, m), minutes_json(db, key, m));
        o["meeting"] = m.id;
        o["version"] = m.version;
        return o;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, std::move(out)));
}

void Service::meeting_circulate(Context& ctx) {
    const auto& key = at_rest();
    const auto checker = engine().get();
    const auto id = ctx.req.integer("meeting", 0);
    const bool acknowledge = ctx.req.boolean("acknowledge", false);
    const auto caller = ctx.who.account;
    const auto signature = signed_act(ctx.req, ctx.who, protocol::MinutesAct::circulate);
    write(
        ctx,
        [=, this, &key](SQLite::Database& db, Outcome& out) {
            auto m = load_meeting(db, key, id);
            require_reader(db, m, caller);
            if (caller != m.chair && caller != m.minute_taker)
                throw ServiceError(errc::forbidden,
                                   "only the meeting's chair and minute-taker may circulate it");
            if (m.status != "draft")
                throw ServiceError(errc::wrong_status, "version " + std::to_string(m.version) +
                                                           " of these minutes is already " +
                                                           m.status);
            auto snapshot = minutes_json(db, key, m);
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
            const auto check = check_minutes(*checker, minutes_audience(db, m), snapshot);
            require_acknowledged(check, acknowledge, caller == m.chair, "circulating");
            const auto now = now_ms();
            // People without an account who receive a copy, with the sections each receives
            // (which the distribution keeps with the version).
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
            snapshot["recipients"] = recipients_json(db, m.room.id);
            const auto sealed =
                key.seal(json::serialize(snapshot), {"minutes_versions", m.id, m.version});
            SQLite::Statement ins(db,
                                  "INSERT INTO minutes_versions(meeting_id, version, status, "
                                  "circulated_by, circulated_at, findings, acknowledged_by, body) "
                                  "VALUES(?, ?, 'circulated', ?, ?, ?, ?, ?)");
            ins.bind(1, m.id);
            ins.bind(2, m.version);
            ins.bind(3, caller);
            ins.bind(4, now);
            ins.bind(5, check.at("findings").as_int64());
            if (check.at("findings").as_int64() > 0)
                ins.bind(6, caller);
            else
                ins.bind(6);
            ins.bind(7, sealed.data(), static_cast<int>(sealed.size()));
            ins.exec();
            record_signature(db, m.id, m.version, snapshot, signature);
            const auto members = member_accounts(db, m.room.id);
            for (const auto account : members)
                exec(db,
                     "INSERT INTO minutes_distribution(meeting_id, version, account_id, sent_at) "
                     "VALUES(?, ?, ?, ?)",
                     m.id, m.version, account, now);
            m.status = "circulated";
            save_meeting(db, key, m);
            out.reply = {{"meeting", m.id},
                         {"room", m.room.name},
                         {"version", m.version},
                         {"status", "circulated"},
                         {"findings", check.at("findings")},
                         {"distribution", distribution_json(db, m.id, m.version, snapshot)},
                         {"signatures", signatures_json(db, m.id, m.version)}};
            out.notify = members;
            record(db, caller, "minutes_circulated",
                   {{"meeting", m.id},
                    {"room", m.room.name},
                    {"version", m.version},
                    {"findings", check.at("findings")}});
            spdlog::info("meeting {} version {} circulated", m.id, m.version);
        },
        [this](const Outcome& out) {
            bus_.publish(out.notify,
                         std::make_shared<const Frame>(protocol::encode_event(
                             "minutes_circulated", {{"meeting", out.reply.at("meeting")},
                                                    {"room", out.reply.at("room")},
                                                    {"version", out.reply.at("version")}})));
        });
}

void Service::meeting_approve(Context& ctx) {
    const auto& key = at_rest();
    const auto checker = engine().get();
    const auto id = ctx.req.integer("meeting", 0);
    const bool acknowledge = ctx.req.boolean("acknowledge", false);
    const auto caller = ctx.who.account;
    const auto signature = signed_act(ctx.req, ctx.who, protocol::MinutesAct::approve);
    write(ctx, [=, this, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_reader(db, m, caller);
        if (caller != m.chair)
            throw ServiceError(errc::forbidden, "only the meeting's chair (" +
                                                    person_by_id(db, m.chair).user +
                                                    ") may approve its minutes");
        if (m.status == "draft")
            throw ServiceError(errc::wrong_status, "circulate the minutes before approving them");
        if (m.status == "approved")
            throw ServiceError(errc::wrong_status,
                               "version " + std::to_string(m.version) + " is already approved");
        const auto fixed = fixed_version(db, key, id, m.version);
        const auto check = check_minutes(*checker, minutes_audience(db, m), fixed);
        require_acknowledged(check, acknowledge, true, "approving");
        record_signature(db, id, m.version, fixed, signature);
        const auto now = now_ms();
        exec(db,
             "UPDATE minutes_versions SET status = 'approved', approved_by = ?, approved_at = ?, "
             "findings = ?, acknowledged_by = CASE WHEN ? > 0 THEN ? ELSE acknowledged_by END "
             "WHERE meeting_id = ? AND version = ?",
             caller, now, check.at("findings").as_int64(), check.at("findings").as_int64(), caller,
             id, m.version);
        m.status = "approved";
        save_meeting(db, key, m);
        out.reply = {{"meeting", id},        {"version", m.version},
                     {"status", "approved"}, {"approved_by", person_json(person_by_id(db, caller))},
                     {"approved_at", now},   {"signatures", signatures_json(db, id, m.version)}};
        record(db, caller, "minutes_approved", {{"meeting", id}, {"version", m.version}});
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
        spdlog::info("meeting {} version {} approved", id, m.version);
    });
}

void Service::meeting_correct(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto reason = std::string(ctx.req.string("reason"));
    const auto caller = ctx.who.account;
    write(ctx, [=, this, &key](SQLite::Database& db, Outcome& out) {
        auto m = load_meeting(db, key, id);
        require_reader(db, m, caller);
        if (caller != m.chair && caller != m.minute_taker)
            throw ServiceError(errc::forbidden,
                               "only the meeting's chair and minute-taker may correct its minutes");
        if (m.status == "draft")
            throw ServiceError(errc::wrong_status, "version " + std::to_string(m.version) +
                                                       " is still a draft: edit it directly");
        // A circulated version that was never approved is superseded; an approved one stays
        // approved as the record of its time, readable by its number.
        exec(db,
             "UPDATE minutes_versions SET status = 'superseded' WHERE meeting_id = ? AND version "
             "= ? AND status = 'circulated'",
             id, m.version);
        m.body["correction"] = json::object{{"reason", reason},
                                            {"of_version", m.version},
                                            {"by", person_by_id(db, caller).user},
                                            {"at", now_ms()}};
        ++m.version;
        m.status = "draft";
        save_meeting(db, key, m);
        out.reply = minutes_json(db, key, m);
        out.reply["versions"] = versions_json(db, id);
        minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
        record(db, caller, "minutes_correction_started", {{"meeting", id}, {"version", m.version}});
        spdlog::info("meeting {}: correction started as version {}", id, m.version);
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
    std::int64_t version = 0;
    auto doc = read(ctx, [&](SQLite::Database& db) {
        const auto m = load_meeting(db, key, id);
        require_reader(db, m, ctx.who.account);
        version = asked != 0 ? asked : m.version;
        if (version > m.version)
            throw ServiceError(errc::not_found, "meeting " + std::to_string(id) +
                                                    " has no version " + std::to_string(version));
        if (version == m.version && m.status == "draft") {
            if (recipient != 0)
                throw ServiceError(errc::wrong_status,
                                   "recipient: a recipient's copy is made from a circulated or "
                                   "approved version, with the sections decided when it was "
                                   "circulated; circulate the minutes first");
            return minutes_json(db, key, m);
        }
        auto fixed = fixed_version(db, key, id, version);
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
    });
    const auto status = str(doc, "status");
    ctx.reply(protocol::encode_ok(
        ctx.req.id, {{"meeting", id},
                     {"version", version},
                     {"status", status},
                     {"format", format},
                     {"content", format == "html" ? protocol::export_html(doc)
                                                  : protocol::export_markdown(doc)}}));
    // Recorded whatever happened to the session's standing since the read: the export has
    // left the server, and the audit log must show it (see meeting_show).
    storage_.write(
        [this, id, version, format, recipient, draft = status == "draft",
         account = ctx.who.account](SQLite::Database& db) {
            if (!draft && recipient == 0)
                mark_received(db, id, version, account);
            json::object detail{{"meeting", id}, {"version", version}, {"format", format}};
            if (recipient != 0)
                detail["recipient"] = recipient;
            record(db, account, "minutes_exported", detail);
        },
        {});
}

void Service::action_add(Context& ctx) {
    const auto& key = at_rest();
    const auto id = ctx.req.integer("meeting", 0);
    const auto what = std::string(ctx.req.string("what"));
    const auto outcome = std::string(ctx.req.string("outcome"));
    const auto owner = std::string(ctx.req.string("owner"));
    const auto owner_name = std::string(ctx.req.string("owner_name"));
    const auto owner_agency = std::string(ctx.req.string("owner_agency"));
    const auto due = require_date("due", ctx.req.string("due"));
    const auto review = ctx.req.body.contains("review")
                            ? require_date("review", ctx.req.string("review"))
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
    write(
        ctx,
        [=, &key](SQLite::Database& db, Outcome& out) {
            auto m = load_meeting(db, key, id);
            require_editor(db, m, caller);
            Action a;
            a.room_id = m.room.id;
            a.room = m.room.name;
            a.raised_in = m.id;
            a.due = due;
            a.review = review;
            a.status = "open";
            a.body = {{"what", what}, {"outcome", outcome}, {"evidence", ""}};
            if (!owner.empty()) {
                const auto p = require_room_member(db, m.room, "owner", owner);
                a.owner = p.id;
                a.owner_user = p.user;
                a.body["owner_name"] = p.display_name;
                a.body["owner_agency"] = p.agency;
            } else {
                a.body["owner_name"] = owner_name;
                a.body["owner_agency"] = owner_agency;
            }
            const auto now = now_ms();
            exec(db,
                 "INSERT INTO actions(room_id, raised_in, due, status, rev, body, created_at, "
                 "updated_at) VALUES(?, ?, ?, 'open', 0, X'', ?, ?)",
                 a.room_id, a.raised_in, a.due, now, now);
            a.id = db.getLastInsertRowid();
            save_action(db, key, a);
            exec(db, "INSERT INTO meeting_actions(meeting_id, action_id, carried) VALUES(?, ?, 0)",
                 m.id, a.id);
            out.reply = action_json(a);
            out.reply["meeting_title"] = str(m.body, "title");
            minutes_changed(db, out, {m.room.id, m.room.name, m.id, m.version, caller});
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
        require_action_status(*status);
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
        due = require_date("due", ctx.req.string("due"));
    if (b.contains("review"))
        review = require_date("review", ctx.req.string("review"));
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
    write(
        ctx,
        [=, &key](SQLite::Database& db, Outcome& out) {
            auto a = load_action(db, key, id);
            if (!is_member(db, a.room_id, caller))
                throw no_such_action(id);
            const bool runs = runs_meeting_of(db, id, caller, false);
            if (!runs && a.owner != caller)
                throw ServiceError(errc::forbidden,
                                   "only the action's owner and the chair or minute-taker of its "
                                   "meeting may update it");
            if (plan_change) {
                if (!runs)
                    throw ServiceError(errc::forbidden,
                                       "only the chair or minute-taker may change what an action "
                                       "is, who owns it and when it is due");
                if (!runs_meeting_of(db, id, caller, true))
                    throw ServiceError(errc::minutes_locked,
                                       "the minutes that record this action are locked; change "
                                       "its status, or carry it to a new meeting to re-plan it");
            }
            std::optional<std::int64_t> assigned;
            if (owner) {
                const auto p = require_room_member(db, {a.room_id, a.room, false}, "owner", *owner);
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
            require_evidence(a.status, str(a.body, "evidence"));
            save_action(db, key, a);
            out.reply = action_json(a);
            minutes_changed(db, out, {a.room_id, a.room, a.raised_in, 0, caller, a.id});
            if (assigned)
                out.owner = *assigned;
        },
        [this](const Outcome& out) { tell_owner(bus_, out); });
}

void Service::actions(Context& ctx) {
    const auto& key = at_rest();
    const bool mine = ctx.req.boolean("mine", false);
    const bool overdue = ctx.req.boolean("overdue", false);
    const auto room_name = std::string(ctx.req.string("room"));
    auto list = read(ctx, [&](SQLite::Database& db) {
        std::string where =
            "WHERE a.room_id IN (SELECT room_id FROM room_members WHERE account_id = ?) ";
        std::optional<std::int64_t> room;
        if (!room_name.empty()) {
            const auto r = require_room(db, room_name);
            if (!is_member(db, r.id, ctx.who.account))
                throw no_such_room(room_name);
            room = r.id;
            where += "AND a.room_id = ? ";
        }
        if (mine)
            where += "AND a.owner_id = ? ";
        if (overdue)
            where += "AND a.due < ? AND a.status IN " + std::string(kOpenStatuses) + " ";
        SQLite::Statement q(db, std::string(kActionColumns) + where + "ORDER BY a.due, a.id");
        int n = 1;
        q.bind(n++, ctx.who.account);
        if (room)
            q.bind(n++, *room);
        if (mine)
            q.bind(n++, ctx.who.account);
        if (overdue)
            q.bind(n++, protocol::utc_date());
        json::array out;
        std::map<std::int64_t, std::string> titles;
        while (q.executeStep()) {
            const auto a = action_from(q, key);
            auto o = action_json(a);
            if (!titles.count(a.raised_in))
                titles[a.raised_in] = str(load_meeting(db, key, a.raised_in).body, "title");
            o["meeting_title"] = titles[a.raised_in];
            out.push_back(std::move(o));
        }
        return out;
    });
    ctx.reply(protocol::encode_ok(ctx.req.id, {{"actions", std::move(list)}}));
}

std::shared_ptr<const Frame> Service::action_reminder(Context& ctx) {
    if (at_rest_ == nullptr || !ctx.self)
        return nullptr;
    try {
        auto list = read(ctx, [&](SQLite::Database& db) {
            SQLite::Statement q(db, std::string(kActionColumns) +
                                        "WHERE a.owner_id = ? AND a.status IN " + std::string(kOpenStatuses) +
                                        " AND a.due <= ? ORDER BY a.due, a.id");
            q.bind(1, ctx.who.account);
            q.bind(2, protocol::utc_date(2));
            json::array out;
            while (q.executeStep()) {
                const auto a = action_from(q, *at_rest_);
                if (is_member(db, a.room_id, ctx.who.account))
                    out.push_back(action_json(a));
            }
            return out;
        });
        if (list.empty())
            return nullptr;
        std::int64_t overdue = 0;
        for (const auto& a : list)
            overdue += a.at("overdue").as_bool() ? 1 : 0;
        const auto due_soon = static_cast<std::int64_t>(list.size()) - overdue;
        return std::make_shared<const Frame>(protocol::encode_event(
            "action_reminder",
            {{"overdue", overdue}, {"due_soon", due_soon}, {"actions", std::move(list)}}));
    } catch (const ServiceError&) {
        // The session's account was suspended, its device replaced or its role lowered since
        // the login: it is about to be closed, and gets no reminders.
    } catch (const std::exception& e) {
        // The login has succeeded; a reminder that fails is only logged.
        spdlog::error("action reminders for account {} failed: {}", ctx.who.account, e.what());
    }
    return nullptr;
}

}  // namespace liaise::server
