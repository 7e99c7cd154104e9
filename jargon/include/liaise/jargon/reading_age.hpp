// An estimated reading age for text that families read: rooms that include the public and the
// family's copy of minutes. GOV.UK and the NHS aim for a reading age of 9 to 11. The estimate is
// the Flesch-Kincaid grade level plus five (UK school years start a year later than US grades,
// and grade 1 is age six to seven); with it, the sentences that raise it most, so a writer knows
// what to shorten.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace liaise::jargon {

/// The top of the GOV.UK and NHS aim (9 to 11): text above it is flagged for families.
inline constexpr double kReadingAgeAim = 11.0;
/// The youngest age the estimate gives: short words in short sentences, whatever they say.
inline constexpr double kReadingAgeFloor = 6.0;

/// One sentence and its own reading age.
struct SentenceAge {
    std::size_t start = 0;  ///< UTF-8 byte offsets of the sentence in the text
    std::size_t end = 0;
    std::size_t words = 0;
    double reading_age = 0;
};

struct ReadingAge {
    double years = 0;  ///< the whole text's estimate, at least kReadingAgeFloor
    std::size_t sentences = 0;
    std::size_t words = 0;
    /// The sentences over kReadingAgeAim that raise the estimate most (each one's own reading
    /// age weighted by its length), most first; at most the number asked for.
    std::vector<SentenceAge> hardest;

    /// Whether the text is over the aim for families.
    [[nodiscard]] bool above_aim() const noexcept { return years > kReadingAgeAim; }
};

/// The reading age of `text` and its `hardest` hardest sentences; nullopt for a text without
/// words. Sentences are split as readability() splits them (engine.hpp); a number is not a word.
/// Invalid UTF-8 is treated as separators, as in a check.
[[nodiscard]] std::optional<ReadingAge> reading_age(std::string_view text, std::size_t hardest = 3);

}  // namespace liaise::jargon
