#include "liaise/client/local_time.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <system_error>

namespace liaise::client {
namespace {

constexpr const char* kShortMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

std::tm local(std::int64_t ms) {
    // Floor, not truncation, so that a moment before 1970 is not pulled a second later.
    const auto t = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

std::string two(int n) {
    return {static_cast<char>('0' + n / 10 % 10), static_cast<char>('0' + n % 10)};
}

std::string clock_of(const std::tm& tm) {
    return two(tm.tm_hour) + ":" + two(tm.tm_min);
}

std::string date_of(const std::tm& tm) {
    return std::to_string(tm.tm_mday) + " " + kShortMonths[tm.tm_mon] + " " +
           std::to_string(tm.tm_year + 1900);
}

/// The number `n` digits long at `s[from]`, or -1.
int digits(std::string_view s, std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

}  // namespace

std::optional<std::string> zone_to_set(const char* tz, bool has_system_zone) {
    if ((tz != nullptr && *tz != '\0') || has_system_zone)
        return std::nullopt;
    return std::string(kUkZone);
}

void use_local_zone() {
    std::error_code ec;
    const bool system = std::filesystem::exists("/etc/localtime", ec);
    if (const auto zone = zone_to_set(std::getenv("TZ"), system))
        ::setenv("TZ", zone->c_str(), 1);
    ::tzset();
}

std::string local_clock(std::int64_t ms) {
    return clock_of(local(ms));
}

std::string local_date(std::int64_t ms) {
    return date_of(local(ms));
}

std::string local_date_time(std::int64_t ms) {
    const auto tm = local(ms);
    return date_of(tm) + " " + clock_of(tm);
}

std::string local_day_heading(std::int64_t ms) {
    const auto tm = local(ms);
    return std::string(kDays[tm.tm_wday]) + " " + std::to_string(tm.tm_mday) + " " +
           kMonths[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900);
}

std::string calendar_text(std::string_view date) {
    if (date.size() < 10 || date[4] != '-' || date[7] != '-')
        return std::string(date);
    const int year = digits(date, 0, 4), month = digits(date, 5, 2), day = digits(date, 8, 2);
    static constexpr int kLength[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > kLength[month - 1] ||
        (month == 2 && day == 29 && !leap(year)))
        return std::string(date);
    std::string out =
        std::to_string(day) + " " + kShortMonths[month - 1] + " " + std::string(date.substr(0, 4));
    if (date.size() == 10)
        return out;
    // "2026-12-06 10:00" or "2026-12-06T10:00", seconds allowed and left out.
    const auto rest = date.substr(10);
    if ((rest.size() == 6 || rest.size() == 9) && (rest[0] == ' ' || rest[0] == 'T') &&
        rest[3] == ':' && (rest.size() == 6 || rest[6] == ':')) {
        const int hour = digits(rest, 1, 2), minute = digits(rest, 4, 2);
        const int second = rest.size() == 9 ? digits(rest, 7, 2) : 0;
        if (hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60)
            return out + " " + std::string(rest.substr(1, 5));
    }
    return std::string(date);
}

std::optional<std::string> DayHeadings::next(std::int64_t ms) {
    const auto tm = local(ms);
    const long day = static_cast<long>(tm.tm_year) * 1000 + tm.tm_yday;
    if (last_day_ == day)
        return std::nullopt;
    last_day_ = day;
    return "\u2014 " + local_day_heading(ms) + " \u2014";
}

}  // namespace liaise::client
