#include "liaise/jargon/reading_age.hpp"

#include <algorithm>

#include "readability.hpp"
#include "text.hpp"

namespace liaise::jargon {
namespace {

/// Flesch-Kincaid grade + 5, never under the floor.
double age_of(std::size_t words, std::size_t sentences, std::size_t syllables) {
    const double w = static_cast<double>(words);
    const double grade = 0.39 * (w / static_cast<double>(sentences)) +
                         11.8 * (static_cast<double>(syllables) / w) - 15.59;
    return std::max(kReadingAgeFloor, grade + 5.0);
}

bool closing(char c) {
    return c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == ')';
}

}  // namespace

std::optional<ReadingAge> reading_age(std::string_view text, std::size_t hardest) {
    std::vector<detail::Token> tokens;
    detail::tokenize(text, tokens);
    struct Sentence {
        std::size_t start = 0, end = 0, words = 0, syllables = 0;
    };
    std::vector<Sentence> sentences;
    for (const auto& t : tokens) {
        if (t.sentence_start || sentences.empty())
            sentences.push_back({t.start, t.end, 0, 0});
        auto& s = sentences.back();
        s.end = t.end;
        if (t.upper + t.lower == 0)
            continue;  // numbers are not words here
        ++s.words;
        s.syllables +=
            static_cast<std::size_t>(detail::syllables(text.substr(t.start, t.end - t.start)));
    }
    std::erase_if(sentences, [](const Sentence& s) { return s.words == 0; });
    if (sentences.empty())
        return std::nullopt;
    ReadingAge out;
    std::size_t syllables = 0;
    for (auto& s : sentences) {
        while (s.end < text.size() && closing(text[s.end]))
            ++s.end;
        out.words += s.words;
        syllables += s.syllables;
    }
    out.sentences = sentences.size();
    out.years = age_of(out.words, out.sentences, syllables);
    std::vector<SentenceAge> over;
    for (const auto& s : sentences) {
        const auto age = age_of(s.words, 1, s.syllables);
        if (age > kReadingAgeAim)
            over.push_back({s.start, s.end, s.words, age});
    }
    // What a sentence adds to the whole: how far it is over the aim, times its words.
    const auto weight = [](const SentenceAge& s) {
        return (s.reading_age - kReadingAgeAim) * static_cast<double>(s.words);
    };
    std::stable_sort(over.begin(), over.end(), [&](const SentenceAge& a, const SentenceAge& b) {
        return weight(a) > weight(b);
    });
    if (over.size() > hardest)
        over.resize(hardest);
    out.hardest = std::move(over);
    return out;
}

}  // namespace liaise::jargon
