// Bank holidays as data (calendar/data/england-and-wales.txt; the format is described at the
// top of that file): which days are not working days besides weekends, and which years the data
// covers completely.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "liaise/base/expected.hpp"
#include "liaise/calendar/date.hpp"

namespace liaise::calendar {

class BankHolidays {
  public:
    /// Parses the text of a bank holidays file. `source` names it in error messages. Fails with
    /// code "calendar_bad_data" on a missing or repeated `covers` line, a malformed line, an
    /// invalid date, a date on a weekend (list the substitute day instead), a date outside the
    /// covered years, or a date listed twice.
    [[nodiscard]] static base::Expected<BankHolidays> parse(std::string_view text,
                                                            std::string_view source);
    /// Reads and parses a file; an unreadable file is "calendar_bad_data" too.
    [[nodiscard]] static base::Expected<BankHolidays> load(const std::filesystem::path& file);
    /// The England and Wales list shipped in calendar/data/, compiled into the library.
    [[nodiscard]] static const BankHolidays& england_and_wales();

    [[nodiscard]] int first_year() const noexcept { return first_year_; }
    [[nodiscard]] int last_year() const noexcept { return last_year_; }
    /// True when `date`'s year is one the data lists completely.
    [[nodiscard]] bool covers(Date date) const noexcept;
    /// The holiday's name ("Boxing Day (substitute day)"), or empty when `date` is not one.
    [[nodiscard]] std::string_view name(Date date) const;
    [[nodiscard]] bool is_holiday(Date date) const { return !name(date).empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return days_.size(); }

  private:
    BankHolidays() = default;
    int first_year_ = 0;
    int last_year_ = -1;
    std::map<std::chrono::sys_days, std::string> days_;
};

}  // namespace liaise::calendar
