// Working days in England and Wales: Monday to Friday, except bank holidays. Every function
// refuses ("calendar_not_covered") to count through a year its BankHolidays do not cover, so a
// missing year in the data shows up as a plain error, never as a deadline a day early.
#pragma once

#include "liaise/base/expected.hpp"
#include "liaise/calendar/bank_holidays.hpp"
#include "liaise/calendar/date.hpp"

namespace liaise::calendar {

/// True when `date` is neither a weekend nor a bank holiday.
[[nodiscard]] base::Expected<bool> is_working_day(const BankHolidays& holidays, Date date);

/// The `n`th working day after `from` ("within 5 working days of the meeting": the meeting's day
/// itself does not count, whether or not it is a working day). `n` = 0 gives `from` itself.
/// `n` must be from 0 to 366 ("calendar_bad_count" otherwise).
[[nodiscard]] base::Expected<Date> add_working_days(const BankHolidays& holidays, Date from, int n);

/// How many working days lie after `from` up to and including `to`: the n for which
/// add_working_days(from, n) is the last working day on or before `to`. Negative, counted the
/// same way backwards, when `to` is before `from`; 0 when they are the same day.
[[nodiscard]] base::Expected<int> working_days_between(const BankHolidays& holidays, Date from,
                                                       Date to);

}  // namespace liaise::calendar
