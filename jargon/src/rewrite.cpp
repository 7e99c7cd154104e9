#include "liaise/jargon/engine.hpp"
#include "text.hpp"
#include "unicode.hpp"

namespace liaise::jargon {
namespace {

/// Does the text at `pos` start a sentence (start of text, a line, or after . ! ?)?
bool at_sentence_start(std::string_view text, std::size_t pos) {
    while (pos > 0) {
        const char c = text[pos - 1];
        if (c == ' ' || c == '\t') {
            --pos;
            continue;
        }
        return c == '\n' || c == '\r' || c == '.' || c == '!' || c == '?';
    }
    return true;
}

bool starts_upper(std::string_view s) {
    if (s.empty())
        return false;
    const auto cp = detail::decode(s, 0);
    return cp.valid && detail::unicode::is_upper(cp.value);
}

std::string capitalise(std::string_view s) {
    if (s.empty())
        return {};
    const auto cp = detail::decode(s, 0);
    if (!cp.valid)
        return std::string(s);
    std::string out;
    detail::append_utf8(detail::unicode::to_upper(cp.value), out);
    out.append(s.substr(cp.size));
    return out;
}

/// The plural or possessive ending the matched text has and the term does not: "'s", "’s",
/// "s'" or a plural "s" on an acronym.
std::string_view kept_ending(const Finding& f) {
    const std::string_view text = f.text;
    for (const std::string_view ending : {"'s", "\xE2\x80\x99s", "s'", "s\xE2\x80\x99"}) {
        if (text.ends_with(ending) && !std::string_view(f.term).ends_with(ending))
            return ending;
    }
    if (f.kind == Kind::acronym && text.ends_with("s") && !f.term.ends_with("s"))
        return "s";
    return {};
}

/// Does the match begin with a word in capitals ("EHC needs assessment")? Then it is written
/// like an acronym, and its capital says nothing about the sentence.
bool starts_with_capitals_word(std::string_view s) {
    std::size_t upper = 0;
    for (const char c : s) {
        if (c >= 'A' && c <= 'Z')
            ++upper;
        else
            break;
    }
    return upper >= 2;
}

bool starts_with_vowel(std::string_view s) {
    if (s.empty())
        return false;
    switch (s.front()) {
        case 'a':
        case 'e':
        case 'i':
        case 'o':
        case 'u':
        case 'A':
        case 'E':
        case 'I':
        case 'O':
        case 'U':
            return true;
        default:
            return false;
    }
}

/// Makes an article just written to `out` agree with the word that follows it: "a" before a
/// vowel becomes "an", "an" before a consonant becomes "a". Only the common spelling rule: it
/// does not know that "an hour" or "a unit" sound otherwise.
void fix_article(std::string& out, std::string_view next) {
    const auto ends_with_word = [&](std::string_view word) {
        if (out.size() < word.size() + 1 || out.back() != ' ')
            return false;
        const auto at = out.size() - 1 - word.size();
        if (out.compare(at, word.size(), word) != 0)
            return false;
        return at == 0 || out[at - 1] == ' ' || out[at - 1] == '\n' || out[at - 1] == '(';
    };
    const bool vowel = starts_with_vowel(next);
    for (const std::string_view a : {"a", "A"}) {
        if (vowel && ends_with_word(a)) {
            out.back() = 'n';  // "a " -> "an "
            out.push_back(' ');
            return;
        }
    }
    for (const std::string_view an : {"an", "An"}) {
        if (!vowel && !next.empty() && ends_with_word(an)) {
            out.pop_back();  // "an " -> "a "
            out.back() = ' ';
            return;
        }
    }
}

}  // namespace

const std::string* agreed_alternative(const Finding& f) {
    if (f.meanings.empty() || f.meanings.front().alternatives.empty())
        return nullptr;
    const auto& first = f.meanings.front().alternatives.front();
    for (const auto& m : f.meanings) {
        if (m.alternatives.empty() || m.alternatives.front() != first)
            return nullptr;
    }
    return &first;
}

std::string rewrite(std::string_view text, const std::vector<Finding>& findings) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t pos = 0;
    for (const auto& f : findings) {
        const auto* agreed = agreed_alternative(f);
        if (agreed == nullptr)
            continue;
        if (f.start < pos || f.end > text.size() || f.start > f.end)
            continue;
        out.append(text.substr(pos, f.start - pos));
        std::string plain = *agreed;
        const bool capital = f.kind == Kind::acronym || starts_with_capitals_word(f.text)
                                 ? at_sentence_start(text, f.start)
                                 : starts_upper(f.text);
        if (capital)
            plain = capitalise(plain);
        fix_article(out, plain);
        const auto ending = kept_ending(f);
        // A plural "s" fits a one-word alternative only ("GPs" -> "doctors").
        if (ending == "s") {
            if (plain.find(' ') == std::string::npos && !plain.ends_with("s"))
                plain += 's';
        } else {
            plain += ending;
        }
        out += plain;
        pos = f.end;
    }
    out.append(text.substr(pos));
    return out;
}

}  // namespace liaise::jargon
