// Times as a person in the UK reads them: local time, day before month ("6 Dec 2026 21:40").
// The wire and --json keep milliseconds and ISO 8601 UTC; these are only for what is printed.
//
// "Local" is the C library's local time zone (localtime_r): $TZ when it is set, else the
// system's (/etc/localtime), and the UK's rules when the machine names no zone at all
// (use_local_zone()). Month and day names are English whatever the locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace liaise::client {

/// The UK's rules as a POSIX TZ value (GMT in winter, BST = UTC+1 from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October): right since 1996, and needs no
/// time zone database on the machine.
inline constexpr std::string_view kUkZone = "GMT0BST,M3.5.0/1,M10.5.0";

/// Which zone to set in TZ before showing local times, given $TZ (`tz`, nullptr when unset) and
/// whether the machine has a system zone (`has_system_zone`: /etc/localtime exists). nullopt
/// means "leave it": $TZ is set (and not empty), or the system zone applies. When neither names
/// a zone, kUkZone: people reading Liaise are in the UK, and UTC would be an hour out all summer.
[[nodiscard]] std::optional<std::string> zone_to_set(const char* tz, bool has_system_zone);

/// Sets TZ as zone_to_set() says for this process's environment and /etc/localtime, then
/// tzset(). Call once at the start of main, before any thread starts (it changes the
/// environment).
void use_local_zone();

/// "21:40": the local time of day of `ms` (milliseconds since the epoch), 24-hour clock.
[[nodiscard]] std::string local_clock(std::int64_t ms);
/// "6 Dec 2026": the local date of `ms`.
[[nodiscard]] std::string local_date(std::int64_t ms);
/// "6 Dec 2026 21:40": the local date and time of `ms`, for a time shown on its own (a device's
/// enrolment, a dictionary version, an audit record).
[[nodiscard]] std::string local_date_time(std::int64_t ms);
/// "Sunday 6 December 2026": the heading over a day's messages in a timeline.
[[nodiscard]] std::string local_day_heading(std::int64_t ms);

/// A date or date and time as people type them on the wire ("2026-12-04", "2026-12-06 10:00",
/// "2026-12-06T10:00"), in the same order as the rest: "4 Dec 2026", "6 Dec 2026 10:00". Not
/// converted between zones: such a date names a day, and a meeting's time is the wall-clock time
/// the chair gave. Anything else (not a valid date) is returned as it came.
[[nodiscard]] std::string calendar_text(std::string_view date);

/// Day headings for a timeline of messages shown one after another (`liaise read`, `chat`),
/// whose lines then show only the time ("#12 21:40 Bea Patel (Riverside Primary): …"). next()
/// gives the line to show before the first message and before each whose local day differs
/// from that of the message before it, "— Sunday 6 December 2026 —"; nullopt
/// otherwise. Not thread-safe: one per timeline.
class DayHeadings {
  public:
    [[nodiscard]] std::optional<std::string> next(std::int64_t ms);

  private:
    std::optional<long> last_day_;  // year * 1000 + day of the year, local
};

}  // namespace liaise::client
