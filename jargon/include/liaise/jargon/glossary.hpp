// A room's shared language: the terms a room's chair has agreed its members know, each with the
// meaning the room uses ("in this room, IRO is the independent reviewing officer for Sam").
// Drafts are not held back for an agreed term unless the room includes the public; a reader who
// meets an agreed term for the first time is shown the room's meaning once. Shared by the server
// (which validates what a chair agrees), the CLI, `chat` and the browser's engine.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/result.hpp"

namespace liaise::jargon {

/// One agreed term and the meaning the room gives it.
struct AgreedTerm {
    std::string term;     ///< as the chair wrote it ("IRO", "core group")
    std::string meaning;  ///< plain words, one or two sentences
};

inline constexpr std::size_t kMaxAgreedTermBytes = 64;
inline constexpr std::size_t kMaxAgreedMeaningBytes = 300;
inline constexpr std::size_t kMaxAgreedTerms = 200;

/// Why `term` cannot be agreed (empty, too long, no letters, control characters, brackets), or
/// an empty string when it can.
[[nodiscard]] std::string agreed_term_problem(std::string_view term);
/// Why `meaning` cannot be a term's agreed meaning (empty, too long, control characters other
/// than none), or an empty string when it can.
[[nodiscard]] std::string agreed_meaning_problem(std::string_view meaning);

/// A room's agreed terms, matched against texts the way the engine matches case-insensitive
/// entries, except that a term written in capitals ("IRO") matches only in capitals (with a
/// plural or possessive "s"). Immutable once made; copies may be read from several threads.
class Glossary {
  public:
    /// No agreed terms.
    Glossary() = default;
    /// Fails, listing every problem (line = the term's 1-based position), for an invalid term
    /// or meaning, the same term twice (ignoring case), or more than kMaxAgreedTerms terms.
    [[nodiscard]] static Result<Glossary> make(std::vector<AgreedTerm> terms);

    [[nodiscard]] const std::vector<AgreedTerm>& terms() const noexcept { return terms_; }
    [[nodiscard]] bool empty() const noexcept { return terms_.empty(); }
    /// The agreed term that `text` (a term or a finding's text) names, or nullptr.
    [[nodiscard]] const AgreedTerm* find(std::string_view text) const;

    /// Where an agreed term is used in a text: bytes [start, end) name terms()[index].
    struct Use {
        std::size_t start = 0;
        std::size_t end = 0;
        std::size_t index = 0;
    };
    /// Every use of an agreed term in `text`, in text order, never overlapping (the longest
    /// term wins where two start at one word).
    [[nodiscard]] std::vector<Use> uses(std::string_view text) const;

  private:
    std::vector<AgreedTerm> terms_;
    std::vector<std::vector<std::string>> words_;  // per term: its words, folded unless `exact_`
    std::vector<bool> exact_;                      // per term: written in capitals
};

/// The send-side rule: removes from `draft` (a check of a draft for the room's readers) every
/// finding of an agreed term, unless `audience` is the public, for whom every term is still
/// flagged. Returns how many findings it removed.
std::size_t apply_glossary(CheckResult& draft, const Glossary& glossary, const Audience& audience);

/// The reader-side rule. Removes from `explained` (a reader's check of `text`) every finding of
/// an agreed term, and returns the agreed terms `text` uses that the reader meets for the first
/// time, in text order, each once: those not yet in `met` (folded terms) that the reader's check
/// flagged or that no dictionary explains. Every agreed term `text` uses is added to `met`.
[[nodiscard]] std::vector<AgreedTerm> meet_agreed_terms(std::string_view text,
                                                        CheckResult& explained,
                                                        const Glossary& glossary,
                                                        const Engine& engine,
                                                        std::set<std::string>& met);

/// The folded form of an agreed term that `met` holds: lower-case words joined by one space.
[[nodiscard]] std::string agreed_key(std::string_view term);

}  // namespace liaise::jargon
