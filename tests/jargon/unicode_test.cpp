// The offline Unicode seam (generated tables, used by the WebAssembly engine) against ICU (the
// native engine): the same answer for every code point, and for strings built to stress
// normalisation and case folding.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "text.hpp"
#include "unicode.hpp"
#include "unicode_offline.hpp"

namespace uni = liaise::jargon::detail::unicode;
namespace off = liaise::jargon::detail::unicode_offline;
using liaise::jargon::detail::append_utf8;

namespace {

bool is_scalar(char32_t c) {
    return c < 0xD800 || (c > 0xDFFF && c <= 0x10FFFF);
}

std::string utf8(char32_t c) {
    std::string s;
    append_utf8(c, s);
    return s;
}

std::string nfc(std::string_view s, bool (*f)(std::string_view, std::string&)) {
    std::string out;
    return f(s, out) ? out : std::string(s);
}

std::string fold(std::string_view s, void (*f)(std::string_view, std::string&)) {
    std::string out = "unchanged";
    f(s, out);
    return out;
}

}  // namespace

TEST_CASE("unicode: the generated tables answer as ICU for every code point", "[unicode]") {
    std::size_t differences = 0;
    std::vector<char32_t> interesting;  // code points that normalise, fold or combine
    for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (!is_scalar(c))
            continue;
        const auto s = utf8(c);
        const bool same =
            uni::is_white_space(c) == off::is_white_space(c) &&
            uni::is_alnum(c) == off::is_alnum(c) && uni::is_mark(c) == off::is_mark(c) &&
            uni::is_upper(c) == off::is_upper(c) && uni::is_lower(c) == off::is_lower(c) &&
            uni::is_digit(c) == off::is_digit(c) && uni::to_upper(c) == off::to_upper(c) &&
            nfc(s, uni::to_nfc) == nfc(s, off::to_nfc) &&
            fold(s, uni::to_nfkc_casefold) == fold(s, off::to_nfkc_casefold);
        if (!same) {
            if (++differences <= 10)
                UNSCOPED_INFO("differs at U+" << std::hex << static_cast<std::uint32_t>(c));
        }
        if (c >= 0x80 && (off::is_mark(c) || nfc(s + "\xCC\x81", uni::to_nfc) != s + "\xCC\x81" ||
                          fold(s, uni::to_nfkc_casefold) != s || nfc(s, uni::to_nfc) != s))
            interesting.push_back(c);
    }
    CHECK(differences == 0);
    CHECK(std::string(off::unicode_version()).size() >= 3);

    // Strings of 1-6 code points drawn from the interesting ones, with ASCII letters mixed in.
    std::mt19937 rng(20261206);
    std::uniform_int_distribution<std::size_t> pick(0, interesting.size() - 1);
    std::uniform_int_distribution<int> length(1, 6), ascii(0, 4);
    std::size_t string_differences = 0;
    for (int n = 0; n < 100000; ++n) {
        std::string s;
        for (int k = length(rng); k > 0; --k)
            append_utf8(ascii(rng) == 0 ? char32_t('A' + k) : interesting[pick(rng)], s);
        if (nfc(s, uni::to_nfc) != nfc(s, off::to_nfc) ||
            fold(s, uni::to_nfkc_casefold) != fold(s, off::to_nfkc_casefold)) {
            if (++string_differences <= 10)
                UNSCOPED_INFO("differs on " << s);
        }
    }
    CHECK(string_differences == 0);
}

TEST_CASE("unicode: invalid UTF-8 is read as U+FFFD by both", "[unicode]") {
    for (const std::string s : {"caf\xC3",
                                "\xFF"
                                "e\xCC\x81",
                                "a\xE2\x82", "\xED\xA0\x80x"}) {
        CHECK(nfc(s, uni::to_nfc) == nfc(s, off::to_nfc));
        CHECK(fold(s, uni::to_nfkc_casefold) == fold(s, off::to_nfkc_casefold));
    }
}
