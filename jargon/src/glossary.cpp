#include "liaise/jargon/glossary.hpp"

#include <algorithm>
#include <map>

#include "text.hpp"

namespace liaise::jargon {
namespace {

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7f;
    });
}

/// Written in capitals: every letter of the term is a capital, and it has at least two.
bool in_capitals(std::string_view term) {
    int upper = 0;
    for (const char c : term) {
        if (c >= 'a' && c <= 'z')
            return false;
        if (c >= 'A' && c <= 'Z')
            ++upper;
    }
    return upper >= 2;
}

}  // namespace

std::string agreed_key(std::string_view term) {
    return join(detail::split_words(term, true));
}

std::string agreed_term_problem(std::string_view term) {
    if (term.empty())
        return "a term cannot be empty";
    if (term.size() > kMaxAgreedTermBytes)
        return "a term has at most " + std::to_string(kMaxAgreedTermBytes) + " bytes";
    if (has_control(term))
        return "a term cannot hold line breaks or control characters";
    if (term.find_first_of("()[]") != std::string_view::npos)
        return "a term cannot hold brackets";
    if (detail::split_words(term, true).empty())
        return "a term needs at least one letter or digit";
    return {};
}

std::string agreed_meaning_problem(std::string_view meaning) {
    if (meaning.empty())
        return "give the meaning the room uses for the term";
    if (meaning.size() > kMaxAgreedMeaningBytes)
        return "a meaning has at most " + std::to_string(kMaxAgreedMeaningBytes) + " bytes";
    if (has_control(meaning))
        return "a meaning cannot hold line breaks or control characters";
    return {};
}

Result<Glossary> Glossary::make(std::vector<AgreedTerm> terms) {
    std::vector<Problem> problems;
    if (terms.size() > kMaxAgreedTerms)
        problems.push_back(
            {"", 0, "a room agrees at most " + std::to_string(kMaxAgreedTerms) + " terms"});
    std::map<std::string, int> seen;
    Glossary g;
    for (std::size_t i = 0; i < terms.size(); ++i) {
        const int line = static_cast<int>(i + 1);
        auto& t = terms[i];
        if (auto p = agreed_term_problem(t.term); !p.empty()) {
            problems.push_back({"", line, "'" + t.term + "': " + p});
            continue;
        }
        if (auto p = agreed_meaning_problem(t.meaning); !p.empty())
            problems.push_back({"", line, "'" + t.term + "': " + p});
        const auto key = agreed_key(t.term);
        if (!seen.emplace(key, line).second)
            problems.push_back({"", line, "'" + t.term + "' is agreed twice"});
        const bool exact = in_capitals(t.term);
        g.words_.push_back(detail::split_words(t.term, !exact));
        g.exact_.push_back(exact);
        g.terms_.push_back(std::move(t));
    }
    if (!problems.empty())
        return Result<Glossary>::failure(std::move(problems));
    return Result<Glossary>::success(std::move(g));
}

const AgreedTerm* Glossary::find(std::string_view text) const {
    const auto key = agreed_key(text);
    for (const auto& t : terms_)
        if (agreed_key(t.term) == key)
            return &t;
    return nullptr;
}

std::vector<Glossary::Use> Glossary::uses(std::string_view text) const {
    std::vector<Use> out;
    if (terms_.empty())
        return out;
    std::vector<detail::Token> tokens;
    detail::tokenize(text, tokens);
    std::vector<std::string> folded(tokens.size()), exact(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto w = text.substr(tokens[i].start, tokens[i].end - tokens[i].start);
        detail::folded_form(w, folded[i]);
        detail::exact_form(w, exact[i]);
    }
    // A word of the text matches a word of a term as written, or as its plural or possessive
    // when it is the term's last word.
    const auto word_matches = [](const std::string& seen, const std::string& want, bool last) {
        if (seen == want)
            return true;
        if (!last || seen.size() <= want.size() || !seen.starts_with(want))
            return false;
        const auto rest = std::string_view(seen).substr(want.size());
        return rest == "s" || rest == "'s" || rest == "s'";
    };
    for (std::size_t i = 0; i < tokens.size();) {
        std::size_t best_words = 0, best = 0;
        for (std::size_t t = 0; t < terms_.size(); ++t) {
            const auto& words = words_[t];
            const auto n = words.size();
            if (n <= best_words || i + n > tokens.size())
                continue;
            bool match = true;
            for (std::size_t k = 0; k < n && match; ++k) {
                if (k > 0 && !tokens[i + k].joinable)
                    match = false;
                else
                    match = word_matches(exact_[t] ? exact[i + k] : folded[i + k], words[k],
                                         k + 1 == n);
            }
            if (match) {
                best_words = n;
                best = t;
            }
        }
        if (best_words == 0) {
            ++i;
            continue;
        }
        out.push_back({tokens[i].start, tokens[i + best_words - 1].end, best});
        i += best_words;
    }
    return out;
}

std::size_t apply_glossary(CheckResult& draft, const Glossary& glossary, const Audience& audience) {
    if (audience.is_public() || glossary.empty())
        return 0;
    return std::erase_if(draft.findings, [&](const Finding& f) {
        return glossary.find(f.term) != nullptr || glossary.find(f.text) != nullptr;
    });
}

std::vector<AgreedTerm> meet_agreed_terms(std::string_view text, CheckResult& explained,
                                          const Glossary& glossary, const Engine& engine,
                                          std::set<std::string>& met) {
    std::vector<AgreedTerm> first;
    if (glossary.empty())
        return first;
    struct Met {
        std::size_t at;
        const AgreedTerm* term;
        bool flagged;
    };
    std::vector<Met> meetings;
    const auto uses = glossary.uses(text);
    for (const auto& u : uses)
        meetings.push_back({u.start, &glossary.terms()[u.index], false});
    std::erase_if(explained.findings, [&](const Finding& f) {
        const AgreedTerm* agreed = glossary.find(f.term);
        if (agreed == nullptr)
            agreed = glossary.find(f.text);
        for (const auto& u : uses)
            if (agreed == nullptr && u.start < f.end && f.start < u.end)
                agreed = &glossary.terms()[u.index];
        if (agreed == nullptr)
            return false;
        meetings.push_back({f.start, agreed, true});
        return true;
    });
    std::stable_sort(meetings.begin(), meetings.end(),
                     [](const Met& a, const Met& b) { return a.at < b.at; });
    // A term counts as flagged for the reader if any of its uses here was.
    std::set<const AgreedTerm*> flagged;
    for (const auto& m : meetings)
        if (m.flagged)
            flagged.insert(m.term);
    for (const auto& m : meetings) {
        const auto key = agreed_key(m.term->term);
        if (!met.insert(key).second)
            continue;
        // A term of the reader's own that no finding flagged needs no explaining; a term of the
        // room's own, which no dictionary has, does.
        if (flagged.contains(m.term) || engine.explain(m.term->term).empty())
            first.push_back(*m.term);
    }
    return first;
}

}  // namespace liaise::jargon
