// Unit tests of display_line/display_block: other people's words made safe for a terminal.
#include <catch2/catch.hpp>
#include <string>

#include "liaise/client/display.hpp"

using liaise::client::display_block;
using liaise::client::display_line;

namespace {

const std::string kMark = "\xEF\xBF\xBD";  // U+FFFD

/// True if `s` holds a byte below 0x20 other than '\n', or DEL.
bool has_raw_control(const std::string& s) {
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && b != '\n') || b == 0x7F)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("display_line keeps ordinary text, including non-Latin scripts", "[display]") {
    CHECK(display_line("Visit J at home tonight.") == "Visit J at home tonight.");
    CHECK(display_line("Zoë — café 日本 😀") == "Zoë — café 日本 😀");
    CHECK(display_line("") == "");
}

TEST_CASE("display_line shows control characters as U+FFFD and a tab as a space", "[display]") {
    CHECK(display_line("a\tb") == "a b");
    CHECK(display_line("x\x1b[2Ky") == "x" + kMark + "[2Ky");
    CHECK(display_line("a\rb") == "a" + kMark + "b");
    CHECK(display_line("a\nb") == "a" + kMark + "b");
    CHECK(display_line(std::string("a\0b", 3)) == "a" + kMark + "b");
    CHECK(display_line("a\x7f"
                       "b") == "a" + kMark + "b");
    CHECK(display_line("a\x07"
                       "b") == "a" + kMark + "b");
    // C1 controls, encoded as UTF-8: NEL (U+0085) and CSI (U+009B).
    CHECK(display_line("a\xC2\x85"
                       "b\xC2\x9B"
                       "2K") == "a" + kMark + "b" + kMark + "2K");
}

TEST_CASE("display_line removes bidirectional overrides, isolates and marks", "[display]") {
    const std::string hostile[] = {
        "\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",  // 202A-E
        "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9",                  // 2066-9
        "\xE2\x80\x8E", "\xE2\x80\x8F", "\xD8\x9C",  // LRM, RLM, ALM
        "\xE2\x80\xA8", "\xE2\x80\xA9",              // line and paragraph separators
    };
    for (const auto& c : hostile) {
        INFO("bytes " << c.size());
        CHECK(display_line("ab" + c + "cd") == "ab" + kMark + "cd");
    }
}

TEST_CASE("display_line shows invalid UTF-8 as U+FFFD", "[display]") {
    CHECK(display_line("a\xFF"
                       "b") == "a" + kMark + "b");
    CHECK(display_line("a\xC0\xAF"
                       "b") == "a" + kMark + kMark + "b");  // overlong '/'
    CHECK(display_line("a\xED\xA0\x80"
                       "b") == "a" + kMark + kMark + kMark + "b");  // surrogate
    CHECK(display_line("a\xE2\x80") == "a" + kMark + kMark);        // truncated
    // An overlong ESC (C0 0x9B would be CSI in 8-bit terminals) never comes out raw.
    CHECK(display_line("\xC0\x9B") == kMark + kMark);
}

TEST_CASE("display_block indents every line after the first", "[display]") {
    CHECK(display_block("one\ntwo") == "one\n    two");
    CHECK(display_block("one\r\ntwo\rthree") == "one\n    two\n    three");
    CHECK(display_block("one\xE2\x80\xA8two") == "one\n    two");
    CHECK(display_block("a\nb", "  | ") == "a\n  | b");
    CHECK(display_block("plain") == "plain");
}

TEST_CASE("display_block: a hostile message cannot forge a header line", "[display]") {
    const std::string forged =
        "ok\r\x1b[2K#3 10:02 hana: UPDATE from Health\n#9 10:00 hana: forged\xE2\x80\xAE"
        "dlrow";
    const auto shown = display_block(forged);
    CHECK_FALSE(has_raw_control(shown));
    CHECK(shown.find("\xE2\x80\xAE") == std::string::npos);
    std::size_t begin = 0;
    bool first = true;
    while (begin <= shown.size()) {
        const auto end = std::min(shown.find('\n', begin), shown.size());
        const auto line = shown.substr(begin, end - begin);
        if (!first) {
            INFO(line);
            CHECK(line.starts_with("    "));
        }
        first = false;
        begin = end + 1;
    }
    CHECK(shown == "ok\n    " + kMark +
                       "[2K#3 10:02 hana: UPDATE from Health\n    #9 10:00 hana: forged" + kMark +
                       "dlrow");
}

TEST_CASE("fit_width breaks long lines itself, indented, before a terminal would", "[display]") {
    using liaise::client::fit_width;
    // A run of spaces meant to push a forged header to column 0 of the next row.
    const std::string forged = "#2 10:00 mallory: hi" + std::string(60, ' ') + "#9 10:00 hana: x";
    const auto rows = fit_width(forged, 40);
    std::size_t begin = 0;
    bool first = true;
    while (begin <= rows.size()) {
        const auto end = std::min(rows.find('\n', begin), rows.size());
        const auto row = rows.substr(begin, end - begin);
        INFO(row);
        CHECK(row.size() <= 40);
        if (!first)
            CHECK(row.starts_with("    "));
        first = false;
        begin = end + 1;
    }
    // Short lines and existing line breaks are kept; a width of 0 changes nothing.
    CHECK(fit_width("short\n    second", 40) == "short\n    second");
    CHECK(fit_width(forged, 0) == forged);
    // Non-ASCII counts two cells: "é" x 30 is 60 cells, so it takes rows of 20 and 18.
    std::string accents;
    for (int i = 0; i < 30; ++i)
        accents += "\xC3\xA9";
    const auto split = fit_width(accents, 40);
    CHECK(split == accents.substr(0, 40) + "\n    " + accents.substr(40));
}
