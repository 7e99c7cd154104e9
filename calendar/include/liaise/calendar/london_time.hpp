// Dates and times for people in England and Wales: Europe/London local time (GMT in winter,
// BST = UTC+1 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
// October, the rule in force since 1996), day before month. Computed here rather than through
// the C library's TZ, so it is thread-safe and right on a machine set to any zone. Not for
// instants before 1996.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "liaise/calendar/date.hpp"

namespace liaise::calendar {

/// The offset of London's clocks from UTC at `instant`: 0 or 1 hour.
[[nodiscard]] std::chrono::minutes london_offset(std::chrono::sys_seconds instant);

/// The instant at which London's clocks show `minutes` (0 to 1439) past midnight on `day`.
/// Exact on the days the clocks change: for a wall time that does not exist (01:00 to 01:59 on
/// the last Sunday of March) the first instant after the gap (01:00 UTC, when the clocks show
/// 02:00); for one that happens twice (01:00 to 01:59 on the last Sunday of October) the first
/// of the two (still BST).
[[nodiscard]] std::chrono::sys_seconds london_instant(Date day, int minutes);

/// The London calendar day of `ms` (milliseconds since the Unix epoch).
[[nodiscard]] Date london_date(std::int64_t ms);

/// "25 Dec 2026".
[[nodiscard]] std::string uk_date(Date date);
/// "Friday 25 December 2026".
[[nodiscard]] std::string uk_long_date(Date date);
/// "6 Dec 2026 21:40": London's date and 24-hour time of `ms`.
[[nodiscard]] std::string london_date_time(std::int64_t ms);

}  // namespace liaise::calendar
