#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "liaise/jargon/engine.hpp"
#include "text.hpp"

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
    if (s.empty()) return false;
    const auto cp = detail::decode(s, 0);
    return cp.valid && u_isupper(static_cast<UChar32>(cp.value));
}

std::string capitalise(std::string_view s) {
    if (s.empty()) return {};
    const auto cp = detail::decode(s, 0);
    if (!cp.valid) return std::string(s);
    std::string out;
    icu::UnicodeString(static_cast<UChar32>(u_toupper(static_cast<UChar32>(cp.value)))).toUTF8String(out);
    out.append(s.substr(cp.size));
    return out;
}

/// The plural or possessive ending the matched text has and the term does not: "'s", "’s",
/// "s'" or a plural "s" on an acronym.
std::string_view kept_ending(const Finding& f) {
    const std::string_view text = f.text;
    for (const std::string_view ending : {"'s", "\xE2\x80\x99s", "s'", "s\xE2\x80\x99"}) {
        if (text.ends_with(ending) && !std::string_view(f.term).ends_with(ending)) return ending;
    }
    if (f.kind == Kind::acronym && text.ends_with("s") && !f.term.ends_with("s")) return "s";
    return {};
}

}  // namespace

std::string rewrite(std::string_view text, const std::vector<Finding>& findings) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t pos = 0;
    for (const auto& f : findings) {
        if (f.meanings.size() != 1 || f.meanings.front().alternatives.empty()) continue;
        if (f.start < pos || f.end > text.size() || f.start > f.end) continue;
        out.append(text.substr(pos, f.start - pos));
        std::string plain = f.meanings.front().alternatives.front();
        const bool capital = f.kind == Kind::acronym ? at_sentence_start(text, f.start)
                                                     : starts_upper(f.text);
        if (capital) plain = capitalise(plain);
        const auto ending = kept_ending(f);
        // A plural "s" fits a one-word alternative only ("GPs" -> "doctors").
        if (ending == "s") {
            if (plain.find(' ') == std::string::npos && !plain.ends_with("s")) plain += 's';
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
