#include <catch2/catch.hpp>
#include <string>

#include "liaise/base/expected.hpp"
#include "liaise/base/utf8.hpp"

using liaise::base::find_invalid_utf8;

TEST_CASE("valid UTF-8 has no invalid offset", "[base][utf8]") {
    CHECK_FALSE(find_invalid_utf8(""));
    CHECK_FALSE(find_invalid_utf8("plain ASCII"));
    CHECK_FALSE(find_invalid_utf8("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"));  // é ’ 😀
    CHECK_FALSE(find_invalid_utf8("\xF4\x8F\xBF\xBF"));                           // U+10FFFF
}

TEST_CASE("invalid UTF-8 reports the first bad byte", "[base][utf8]") {
    struct Case {
        std::string text;
        std::size_t offset;
    };
    const Case cases[] = {
        {"ab\xC3", 2},                   // truncated at the end
        {"a\xC3(b", 1},                  // continuation byte missing
        {"\x80", 0},                     // lone continuation byte
        {"ok\xC0\xAF", 2},               // overlong '/'
        {"\xE0\x80\xAF", 0},             // overlong, three bytes
        {"x\xED\xA0\x80", 1},            // surrogate U+D800
        {"\xF4\x90\x80\x80", 0},         // above U+10FFFF
        {"\xF5\x80\x80\x80", 0},         // lead byte never valid
        {"\xC3\xA9\xFF", 2},             // valid, then invalid
        {std::string("a\0\xC3", 3), 2},  // NUL is valid; the truncation after it is not
    };
    for (const auto& c : cases) {
        INFO(c.offset);
        const auto bad = find_invalid_utf8(c.text);
        REQUIRE(bad);
        CHECK(*bad == c.offset);
    }
}

TEST_CASE("Expected holds a value or an error", "[base][expected]") {
    liaise::base::Expected<int> good = 3;
    REQUIRE(good.ok());
    CHECK(good.value() == 3);
    liaise::base::Expected<int> bad = liaise::base::Error{"bad_request", "Wrong."};
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "bad_request");
}
