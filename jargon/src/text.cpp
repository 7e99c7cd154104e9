#include "text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <span>
#include <unordered_map>

#include "swar.hpp"
#include "unicode.hpp"

namespace liaise::jargon::detail {
namespace {

enum class Cls : std::uint8_t {
    word,
    apostrophe,
    ampersand,
    hyphen,
    comma,
    space,
    newline,
    stop,
    other
};

constexpr std::array<Cls, 128> make_ascii_table() {
    std::array<Cls, 128> t{};
    for (auto& c : t)
        c = Cls::other;
    for (int c = '0'; c <= '9'; ++c)
        t[c] = Cls::word;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = Cls::word;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = Cls::word;
    t['\''] = Cls::apostrophe;
    t['&'] = Cls::ampersand;
    t['-'] = Cls::hyphen;
    t[','] = Cls::comma;
    t[' '] = Cls::space;
    t['\t'] = Cls::space;
    t['\f'] = Cls::space;
    t['\v'] = Cls::space;
    t['\n'] = Cls::newline;
    t['\r'] = Cls::newline;
    t['.'] = Cls::stop;
    t['!'] = Cls::stop;
    t['?'] = Cls::stop;
    return t;
}
constexpr auto kAscii = make_ascii_table();

Cls classify(char32_t c) noexcept {
    if (c < 128)
        return kAscii[c];
    switch (c) {
        case 0x2019:
        case 0x2018:
        case 0x02BC:
            return Cls::apostrophe;
        case 0x2010:
        case 0x2011:
        case 0x00AD:
            return Cls::hyphen;
        case 0x2028:
        case 0x2029:
        case 0x0085:
            return Cls::newline;
        case 0x2026:
            return Cls::stop;  // horizontal ellipsis
        case 0x200B:
        case 0xFEFF:
            return Cls::space;  // zero-width space, BOM
        default:
            break;
    }
    if (unicode::is_white_space(c))
        return Cls::space;  // includes NBSP
    if (unicode::is_alnum(c) || unicode::is_mark(c))
        return Cls::word;
    return Cls::other;
}

bool is_upper(char32_t c) noexcept {
    if (c < 128)
        return c >= 'A' && c <= 'Z';
    return unicode::is_upper(c);
}
bool is_lower(char32_t c) noexcept {
    if (c < 128)
        return c >= 'a' && c <= 'z';
    return unicode::is_lower(c);
}
bool is_digit(char32_t c) noexcept {
    if (c < 128)
        return c >= '0' && c <= '9';
    return unicode::is_digit(c);
}

/// decode() then classify() (Cls::other for an invalid sequence), into separate variables. ASCII
/// is handled without building a CodePoint: these run for every byte of every text, and a
/// CodePoint merged from two paths lives on the stack, where storing its `valid` byte and
/// reloading the struct stalls store forwarding.
inline void read_char(std::string_view s, std::size_t i, char32_t& value, std::uint32_t& size,
                      Cls& cls) noexcept {
    if (const auto b = static_cast<unsigned char>(s[i]); b < 0x80) {
        value = b;
        size = 1;
        cls = kAscii[b];
    } else {
        const auto cp = decode_multibyte(s, i);
        value = cp.value;
        size = cp.size;
        cls = cp.valid ? classify(cp.value) : Cls::other;
    }
}

std::uint8_t saturate(std::size_t n) noexcept {
    return static_cast<std::uint8_t>(n < 255 ? n : 255);
}

bool is_space_byte(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Whether the whitespace-delimited chunk holding the word that ends at `j` ends at `j` or one
/// byte later, with a punctuation mark that cannot be part of an address. Such a chunk holds no
/// ':', '@' or "www." followed by more, so address_length would find no address in it: a cheap
/// way to skip calling it for most words.
bool chunk_is_plain(std::string_view s, std::size_t j) noexcept {
    const auto ends_chunk = [&](std::size_t k) {
        return k >= s.size() || is_space_byte(s[k]) || s[k] == '`';
    };
    if (ends_chunk(j))
        return true;
    switch (s[j]) {
        case ',':
        case '.':
        case ';':
        case ')':
        case '!':
        case '?':
        case '"':
            return ends_chunk(j + 1);
        default:
            return false;
    }
}

/// Length in bytes of a URL or e-mail address starting at `i` (at the start of a word), or 0.
/// The address runs to the next whitespace (`chunk_end` is set there); trailing sentence
/// punctuation is left outside.
std::size_t address_length(std::string_view s, std::size_t i, std::size_t& chunk_end) noexcept {
    std::size_t j = i;
    bool scheme = false, at = false, dot_after_at = false;
    while (j < s.size()) {
        const char c = s[j];
        if (is_space_byte(c) || c == '`')
            break;
        if (static_cast<unsigned char>(c) >= 0x80) {
            const auto cp = decode(s, j);
            const auto cls = classify(cp.value);
            if (cls == Cls::space || cls == Cls::newline)
                break;
            j += cp.size;
            continue;
        }
        if (c == ':' && j + 2 < s.size() && s[j + 1] == '/' && s[j + 2] == '/')
            scheme = true;
        if (c == '@' && j > i)
            at = true;
        if (c == '.' && at && j + 1 < s.size() &&
            classify(static_cast<unsigned char>(s[j + 1])) == Cls::word)
            dot_after_at = true;
        ++j;
    }
    chunk_end = j;
    const auto lower = [&](std::size_t k) {
        return static_cast<char>(s[k] >= 'A' && s[k] <= 'Z' ? s[k] - 'A' + 'a' : s[k]);
    };
    const bool www = j - i > 4 && lower(i) == 'w' && lower(i + 1) == 'w' && lower(i + 2) == 'w' &&
                     s[i + 3] == '.';
    if (!(scheme || www || (at && dot_after_at)))
        return 0;
    while (j > i && (s[j - 1] == '.' || s[j - 1] == ',' || s[j - 1] == ';' || s[j - 1] == ':' ||
                     s[j - 1] == ')' || s[j - 1] == '!' || s[j - 1] == '?' || s[j - 1] == '"' ||
                     s[j - 1] == '\''))
        --j;
    return j - i;
}

}  // namespace

void append_utf8(char32_t c, std::string& out) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        const char b[] = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
        out.append(b, 2);
    } else if (c < 0x10000) {
        const char b[] = {static_cast<char>(0xE0 | (c >> 12)),
                          static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                          static_cast<char>(0x80 | (c & 0x3F))};
        out.append(b, 3);
    } else {
        const char b[] = {
            static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
            static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
        out.append(b, 4);
    }
}

CodePoint decode_multibyte(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::uint32_t need;
    char32_t cp;
    char32_t min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1, cp = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2, cp = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
        return {0xFFFD, 1, false};
    }
    if (i + need >= s.size())
        return {0xFFFD, 1, false};
    for (std::uint32_t k = 1; k <= need; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80)
            return {0xFFFD, 1, false};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return {0xFFFD, 1, false};
    return {cp, need + 1, true};
}

void tokenize(std::string_view text, std::vector<Token>& out) {
    out.clear();
    std::size_t i = 0;
    const std::size_t n = text.size();
    // State of the gap since the last token.
    bool gap_has_content = false;  // any separator at all
    bool gap_breaks = true;        // punctuation or skipped text: a phrase cannot continue
    bool gap_stop = true;          // sentence punctuation seen (the text start counts)
    int gap_newlines = 2;          // a blank line also ends a sentence
    std::size_t plain_until = 0;   // the chunk up to here is known not to be an address
    while (i < n) {
        char32_t value;
        std::uint32_t size;
        Cls cls;
        read_char(text, i, value, size, cls);
        if (cls == Cls::word) {
            Token t;
            t.start = static_cast<std::uint32_t>(i);
            t.joinable = gap_has_content && !gap_breaks;
            const char32_t first = value;
            char32_t prev = 0;
            std::size_t upper = 0, lower = 0, digits = 0;  // saturated into t at the end
            std::size_t j = i;
            while (j < n) {
                // Fast path: ASCII letters and digits, the bulk of most texts, eight bytes at a
                // time. Counts the run of them at j; the byte after a shorter run is handled
                // below.
                if (j + 8 <= n) {
                    const auto v = swar::load64(text.data() + j);
                    const auto up = swar::in_range(v, 'A', 'Z');
                    const auto low = swar::in_range(v, 'a', 'z');
                    const auto dig = swar::in_range(v, '0', '9');
                    const auto stop = ~(up | low | dig) & swar::kHigh;
                    // The bits below the first stop (all of them when there is none), and the
                    // number of lanes they cover: countr_zero(0) is 64.
                    const auto run_mask = (stop & (0 - stop)) - 1;
                    const auto run = static_cast<unsigned>(std::countr_zero(stop)) / 8;
                    // Each byte of the run is exactly one of upper, lower and digit.
                    const auto run_upper = swar::count(up & run_mask);
                    const auto run_digits = swar::count(dig & run_mask);
                    upper += run_upper;
                    digits += run_digits;
                    lower += run - run_upper - run_digits;
                    if (run > 0) {
                        prev = static_cast<unsigned char>(text[j + run - 1]);
                        j += run;
                    }
                    if (run == 8)
                        continue;
                } else if (const auto b = static_cast<unsigned char>(text[j]);
                           b < 0x80 && kAscii[b] == Cls::word) {
                    upper += static_cast<unsigned>(b - 'A') < 26u;
                    lower += static_cast<unsigned>(b - 'a') < 26u;
                    digits += static_cast<unsigned>(b - '0') < 10u;
                    prev = b;
                    ++j;
                    continue;
                }
                char32_t c;
                std::uint32_t c_size;
                Cls k;
                read_char(text, j, c, c_size, k);
                if (k == Cls::apostrophe || k == Cls::ampersand) {
                    // Part of the word only between two letters (A&E: between capitals).
                    if (j + c_size >= n)
                        break;
                    char32_t next;
                    std::uint32_t next_size;
                    Cls nk;
                    read_char(text, j + c_size, next, next_size, nk);
                    if (nk != Cls::word || is_digit(next) || is_digit(prev))
                        break;
                    if (k == Cls::ampersand && !(is_upper(prev) && is_upper(next)))
                        break;
                    if (c != '\'' && c != '&')
                        t.ascii = false;
                    j += c_size;
                    continue;
                }
                if (k != Cls::word)
                    break;
                if (c >= 0x80)
                    t.ascii = false;
                if (is_upper(c))
                    ++upper;
                else if (is_lower(c))
                    ++lower;
                else if (is_digit(c))
                    ++digits;
                prev = c;
                j += c_size;
            }
            // URLs and e-mail addresses are skipped whole. Checked once per whitespace-delimited
            // chunk, after the word so that the common plain chunk needs no second scan.
            if (i >= plain_until) {
                std::size_t chunk_end = j;
                if (!chunk_is_plain(text, j)) {
                    if (const auto skip = address_length(text, i, chunk_end); skip > 0) {
                        i += skip;
                        gap_breaks = true;
                        gap_has_content = true;
                        continue;
                    }
                }
                plain_until = chunk_end;
            }
            t.upper = saturate(upper);
            t.lower = saturate(lower);
            t.digits = saturate(digits);
            t.end = static_cast<std::uint32_t>(j);
            t.sentence_start = out.empty() || ((gap_stop || gap_newlines >= 2) &&
                                               (is_upper(first) || is_digit(first)));
            out.push_back(t);
            i = j;
            gap_has_content = false;
            gap_breaks = false;
            gap_stop = false;
            gap_newlines = 0;
            continue;
        }
        if (value == '`') {
            // A code span runs to the next backtick; an unmatched one is just punctuation.
            const auto close = text.find('`', i + 1);
            i = close == std::string_view::npos ? i + 1 : close + 1;
            gap_breaks = true;
            gap_has_content = true;
            continue;
        }
        gap_has_content = true;
        switch (cls) {
            case Cls::space:
            case Cls::hyphen:
            case Cls::comma:
                break;
            case Cls::newline:
                if (!(value == '\n' && i > 0 && text[i - 1] == '\r'))
                    ++gap_newlines;
                break;
            case Cls::stop:
                gap_stop = true;
                gap_breaks = true;
                break;
            default:
                gap_breaks = true;
                break;
        }
        i += size;
    }
}

void exact_form(std::string_view word, std::string& out) {
    out.clear();
    bool ascii = true;
    for (std::size_t i = 0; i < word.size();) {
        const auto cp = decode(word, i);
        if (cp.valid && classify(cp.value) == Cls::apostrophe) {
            out.push_back('\'');
        } else {
            out.append(word.substr(i, cp.size));
            if (cp.value >= 0x80)
                ascii = false;
        }
        i += cp.size;
    }
    if (ascii)
        return;
    std::string normalised;
    if (unicode::to_nfc(out, normalised))
        out = std::move(normalised);
}

void folded_form(std::string_view word, std::string& out) {
    bool ascii = true;
    for (const char c : word) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        out.assign(word);
        for (auto& c : out) {
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        }
        return;
    }
    std::string straight;
    exact_form(word, straight);
    unicode::to_nfkc_casefold(straight, out);
}

std::vector<std::string> split_words(std::string_view text, bool folded) {
    std::vector<Token> tokens;
    tokenize(text, tokens);
    std::vector<std::string> words;
    words.reserve(tokens.size());
    std::string buf;
    for (const auto& t : tokens) {
        const auto w = text.substr(t.start, t.end - t.start);
        if (folded)
            folded_form(w, buf);
        else
            exact_form(w, buf);
        words.push_back(buf);
    }
    return words;
}

bool is_all_capitals(const Token& token) noexcept {
    return token.upper >= 2 && token.lower == 0 && token.digits == 0;
}

namespace {

// Words common in running Welsh or Polish text and rare in English, lower-case as written. Each
// list is short on purpose: two of them in a sentence are enough, and a word that English also
// uses ("a", "i", "do", "to", "no", "on") would mark English sentences.
constexpr std::string_view kWelsh[] = {
    "mae",    "mae'r", "yn",     "yr",      "y",     "wedi",   "bod",    "roedd", "oedd",
    "bydd",   "fydd",  "gyda",   "gyda'r",  "ond",   "hefyd",  "ddim",   "dydy",  "nid",
    "heddiw", "yfory", "ysgol",  "plentyn", "teulu", "rhieni", "diolch", "iawn",  "cyfarfod",
    "ei",     "eu",    "ac",     "gan",     "efo",   "fy",     "eich",   "chi",   "ni",
    "nhw",    "i'r",   "o'r",    "a'r",     "ydy",   "ydw",    "wnaeth", "fawr",  "dros",
    "rhaid",  "gallu", "gwaith", "mam",     "tad",   "hwn"};
constexpr std::string_view kPolish[] = {
    "się",     "że",      "nie",     "jest",    "są",    "był",    "była",   "było",
    "będzie",  "oraz",    "dla",     "przez",   "który", "która",  "które",  "już",
    "czy",     "jak",     "tak",     "jego",    "jej",   "ich",    "mnie",   "mamy",
    "został",  "została", "dziecko", "dziecka", "matka", "ojciec", "szkoła", "szkole",
    "dzisiaj", "jutro",   "w",       "z",       "na",    "po",     "od",     "za",
    "przy",    "bardzo",  "tylko",   "jeszcze", "też",   "także",  "może",   "trzeba",
    "wizyta",  "lekarz",  "rodzina", "syn",     "córka", "pani",   "proszę"};
constexpr std::string_view kEnglish[] = {"the", "and", "is",   "was",  "are",  "were", "will", "to",
                                         "of",  "for", "with", "that", "this", "have", "has",  "be",
                                         "at",  "on",  "we",   "he",   "she",  "they", "it",   "in",
                                         "a",   "an",  "not",  "her",  "his",  "our"};

/// Which list `word` (lower-cased) is in: 1 Welsh, 2 Polish, 4 English, bits combined.
unsigned language_of(std::string_view word) {
    static const auto table = [] {
        std::unordered_map<std::string_view, unsigned> t;
        for (const auto w : kWelsh)
            t[w] |= 1;
        for (const auto w : kPolish)
            t[w] |= 2;
        for (const auto w : kEnglish)
            t[w] |= 4;
        return t;
    }();
    const auto it = table.find(word);
    return it == table.end() ? 0 : it->second;
}

/// A lower-cased word of up to eight bytes as one number (0 for a longer one).
std::uint64_t packed(const char* word, std::size_t size) noexcept {
    std::uint64_t v = 0;
    if (size <= 8)
        std::memcpy(&v, word, size);
    return v;
}

/// One of 4,096 bits for a packed word.
unsigned shape_bit(std::uint64_t v) noexcept {
    return static_cast<unsigned>((v * 0x9E3779B97F4A7C15ull) >> 52);
}

/// A bit set over shape_bit() of every Welsh and Polish word (all of eight bytes or fewer): a
/// word whose bit is clear is in neither list, and most words are ruled out this way without a
/// look-up.
const std::array<std::uint64_t, 64>& foreign_shapes() {
    static const auto shapes = [] {
        std::array<std::uint64_t, 64> t{};
        for (const auto& list : {std::span<const std::string_view>(kWelsh),
                                 std::span<const std::string_view>(kPolish)})
            for (const auto w : list) {
                const auto bit = shape_bit(packed(w.data(), w.size()));
                t[bit / 64] |= std::uint64_t{1} << (bit % 64);
            }
        return t;
    }();
    return shapes;
}

/// The token lower-cased (ASCII letters) with a curly apostrophe made straight, into `out`;
/// its size, or 0 when it is too long to be a listed word.
std::size_t lowered(std::string_view word, char (&out)[16]) {
    if (word.size() > sizeof out)
        return 0;
    std::size_t size = 0;
    for (std::size_t k = 0; k < word.size(); ++k) {
        const char c = word[k];
        if (c == '\xE2' && word.substr(k, 3) == "\xE2\x80\x99") {
            out[size++] = '\'';
            k += 2;
        } else {
            out[size++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
        }
    }
    return size;
}

}  // namespace

bool may_be_foreign_word(std::uint64_t lowered) noexcept {
    const auto bit = shape_bit(lowered);
    return (foreign_shapes()[bit / 64] >> (bit % 64) & 1) != 0;
}

bool mark_foreign_sentences(std::string_view text, const std::vector<Token>& tokens,
                            const std::vector<std::uint32_t>& candidates,
                            std::vector<std::uint8_t>& foreign) {
    char lower[kForeignWordMaxBytes];
    // The languages of token i's word (language_of).
    const auto languages = [&](std::size_t i) -> unsigned {
        const auto& t = tokens[i];
        const std::size_t raw = t.end - t.start;
        if (raw > sizeof lower || t.digits > 0 || t.upper > 1)
            return 0;
        const auto size = lowered(text.substr(t.start, raw), lower);
        if (size == 0 || size > 8)
            return 0;
        return language_of({lower, size});
    };
    // First the Welsh and Polish words among the candidates; then only the sentences around
    // two or more of them.
    thread_local std::vector<std::size_t> hits;
    hits.clear();
    for (const auto i : candidates)
        if ((languages(i) & 3) != 0)
            hits.push_back(i);
    if (hits.size() < 2)
        return false;
    const auto starts_sentence = [&](std::size_t i) {
        if (i == 0)
            return true;
        const auto gap = text.substr(tokens[i - 1].end, tokens[i].start - tokens[i - 1].end);
        return gap.find_first_of(".!?;\n\r") != std::string_view::npos;
    };
    bool any = false;
    for (std::size_t k = 0; k < hits.size();) {
        std::size_t from = hits[k], to = hits[k] + 1;
        while (!starts_sentence(from))
            --from;
        while (to < tokens.size() && !starts_sentence(to))
            ++to;
        // A sentence with one Welsh or Polish word is English: no need to count its words.
        std::size_t in_sentence = 0;
        while (k + in_sentence < hits.size() && hits[k + in_sentence] < to)
            ++in_sentence;
        if (in_sentence >= 2) {
            unsigned welsh = 0, polish = 0, english = 0;
            for (std::size_t i = from; i < to; ++i) {
                const auto bits = languages(i);
                welsh += bits & 1;
                polish += (bits >> 1) & 1;
                english += (bits >> 2) & 1;
            }
            const auto most = std::max(welsh, polish);
            if (most >= 2 && most > english) {
                if (!any)
                    foreign.assign(tokens.size(), 0);
                any = true;
                std::fill(foreign.begin() + static_cast<std::ptrdiff_t>(from),
                          foreign.begin() + static_cast<std::ptrdiff_t>(to), std::uint8_t{1});
            }
        }
        k += in_sentence;
    }
    return any;
}

}  // namespace liaise::jargon::detail
