// A subject access bundle as documents for people to review and redact (PROTOCOL.md, "Subject
// access requests"): Markdown and a self-contained printable HTML page, made from the bundle
// the server answers (its pages joined: every page's `items` in order, with one page's header).
// Every text is escaped as the minutes exports escape it (minutes_export.hpp), so a name or a
// minute cannot pass for the document's structure.
//
// Thread-safety: free functions without shared state; callable from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace liaise::protocol {

/// The bundle as one Markdown document.
[[nodiscard]] std::string subject_access_markdown(const boost::json::object& bundle);
/// The bundle as one HTML page (inline CSS; items to review for third parties are marked).
[[nodiscard]] std::string subject_access_html(const boost::json::object& bundle);

}  // namespace liaise::protocol
