// Copies of circulated minutes for people without an account (PROTOCOL.md, "Templates and
// copies"): which sections an attendance entry's copy holds, and the copy itself, made from a
// fixed version. The server uses it to record each copy at circulation and to answer
// meeting_export with `recipient`; a client uses it to make the copy itself from the version
// whose signatures it checked, so that a server cannot put into a family member's copy a
// section the signed version does not give them. Pure functions of the minutes as JSON (the
// shapes of meeting_show); thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace liaise::protocol {

/// Whether section `id` of the minutes `m` is marked professionals-only.
[[nodiscard]] bool professionals_only(const boost::json::object& m, std::string_view id);

/// The section ids attendance entry `e` receives of the minutes `m`: the chair's choice
/// (`receives`) as it is, else every section less, for a family member (`family`), the
/// professionals-only ones. A choice naming a professionals-only section for a family member is
/// returned as it is: the server refuses it, and copy_document() leaves it out.
[[nodiscard]] boost::json::array copy_sections(const boost::json::object& m,
                                               const boost::json::object& e);

/// The copy of the fixed version `fixed` for the attendance entry whose id is `entry`, as the
/// version itself decides it (its attendance, which the circulation signature covers): {"entry",
/// "name", "agency", "role", "family", "sections"}; nullopt when the version has no such entry
/// that receives a copy (someone without an account marked `copy`).
[[nodiscard]] std::optional<boost::json::object> copy_of(const boost::json::object& fixed,
                                                         std::int64_t entry);

/// The copy of the fixed version `fixed` for `copy` (copy_of(), or a distribution entry kept
/// with the version): only the sections the copy lists, never (for a family member) one the
/// version marks professionals-only, and only the record's lists that belong to those sections;
/// no distribution, signatures or correction notes; `copy_for` {"name", "role", "family",
/// "sections_left_out"}. export_markdown() and export_html() write it.
[[nodiscard]] boost::json::object copy_document(const boost::json::object& fixed,
                                                const boost::json::object& copy);

}  // namespace liaise::protocol
