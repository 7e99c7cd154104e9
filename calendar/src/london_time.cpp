#include "liaise/calendar/london_time.hpp"

#include <array>

namespace liaise::calendar {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 12> kShortMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

/// 01:00 UTC on the last Sunday of `m` in `y`.
sys_seconds change_at(year y, month m) {
    return sys_days{year_month_weekday_last{y, m, weekday_last{Sunday}}} + hours{1};
}

sys_seconds to_seconds(std::int64_t ms) {
    // Floor, so that an instant just before a whole second is not pulled forward.
    return sys_seconds{seconds{ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)}};
}

std::string two(long v) {
    return {static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)};
}

}  // namespace

minutes london_offset(sys_seconds instant) {
    const year y = year_month_day{floor<days>(instant)}.year();
    const bool summer = instant >= change_at(y, March) && instant < change_at(y, October);
    return summer ? minutes{60} : minutes{0};
}

sys_seconds london_instant(Date day, int wall) {
    const sys_seconds local{sys_days{day} + minutes{wall}};  // the wall time read as UTC
    // The instants that could show it are `local` less one of the two offsets; one shows it
    // when the offset in force there is the one taken off. The earlier first: in autumn both
    // do, and the first of the two is wanted.
    for (const minutes offset : {minutes{60}, minutes{0}})
        if (london_offset(local - offset) == offset)
            return local - offset;
    // Neither: the wall time is in spring's gap, which lies between them. The first instant
    // after it is the change itself: the first second from `local - 1h` on in BST.
    sys_seconds lo = local - minutes{60}, hi = local;  // GMT at lo, BST at hi
    while (hi - lo > seconds{1}) {
        const auto mid = lo + (hi - lo) / 2;
        (london_offset(mid) == minutes{60} ? hi : lo) = mid;
    }
    return hi;
}

Date london_date(std::int64_t ms) {
    const auto t = to_seconds(ms);
    return Date{floor<days>(t + london_offset(t))};
}

std::string uk_date(Date date) {
    return std::to_string(static_cast<unsigned>(date.day())) + " " +
           kShortMonths[static_cast<unsigned>(date.month()) - 1] + " " +
           std::to_string(static_cast<int>(date.year()));
}

std::string uk_long_date(Date date) {
    const weekday wd{sys_days{date}};
    return std::string(kDays[wd.c_encoding()]) + " " +
           std::to_string(static_cast<unsigned>(date.day())) + " " +
           kMonths[static_cast<unsigned>(date.month()) - 1] + " " +
           std::to_string(static_cast<int>(date.year()));
}

std::string london_date_time(std::int64_t ms) {
    const auto t = to_seconds(ms);
    const auto local = t + london_offset(t);
    const auto day = floor<days>(local);
    const hh_mm_ss clock{local - day};
    return uk_date(Date{day}) + " " + two(clock.hours().count()) + ":" +
           two(clock.minutes().count());
}

}  // namespace liaise::calendar
