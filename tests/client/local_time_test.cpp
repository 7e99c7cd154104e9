// Times as people in the UK read them (client/include/liaise/client/local_time.hpp): the zone
// chosen when the machine names none, and the formats, in a zone set for the test.
#include "liaise/client/local_time.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

using namespace liaise::client;

namespace {

/// Sets TZ for one test and puts back what was there (the process's zone is shared).
class ZoneForTest {
  public:
    explicit ZoneForTest(const std::string& zone) {
        if (const char* was = std::getenv("TZ"))
            was_ = was;
        ::setenv("TZ", zone.c_str(), 1);
        ::tzset();
    }
    ~ZoneForTest() {
        if (was_)
            ::setenv("TZ", was_->c_str(), 1);
        else
            ::unsetenv("TZ");
        ::tzset();
    }
    ZoneForTest(const ZoneForTest&) = delete;
    ZoneForTest& operator=(const ZoneForTest&) = delete;

  private:
    std::optional<std::string> was_;
};

constexpr std::int64_t kSummerNoon = 1782907200000;     // 2026-07-01 12:00 UTC
constexpr std::int64_t kWinterEvening = 1796593200000;  // 2026-12-06 21:40 UTC
constexpr std::int64_t kSummerLate = 1782948600000;     // 2026-07-01 23:30 UTC

}  // namespace

TEST_CASE("the UK's zone is used only when neither $TZ nor the system names one", "[local_time]") {
    // The zone lookup is injected: no test touches /etc/localtime.
    CHECK(zone_to_set(nullptr, false) == std::optional<std::string>(std::string(kUkZone)));
    CHECK(zone_to_set("", false) == std::optional<std::string>(std::string(kUkZone)));
    CHECK(zone_to_set(nullptr, true) == std::nullopt);          // the system's zone
    CHECK(zone_to_set("Europe/Paris", false) == std::nullopt);  // $TZ wins
    CHECK(zone_to_set("UTC", true) == std::nullopt);
}

TEST_CASE("with no zone configured, times follow the UK's clocks", "[local_time]") {
    const ZoneForTest zone(*zone_to_set(nullptr, false));
    CHECK(local_clock(kSummerNoon) == "13:00");     // BST, an hour ahead of UTC
    CHECK(local_clock(kWinterEvening) == "21:40");  // GMT
    // The changes: 01:00 UTC on the last Sunday of March and of October.
    CHECK(local_date_time(1774745940000) == "29 Mar 2026 00:59");
    CHECK(local_date_time(1774746000000) == "29 Mar 2026 02:00");
    CHECK(local_date_time(1792889940000) == "25 Oct 2026 01:59");
    CHECK(local_date_time(1792890000000) == "25 Oct 2026 01:00");
}

TEST_CASE("dates and times read day first, month in words", "[local_time]") {
    const ZoneForTest zone("UTC0");
    CHECK(local_clock(kWinterEvening) == "21:40");
    CHECK(local_date(kWinterEvening) == "6 Dec 2026");
    CHECK(local_date_time(kWinterEvening) == "6 Dec 2026 21:40");
    CHECK(local_date_time(kSummerNoon + 5 * 60000) == "1 Jul 2026 12:05");
    CHECK(local_day_heading(kWinterEvening) == "Sunday 6 December 2026");
    CHECK(local_clock(0) == "00:00");
    CHECK(local_date(-1) == "31 Dec 1969");  // a moment before 1970 is not rounded up
}

TEST_CASE("dates typed on the wire are shown in the same order, not moved between zones",
          "[local_time]") {
    const ZoneForTest zone("NZST-12");  // a calendar date names a day wherever one reads it
    const auto [wire, shown] = GENERATE(table<std::string, std::string>({
        {"2026-12-04", "4 Dec 2026"},
        {"2030-01-31", "31 Jan 2030"},
        {"2028-02-29", "29 Feb 2028"},
        {"2026-12-06 10:00", "6 Dec 2026 10:00"},
        {"2026-12-06T09:30", "6 Dec 2026 09:30"},
        {"2026-12-06 09:30:15", "6 Dec 2026 09:30"},
        // Not a date: as it came.
        {"2027-02-29", "2027-02-29"},
        {"2026-13-01", "2026-13-01"},
        {"2026-12-32", "2026-12-32"},
        {"2026-12-06 25:00", "2026-12-06 25:00"},
        {"2026-12-06 10:00 and more", "2026-12-06 10:00 and more"},
        {"next Tuesday", "next Tuesday"},
        {"", ""},
    }));
    CAPTURE(wire);
    CHECK(calendar_text(wire) == shown);
}

TEST_CASE("a timeline has a heading for each local day", "[local_time]") {
    const ZoneForTest zone{std::string(kUkZone)};
    DayHeadings days;
    CHECK(days.next(kSummerNoon) ==
          std::optional<std::string>("\u2014 Wednesday 1 July 2026 \u2014"));
    CHECK(days.next(kSummerNoon + 3600000) == std::nullopt);
    // 23:30 UTC is 00:30 the next day in London: a new day there, though not in UTC.
    CHECK(days.next(kSummerLate) ==
          std::optional<std::string>("\u2014 Thursday 2 July 2026 \u2014"));
    CHECK(days.next(kSummerLate + 60000) == std::nullopt);
    CHECK(days.next(kWinterEvening) ==
          std::optional<std::string>("\u2014 Sunday 6 December 2026 \u2014"));
}
