#include "readability.hpp"

#include <array>
#include <cstdint>

namespace liaise::jargon::detail {
namespace {

/// 1 for a, e, i, o, u or y in either case, else 0: one load per byte in the syllable loop.
constexpr std::array<std::uint8_t, 256> kVowels = [] {
    std::array<std::uint8_t, 256> t{};
    for (const char c : std::string_view("aeiouyAEIOUY"))
        t[static_cast<unsigned char>(c)] = 1;
    return t;
}();

bool vowel(char c) noexcept {
    return kVowels[static_cast<unsigned char>(c)] != 0;
}

}  // namespace

int syllables(std::string_view word) noexcept {
    // Counts groups of vowels: a vowel after anything but a vowel starts one. Branch-free, as
    // this runs over every letter of every text.
    unsigned groups = 0, in_vowels = 0;
    for (const char c : word) {
        const unsigned v = kVowels[static_cast<unsigned char>(c)];
        groups += v & ~in_vowels;
        in_vowels = v;
    }
    const auto n = word.size();
    if (groups > 1 && n >= 3 && (word[n - 1] == 'e' || word[n - 1] == 'E') && !vowel(word[n - 2]) &&
        !(word[n - 2] == 'l' || word[n - 2] == 'L'))
        --groups;  // silent final e: "care", "make" (but not "table")
    return groups > 0 ? static_cast<int>(groups) : 1;
}

std::optional<Readability> readability(std::string_view text, const std::vector<Token>& tokens) {
    std::size_t sentences = 0;
    for (const auto& t : tokens)
        sentences += t.sentence_start ? 1 : 0;
    if (sentences < 3)
        return std::nullopt;

    Readability r;
    std::size_t syllable_total = 0, long_sentences = 0, current = 0;
    bool started = false;
    const auto close_sentence = [&] {
        if (!started)
            return;
        ++r.sentences;
        if (current > kLongSentenceWords)
            ++long_sentences;
        current = 0;
    };
    for (const auto& t : tokens) {
        if (t.sentence_start) {
            close_sentence();
            started = true;
        }
        if (t.upper + t.lower == 0)
            continue;  // numbers are not words here
        ++r.words;
        ++current;
        syllable_total +=
            static_cast<std::size_t>(syllables(text.substr(t.start, t.end - t.start)));
    }
    close_sentence();
    if (r.words == 0)
        return std::nullopt;
    const double words = static_cast<double>(r.words);
    const double sents = static_cast<double>(r.sentences);
    r.average_sentence_length = words / sents;
    r.flesch_reading_ease = 206.835 - 1.015 * r.average_sentence_length -
                            84.6 * (static_cast<double>(syllable_total) / words);
    r.long_sentence_share = static_cast<double>(long_sentences) / sents;
    return r;
}

}  // namespace liaise::jargon::detail
