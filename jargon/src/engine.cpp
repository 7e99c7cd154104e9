#include "liaise/jargon/engine.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "explain.hpp"
#include "inflect.hpp"
#include "readability.hpp"
#include "swar.hpp"
#include "tables.hpp"
#include "text.hpp"

namespace liaise::jargon {
namespace {

using detail::kNone;
using detail::Token;

constexpr std::size_t kMaxDisciplines = 63;  // one bit each in an audience mask; bit 63 = other
constexpr std::uint64_t kOtherDiscipline = 1ull << 63;

/// What the matcher needs of an entry; what a finding shows of it is the Meaning with the same
/// index in EngineImpl::public_.
struct CompiledMeaning {
    std::uint32_t discipline = 0;
    Kind kind = Kind::term;
    std::string term;
    std::vector<std::vector<std::string>>
        alternative_words;  // folded, for the own-alternative rule
    // Bit word_bit(w) set for every word w of alternative_words: a word whose bit is clear is in
    // none of them.
    std::uint64_t alternative_word_bits = 0;
    // The professional readers who know this meaning (Entry::known_by): one bit per discipline,
    // as in an audience mask, every bit (kOtherDiscipline too) for "all professionals".
    std::uint64_t known = 0;
    bool known_by_public = false;  // KnownBy::everyone
    // What the meaning is in plain words (its first alternative): a term whose meanings differ
    // here is flagged for readers of more than one discipline.
    std::string plain;
};

/// One of 64 bits chosen by a word's hash, for CompiledMeaning::alternative_word_bits.
[[nodiscard]] std::uint64_t word_bit(std::string_view word) noexcept {
    return std::uint64_t{1} << (detail::hash_word(word) & 63);
}

/// One trie over words, for either case-sensitive or case-insensitive entries.
struct Trie {
    detail::WordIds words;
    detail::Edges edges;
    std::vector<std::uint32_t> terminal{kNone};  // per node: index into `terminals`
    std::vector<std::uint32_t> root_child;       // per word id: edges.find(0, id), set by finish()
    std::uint32_t nodes = 1;
    // Per terminal: (meaning, written in the dictionary rather than generated).
    std::vector<std::vector<std::pair<std::uint32_t, bool>>> terminals;

    void add(const std::vector<std::string>& path, std::uint32_t meaning, bool written) {
        std::uint32_t node = 0;
        for (const auto& w : path) {
            const auto id = words.intern(w);
            auto child = edges.find(node, id);
            if (child == kNone) {
                child = nodes++;
                edges.insert(node, id, child);
                terminal.push_back(kNone);
            }
            node = child;
        }
        if (terminal[node] == kNone) {
            terminal[node] = static_cast<std::uint32_t>(terminals.size());
            terminals.emplace_back();
        }
        auto& list = terminals[terminal[node]];
        for (auto& [m, w] : list) {
            if (m == meaning) {
                w = w || written;
                return;
            }
        }
        list.emplace_back(meaning, written);
    }

    /// Written entries win over generated forms that happen to coincide with them.
    void finish() {
        root_child.resize(words.size());
        for (std::uint32_t id = 0; id < root_child.size(); ++id)
            root_child[id] = edges.find(0, id);
        for (auto& list : terminals) {
            const bool any_written =
                std::any_of(list.begin(), list.end(), [](const auto& p) { return p.second; });
            if (any_written)
                std::erase_if(list, [](const auto& p) { return !p.second; });
        }
    }
};

struct TokenIds {
    std::uint32_t exact = kNone;
    std::uint32_t folded = kNone;
};

const std::unordered_set<std::string_view>& stopwords() {
    static const std::unordered_set<std::string_view> words = {
        "a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "&"};
    return words;
}

/// Can `words` spell `letters`, each word giving a prefix of itself (at least one letter unless
/// it is a stop word)? "Child in Need" spells "cin"; "Special Educational Needs Coordinator"
/// spells "senco".
bool spells(std::string_view letters, std::size_t li, const std::vector<std::string>& words,
            std::size_t wi) {
    if (wi == words.size())
        return li == letters.size();
    const auto& w = words[wi];
    if (stopwords().contains(w) && spells(letters, li, words, wi + 1))
        return true;
    for (std::size_t p = 1; p <= w.size() && li + p <= letters.size(); ++p) {
        if (w[p - 1] != letters[li + p - 1])
            break;
        if (spells(letters, li + p, words, wi + 1))
            return true;
    }
    return false;
}

std::string_view trim_spaces(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    // A non-breaking space (C2 A0) is common between words and brackets in pasted text.
    while (s.starts_with("\xC2\xA0"))
        s = trim_spaces(s.substr(2));
    while (s.ends_with("\xC2\xA0"))
        s = trim_spaces(s.substr(0, s.size() - 2));
    return s;
}

/// Strips a plural or possessive ending: "GP's" / "GPs'" -> "GP", and for acronyms also
/// "CINs" -> "CIN" and "DNA'd" -> "DNA". `w` is in exact form (straight apostrophes).
std::string_view strip_ending(std::string_view w, bool acronym_rules) {
    if (w.size() > 2 && (w.ends_with("'s") || w.ends_with("s'")))
        return w.substr(0, w.size() - 2);
    if (!acronym_rules)
        return w;
    if (w.size() > 3 && w.ends_with("'ed"))
        return w.substr(0, w.size() - 3);
    if (w.size() > 2 && w.ends_with("'d"))
        return w.substr(0, w.size() - 2);
    if (w.size() > 2 && w.back() == 's') {
        const auto stem = w.substr(0, w.size() - 1);
        if (std::all_of(stem.begin(), stem.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '&';
            }))
            return stem;
    }
    return w;
}

/// False when strip_ending(w, either rules) certainly returns `w` unchanged: every ending it
/// strips ends in 's', '\'' or 'd'. A cheap test before the call, for the common word with none
/// of them.
[[nodiscard]] inline bool may_have_ending(std::string_view w) noexcept {
    if (w.empty())
        return false;
    const char last = w.back();
    return last == 's' || last == '\'' || last == 'd';
}

/// The acronym a token writes ("CINs" -> "CIN"), if it is all capitals A-Z of two to six
/// letters (allowing '&'), else empty.
std::string_view acronym_base(std::string_view exact) {
    const auto base = strip_ending(exact, true);
    std::size_t letters = 0;
    for (const char c : base) {
        if (c >= 'A' && c <= 'Z')
            ++letters;
        else if (c != '&')
            return {};
    }
    return letters >= 2 && letters <= 6 ? base : std::string_view{};
}

/// Folded words joined by spaces: how `explain` finds a term whatever its case or hyphens.
std::string explain_key(std::string_view term) {
    std::string key;
    for (const auto& w : detail::split_words(term, true)) {
        if (!key.empty())
            key += ' ';
        key += w;
    }
    return key;
}

class EngineImpl final : public Engine {
  public:
    static Result<std::shared_ptr<const Engine>> build(const DictionarySet& set);

    CheckResult check(std::string_view text, const Audience& audience) const override;
    std::vector<Meaning> explain(std::string_view term) const override;
    const std::vector<std::string>& disciplines() const noexcept override { return disciplines_; }
    std::size_t entry_count() const noexcept override { return entries_; }

  private:
    /// Looks every token up. With `foreign`, also lists the tokens that may be common Welsh or
    /// Polish words (detail::mark_foreign_sentences' candidates), from the same packed forms.
    void compute_ids(std::string_view text, const std::vector<Token>& tokens,
                     std::vector<TokenIds>& ids,
                     std::vector<std::uint32_t>* foreign = nullptr) const;
    std::size_t walk(const Trie& trie, const std::vector<Token>& tokens,
                     const std::vector<TokenIds>& ids, bool exact, std::size_t i,
                     std::uint32_t& terminal) const;
    /// The length in tokens of the longest match at token i (0 for none); `meanings` is set to
    /// its meanings' ids, sorted.
    std::size_t longest_match(const std::vector<Token>& tokens, const std::vector<TokenIds>& ids,
                              std::size_t i, std::vector<std::uint32_t>& meanings) const;
    bool inside_own_alternative(std::string_view text, const std::vector<Token>& tokens,
                                std::size_t i, std::size_t len,
                                const std::vector<std::uint32_t>& meanings) const;
    /// Where an explanation written right after a term matched at tokens [i, i + len) ends: the
    /// index of the first token after it, or 0 when there is none. See the definition.
    std::size_t explanation_end(std::string_view text, const std::vector<Token>& tokens,
                                std::size_t i, std::size_t len,
                                const std::vector<std::uint32_t>& meanings) const;
    std::uint64_t audience_mask(const Audience& audience) const;
    bool flagged(const std::vector<std::uint32_t>& meanings, const Audience& audience,
                 std::uint64_t mask) const;
    Meaning public_meaning(std::uint32_t id) const;

    std::vector<std::string> disciplines_;  // sorted
    std::uint32_t general_ = kNone;
    std::vector<CompiledMeaning> meanings_;
    // Per meaning (same indices): the folded words of what may stand in brackets after its term
    // to explain it, its alternatives, expansion and variants (explanation_end). Apart from
    // meanings_, which the matcher reads for every match, as these are read only after a term.
    std::vector<std::vector<std::vector<std::string>>> explaining_;
    // Shown in findings, which share it; same indices as meanings_.
    std::shared_ptr<const std::vector<Meaning>> public_;
    Trie exact_;   // case-sensitive entries, matched on exact_form
    Trie folded_;  // case-insensitive entries, matched on folded_form
    std::unordered_set<std::string> common_;
    std::unordered_map<std::string, std::vector<std::uint32_t>> explain_index_;  // folded forms
    std::size_t entries_ = 0;
};

Result<std::shared_ptr<const Engine>> EngineImpl::build(const DictionarySet& set) {
    std::vector<Problem> problems;
    auto engine = std::make_shared<EngineImpl>();
    std::vector<const Dictionary*> dicts;
    for (const auto& d : set.dictionaries)
        dicts.push_back(&d);
    std::sort(dicts.begin(), dicts.end(), [](const Dictionary* a, const Dictionary* b) {
        return a->discipline < b->discipline;
    });
    for (std::size_t k = 0; k < dicts.size(); ++k) {
        if (k > 0 && dicts[k]->discipline == dicts[k - 1]->discipline)
            problems.push_back({dicts[k]->discipline, 0, "discipline appears twice"});
        engine->disciplines_.push_back(dicts[k]->discipline);
    }
    if (engine->disciplines_.size() > kMaxDisciplines)
        problems.push_back({"", 0, "more than 63 disciplines"});
    if (!problems.empty())
        return Result<std::shared_ptr<const Engine>>::failure(std::move(problems));

    auto shown = std::make_shared<std::vector<Meaning>>();
    for (std::uint32_t d = 0; d < dicts.size(); ++d) {
        if (dicts[d]->discipline == kGeneralDiscipline)
            engine->general_ = d;
        for (const auto& e : dicts[d]->entries) {
            const auto id = static_cast<std::uint32_t>(engine->meanings_.size());
            CompiledMeaning m{d, e.kind, e.term, {}, 0, 0, false, e.alternatives.front()};
            switch (e.known_by) {
                case KnownBy::everyone:
                    m.known_by_public = true;
                    [[fallthrough]];
                case KnownBy::all_professionals:
                    m.known = ~std::uint64_t{0};
                    break;
                case KnownBy::listed:
                    for (const auto& name : e.known_disciplines) {
                        const auto it = std::lower_bound(engine->disciplines_.begin(),
                                                         engine->disciplines_.end(), name);
                        if (it != engine->disciplines_.end() && *it == name)
                            m.known |= 1ull
                                       << static_cast<unsigned>(it - engine->disciplines_.begin());
                    }
                    [[fallthrough]];
                case KnownBy::own_discipline:
                    // Officialese ("general") is nobody's own language.
                    if (dicts[d]->discipline != kGeneralDiscipline)
                        m.known |= 1ull << d;
                    break;
            }
            for (const auto& alt : e.alternatives)
                m.alternative_words.push_back(detail::split_words(alt, true));
            for (const auto& alt : m.alternative_words)
                for (const auto& w : alt)
                    m.alternative_word_bits |= word_bit(w);
            auto& explaining = engine->explaining_.emplace_back(m.alternative_words);
            if (!e.expansion.empty())
                explaining.push_back(detail::split_words(e.expansion, true));
            for (const auto& v : e.variants)
                explaining.push_back(detail::split_words(v, true));
            engine->meanings_.push_back(std::move(m));
            shown->push_back(detail::shown_meaning(dicts[d]->discipline, e));
            ++engine->entries_;

            std::vector<std::string> forms{e.term};
            forms.insert(forms.end(), e.variants.begin(), e.variants.end());
            for (const auto& form : forms) {
                auto words = detail::split_words(form, true);
                const bool exact = matches_case_sensitively(e, words.size());
                if (exact)
                    words = detail::split_words(form, false);
                Trie& trie = exact ? engine->exact_ : engine->folded_;
                if (words.empty()) {
                    problems.push_back({dicts[d]->discipline, e.line,
                                        "term '" + form + "' has no letters or digits"});
                    continue;
                }
                trie.add(words, id, true);
                engine->explain_index_[explain_key(form)].push_back(id);
                // "multi-agency" is also written "multiagency".
                if (words.size() > 1 && form.find('-') != std::string::npos) {
                    std::string closed;
                    for (const auto& w : words)
                        closed += w;
                    trie.add({closed}, id, false);
                }
                if (!e.inflect || e.kind == Kind::acronym)
                    continue;
                for (const auto& form_word : detail::inflections(words.back())) {
                    auto inflected = words;
                    inflected.back() = form_word;
                    trie.add(inflected, id, false);
                }
                if (e.kind == Kind::phrase && words.size() > 1) {
                    for (const auto& form_word : detail::inflections(words.front())) {
                        auto inflected = words;
                        inflected.front() = form_word;
                        trie.add(inflected, id, false);
                    }
                }
            }
        }
    }
    engine->public_ = std::move(shown);
    engine->exact_.finish();
    engine->folded_.finish();
    for (const auto& a : set.common_acronyms)
        engine->common_.insert(a);
    if (!problems.empty())
        return Result<std::shared_ptr<const Engine>>::failure(std::move(problems));
    return Result<std::shared_ptr<const Engine>>::success(std::move(engine));
}

void EngineImpl::compute_ids(std::string_view text, const std::vector<Token>& tokens,
                             std::vector<TokenIds>& ids,
                             std::vector<std::uint32_t>* foreign) const {
    ids.assign(tokens.size(), TokenIds{});
    if (foreign != nullptr)
        foreign->clear();
    const std::size_t exact_limit = exact_.words.longest() + 3;
    const std::size_t folded_limit = folded_.words.longest() + 3;
    std::string exact, folded;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        const auto word = text.substr(t.start, t.end - t.start);
        const auto len = word.size();
        if (t.ascii && len <= 8) {
            // The common case, without copying: the word packed into one integer is both the
            // exact form and, with A-Z lowered, the folded form.
            const auto packed = detail::pack(word);
            const auto lowered = detail::ascii_lower(packed);
            if (foreign != nullptr && t.digits == 0 && t.upper <= 1 &&
                detail::may_be_foreign_word(lowered))
                foreign->push_back(static_cast<std::uint32_t>(i));
            if (len <= exact_limit) {
                auto id = exact_.words.find_packed(packed, len);
                if (id == kNone && may_have_ending(word)) {
                    const auto stem = strip_ending(word, true);
                    if (stem.size() != len)
                        id = exact_.words.find(stem);
                }
                ids[i].exact = id;
            }
            if (len <= folded_limit * 2) {
                auto id = folded_.words.find_packed(lowered, len);
                if (id == kNone) {
                    char buf[8];
                    std::memcpy(buf, &lowered, sizeof buf);
                    const std::string_view form(buf, len);
                    if (may_have_ending(form)) {
                        const auto stem = strip_ending(form, false);
                        if (stem.size() != len)
                            id = folded_.words.find(stem);
                    }
                }
                ids[i].folded = id;
            }
            continue;
        }
        if (foreign != nullptr && !t.ascii && len <= detail::kForeignWordMaxBytes &&
            t.digits == 0 && t.upper <= 1)
            foreign->push_back(static_cast<std::uint32_t>(i));
        if (len <= exact_limit) {
            std::string_view form = word;
            if (!t.ascii) {
                detail::exact_form(word, exact);
                form = exact;
            }
            auto id = exact_.words.find(form);
            if (id == kNone) {
                const auto stem = strip_ending(form, true);
                if (stem.size() != form.size())
                    id = exact_.words.find(stem);
            }
            ids[i].exact = id;
        }
        if (len <= folded_limit * 2) {
            detail::folded_form(word, folded);
            auto id = folded_.words.find(folded);
            if (id == kNone) {
                const auto stem = strip_ending(folded, false);
                if (stem.size() != folded.size())
                    id = folded_.words.find(stem);
            }
            ids[i].folded = id;
        }
    }
}

std::size_t EngineImpl::walk(const Trie& trie, const std::vector<Token>& tokens,
                             const std::vector<TokenIds>& ids, bool exact, std::size_t i,
                             std::uint32_t& terminal) const {
    std::uint32_t node = 0;
    std::size_t best = 0;
    for (std::size_t j = i; j < tokens.size(); ++j) {
        if (j > i && !tokens[j].joinable)
            break;
        const auto id = exact ? ids[j].exact : ids[j].folded;
        if (id == kNone)
            break;
        node = j == i ? trie.root_child[id] : trie.edges.find(node, id);
        if (node == kNone)
            break;
        if (trie.terminal[node] != kNone) {
            best = j - i + 1;
            terminal = trie.terminal[node];
        }
    }
    return best;
}

std::size_t EngineImpl::longest_match(const std::vector<Token>& tokens,
                                      const std::vector<TokenIds>& ids, std::size_t i,
                                      std::vector<std::uint32_t>& meanings) const {
    meanings.clear();
    std::uint32_t te = kNone, tf = kNone;
    const auto le = ids[i].exact == kNone ? 0 : walk(exact_, tokens, ids, true, i, te);
    const auto lf = ids[i].folded == kNone ? 0 : walk(folded_, tokens, ids, false, i, tf);
    const auto length = std::max(le, lf);
    if (length == 0)
        return 0;
    if (le == length)
        for (const auto& [id, written] : exact_.terminals[te])
            meanings.push_back(id);
    if (lf == length)
        for (const auto& [id, written] : folded_.terminals[tf])
            if (std::find(meanings.begin(), meanings.end(), id) == meanings.end())
                meanings.push_back(id);
    std::sort(meanings.begin(), meanings.end());
    return length;
}

bool EngineImpl::inside_own_alternative(std::string_view text, const std::vector<Token>& tokens,
                                        std::size_t i, std::size_t len,
                                        const std::vector<std::uint32_t>& meanings) const {
    // Token i must be alt[k] for a placement to fit: fold it once and try only those.
    std::string first, folded;
    detail::folded_form(text.substr(tokens[i].start, tokens[i].end - tokens[i].start), first);
    const auto first_bit = word_bit(first);
    for (const auto id : meanings) {
        if ((meanings_[id].alternative_word_bits & first_bit) == 0)
            continue;  // first is no word of any alternative, so no placement fits
        for (const auto& alt : meanings_[id].alternative_words) {
            if (alt.size() < len)
                continue;
            for (std::size_t k = 0; k + len <= alt.size(); ++k) {
                if (k > i || i - k + alt.size() > tokens.size() || alt[k] != first)
                    continue;
                const auto from = i - k;
                bool same = true;
                for (std::size_t a = 0; a < alt.size() && same; ++a) {
                    const auto& t = tokens[from + a];
                    if (a > 0 && !t.joinable)
                        same = false;
                    else {
                        detail::folded_form(text.substr(t.start, t.end - t.start), folded);
                        same = folded == alt[a];
                    }
                }
                if (same)
                    return true;
            }
        }
    }
    return false;
}

namespace {

/// Do the folded words of a text, `written`, say `form`? An article may come first ("a child in
/// need") and the last word may carry a plural or possessive ending the form does not ("family
/// doctors", "coordinator's").
bool says(std::span<const std::string> written, const std::vector<std::string>& form) {
    if (!written.empty() && written.size() == form.size() + 1 &&
        (written.front() == "a" || written.front() == "an" || written.front() == "the") &&
        (form.empty() || form.front() != written.front()))
        written = written.subspan(1);
    if (written.size() != form.size() || form.empty())
        return false;
    for (std::size_t k = 0; k + 1 < form.size(); ++k)
        if (written[k] != form[k])
            return false;
    const std::string_view last = written.back();
    const std::string_view want = form.back();
    if (last == want)
        return true;
    if (!last.starts_with(want))
        return false;
    const auto rest = last.substr(want.size());
    return rest == "s" || rest == "es" || rest == "'s" || rest == "s'";
}

/// False when the text between the token before `j` and token `j` (or the end) cannot open an
/// explanation: most terms are followed by a space and a word, ruled out by one byte.
[[nodiscard]] inline bool may_explain(std::string_view text, const std::vector<Token>& tokens,
                                      std::size_t j) noexcept {
    if (j >= tokens.size())
        return false;
    std::size_t at = tokens[j - 1].end;
    while (at < tokens[j].start && (text[at] == ' ' || text[at] == '\t'))
        ++at;
    const char c = text[at];
    return c == '(' || c == '-' || c == '\xE2' || c == '\xC2' || c == '\n' || c == '\r';
}

bool is_dash(std::string_view s) {
    return s == "-" || s == "\xE2\x80\x93" || s == "\xE2\x80\x94";  // hyphen, en and em dash
}

}  // namespace

/// An explanation is written right after the term, in brackets ("CIN (child in need)", the
/// engine's own explain form) or after a dash with spaces around it, up to the next punctuation
/// ("CIN - child in need - plan", "CIN – child in need."). Its words must be one of the term's
/// meanings' expansion, variants or alternatives (see says()), or, for an acronym, words whose
/// initials spell it ("CIN (Child In Need)"). Anything else ("CIN (see below)") explains nothing.
std::size_t EngineImpl::explanation_end(std::string_view text, const std::vector<Token>& tokens,
                                        std::size_t i, std::size_t len,
                                        const std::vector<std::uint32_t>& meanings) const {
    constexpr std::size_t kMaxWords = 12;
    const auto n = tokens.size();
    const auto j = i + len;  // the first token after the term
    if (j >= n)
        return 0;
    const auto gap = [&](std::size_t k) {  // text after token k, up to the next token
        const std::size_t to = k + 1 < n ? tokens[k + 1].start : text.size();
        return text.substr(tokens[k].end, to - tokens[k].end);
    };
    const auto opening = gap(j - 1);
    const auto opening_mark = trim_spaces(opening);
    const bool bracket = opening_mark == "(";
    const bool dash = is_dash(opening_mark) && opening.size() > opening_mark.size();
    if (!bracket && !dash)
        return 0;

    // An acronym's letters, for the initials rule.
    std::string letters;
    if (meanings_[meanings.front()].kind == Kind::acronym && len == 1) {
        const auto& t = tokens[i];
        for (const char c : strip_ending(text.substr(t.start, t.end - t.start), true))
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
                letters += static_cast<char>(c | 0x20);
    }
    const auto explains = [&](const std::vector<std::string>& words) {
        for (const auto id : meanings)
            for (const auto& form : explaining_[id])
                if (says(words, form))
                    return true;
        return !letters.empty() && !stopwords().contains(words.front()) &&
               spells(letters, 0, words, 0);
    };

    std::vector<std::string> words;
    std::string folded;
    for (std::size_t k = j; k < n && k - j < kMaxWords; ++k) {
        detail::folded_form(text.substr(tokens[k].start, tokens[k].end - tokens[k].start), folded);
        words.push_back(folded);
        const auto after = trim_spaces(gap(k));
        if (bracket) {
            if (after.starts_with(")"))
                return explains(words) ? k + 1 : 0;
            if (after.find_first_of("()[].!?:;") != std::string_view::npos)
                return 0;
        } else {
            // A dash's explanation ends at punctuation or the end of the text.
            if ((!after.empty() || k + 1 == n) && explains(words))
                return k + 1;
            if (after.find_first_of("()[].!?:;") != std::string_view::npos)
                return 0;
        }
    }
    return 0;
}

std::uint64_t EngineImpl::audience_mask(const Audience& audience) const {
    std::uint64_t mask = 0;
    for (const auto& d : audience.disciplines()) {
        const auto it = std::lower_bound(disciplines_.begin(), disciplines_.end(), d);
        mask |= (it != disciplines_.end() && *it == d)
                    ? 1ull << static_cast<unsigned>(it - disciplines_.begin())
                    : kOtherDiscipline;
    }
    return mask;
}

bool EngineImpl::flagged(const std::vector<std::uint32_t>& meanings, const Audience& audience,
                         std::uint64_t mask) const {
    // The public reads as one reader, bit 0.
    const bool is_public = audience.is_public();
    if (is_public)
        mask = 1;
    if (mask == 0) {  // no readers at all: only officialese is flagged
        for (const auto id : meanings)
            if (meanings_[id].discipline == general_)
                return true;
        return false;
    }
    // Officialese is flagged for every professional unless its entry says who knows it.
    for (const auto id : meanings)
        if (meanings_[id].discipline == general_ && meanings_[id].known == 0)
            return true;
    // Readers of one discipline read a term of theirs as they mean it.
    if (!is_public && std::has_single_bit(mask))
        for (const auto id : meanings)
            if (mask == 1ull << meanings_[id].discipline)
                return false;
    // Otherwise the term is shared when every reader knows it and it means one thing: "CP" in a
    // room of nurses and social workers is two things, and "TA" (a teaching assistant to all of
    // them) may be temporary housing to the writer.
    const std::string& plain = meanings_[meanings.front()].plain;
    std::uint64_t covered = 0;
    for (const auto id : meanings) {
        const auto& m = meanings_[id];
        if (meanings.size() > 1 && m.plain != plain)
            return true;
        covered |= (is_public ? (m.known_by_public ? 1 : 0) : m.known) & mask;
    }
    return covered != mask;
}

Meaning EngineImpl::public_meaning(std::uint32_t id) const {
    return (*public_)[id];
}

/// Acronyms the text defines ("Child in Need (CIN)" or "CIN (Child in Need)"), with the byte
/// offset from which they count as defined.
std::vector<std::pair<std::string, std::uint32_t>> find_definitions(
    std::string_view text, const std::vector<Token>& tokens) {
    std::vector<std::pair<std::string, std::uint32_t>> defs;
    const auto n = tokens.size();
    const auto gap = [&](std::size_t j) {  // text before token j (j == n: after the last)
        const std::size_t from = j == 0 ? 0 : tokens[j - 1].end;
        const std::size_t to = j == n ? text.size() : tokens[j].start;
        return text.substr(from, to - from);
    };
    std::string folded;
    const auto fold = [&](std::size_t j) {
        detail::folded_form(text.substr(tokens[j].start, tokens[j].end - tokens[j].start), folded);
        return folded;
    };
    constexpr std::size_t kMaxWords = 12;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& t = tokens[i];
        if (t.upper < 2 || t.lower > t.upper || t.digits > 0)
            continue;
        const auto acronym = text.substr(t.start, t.end - t.start);
        std::string letters;
        for (const char c : acronym)
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
                letters += static_cast<char>(c | 0x20);
        // Form 1: "Child in Need (CIN)".
        if (trim_spaces(gap(i)).ends_with("(") && trim_spaces(gap(i + 1)).starts_with(")")) {
            std::vector<std::string> words;
            for (std::size_t k = 1; k <= kMaxWords && k <= i; ++k) {
                const auto j = i - k;
                const auto between = trim_spaces(gap(j + 1));
                if (k > 1 && between.find_first_of(".!?()[]:;") != std::string_view::npos)
                    break;
                words.insert(words.begin(), fold(j));
                if (!stopwords().contains(words.front()) && spells(letters, 0, words, 0)) {
                    defs.emplace_back(std::string(acronym), t.start);
                    break;
                }
            }
            continue;
        }
        // Form 2: "CIN (Child in Need)".
        if (i + 1 < n && trim_spaces(gap(i + 1)) == "(") {
            std::vector<std::string> words;
            for (std::size_t j = i + 1; j < n && j - i <= kMaxWords; ++j) {
                if (j > i + 1 &&
                    trim_spaces(gap(j)).find_first_of("()[].!?") != std::string_view::npos)
                    break;
                words.push_back(fold(j));
                if (trim_spaces(gap(j + 1)).starts_with(")")) {
                    if (spells(letters, 0, words, 0))
                        defs.emplace_back(std::string(acronym), t.start);
                    break;
                }
            }
        }
    }
    return defs;
}

/// A byte offset of a text with its 1-based line and column (in code points), moved forward
/// through the text in one pass as findings are located in text order.
struct TextPosition {
    std::size_t pos = 0;
    std::size_t line = 1;
    std::size_t column = 1;

    /// Moves to byte `to`. Precondition: pos <= to <= text.size(). A line ends at "\n", "\r\n" or
    /// a lone "\r".
    void advance(std::string_view text, std::size_t to) noexcept {
        // Locals rather than members in the loop, so that they stay in registers.
        auto at = pos, ln = line, col = column;
        const char* const data = text.data();
        const auto size = text.size();
        while (at < to) {
            // Up to eight bytes at a time while they hold no line break: every byte but a UTF-8
            // continuation byte (10xxxxxx) is one more column. Lanes at and after `to` are loaded
            // (they are inside the text) but masked out.
            if (size - at >= 8) {
                const auto lanes = std::min<std::size_t>(to - at, 8);
                const auto keep =
                    lanes == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * lanes)) - 1;
                const auto v = detail::swar::load64(data + at);
                if (((detail::swar::equal(v, '\n') | detail::swar::equal(v, '\r')) & keep) == 0) {
                    const auto continuation = v & ~(v << 1) & detail::swar::kHigh & keep;
                    col += lanes - detail::swar::count(continuation);
                    at += lanes;
                    continue;
                }
            }
            const auto c = static_cast<unsigned char>(data[at]);
            if (c == '\n' || (c == '\r' && (at + 1 >= size || data[at + 1] != '\n'))) {
                ++ln;
                col = 1;
            } else if ((c & 0xC0) != 0x80 && c != '\r') {
                ++col;
            }
            ++at;
        }
        pos = at;
        line = ln;
        column = col;
    }
};

/// Three or more words in capitals in a row are shouting or a heading, not acronyms.
bool in_capitals_run(const std::vector<Token>& tokens, std::size_t i) {
    std::size_t from = i, to = i;
    while (from > 0 && detail::is_all_capitals(tokens[from - 1]))
        --from;
    while (to + 1 < tokens.size() && detail::is_all_capitals(tokens[to + 1]))
        ++to;
    return to - from + 1 >= 3;
}

CheckResult EngineImpl::check(std::string_view text, const Audience& audience) const {
    CheckResult result;
    thread_local std::vector<Token> tokens;
    thread_local std::vector<TokenIds> ids;
    thread_local std::vector<std::uint32_t> maybe_foreign;
    detail::tokenize(text, tokens);
    compute_ids(text, tokens, ids, &maybe_foreign);
    const auto defs = std::memchr(text.data(), '(', text.size()) != nullptr
                          ? find_definitions(text, tokens)
                          : std::vector<std::pair<std::string, std::uint32_t>>{};
    const auto is_defined = [&](std::string_view acronym, std::uint32_t at) {
        for (const auto& [a, from] : defs)
            if (from <= at && a == acronym)
                return true;
        return false;
    };
    const auto mask = audience_mask(audience);

    // First the spans to report, compactly; then each Finding built in place in a vector of
    // the right size, as growing a vector of Findings one by one moves them many times over.
    struct Hit {
        std::size_t meanings_from;     // into hit_meanings; unused for an unknown acronym
        std::size_t term_from;         // unknown acronym: its base, in hit_terms; else unused
        std::uint32_t token;           // first token
        std::uint32_t len;             // tokens
        std::uint32_t meanings_count;  // 0 for an unknown acronym
        std::uint32_t term_size;
    };
    thread_local std::vector<Hit> hits;
    thread_local std::vector<std::uint32_t> hit_meanings;
    thread_local std::string hit_terms;
    hits.clear();
    hit_meanings.clear();
    hit_terms.clear();

    // Sentences in Welsh or Polish are not checked for English jargon.
    thread_local std::vector<std::uint8_t> foreign;
    const bool any_foreign = detail::mark_foreign_sentences(text, tokens, maybe_foreign, foreign);

    std::string exact;
    std::vector<std::uint32_t> meanings;
    // Meanings explained in brackets earlier in the text: flagged no more. Rarely any, so a
    // local that allocates only when one is found.
    std::vector<std::uint32_t> explained;
    for (std::size_t i = 0; i < tokens.size();) {
        const auto& t = tokens[i];
        if (any_foreign && foreign[i] != 0) {
            ++i;
            continue;
        }
        // Most tokens are in no trie: skip the call for them.
        const bool in_a_trie = ids[i].exact != kNone || ids[i].folded != kNone;
        if (const auto len = in_a_trie ? longest_match(tokens, ids, i, meanings) : 0; len > 0) {
            const auto& first = meanings_[meanings.front()];
            bool report = flagged(meanings, audience, mask);
            // Explained in the text already, or right here: not flagged again. The words of an
            // explanation are no jargon of their own ("child in need" is a variant of CIN).
            if (!explained.empty() && report) [[unlikely]] {
                report = std::none_of(meanings.begin(), meanings.end(), [&](std::uint32_t id) {
                    return std::find(explained.begin(), explained.end(), id) != explained.end();
                });
            }
            if (may_explain(text, tokens, i + len)) [[unlikely]] {
                if (const auto end = explanation_end(text, tokens, i, len, meanings); end > 0) {
                    explained.insert(explained.end(), meanings.begin(), meanings.end());
                    i = end;
                    continue;
                }
            }
            if (report && first.kind == Kind::acronym && !defs.empty()) {
                detail::exact_form(text.substr(t.start, t.end - t.start), exact);
                report = !is_defined(strip_ending(exact, true), t.start);
            }
            if (report && inside_own_alternative(text, tokens, i, len, meanings))
                report = false;
            if (report) {
                hits.push_back({hit_meanings.size(), 0, static_cast<std::uint32_t>(i),
                                static_cast<std::uint32_t>(len),
                                static_cast<std::uint32_t>(meanings.size()), 0});
                hit_meanings.insert(hit_meanings.end(), meanings.begin(), meanings.end());
            }
            i += len;
            continue;
        }
        if (t.upper >= 2 && t.digits == 0) {
            const auto word = text.substr(t.start, t.end - t.start);
            std::string_view form = word;
            if (!t.ascii) {
                detail::exact_form(word, exact);
                form = exact;
            }
            const auto base = acronym_base(form);
            if (!base.empty() && !common_.contains(std::string(base)) &&
                !is_defined(base, t.start) && !in_capitals_run(tokens, i)) {
                hits.push_back({0, hit_terms.size(), static_cast<std::uint32_t>(i), 1, 0,
                                static_cast<std::uint32_t>(base.size())});
                hit_terms += base;
            }
        }
        ++i;
    }

    result.findings.reserve(hits.size());
    TextPosition position;
    for (const auto& h : hits) {
        auto& f = result.findings.emplace_back();
        f.start = tokens[h.token].start;
        f.end = tokens[h.token + h.len - 1].end;
        f.text = std::string(text.substr(f.start, f.end - f.start));
        if (h.meanings_count > 0) {
            const std::span<const std::uint32_t> ids_of_hit(hit_meanings.data() + h.meanings_from,
                                                            h.meanings_count);
            const auto& first = meanings_[ids_of_hit.front()];
            f.term = first.term;
            f.kind = first.kind;
            f.meanings = Meanings(public_, ids_of_hit);
        } else {
            f.term = hit_terms.substr(h.term_from, h.term_size);
            f.kind = Kind::unknown_acronym;
        }
        position.advance(text, f.start);
        f.line = position.line;
        f.column = position.column;
    }
    result.readability = detail::readability(text, tokens);
    return result;
}

std::vector<Meaning> EngineImpl::explain(std::string_view term) const {
    std::vector<Token> tokens;
    std::vector<TokenIds> ids;
    detail::tokenize(term, tokens);
    if (tokens.empty())
        return {};
    compute_ids(term, tokens, ids);
    std::vector<std::uint32_t> found;
    if (longest_match(tokens, ids, 0, found) != tokens.size())
        found.clear();
    if (found.empty()) {
        if (const auto it = explain_index_.find(explain_key(term)); it != explain_index_.end())
            found = it->second;
    }
    std::vector<Meaning> out;
    for (const auto id : found)
        out.push_back(public_meaning(id));
    return out;
}

}  // namespace

Result<std::shared_ptr<const Engine>> Engine::compile(const DictionarySet& set) {
    return EngineImpl::build(set);
}

Meanings::Meanings(std::shared_ptr<const std::vector<Meaning>> table,
                   std::span<const std::uint32_t> ids)
    : table_(std::move(table)), size_(static_cast<std::uint32_t>(ids.size())) {
    if (ids.size() <= kInline)
        std::copy(ids.begin(), ids.end(), inline_.begin());
    else
        more_.assign(ids.begin(), ids.end());
}

Meanings Meanings::only_from(const std::vector<std::string>& disciplines) const {
    std::vector<std::uint32_t> kept;
    for (std::size_t i = 0; i < size_; ++i)
        if (std::binary_search(disciplines.begin(), disciplines.end(), (*this)[i].discipline))
            kept.push_back(ids()[i]);
    if (kept.empty())
        return {};
    return {table_, kept};
}

Audience Audience::everyone() {
    Audience a;
    a.public_ = true;
    return a;
}

Audience Audience::of(std::vector<std::string> disciplines) {
    Audience a;
    std::sort(disciplines.begin(), disciplines.end());
    disciplines.erase(std::unique(disciplines.begin(), disciplines.end()), disciplines.end());
    a.disciplines_ = std::move(disciplines);
    return a;
}

Result<Audience> Audience::parse(std::string_view text) {
    if (text == "public")
        return Result<Audience>::success(everyone());
    std::vector<std::string> names;
    std::size_t from = 0;
    while (from <= text.size()) {
        auto to = text.find(',', from);
        if (to == std::string_view::npos)
            to = text.size();
        auto name = text.substr(from, to - from);
        while (!name.empty() && name.front() == ' ')
            name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ')
            name.remove_suffix(1);
        if (name.empty())
            return Result<Audience>::failure(
                {{"", 0, "audience: empty discipline name in '" + std::string(text) + "'"}});
        if (name == "public")
            return Result<Audience>::failure(
                {{"", 0, "audience: 'public' cannot be combined with disciplines"}});
        names.emplace_back(name);
        from = to + 1;
    }
    return Result<Audience>::success(of(std::move(names)));
}

std::string Audience::to_string() const {
    if (public_)
        return "public";
    std::string out;
    for (const auto& d : disciplines_) {
        if (!out.empty())
            out += ',';
        out += d;
    }
    return out;
}

std::vector<std::string> Finding::disciplines() const {
    std::vector<std::string> out;
    for (const auto& m : meanings)
        out.push_back(m.discipline);
    return out;
}

std::vector<std::string> Finding::alternatives() const {
    std::vector<std::string> out;
    for (const auto& m : meanings)
        for (const auto& a : m.alternatives)
            if (std::find(out.begin(), out.end(), a) == out.end())
                out.push_back(a);
    return out;
}

std::string Finding::explanation() const {
    if (meanings.size() == 1)
        return detail::explained(meanings.front());
    if (meanings.empty())
        return "an acronym no dictionary knows: spell it out the first time you use it";
    // "health: A condition that affects movement; social-care: Work to protect a child."
    std::string out;
    for (const auto& m : meanings) {
        if (!out.empty())
            out += "; ";
        const auto full = detail::explained(m);
        std::string_view text = full;
        if (text.ends_with('.'))
            text.remove_suffix(1);
        out += m.discipline + ": ";
        out += text;
    }
    return out + ".";
}

}  // namespace liaise::jargon
