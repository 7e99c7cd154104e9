// Minutes as documents: the Markdown and the printable HTML export (PROTOCOL.md, "Meetings and
// minutes"), made from a version as meeting_show returns it. The server makes them for
// meeting_export; a client makes them itself from a fixed version whose signatures it checked,
// so that the document it writes is the version that was signed, whatever the server renders.
//
// Thread-safety: free functions without shared state; callable from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace liaise::protocol {

/// A code of a vocabulary and how a document shows it.
struct Term {
    std::string_view code;
    std::string_view label;
};

/// The kinds of meeting (meeting_kinds/data/kinds.toml, whose labels the minutes carry as
/// `kind_label`; meeting_kinds_tests checks that the two agree).
inline constexpr Term kMeetingKinds[] = {
    {"initial-cp-conference", "Initial child protection conference"},
    {"review-cp-conference", "Review child protection conference"},
    {"core-group", "Core group"},
    {"strategy", "Strategy meeting or discussion"},
    {"child-in-need", "Child in need review"},
    {"children-in-care-review", "Children in care review"},
    {"ehcp-annual-review", "EHCP annual review"},
    {"marac", "MARAC"},
    {"team-around-the-family", "Team around the family"},
    {"professionals", "Professionals' meeting"},
    {"other", "Meeting"}};
inline constexpr Term kAttendanceStatuses[] = {
    {"present", "Present"}, {"apologies", "Apologies sent"}, {"absent", "Absent"}};
inline constexpr Term kActionStatuses[] = {
    {"open", "Open"},         {"in_progress", "In progress"},         {"done", "Done"},
    {"not_done", "Not done"}, {"carried_forward", "Carried forward"}, {"cancelled", "Cancelled"}};

/// The label of `code` in `terms`, or `code` itself when it is not one of them.
[[nodiscard]] std::string term_label(std::span<const Term> terms, std::string_view code);

/// The minutes `m` as one Markdown document (every text escaped so that it cannot pass for the
/// document's structure).
[[nodiscard]] std::string export_markdown(const boost::json::object& m);
/// The minutes `m` as a self-contained printable HTML page (inline CSS, every text escaped).
[[nodiscard]] std::string export_html(const boost::json::object& m);

/// `text` escaped for Markdown exactly as export_markdown() escapes every text (with `cell`, for
/// a table cell or a list item: line breaks as spaces), for other documents made from records.
[[nodiscard]] std::string markdown_escaped(std::string_view text, bool cell = false);
/// `text` escaped for HTML exactly as export_html() escapes every text; with `line_breaks`, each
/// line break as <br>.
[[nodiscard]] std::string html_escaped(std::string_view text, bool line_breaks = false);

}  // namespace liaise::protocol
