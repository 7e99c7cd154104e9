#include <catch2/catch.hpp>
#include <string>
#include <utility>

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

namespace {

/// london_instant as milliseconds, for comparing with utc().
std::int64_t at(const char* day, int h, int min) {
    using namespace std::chrono;
    return duration_cast<milliseconds>(
               london_instant(*parse_date(day), h * 60 + min).time_since_epoch())
        .count();
}

}  // namespace

TEST_CASE("a London wall time is the instant its clocks show it, on the days they change too",
          "[calendar]") {
    // An ordinary winter and summer day.
    CHECK(at("2026-12-07", 8, 0) == utc(2026, 12, 7, 8, 0));
    CHECK(at("2026-07-01", 8, 0) == utc(2026, 7, 1, 7, 0));
    CHECK(at("2026-07-01", 0, 30) == utc(2026, 6, 30, 23, 30));
    // Spring, 29 March 2026 and 28 March 2027: 01:00 GMT becomes 02:00 BST, so 01:00 to 01:59
    // never show; they are the first instant after the gap, 01:00 UTC, when the clocks show 02:00.
    for (const auto& [day, d] : {std::pair{"2026-03-29", 29u}, std::pair{"2027-03-28", 28u}}) {
        const int y = day[3] == '6' ? 2026 : 2027;
        INFO(day);
        CHECK(at(day, 0, 30) == utc(y, 3, d, 0, 30));
        CHECK(at(day, 1, 0) == utc(y, 3, d, 1, 0));
        CHECK(at(day, 1, 30) == utc(y, 3, d, 1, 0));
        CHECK(at(day, 2, 0) == utc(y, 3, d, 1, 0));
        CHECK(at(day, 8, 0) == utc(y, 3, d, 7, 0));
    }
    // Autumn, 25 October 2026 and 31 October 2027: 02:00 BST becomes 01:00 GMT, so 01:00 to 01:59
    // show twice; the first (BST) is meant.
    for (const auto& [day, d] : {std::pair{"2026-10-25", 25u}, std::pair{"2027-10-31", 31u}}) {
        const int y = day[3] == '6' ? 2026 : 2027;
        INFO(day);
        CHECK(at(day, 0, 30) == utc(y, 10, d - 1, 23, 30));
        CHECK(at(day, 1, 0) == utc(y, 10, d, 0, 0));
        CHECK(at(day, 1, 30) == utc(y, 10, d, 0, 30));
        CHECK(at(day, 2, 0) == utc(y, 10, d, 2, 0));
        CHECK(at(day, 8, 0) == utc(y, 10, d, 8, 0));
    }
    // Every minute of both 2026 change days: the clocks show the wall time at the instant
    // (except in spring's gap), and no earlier instant shows it.
    for (const char* day : {"2026-03-29", "2026-10-25"})
        for (int m = 0; m < 24 * 60; ++m) {
            const auto t = at(day, m / 60, m % 60);
            const auto shown = london_date_time(t);
            const auto hhmm = std::string(m / 60 < 10 ? "0" : "") + std::to_string(m / 60) + ":" +
                              (m % 60 < 10 ? "0" : "") + std::to_string(m % 60);
            INFO(day << " " << hhmm << " -> " << shown);
            if (day[6] == '3' && m >= 60 && m < 120) {
                CHECK(shown.ends_with("02:00"));
                continue;
            }
            CHECK(shown.ends_with(hhmm));
            CHECK_FALSE(london_date_time(t - 3'600'000).ends_with(hhmm));
        }
}
