// The Unicode seam from generated tables. Why tables generated from ICU rather than a vendored
// library (utf8proc) or the browser's own String.normalize: the tables come from the very ICU
// the native build links, at build time, so the two engines cannot drift apart (a test compares
// them on every code point); nothing third-party is copied into the repository or fetched; and
// a browser's answers would follow its own Unicode version. The algorithms are the standard ones
// of UAX #15 (decompose, reorder by combining class, compose); NFKC_Casefold maps each code
// point of the text to its fold, decomposed, before reordering (as ICU does: not the NFD of the
// text, which would let a mark move past the "ι" that U+0345 and "ᾘ" fold to).
#include "unicode_offline.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "text.hpp"

namespace liaise::jargon::detail::unicode_offline {
namespace {

#include "unicode_tables.inc"

enum Flag : std::uint32_t {
    white_space = 1,
    alnum = 2,
    mark = 4,
    upper = 8,
    lower = 16,
    digit = 32
};

/// The value of the run holding `c` in a table of `start << 8 | value` runs.
std::uint32_t run_value(std::span<const std::uint32_t> runs, char32_t c) noexcept {
    const auto key = static_cast<std::uint32_t>(c) << 8 | 0xFF;
    const auto it = std::upper_bound(runs.begin(), runs.end(), key);
    return it == runs.begin() ? 0 : (*(it - 1) & 0xFF);
}

bool has(char32_t c, Flag f) noexcept {
    return c <= 0x10FFFF && (run_value(kProps, c) & f) != 0;
}

std::uint32_t combining_class(char32_t c) noexcept {
    return c < 0x300 ? 0 : run_value(kCcc, c);
}

/// Finds the mapping of `c` in a table of {c, offset << 5 | length} pairs into `pool`.
bool find_mapping(std::span<const std::uint32_t> pairs, std::span<const std::uint32_t> pool,
                  char32_t c, std::span<const std::uint32_t>& mapping) noexcept {
    std::size_t lo = 0, hi = pairs.size() / 2;
    while (lo < hi) {
        const auto mid = (lo + hi) / 2;
        const auto key = pairs[2 * mid];
        if (key == c) {
            const auto v = pairs[2 * mid + 1];
            mapping = pool.subspan(v >> 5, v & 0x1F);
            return true;
        }
        if (key < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

// Hangul syllables decompose and compose by arithmetic (Unicode 15, section 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
                   kSCount = kLCount * kNCount;

void decompose(char32_t c, std::vector<char32_t>& out) {
    if (c < 0xC0) {
        out.push_back(c);
        return;
    }
    if (c >= kSBase && c < kSBase + kSCount) {
        const auto s = c - kSBase;
        out.push_back(kLBase + s / kNCount);
        out.push_back(kVBase + (s % kNCount) / kTCount);
        if (const auto t = s % kTCount; t != 0)
            out.push_back(kTBase + t);
        return;
    }
    std::span<const std::uint32_t> mapping;
    if (find_mapping(kDecompositions, kDecompositionPool, c, mapping))
        out.insert(out.end(), mapping.begin(), mapping.end());
    else
        out.push_back(c);
}

/// Canonical ordering: a stable sort of each run of non-starters by combining class.
void reorder(std::vector<char32_t>& s) {
    for (std::size_t i = 1; i < s.size(); ++i) {
        const auto k = combining_class(s[i]);
        if (k == 0)
            continue;
        for (std::size_t j = i; j > 0; --j) {
            const auto prev = combining_class(s[j - 1]);
            if (prev <= k)
                break;
            std::swap(s[j - 1], s[j]);
        }
    }
}

/// The primary composite of `a` and `b`, or 0.
char32_t compose_pair(char32_t a, char32_t b) noexcept {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
        b < kTBase + kTCount)
        return a + (b - kTBase);
    const std::span<const std::uint32_t> table = kCompositions;
    std::size_t lo = 0, hi = table.size() / 3;
    while (lo < hi) {
        const auto mid = (lo + hi) / 2;
        const auto first = table[3 * mid], second = table[3 * mid + 1];
        if (first == a && second == b)
            return table[3 * mid + 2];
        if (first < a || (first == a && second < b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/// Canonical composition of a canonically ordered, fully decomposed string, in place.
void compose(std::vector<char32_t>& s) {
    std::size_t out = 0;
    std::size_t starter = s.size();  // none yet
    std::uint32_t last_class = 0;    // of the last character kept after the starter
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = s[i];
        const auto k = combining_class(c);
        // Not blocked: right after the starter, or every character between them has a lower,
        // non-zero class (canonical order puts the highest last).
        if (starter != s.size() && (out == starter + 1 || (last_class != 0 && last_class < k))) {
            if (const auto composite = compose_pair(s[starter], c); composite != 0) {
                s[starter] = composite;
                continue;
            }
        }
        if (k == 0)
            starter = out;
        last_class = k;
        s[out++] = c;
    }
    s.resize(out);
}

/// The length of the maximal subpart of an ill-formed sequence at `i` (Unicode 15, 3.9): the
/// bytes that one U+FFFD replaces, as ICU counts them.
std::size_t maximal_subpart(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int need = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF)
        need = 1;
    else if (b0 == 0xE0)
        need = 2, lo = 0xA0;
    else if (b0 == 0xED)
        need = 2, hi = 0x9F;
    else if (b0 >= 0xE1 && b0 <= 0xEF)
        need = 2;
    else if (b0 == 0xF0)
        need = 3, lo = 0x90;
    else if (b0 == 0xF4)
        need = 3, hi = 0x8F;
    else if (b0 >= 0xF1 && b0 <= 0xF3)
        need = 3;
    std::size_t n = 1;
    for (int k = 0; k < need && i + n < s.size(); ++k) {
        const auto b = static_cast<unsigned char>(s[i + n]);
        if (b < lo || b > hi)
            break;
        ++n;
        lo = 0x80, hi = 0xBF;
    }
    return n;
}

/// Decodes `text` into code points, an invalid sequence as U+FFFD, passing each to `f`.
/// Returns false when there was an invalid sequence.
template <class F>
bool for_each_code_point(std::string_view text, F f) {
    bool valid = true;
    for (std::size_t i = 0; i < text.size();) {
        const auto cp = decode(text, i);
        if (cp.valid) {
            f(cp.value);
            i += cp.size;
        } else {
            valid = false;
            f(char32_t{0xFFFD});
            i += maximal_subpart(text, i);
        }
    }
    return valid;
}

/// `text` with each invalid sequence replaced by U+FFFD.
std::string replace_invalid(std::string_view text) {
    std::string out;
    (void)for_each_code_point(text, [&](char32_t c) { append_utf8(c, out); });
    return out;
}

std::string encode(const std::vector<char32_t>& s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (const auto c : s)
        append_utf8(c, out);
    return out;
}

}  // namespace

bool is_white_space(char32_t c) noexcept {
    return has(c, white_space);
}
bool is_alnum(char32_t c) noexcept {
    return has(c, alnum);
}
bool is_mark(char32_t c) noexcept {
    return has(c, mark);
}
bool is_upper(char32_t c) noexcept {
    return has(c, upper);
}
bool is_lower(char32_t c) noexcept {
    return has(c, lower);
}
bool is_digit(char32_t c) noexcept {
    return has(c, digit);
}

char32_t to_upper(char32_t c) noexcept {
    const std::span<const std::uint32_t> table = kUpper;
    std::size_t lo = 0, hi = table.size() / 2;
    while (lo < hi) {
        const auto mid = (lo + hi) / 2;
        if (table[2 * mid] == c)
            return table[2 * mid + 1];
        if (table[2 * mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c;
}

namespace {

/// `c` folded by kFoldRuns or kFoldRemoved: its fold, 0 when removed, or `c` itself.
char32_t fold_run(char32_t c) noexcept {
    const std::span<const std::uint32_t> runs = kFoldRuns;
    std::size_t lo = 0, hi = runs.size() / 3;  // the last run starting at or before c
    while (lo < hi) {
        const auto mid = (lo + hi) / 2;
        if (runs[3 * mid] <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const auto* run = &runs[3 * (lo - 1)];
        const auto count = run[1] >> 8, stride = run[1] & 0xFF;
        const auto k = (c - run[0]) / stride;
        if (k < count && (c - run[0]) % stride == 0)
            return static_cast<char32_t>(c + run[2]);
    }
    const std::span<const std::uint32_t> removed = kFoldRemoved;
    lo = 0, hi = removed.size() / 2;
    while (lo < hi) {
        const auto mid = (lo + hi) / 2;
        if (removed[2 * mid + 1] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < removed.size() / 2 && removed[2 * lo] <= c)
        return 0;
    return c;
}

}  // namespace

bool to_nfc(std::string_view text, std::string& out) {
    std::vector<char32_t> s;
    const bool valid = for_each_code_point(text, [&](char32_t c) { decompose(c, s); });
    reorder(s);
    compose(s);
    auto normalised = encode(s);
    // As ICU does: text that is in NFC once its invalid sequences are read as U+FFFD is left
    // as it is.
    if (valid ? normalised == text : normalised == replace_invalid(text))
        return false;
    out = std::move(normalised);
    return true;
}

void to_nfkc_casefold(std::string_view text, std::string& out) {
    std::vector<char32_t> s;
    (void)for_each_code_point(text, [&](char32_t c) {
        if (c < 0x41) {
            s.push_back(c);
            return;
        }
        std::span<const std::uint32_t> folded;
        if (find_mapping(kFolds, kFoldPool, c, folded)) {
            for (const auto f : folded)  // the fold is in NFC: decompose it again
                decompose(f, s);
            return;
        }
        const auto to = fold_run(c);
        if (to == 0)
            return;  // removed
        decompose(to, s);
    });
    reorder(s);
    compose(s);
    out = encode(s);
}

const char* unicode_version() noexcept {
    return kUnicodeVersion;
}

}  // namespace liaise::jargon::detail::unicode_offline
