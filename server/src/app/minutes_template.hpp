// Internal: what a meeting's kind asks of its record (meeting_kinds/), who receives which parts of
// it, and its circulation deadlines (calendar/). Pure functions over the minutes as JSON (the
// shapes of PROTOCOL.md, "Meetings and minutes"); minutes_records.cpp loads, seals and stores.
// Every refusal is a ServiceError with a stable code. Thread-safety: no shared mutable state.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/meeting_clocks.hpp"
#include "liaise/meeting_kinds/catalogue.hpp"

namespace liaise::server::minutes_template {

/// The kind `id` of the shipped catalogue; bad_request naming the kinds for an unknown one.
[[nodiscard]] const meeting_kinds::Kind& require_kind(std::string_view id);
/// The kind of a stored meeting: its own, or "other" for one the catalogue no longer has.
[[nodiscard]] const meeting_kinds::Kind& kind_of(std::string_view id);

/// A case reference as the agencies write it ("CP-2041/26"): 1 to 40 letters, digits, spaces and
/// - / . _ , starting with a letter or digit; empty clears it. bad_request otherwise.
[[nodiscard]] std::string require_case_reference(std::string_view ref);

/// Whether the kind's template binds this record: a kind added with the templates, a meeting with
/// a case reference, or one where any section has been written. Meetings of the six earlier
/// kinds recorded before templates (agenda and decisions only) circulate as they always did.
[[nodiscard]] bool templated(const meeting_kinds::Kind& kind, const boost::json::object& body);

/// The `sections` of the minutes, in the template's order: {"id", "label", "guidance", "text",
/// "professionals_only"} and, for child-views, "how_gathered".
[[nodiscard]] boost::json::array sections_json(const meeting_kinds::Kind& kind,
                                               const boost::json::object& body);

/// The template's sections the minutes `m` (as minutes_json makes them) still lack, in order:
/// {"id", "label", "why"}.
[[nodiscard]] boost::json::array missing_sections(const meeting_kinds::Kind& kind,
                                                  const boost::json::object& m);

/// Whether section `id` of the minutes `m` is marked professionals-only.
[[nodiscard]] bool professionals_only(const boost::json::object& m, std::string_view id);

/// The section ids an attendance entry `e` (someone without an account who receives a copy)
/// receives of the minutes `m`: the chair's choice (`receives`), else every section, less the
/// professionals-only ones for a family member. protocol::errc::professionals_only when the chair's
/// choice gives a family member a section now marked professionals-only.
[[nodiscard]] boost::json::array copy_sections(const boost::json::object& m,
                                               const boost::json::object& e);

/// A family member's or other recipient's copy of the fixed version `fixed` (as fixed_version
/// makes it), for the distribution entry `copy` kept with it: only the sections the copy lists,
/// never (for a family member) one the version marks professionals-only, and only the record's
/// lists that belong to those sections; no distribution, signatures or correction notes.
[[nodiscard]] boost::json::object copy_document(const boost::json::object& fixed,
                                                const boost::json::object& copy);

/// The meeting's circulation deadlines: for each clock `clocks` sets (meeting_clocks(): the
/// kind's, as the chair's agency's settings change them), {"clock", "label", "days", "due",
/// "status"} with status "due", "late", "met", "met late" (the record was first circulated on
/// `circulated_ms`) or, for accuracy comments, "not started", "open", "closed"; "unknown" with
/// "problem" when the calendar does not cover the dates. `today_ms` is now.
[[nodiscard]] boost::json::array deadlines_json(const MeetingClocks& clocks,
                                                std::string_view starts_at,
                                                std::optional<std::int64_t> circulated_ms,
                                                std::int64_t today_ms);

/// The last day accuracy comments are taken on a version circulated at `circulated_ms`: the
/// accuracy_comments clock of `clocks` (10 working days when it sets none) counted from the day
/// of circulation in London, bank holidays excluded; nullopt when the calendar does not cover it.
/// The same date deadlines_json gives the accuracy comments clock.
[[nodiscard]] std::optional<calendar::Date> comments_close_on(const MeetingClocks& clocks,
                                                              std::int64_t circulated_ms);

}  // namespace liaise::server::minutes_template
