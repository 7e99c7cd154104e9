#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "liaise/calendar/bank_holidays.hpp"
#include "liaise/calendar/working_days.hpp"

using namespace liaise::calendar;

namespace {

std::string problem(std::string_view text) {
    const auto r = BankHolidays::parse(text, "test.txt");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "calendar_bad_data");
    return r.error().message;
}

}  // namespace

TEST_CASE("an operator's own bank holiday file extends the years covered", "[calendar]") {
    const auto r = BankHolidays::parse(
        "# comment\n\ncovers 2031 2031\n2031-01-01 New Year's Day\r\n2031-04-11 Good Friday\n",
        "mine.txt");
    REQUIRE(r.ok());
    CHECK(r.value().size() == 2);
    CHECK(r.value().name(*parse_date("2031-04-11")) == "Good Friday");
    const auto due = add_working_days(r.value(), *parse_date("2031-04-10"), 1);
    REQUIRE(due.ok());
    CHECK(iso_text(due.value()) == "2031-04-14");
}

TEST_CASE("bank holiday files with mistakes are refused with the line", "[calendar]") {
    CHECK(problem("2026-01-01 New Year's Day\n") == "test.txt: no 'covers FIRST LAST' line");
    CHECK(problem("covers 2026 2026\ncovers 2027 2027\n") == "test.txt:2: a second 'covers' line");
    CHECK(problem("covers 2027 2026\n").find("in order") != std::string::npos);
    CHECK(problem("covers 2026\n").find("two years") != std::string::npos);
    CHECK(problem("covers 2026 2026\n2026-02-30 Nonsense\n") ==
          "test.txt:2: expected a date (YYYY-MM-DD) and a name");
    CHECK(problem("covers 2026 2026\n2026-12-25\n") ==
          "test.txt:2: the date 2026-12-25 has no name");
    CHECK(problem("covers 2026 2026\n2026-12-25Christmas\n").find("no name") != std::string::npos);
    CHECK(problem("covers 2026 2026\n2026-12-26 Boxing Day\n") ==
          "test.txt:2: 2026-12-26 is a weekend: list the substitute day instead");
    CHECK(problem("covers 2026 2026\n2026-12-25 A\n2026-12-25 B\n") ==
          "test.txt:3: 2026-12-25 is listed twice");
    CHECK(problem("covers 2026 2026\n2027-01-01 New Year's Day\n") ==
          "test.txt:2: 2027-01-01 is outside the years covered (2026 to 2026)");
}

TEST_CASE("loading a missing bank holiday file says it cannot be read", "[calendar]") {
    const auto r = BankHolidays::load("/nonexistent/liaise/holidays.txt");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "calendar_bad_data");
    CHECK(r.error().message.find("cannot be read") != std::string::npos);
}

TEST_CASE("the shipped data file in the source tree parses and matches the built-in copy",
          "[calendar]") {
    const auto r = BankHolidays::load(LIAISE_CALENDAR_DATA "/england-and-wales.txt");
    REQUIRE(r.ok());
    CHECK(r.value().size() == BankHolidays::england_and_wales().size());
    CHECK(r.value().last_year() == BankHolidays::england_and_wales().last_year());
}
