// JSON form of plain-language findings: one encoding for `liaise check --json`, the client's
// send/read output, the server's minutes checks and the WebAssembly build of the engine.
// PROTOCOL.md, "Findings", is the spec.
//
// Written by a small writer of its own (no Boost, no ICU), so that the WebAssembly build needs
// nothing but the engine. Callers that add fields parse the text with their JSON library.
#pragma once

#include <string>

#include <string_view>

#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/reading_age.hpp"

namespace liaise::jargon {

/// One finding as a compact JSON object {"start", "end", "line", "column", "text", "term",
/// "kind", "disciplines", "alternatives", "explanation", "meanings"}, keys in that order.
[[nodiscard]] std::string findings_json(const Finding& finding);

/// {"findings": [...], "readability": {...} or null}, compact. Numbers in "readability" are
/// written in their shortest round-trip form (null if not finite, which the engine never gives).
[[nodiscard]] std::string findings_json(const CheckResult& result);

/// The writing help's check of a draft as `liaise send` makes it (the caller has settled meanings
/// and applied the room's glossary to `result`, a check of `text`), compact and written in one
/// pass: findings_json(result)'s fields, then "audience" (as given), "fixes" (offer_fixes(): one
/// per finding, {"replace", "explain"} each {"start", "end", "text"} in bytes or null, then
/// "modifier", "bracketed", "follows_modifier"), "fixed" and "explained" (fix_text() with
/// FixMode::replace_where_it_fits and FixMode::explain_only). The browser's check of every pause
/// in typing: no JSON library round trip.
[[nodiscard]] std::string draft_json(std::string_view text, const CheckResult& result,
                                     std::string_view audience);

/// The reading age of `text` for families, compact: {"years", "aim": "9-11", "above_aim",
/// "sentences", "words", "hardest": [{"start", "end", "reading_age", "text"}]}, ages rounded to
/// one decimal. `age` must come from reading_age(text).
[[nodiscard]] std::string reading_age_json(std::string_view text, const ReadingAge& age);

}  // namespace liaise::jargon
