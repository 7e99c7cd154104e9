#include "liaise/calendar/working_days.hpp"

#include <string>

namespace liaise::calendar {
namespace {

base::Error not_covered(const BankHolidays& holidays, Date date) {
    return {"calendar_not_covered",
            "the bank holidays for " + std::to_string(static_cast<int>(date.year())) +
                " are not in the calendar data (it covers " +
                std::to_string(holidays.first_year()) + " to " +
                std::to_string(holidays.last_year()) +
                "); the operator can update it (docs/operator.md, \"Bank holidays\")"};
}

}  // namespace

base::Expected<bool> is_working_day(const BankHolidays& holidays, Date date) {
    if (!date.ok())
        return base::Error{"calendar_bad_date", "that is not a date in the calendar"};
    if (!holidays.covers(date))
        return not_covered(holidays, date);
    return !is_weekend(date) && !holidays.is_holiday(date);
}

base::Expected<Date> add_working_days(const BankHolidays& holidays, Date from, int n) {
    if (n < 0 || n > 366)
        return base::Error{"calendar_bad_count", "a number of working days must be from 0 to 366"};
    if (!from.ok())
        return base::Error{"calendar_bad_date", "that is not a date in the calendar"};
    std::chrono::sys_days day{from};
    while (n > 0) {
        day += std::chrono::days{1};
        const auto working = is_working_day(holidays, Date{day});
        if (!working)
            return working.error();
        if (working.value())
            --n;
    }
    return Date{day};
}

base::Expected<int> working_days_between(const BankHolidays& holidays, Date from, Date to) {
    if (!from.ok() || !to.ok())
        return base::Error{"calendar_bad_date", "that is not a date in the calendar"};
    const std::chrono::sys_days a{from}, b{to};
    const bool backwards = b < a;
    const auto lo = backwards ? b : a, hi = backwards ? a : b;
    if (!holidays.covers(Date{lo}))
        return not_covered(holidays, Date{lo});
    if (!holidays.covers(Date{hi}))
        return not_covered(holidays, Date{hi});
    int count = 0;
    for (auto day = lo + std::chrono::days{1}; day <= hi; day += std::chrono::days{1})
        if (is_working_day(holidays, Date{day}).value())
            ++count;
    return backwards ? -count : count;
}

}  // namespace liaise::calendar
