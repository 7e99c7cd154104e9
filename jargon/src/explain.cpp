#include "explain.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace liaise::jargon::detail {
namespace {

constexpr std::array<std::string_view, 9> kJoiningWords = {"and", "of",   "the", "for", "in",
                                                           "to",  "with", "on",  "&"};

bool joining(std::string_view w) {
    for (const auto j : kJoiningWords) {
        if (w.size() == j.size()) {
            bool same = true;
            for (std::size_t i = 0; i < w.size(); ++i)
                same = same && std::tolower(static_cast<unsigned char>(w[i])) == j[i];
            if (same)
                return true;
        }
    }
    return false;
}

std::vector<std::string_view> words_of(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '-' || s[i] == ','))
            ++i;
        const auto start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '-' && s[i] != ',')
            ++i;
        if (i > start)
            out.push_back(s.substr(start, i - start));
    }
    return out;
}

bool spells_from(std::string_view letters, const std::vector<std::string_view>& words,
                 std::size_t li, std::size_t wi) {
    if (wi == words.size())
        return li == letters.size();
    const auto w = words[wi];
    if (li < letters.size() &&
        std::tolower(static_cast<unsigned char>(w.front())) ==
            std::tolower(static_cast<unsigned char>(letters[li])) &&
        spells_from(letters, words, li + 1, wi + 1))
        return true;
    return joining(w) && spells_from(letters, words, li, wi + 1);
}

/// Whether the explanation's first word is an ordinary word capitalised only because it starts
/// the sentence ("A child", "Work with", "Gives urgent"), not a name ("Children Act", "London's
/// record", "Latin for", "NHS service"): an article, or a word with capitals at the start only
/// and no apostrophe, followed by a word in lower case, and not a language.
bool reads_on_in_lower_case(std::string_view text) {
    for (const std::string_view article : {"A ", "An ", "The "})
        if (text.starts_with(article))
            return true;
    const auto space = text.find(' ');
    if (space == std::string_view::npos || space + 1 >= text.size())
        return false;
    const auto first = text.substr(0, space);
    if (!std::isupper(static_cast<unsigned char>(first.front())))
        return false;
    for (std::size_t i = 1; i < first.size(); ++i) {
        const auto c = static_cast<unsigned char>(first[i]);
        if (std::isupper(c) || std::isdigit(c) || c == '\'' || c >= 0x80)
            return false;
    }
    if (!std::islower(static_cast<unsigned char>(text[space + 1])))
        return false;
    constexpr std::array<std::string_view, 9> kLanguages = {
        "Latin", "French", "Greek", "English", "Welsh", "British", "Scottish", "Irish", "European"};
    for (const auto l : kLanguages)
        if (first == l)
            return false;
    return true;
}

}  // namespace

bool spells(std::string_view acronym, std::string_view candidate) {
    if (acronym.size() < 2)
        return false;
    for (const char c : acronym)
        if (!std::isalpha(static_cast<unsigned char>(c)))
            return false;
    const auto words = words_of(candidate);
    if (words.size() < 2)
        return false;
    return spells_from(acronym, words, 0, 0);
}

Meaning shown_meaning(std::string_view discipline, const Entry& e) {
    Meaning m{
        std::string(discipline), e.alternatives, e.explanation, e.expansion, e.fits, e.bare_name};
    if (m.expansion.empty() && e.kind == Kind::acronym) {
        for (const auto* list : {&e.variants, &e.alternatives}) {
            for (const auto& candidate : *list) {
                if (m.expansion.empty() && spells(e.term, candidate))
                    m.expansion = candidate;
            }
        }
    }
    if (m.fits.size() != m.alternatives.size()) {
        // No fit= option: an acronym or phrase names a thing; a one-word term may be any part
        // of speech, and its alternatives are written to stand in its place.
        m.fits.assign(m.alternatives.size(), e.kind == Kind::term ? Fit::both : Fit::noun);
    }
    return m;
}

std::string explained(const Meaning& m) {
    if (m.expansion.empty())
        return m.explanation;
    // Explanations written as "Child protection: the work ..." already lead with it.
    if (m.explanation.size() > m.expansion.size()) {
        bool same = true;
        for (std::size_t i = 0; i < m.expansion.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(m.explanation[i])) ==
                   std::tolower(static_cast<unsigned char>(m.expansion[i]));
        if (same)
            return m.explanation;
    }
    std::string text = m.explanation;
    // "A child ..." and "Work with ..." read on after a dash in lower case.
    if (reads_on_in_lower_case(text))
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return m.expansion + " \xE2\x80\x94 " + text;
}

}  // namespace liaise::jargon::detail
