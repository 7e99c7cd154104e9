// Internal: what a finding shows its reader — an entry's meaning with its expansion and the
// grammatical fit of its alternatives.
#pragma once

#include <string>
#include <string_view>

#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/engine.hpp"

namespace liaise::jargon::detail {

/// The Meaning that findings of entry `e` of `discipline` carry: its alternatives, explanation,
/// expansion (given, or found among its variants and alternatives) and one Fit per alternative.
[[nodiscard]] Meaning shown_meaning(std::string_view discipline, const Entry& e);

/// The words of `candidate` (split at spaces and hyphens) whose initials spell `acronym`'s
/// letters, case-insensitively; small joining words ("and", "of", "the", ...) may be skipped or
/// may supply a letter ("ToR": terms of reference). False for an acronym with digits.
[[nodiscard]] bool spells(std::string_view acronym, std::string_view candidate);

/// A meaning's explanation, led by its expansion where it has one:
/// "Child in Need — a child the council must help ...".
[[nodiscard]] std::string explained(const Meaning& m);

}  // namespace liaise::jargon::detail
