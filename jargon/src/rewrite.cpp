#include "liaise/jargon/fix.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>

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

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '\'' || static_cast<unsigned char>(c) >= 0x80;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
    const auto w = lower_ascii(word);
    for (const auto l : list)
        if (w == l)
            return true;
    return false;
}

struct Span {
    std::size_t start = 0;
    std::size_t end = 0;
};

/// The word just before `pos`, separated from it by spaces or tabs only; empty when punctuation
/// or a line break comes first.
std::optional<Span> word_before(std::string_view text, std::size_t pos) {
    std::size_t i = pos;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        --i;
    if (i == pos)
        return std::nullopt;
    const std::size_t end = i;
    while (i > 0 && is_word_char(text[i - 1]))
        --i;
    if (i == end)
        return std::nullopt;
    return Span{i, end};
}

/// The word just after `pos`, separated from it by spaces or tabs only.
std::optional<Span> word_after(std::string_view text, std::size_t pos) {
    std::size_t i = pos;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
        ++i;
    if (i == pos)
        return std::nullopt;
    const std::size_t start = i;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) >= 0x80) {
            const auto cp = detail::decode(text, i);
            if (!cp.valid ||
                !(detail::unicode::is_alnum(cp.value) || detail::unicode::is_mark(cp.value)))
                break;
            i += cp.size;
        } else if (is_word_char(text[i]) || text[i] == '-') {
            ++i;
        } else {
            break;
        }
    }
    if (i == start)
        return std::nullopt;
    return Span{start, i};
}

/// Words that cannot be the noun a term describes: after one of these, the term is itself the
/// noun ("the CIN was closed", "referred to CAMHS by the GP"). A rough list; where it is wrong
/// the term is explained rather than replaced, which is always safe.
bool ends_noun_phrase(std::string_view word) {
    if (word.empty())
        return true;
    const char first = word.front();
    if (first >= '0' && first <= '9')
        return true;
    if (first >= 'A' && first <= 'Z')
        return word == "I";
    const auto w = lower_ascii(word);
    if (w.ends_with("ly") || w.ends_with("ed"))
        return true;
    return one_of(
        w, {"a",       "an",      "the",     "and",     "or",      "but",   "nor",      "of",
            "to",      "in",      "on",      "at",      "for",     "with",  "by",       "from",
            "as",      "into",    "onto",    "over",    "under",   "about", "after",    "before",
            "until",   "since",   "during",  "between", "is",      "are",   "was",      "were",
            "be",      "been",    "being",   "am",      "will",    "would", "can",      "could",
            "should",  "shall",   "may",     "might",   "must",    "has",   "have",     "had",
            "do",      "does",    "did",     "not",     "that",    "which", "who",      "whom",
            "whose",   "this",    "these",   "those",   "it",      "he",    "she",      "they",
            "we",      "you",     "him",     "them",    "us",      "me",    "his",      "her",
            "their",   "our",     "my",      "your",    "its",     "if",    "so",       "then",
            "than",    "when",    "while",   "where",   "because", "today", "tomorrow", "yesterday",
            "again",   "also",    "now",     "soon",    "there",   "here",  "yet",      "only",
            "all",     "too",     "says",    "said",    "thinks",  "feels", "wants",    "knows",
            "agrees",  "met",     "saw",     "told",    "asked",   "made",  "gave",     "took",
            "went",    "came",    "came",    "says",    "called",  "rang",  "please",   "next",
            "last",    "first",   "instead", "either",  "each",    "due",   "going",    "overdue",
            "pending", "ongoing", "open",    "closed",  "needed"});
}

bool is_determiner(std::string_view word) {
    if (word.ends_with("'s") || word.ends_with("s'") || word.ends_with("\xE2\x80\x99s"))
        return true;
    return one_of(word, {"a",     "an",    "the",   "this", "that",  "these", "those",   "our",
                         "your",  "their", "his",   "her",  "its",   "my",    "each",    "every",
                         "any",   "no",    "next",  "last", "first", "same",  "another", "which",
                         "whose", "what",  "every", "one",  "both"});
}

bool starts_with_the(std::string_view s) {
    return s.starts_with("the ") || s.starts_with("The ");
}

std::string lower_first(std::string_view s) {
    std::string out(s);
    if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
        out[0] = static_cast<char>(out[0] - 'A' + 'a');
    return out;
}

/// The meaning the fixes use: the first, if every meaning agrees with it on the preferred
/// alternative (and so on the thing meant), else none.
const Meaning* agreed_meaning(const Finding& f) {
    return agreed_alternative(f) != nullptr ? &f.meanings.front() : nullptr;
}

/// Do the plain words `plain` fit where a term stands, as a noun phrase or (`modifier`) before
/// the noun it describes, in every one of the finding's meanings? Each meaning must list them
/// among its alternatives with a fit= that allows it there: where the meanings agree on what a
/// term is ("NFA" to police and social care) but not on how its words may be used, the stricter
/// one wins, and words only one meaning offers are not used for a term whose meaning is not
/// settled.
bool fits_every_meaning(const Finding& f, const std::string& plain, bool modifier) {
    for (const auto& m : f.meanings) {
        const auto it = std::find(m.alternatives.begin(), m.alternatives.end(), plain);
        if (it == m.alternatives.end())
            return false;
        const auto k = static_cast<std::size_t>(it - m.alternatives.begin());
        const Fit fit = k < m.fits.size() ? m.fits[k] : Fit::noun;
        if (fit != Fit::both && fit != (modifier ? Fit::modifier : Fit::noun))
            return false;
    }
    return true;
}

/// The first meaning, if every meaning has the same expansion ("CSE" to police and social care
/// alike): enough to explain the term, though their plain words differ.
const Meaning* shared_expansion(const Finding& f) {
    if (f.meanings.empty() || f.meanings.front().expansion.empty())
        return nullptr;
    const auto first = lower_ascii(f.meanings.front().expansion);
    for (const auto& m : f.meanings)
        if (lower_ascii(m.expansion) != first)
            return nullptr;
    return &f.meanings.front();
}

/// Is `pos` inside brackets opened earlier on its line ("EHCP (Education, Health and Care
/// Plan)")?
bool inside_brackets(std::string_view text, std::size_t pos) {
    while (pos > 0) {
        const char c = text[--pos];
        if (c == '(')
            return true;
        if (c == ')' || c == '\n')
            return false;
    }
    return false;
}

/// The plural of a plain alternative whose last word is its head ("family doctor" -> "family
/// doctors"); nullopt when a later word qualifies the head ("group of the family"), when the
/// words are a name, or when the plural is not made with a plain "s".
std::optional<std::string> pluralise(std::string_view plain) {
    if (plain.empty() || starts_upper(plain))
        return std::nullopt;
    std::size_t words = 0;
    std::size_t at = 0;
    while (at != std::string_view::npos) {
        const auto next = plain.find(' ', at);
        const auto word = plain.substr(at, next == std::string_view::npos ? next : next - at);
        if (words > 0 && one_of(word, {"of", "for", "to", "in", "on", "with", "who", "that",
                                       "around", "about", "from", "and", "or", "by", "at"}))
            return std::nullopt;
        ++words;
        at = next == std::string_view::npos ? next : next + 1;
    }
    if (plain.ends_with("s") || plain.ends_with("y") || plain.ends_with("x") ||
        plain.ends_with("ch") || plain.ends_with("sh") || plain.ends_with("'"))
        return std::nullopt;
    return std::string(plain) + "s";
}

/// How the matched text differs from its term's words: not at all (or only in case, or as a
/// variant spelling), as a plural, or by another inflection ("stepped down", "NFA'd") that
/// plain words put in its place would not carry.
enum class Inflection { none, plural, other };

Inflection inflection_of(const Finding& f) {
    const auto text = lower_ascii(f.text);
    const auto term = lower_ascii(f.term);
    if (text == term)
        return Inflection::none;
    if (f.kind == Kind::acronym) {
        if (text.size() <= term.size() || !text.starts_with(term))
            return Inflection::none;  // a variant spelling
        const std::string_view rest = std::string_view(text).substr(term.size());
        if (rest == "s")
            return Inflection::plural;
        if (rest == "'s" || rest == "s'" || rest == "\xE2\x80\x99s" || rest == "s\xE2\x80\x99")
            return Inflection::none;  // possessive, kept by kept_ending
        return Inflection::other;
    }
    const auto words = [](std::string_view s) {
        std::vector<std::string> out;
        std::string word;
        for (const char c : s) {
            if (c == ' ' || c == '-' || c == '\n' || c == '\t') {
                if (!word.empty())
                    out.push_back(std::move(word));
                word.clear();
            } else {
                word += c;
            }
        }
        if (!word.empty())
            out.push_back(std::move(word));
        return out;
    };
    const auto a = words(text);
    const auto b = words(term);
    if (a.size() != b.size())
        return Inflection::none;
    Inflection found = Inflection::none;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == b[i])
            continue;
        std::string_view stem = b[i];
        if (!a[i].starts_with(stem) && stem.size() > 1) {
            stem.remove_suffix(1);  // "facilitate" -> "facilitat-ed", "stop" -> "stopp-ed"
        }
        if (!a[i].starts_with(stem))
            return Inflection::none;  // a variant spelling
        const auto rest = std::string_view(a[i]).substr(stem.size());
        const bool plural = rest == "s" || rest == "es" || (rest == "'s") || rest == "s'";
        if (plural && i + 1 == a.size() && found == Inflection::none && rest != "'s" &&
            rest != "s'")
            found = Inflection::plural;
        else if (rest == "'s" || rest == "s'")
            continue;
        else
            return Inflection::other;
    }
    return found;
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

std::vector<FixChoice> offer_fixes(std::string_view text, const std::vector<Finding>& findings) {
    std::vector<FixChoice> out;
    out.reserve(findings.size());
    std::size_t previous_end = 0;
    bool previous_modifier = false;
    for (const auto& f : findings) {
        FixChoice choice;
        const auto* meaning = agreed_meaning(f);
        const bool replaceable = meaning != nullptr;
        if (meaning == nullptr)
            meaning = shared_expansion(f);
        const bool valid = f.start <= f.end && f.end <= text.size() && f.start >= previous_end;
        choice.term = lower_ascii(f.term);
        if (valid && inside_brackets(text, f.start))
            meaning = nullptr;  // the brackets already explain something: left as written
        if (!valid || meaning == nullptr) {
            out.push_back(std::move(choice));
            previous_modifier = false;
            previous_end = valid ? f.end : previous_end;
            continue;
        }
        const auto ending = kept_ending(f);
        const bool possessive = !ending.empty() && ending != "s";
        const auto next = word_after(text, f.end);
        choice.modifier = !possessive && next &&
                          !ends_noun_phrase(text.substr(next->start, next->end - next->start));
        if (previous_modifier) {
            const auto gap = text.substr(previous_end, f.start - previous_end);
            choice.follows_modifier =
                !gap.empty() && gap.find_first_not_of(" \t") == std::string_view::npos;
        }
        const auto before = word_before(text, f.start);
        const auto before_word =
            before ? text.substr(before->start, before->end - before->start) : std::string_view{};
        const bool sentence_start = at_sentence_start(text, f.start);
        // "the" is added to a bare name only where it is plainly missing: at the start of a
        // sentence or after a preposition or a verb of attending ("at core group", "attended
        // core group"), never after an adjective or another term ("weekly core group", "the CIN
        // core group").
        const bool wants_article =
            !choice.follows_modifier &&
            (sentence_start || (!before && f.start == 0) ||
             (before &&
              one_of(before_word,
                     {"at",    "to",      "from",     "before",  "after",     "until", "since",
                      "for",   "in",      "on",       "with",    "by",        "of",    "about",
                      "into",  "attend",  "attended", "attends", "attending", "join",  "joined",
                      "chair", "chaired", "chairs",   "chairing"})));
        const bool determined = (before && is_determiner(before_word)) || !wants_article;
        const bool name_like = f.kind == Kind::acronym || starts_with_capitals_word(f.text);

        // A term the writer explained in brackets is left as written.
        const auto after = text.substr(f.end);
        const auto next_char = after.find_first_not_of(" \t");
        choice.bracketed = next_char != std::string_view::npos && after[next_char] == '(';

        // Replace: the first alternative that fits where the term stands.
        // An acronym as a complement ("she became LAC") reads as a noun phrase without an
        // article; plain words there would need one, so it is explained instead.
        const bool complement = f.kind == Kind::acronym && before &&
                                one_of(before_word, {"is", "was", "are", "were", "be", "been",
                                                     "being", "become", "became", "becomes"});
        const auto inflection = inflection_of(f);
        const bool plural = ending == "s" || inflection == Inflection::plural;
        const bool can_replace =
            replaceable && !choice.bracketed && !complement && inflection != Inflection::other;
        for (std::size_t k = 0; can_replace && k < meaning->alternatives.size(); ++k) {
            if (!fits_every_meaning(f, meaning->alternatives[k], choice.modifier))
                continue;
            std::string plain = meaning->alternatives[k];
            if (plural) {
                auto many = pluralise(plain);
                if (!many)
                    continue;
                plain = std::move(*many);
            }
            if (starts_with_the(plain) && determined)
                plain = plain.substr(4);
            else if (meaning->bare_name && !determined && !plural && !starts_with_the(plain) &&
                     !starts_upper(plain))
                plain = "the " + plain;
            const bool capital = name_like ? sentence_start : starts_upper(f.text);
            if (capital)
                plain = capitalise(plain);
            if (possessive)
                plain += ending;
            Fix fix{f.start, f.end, {}, FixKind::replace};
            if (before && one_of(before_word, {"a", "an"})) {
                // Make "a"/"an" agree with the new first word.
                fix.start = before->start;
                std::string article(before_word);
                article += text.substr(before->end, f.start - before->end);
                fix_article(article, plain);
                fix.text = article;
            }
            fix.text += plain;
            choice.replace = std::move(fix);
            break;
        }

        // Explain: the term kept, its expansion or plain words in brackets after it. Not for an
        // inflected term or phrase ("stepped down"): its plain words would not match the tense.
        const bool inflected_words = f.kind != Kind::acronym && inflection == Inflection::other;
        if (!choice.bracketed && !inflected_words) {
            std::string inside =
                meaning->expansion.empty() ? meaning->alternatives.front() : meaning->expansion;
            if (meaning->expansion.empty() && meaning->bare_name && !starts_with_the(inside) &&
                !starts_upper(inside))
                inside = "the " + inside;
            if (possessive) {
                inside += ending;
            } else if (plural) {
                if (auto many = pluralise(inside))
                    inside = std::move(*many);
            }
            std::string term = f.text;
            if (meaning->bare_name && f.kind != Kind::acronym && !determined && !plural) {
                // "at core group" -> "at the core group (...)"; "Core group met" -> "The core...".
                if (sentence_start && !name_like)
                    term = "The " + lower_first(term);
                else
                    term = "the " + term;
            }
            if (lower_ascii(inside) != lower_ascii(f.text))
                choice.explain = Fix{f.start, f.end, term + " (" + inside + ")", FixKind::explain};
        }
        previous_modifier = choice.modifier;
        previous_end = f.end;
        out.push_back(std::move(choice));
    }
    return out;
}

std::vector<Fix> choose_fixes(const std::vector<FixChoice>& choices, FixMode mode) {
    std::vector<Fix> out;
    std::vector<std::string_view> explained;  // terms explained so far
    bool previous_explained_modifier = false;
    for (const auto& c : choices) {
        const bool keep_compound = c.follows_modifier && previous_explained_modifier;
        const bool replace =
            mode == FixMode::replace_where_it_fits && c.replace.has_value() && !keep_compound;
        previous_explained_modifier = false;
        if (c.bracketed)
            explained.push_back(c.term);
        if (replace) {
            out.push_back(*c.replace);
        } else if (c.explain) {
            // A term explained once is written as it is afterwards.
            if (std::find(explained.begin(), explained.end(), c.term) == explained.end()) {
                out.push_back(*c.explain);
                explained.push_back(c.term);
            }
            previous_explained_modifier = c.modifier;
        }
    }
    return out;
}

std::string apply_fixes(std::string_view text, const std::vector<Fix>& fixes) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t pos = 0;
    for (const auto& f : fixes) {
        if (f.start < pos || f.end > text.size() || f.start > f.end)
            continue;
        out.append(text.substr(pos, f.start - pos));
        out += f.text;
        pos = f.end;
    }
    out.append(text.substr(pos));
    return out;
}

std::string fix_text(std::string_view text, const std::vector<Finding>& findings, FixMode mode) {
    return apply_fixes(text, choose_fixes(offer_fixes(text, findings), mode));
}

std::string rewrite(std::string_view text, const std::vector<Finding>& findings) {
    return fix_text(text, findings, FixMode::replace_where_it_fits);
}

}  // namespace liaise::jargon
