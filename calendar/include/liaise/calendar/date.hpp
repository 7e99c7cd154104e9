// Calendar dates as the minutes' clocks count them: a day with no time and no zone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace liaise::calendar {

/// A day in the proleptic Gregorian calendar.
using Date = std::chrono::year_month_day;

/// "2026-12-25" (ISO 8601, exactly ten characters) as a valid date; nullopt for anything else,
/// including 2026-02-30.
[[nodiscard]] std::optional<Date> parse_date(std::string_view iso);

/// "2026-12-25". Precondition: `date.ok()`.
[[nodiscard]] std::string iso_text(Date date);

/// True on Saturday and Sunday.
[[nodiscard]] bool is_weekend(Date date);

}  // namespace liaise::calendar
