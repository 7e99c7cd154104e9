#include <catch2/catch.hpp>
#include <string>

#include "liaise/calendar/bank_holidays.hpp"
#include "liaise/calendar/working_days.hpp"

using namespace liaise::calendar;

namespace {

Date d(const char* iso) {
    const auto date = parse_date(iso);
    REQUIRE(date);
    return *date;
}

std::string plus(const char* from, int n) {
    const auto r = add_working_days(BankHolidays::england_and_wales(), d(from), n);
    REQUIRE(r.ok());
    return iso_text(r.value());
}

int between(const char* from, const char* to) {
    const auto r = working_days_between(BankHolidays::england_and_wales(), d(from), d(to));
    REQUIRE(r.ok());
    return r.value();
}

}  // namespace

TEST_CASE("dates parse only as valid ISO days", "[calendar]") {
    CHECK(parse_date("2026-12-25"));
    CHECK(parse_date("2028-02-29"));
    CHECK_FALSE(parse_date("2026-02-29"));
    CHECK_FALSE(parse_date("2026-13-01"));
    CHECK_FALSE(parse_date("2026-12-5"));
    CHECK_FALSE(parse_date("2026/12/25"));
    CHECK_FALSE(parse_date("2026-12-25T10:00"));
    CHECK_FALSE(parse_date(""));
    CHECK(iso_text(d("2027-01-04")) == "2027-01-04");
}

TEST_CASE("the shipped England and Wales data covers 2020 to 2030", "[calendar]") {
    const auto& h = BankHolidays::england_and_wales();
    CHECK(h.first_year() == 2020);
    CHECK(h.last_year() == 2030);
    // Eight a year, plus 2022's jubilee and funeral and 2023's coronation.
    CHECK(h.size() == 11 * 8 + 3);
    CHECK(h.name(d("2026-12-25")) == "Christmas Day");
    CHECK(h.name(d("2026-12-28")) == "Boxing Day (substitute day)");
    CHECK_FALSE(h.is_holiday(d("2026-12-26")));  // a Saturday: the substitute is listed instead
    CHECK(h.name(d("2022-09-19")) == "Bank Holiday for the State Funeral of Queen Elizabeth II");
    CHECK(h.is_holiday(d("2020-05-08")));  // VE Day: early May moved to a Friday
    CHECK_FALSE(h.is_holiday(d("2020-05-04")));
    CHECK(h.is_holiday(d("2022-06-02")));  // spring bank holiday moved for the jubilee
    CHECK_FALSE(h.is_holiday(d("2022-05-30")));
}

TEST_CASE("weekends and bank holidays are not working days", "[calendar]") {
    const auto& h = BankHolidays::england_and_wales();
    CHECK(is_working_day(h, d("2026-12-24")).value());        // Thursday
    CHECK_FALSE(is_working_day(h, d("2026-12-26")).value());  // Saturday
    CHECK_FALSE(is_working_day(h, d("2026-12-27")).value());  // Sunday
    CHECK_FALSE(is_working_day(h, d("2026-04-03")).value());  // Good Friday
    CHECK_FALSE(is_working_day(h, d("2026-04-06")).value());  // Easter Monday
    CHECK(is_working_day(h, d("2026-04-07")).value());
}

TEST_CASE("one working day after Christmas Eve 2026 is the 29th", "[calendar]") {
    // Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day (substitute day).
    CHECK(plus("2026-12-24", 1) == "2026-12-29");
    CHECK(plus("2026-12-24", 0) == "2026-12-24");
    // A meeting on a bank holiday: the clock still starts the next working day.
    CHECK(plus("2026-12-25", 1) == "2026-12-29");
}

TEST_CASE("clocks across New Year skip the substitute days", "[calendar]") {
    // 2027: Christmas (Sat) and Boxing Day (Sun) are Mon 27 and Tue 28 December; New Year's Day
    // 2028 is a Saturday, so Monday 3 January is the holiday.
    CHECK(plus("2027-12-24", 1) == "2027-12-29");
    CHECK(plus("2027-12-24", 5) == "2028-01-05");
    CHECK(plus("2027-12-31", 1) == "2028-01-04");
    // 2026 into 2027: New Year's Day 2027 is a Friday.
    CHECK(plus("2026-12-23", 5) == "2027-01-04");
}

TEST_CASE("clocks across Easter skip Good Friday and Easter Monday", "[calendar]") {
    // Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    CHECK(plus("2026-04-02", 1) == "2026-04-07");
    CHECK(plus("2026-03-30", 5) == "2026-04-08");
    // Easter 2027 falls in March: Good Friday 26 March, Easter Monday 29 March.
    CHECK(plus("2027-03-25", 1) == "2027-03-30");
}

TEST_CASE("a 15 and a 20 working day full record over Christmas", "[calendar]") {
    // A meeting on Wed 9 Dec 2026: 14 working days to the 31st, then New Year's Day.
    CHECK(plus("2026-12-09", 15) == "2027-01-04");
    CHECK(plus("2026-12-09", 20) == "2027-01-11");
}

TEST_CASE("working days between two dates counts the later one, not the earlier", "[calendar]") {
    CHECK(between("2026-12-24", "2026-12-24") == 0);
    CHECK(between("2026-12-24", "2026-12-29") == 1);
    CHECK(between("2026-12-24", "2026-12-28") == 0);  // only holidays and a weekend between
    CHECK(between("2026-12-09", "2027-01-04") == 15);
    CHECK(between("2027-01-04", "2026-12-09") == -15);
    CHECK(between("2026-04-02", "2026-04-07") == 1);
}

TEST_CASE("add and between agree for every start and count in 2026", "[calendar]") {
    const auto& h = BankHolidays::england_and_wales();
    for (auto day = std::chrono::sys_days{d("2026-01-01")};
         day < std::chrono::sys_days{d("2027-01-01")}; day += std::chrono::days{7})
        for (int n = 0; n <= 25; n += 5) {
            const auto due = add_working_days(h, Date{day}, n);
            REQUIRE(due.ok());
            CHECK(working_days_between(h, Date{day}, due.value()).value() == n);
            if (n > 0)
                CHECK(is_working_day(h, due.value()).value());
        }
}

TEST_CASE("years the data does not cover are refused, not guessed", "[calendar]") {
    const auto& h = BankHolidays::england_and_wales();
    const auto late = add_working_days(h, d("2030-12-20"), 10);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == "calendar_not_covered");
    CHECK(late.error().message.find("2031") != std::string::npos);
    CHECK(working_days_between(h, d("2019-12-20"), d("2020-01-06")).error().code ==
          "calendar_not_covered");
    CHECK(is_working_day(h, d("2031-01-02")).error().code == "calendar_not_covered");
    CHECK(add_working_days(h, d("2026-01-05"), -1).error().code == "calendar_bad_count");
    CHECK(add_working_days(h, d("2026-01-05"), 367).error().code == "calendar_bad_count");
}
