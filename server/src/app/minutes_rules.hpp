// Internal: the rules of meetings, minutes and actions that need no store, no key and no clock
// of their own: dates, vocabularies, who may edit, the draft -> circulated -> approved lifecycle,
// the numbered items of a meeting's body, and the checks a request's fields must pass. Functions
// of plain values (and of the minutes as JSON, PROTOCOL.md "Meetings and minutes"), so that a
// unit test calls them directly. Every refusal is a ServiceError (app/error.hpp) with a stable
// code and the exact message the protocol documents. Thread-safety: no shared mutable state.
#pragma once

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/minutes_export.hpp"

namespace liaise::server::minutes_rules {

// ---- dates -------------------------------------------------------------------------------------

/// "YYYY-MM-DD", a real calendar day between 1900 and 2200.
[[nodiscard]] bool valid_date(std::string_view s);
/// "YYYY-MM-DD HH:MM" (a 'T' may stand for the space; it is returned with a space).
[[nodiscard]] std::optional<std::string> parse_datetime(std::string_view s);
/// A date, or a date and time (as parse_datetime()).
[[nodiscard]] std::optional<std::string> parse_when(std::string_view s);

/// The value of `field` as a date and time; bad_request otherwise.
[[nodiscard]] std::string require_datetime(std::string_view field, std::string_view value);
/// The value of `field` as a date or a date and time; bad_request otherwise.
[[nodiscard]] std::string require_when(std::string_view field, std::string_view value);
/// The value of `field` as a date; bad_request otherwise.
[[nodiscard]] std::string require_date(std::string_view field, std::string_view value);

// ---- vocabularies ------------------------------------------------------------------------------

using protocol::Term;
/// The protective markings minutes may carry.
inline constexpr Term kMarkings[] = {{"OFFICIAL", "OFFICIAL"},
                                     {"OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"}};

/// Whether `code` is one of `terms`.
template <std::size_t N>
[[nodiscard]] bool known(const Term (&terms)[N], std::string_view code) {
    return std::any_of(std::begin(terms), std::end(terms),
                       [&](const Term& t) { return t.code == code; });
}
/// The label of `code` among `terms`; the code itself when it has none.
template <std::size_t N>
[[nodiscard]] std::string label(const Term (&terms)[N], std::string_view code) {
    for (const auto& t : terms)
        if (t.code == code)
            return std::string(t.label);
    return std::string(code);
}
/// The codes of `terms`, comma-separated, for messages.
template <std::size_t N>
[[nodiscard]] std::string codes(const Term (&terms)[N]) {
    std::string out;
    for (const auto& t : terms)
        out += (out.empty() ? "" : ", ") + std::string(t.code);
    return out;
}

/// The marking as given; bad_request unless OFFICIAL or OFFICIAL-SENSITIVE.
[[nodiscard]] std::string require_marking(std::string_view marking);
/// The kind's id in the shipped catalogue; bad_request naming the kinds for an unknown one.
[[nodiscard]] std::string require_kind(std::string_view kind);
/// bad_request unless `status` is an attendance status.
void require_attendance_status(std::string_view status);
/// bad_request unless `status` is an action status.
void require_action_status(std::string_view status);

/// The statuses of an action still to be done: they carry forward and are reminded of.
[[nodiscard]] const std::vector<std::string>& open_statuses();
/// The status an open action of the previous meeting takes when it comes forward.
inline constexpr std::string_view kCarriedForward = "carried_forward";
[[nodiscard]] bool is_open(std::string_view status);
/// Closed actions (done, not done, cancelled) need a note of evidence.
[[nodiscard]] bool is_closed(std::string_view status);
/// bad_request when an action with `status` is closed and has no `evidence`.
void require_evidence(std::string_view status, std::string_view evidence);

// ---- who may do what, and the lifecycle --------------------------------------------------------

/// The parts of a meeting its rules look at.
struct MeetingState {
    std::int64_t chair = 0, minute_taker = 0;
    std::string status;  ///< draft, circulated, approved
    std::int64_t version = 0;
};

/// Whether `account` chairs the meeting or takes its minutes: who may edit a draft.
[[nodiscard]] bool runs(const MeetingState& m, std::int64_t account);
/// minutes_locked unless the meeting is a draft (its current version may still be edited).
void require_draft(const MeetingState& m);
/// An account's user name, for messages; asked only when a refusal names someone.
using UserOf = std::function<std::string(std::int64_t account)>;
/// The editor rule (a room member, already checked): forbidden, naming the chair and the
/// minute-taker, unless `account` runs the meeting; then require_draft().
void require_editor(const MeetingState& m, std::int64_t account, const UserOf& user_of);
/// Circulating: forbidden unless the chair or minute-taker; wrong_status unless a draft.
void require_may_circulate(const MeetingState& m, std::int64_t account);
/// Approving: forbidden unless the chair (named); wrong_status for a draft or an approved one.
void require_may_approve(const MeetingState& m, std::int64_t account, const UserOf& user_of);
/// Starting a correction: forbidden unless the chair or minute-taker; wrong_status for a draft.
void require_may_correct(const MeetingState& m, std::int64_t account);
/// What becomes of the fixed version that a correction replaces: a circulated version that was
/// never approved is superseded; an approved one stays approved as the record of its time.
[[nodiscard]] std::string status_after_correction(std::string_view version_status);

/// Refuses to go on (findings_unacknowledged, carrying the check) when the plain-language
/// `check` ({"findings", "audience", …}) found something and the chair has not acknowledged it;
/// `doing` names what was refused ("circulating").
void require_acknowledged(const boost::json::object& check, bool acknowledge, bool is_chair,
                          std::string_view doing);

/// How far a signer's clock may be from the server's when it signs.
inline constexpr std::int64_t kSignatureSkewMs = 10 * 60 * 1000;
/// bad_request unless `signed_at` is within kSignatureSkewMs of `now` (both ms since the epoch).
void require_signed_near(std::int64_t signed_at, std::int64_t now);

// ---- the numbered items of a meeting's body ----------------------------------------------------

/// `o[key]` as an array, made one (empty) if it is missing or not an array.
boost::json::array& array_of(boost::json::object& o, std::string_view key);
/// `o[key]` as an array; an empty one when missing.
[[nodiscard]] const boost::json::array& array_of(const boost::json::object& o,
                                                 std::string_view key);
/// The next id in `section` (attendance, agenda, decisions, reports) of `body`: 1, 2, 3… per
/// section, never reused within the meeting. Moves the counter on.
std::int64_t next_id(boost::json::object& body, std::string_view section);
/// The item of `section` with `id`, or null.
[[nodiscard]] boost::json::object* find_item(boost::json::object& body, std::string_view section,
                                             std::int64_t id);
/// Puts `e` in `section` of `body`: in place of `target` (keeping its id) when there is one, else
/// appended with the section's next id. Sets e["id"].
void put_item(boost::json::object& body, std::string_view section, boost::json::object* target,
              boost::json::object& e);
/// The item `id` of `section`, or null for 0 (a new one); an unknown id is not_found naming
/// `field` and `what`.
[[nodiscard]] boost::json::object* existing_item(boost::json::object& body,
                                                 std::string_view section, std::int64_t id,
                                                 std::string_view field, std::string_view what);
/// Removes item `id` from `section` ("attendance", "agenda" or "decision"); false if there was
/// none. Decisions under a removed agenda item stay, no longer tied to an item.
[[nodiscard]] bool remove_item(boost::json::object& body, std::string_view section,
                               std::int64_t id);

}  // namespace liaise::server::minutes_rules
