// Dictionary files: parsing and validation of the per-discipline TSV format
// (dictionaries/README.md is the specification).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/result.hpp"

namespace liaise::jargon {

enum class Kind { acronym, term, phrase, unknown_acronym };

/// How an entry treats letter case. `by_kind`: a one-word acronym ("SEND") matches exactly as
/// written; everything else — terms, phrases, and the spelled-out variants of an acronym —
/// matches in any case.
enum class CaseRule { by_kind, sensitive, insensitive };

/// Who understands a term without explanation (the `known=` option). A term is flagged only for
/// readers who do not know it.
enum class KnownBy {
    own_discipline,     ///< the default: only the discipline whose dictionary has it
    listed,             ///< its own discipline and Entry::known_disciplines
    all_professionals,  ///< every professional reader, but not the public
    everyone,           ///< everyone, the public included
};

/// How a plain alternative fits a sentence in place of its term: as a noun phrase ("the child in
/// need"), as a modifier before a noun ("child protection" in "child protection plan"), or both.
enum class Fit { noun, modifier, both };

/// "acronym", "term", "phrase" or "unknown-acronym".
[[nodiscard]] std::string_view to_string(Kind kind) noexcept;

/// One row of a dictionary file, as written (nothing generated).
struct Entry {
    std::string term;
    std::vector<std::string> variants;
    std::vector<std::string> alternatives;  ///< never empty; the first is the preferred one
    std::string explanation;
    Kind kind = Kind::term;
    CaseRule case_rule = CaseRule::by_kind;
    bool inflect = true;  ///< generate plurals, -ed and -ing forms (terms and phrases)
    KnownBy known_by = KnownBy::own_discipline;
    /// For KnownBy::listed: the other disciplines that know the term, sorted, without repeats.
    std::vector<std::string> known_disciplines;

    /// What an acronym stands for ("Child in Need"), from the `expansion=` option; empty when the
    /// file gives none (the engine may then find it among the variants and alternatives).
    std::string expansion;
    /// One per alternative, from the `fit=` option; empty when the file gives none, which means
    /// "noun" for every alternative of an acronym or phrase and "both" for a one-word term.
    std::vector<Fit> fits;
    /// The term is used as a name without an article ("agreed at core group"); fixes add "the"
    /// where no article is written. The `bare-name` option.
    bool bare_name = false;
    int line = 0;  ///< line in the source file, for messages
};

/// A discipline's whole dictionary. The discipline name is the file name without ".tsv".
struct Dictionary {
    std::string discipline;
    std::vector<Entry> entries;
};

/// Whether `form` (the term or one of its variants, split into `words` words) of entry `e`
/// matches case-sensitively.
[[nodiscard]] bool matches_case_sensitively(const Entry& e, std::size_t words) noexcept;

/// The exact header row every dictionary file starts with.
inline constexpr std::string_view kDictionaryHeader =
    "term\tvariants\talternatives\texplanation\tkind\toptions";

/// Parses and validates one dictionary. Every problem in the text is reported (not just the
/// first), each with `file_name` and its line; if there is any problem, no dictionary is returned.
[[nodiscard]] Result<Dictionary> parse_dictionary(std::string_view discipline,
                                                  std::string_view file_name,
                                                  std::string_view text);

/// Serialises a dictionary back to the TSV format; parse_dictionary(write_dictionary(d)) == d.
[[nodiscard]] std::string write_dictionary(const Dictionary& dictionary);

/// The shipped data: every discipline's dictionary plus the acronyms everyone knows.
struct DictionarySet {
    std::vector<Dictionary> dictionaries;
    std::vector<std::string> common_acronyms;
};

/// Parses the common-acronyms list: one acronym per line, '#' starts a comment.
[[nodiscard]] Result<std::vector<std::string>> parse_common_acronyms(std::string_view file_name,
                                                                     std::string_view text);

/// Loads every `*.tsv` in `dir` (sorted by name) and `common-acronyms.txt` if present. Problems
/// from all files are collected; if any file has a problem, nothing is returned.
[[nodiscard]] Result<DictionarySet> load_dictionary_dir(const std::filesystem::path& dir);

/// Where the shipped dictionaries are: $LIAISE_DICTIONARIES, else `dictionaries/` next to the
/// running binary, else `../share/liaise/dictionaries` from it, else the source tree this library
/// was built from. nullopt when none exists.
[[nodiscard]] std::optional<std::filesystem::path> find_dictionaries();

/// The discipline that every audience is flagged for (officialese, management speak).
inline constexpr std::string_view kGeneralDiscipline = "general";

}  // namespace liaise::jargon
