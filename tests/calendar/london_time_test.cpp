#include <catch2/catch.hpp>

#include "liaise/calendar/london_time.hpp"

using namespace liaise::calendar;

namespace {

// Milliseconds since the epoch of a UTC date and time.
std::int64_t utc(int y, unsigned m, unsigned d, int h, int min) {
    using namespace std::chrono;
    const auto t = sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min};
    return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("London time is GMT in winter and BST in summer", "[calendar]") {
    CHECK(london_date_time(utc(2026, 12, 6, 21, 40)) == "6 Dec 2026 21:40");
    CHECK(london_date_time(utc(2026, 7, 1, 9, 5)) == "1 Jul 2026 10:05");
}

TEST_CASE("the clocks change at 01:00 UTC on the last Sundays of March and October", "[calendar]") {
    // 29 March 2026 and 25 October 2026 are the last Sundays.
    CHECK(london_date_time(utc(2026, 3, 29, 0, 59)) == "29 Mar 2026 00:59");
    CHECK(london_date_time(utc(2026, 3, 29, 1, 0)) == "29 Mar 2026 02:00");
    CHECK(london_date_time(utc(2026, 10, 25, 0, 59)) == "25 Oct 2026 01:59");
    CHECK(london_date_time(utc(2026, 10, 25, 1, 0)) == "25 Oct 2026 01:00");
}

TEST_CASE("a late summer evening in UTC is already the next day in London", "[calendar]") {
    CHECK(iso_text(london_date(utc(2026, 6, 30, 23, 30))) == "2026-07-01");
    CHECK(iso_text(london_date(utc(2026, 12, 31, 23, 30))) == "2026-12-31");
}

TEST_CASE("dates for people put the day first", "[calendar]") {
    CHECK(uk_date(*parse_date("2026-12-25")) == "25 Dec 2026");
    CHECK(uk_long_date(*parse_date("2026-12-25")) == "Friday 25 December 2026");
    CHECK(uk_long_date(*parse_date("2027-01-03")) == "Sunday 3 January 2027");
}
