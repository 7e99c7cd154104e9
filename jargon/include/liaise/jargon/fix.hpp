// Fixes for findings: put the plain words in place of a term where they fit the sentence, or keep
// the term and explain it in brackets on first use. The CLI, chat and the browser client all use
// these, so they follow the same rules.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/engine.hpp"

namespace liaise::jargon {

enum class FixKind {
    replace,  ///< the plain alternative in place of the term
    explain,  ///< the term kept, its plain meaning added in brackets
};

/// One edit of the checked text: bytes [start, end) become `text`. A fix may start before its
/// finding, to make an article fit ("a holistic plan" -> "an all-round plan").
struct Fix {
    std::size_t start = 0;
    std::size_t end = 0;
    std::string text;
    FixKind kind = FixKind::replace;
};

/// The fixes a writer may choose between for one finding. Either may be absent: `replace` when
/// no alternative fits where the term stands (an acronym used as a modifier, "CIN plan", whose
/// alternatives are all noun phrases) or the meanings differ; `explain` when the meanings
/// differ, the term is unknown, or the writer already put brackets after it. For a finding with
/// several meanings that agree on their plain words, an alternative replaces the term only if
/// every meaning lists it with a fit (Entry::fits) that lets it stand there.
struct FixChoice {
    std::optional<Fix> replace;
    std::optional<Fix> explain;
    /// The term stands before a noun it describes ("CIN" in "CIN plan").
    bool modifier = false;
    /// The finding's term, folded: a term is explained on its first use only.
    std::string term;
    /// The writer already put brackets after the term (counts as its explanation).
    bool bracketed = false;
    /// This finding is the noun that the finding before it describes ("s47 strategy discussion").
    bool follows_modifier = false;
};

/// One FixChoice per finding, in the same order. Findings must come from a check of `text`.
[[nodiscard]] std::vector<FixChoice> offer_fixes(std::string_view text,
                                                 const std::vector<Finding>& findings);

enum class FixMode {
    replace_where_it_fits,  ///< replace where an alternative fits, else explain (`--fix`)
    explain_only,           ///< keep every term, explain each on first use (`--explain-fix`)
};

/// Chooses at most one fix per finding. Explains a term on its first occurrence only; a noun
/// described by an explained modifier is explained too rather than replaced, so a compound
/// ("s47 strategy discussion") is never half-translated.
[[nodiscard]] std::vector<Fix> choose_fixes(const std::vector<FixChoice>& choices, FixMode mode);

/// Applies fixes in text order; a fix that overlaps an earlier one or lies outside `text` is
/// skipped.
[[nodiscard]] std::string apply_fixes(std::string_view text, const std::vector<Fix>& fixes);

/// apply_fixes(text, choose_fixes(offer_fixes(text, findings), mode)).
[[nodiscard]] std::string fix_text(std::string_view text, const std::vector<Finding>& findings,
                                   FixMode mode);

}  // namespace liaise::jargon
