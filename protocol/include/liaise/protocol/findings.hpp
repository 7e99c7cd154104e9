// JSON form of plain-language findings: one encoding for `liaise check --json`, the client's
// send/read output and (later) the server's minutes checks. PROTOCOL.md, "Findings", is the spec.
#pragma once

#include <boost/json/value.hpp>

#include "liaise/jargon/engine.hpp"

namespace liaise::protocol {

/// One finding as {"start", "end", "line", "column", "text", "term", "kind", "disciplines",
/// "alternatives", "explanation", "meanings"}.
[[nodiscard]] boost::json::value to_json(const jargon::Finding& finding);

/// {"findings": [...], "readability": {...} or null}.
[[nodiscard]] boost::json::value to_json(const jargon::CheckResult& result);

}  // namespace liaise::protocol
