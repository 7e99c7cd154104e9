#include "liaise/calendar/date.hpp"

namespace liaise::calendar {
namespace {

int digits(std::string_view s, std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::string pad(int v, int width) {
    auto s = std::to_string(v);
    while (static_cast<int>(s.size()) < width)
        s.insert(s.begin(), '0');
    return s;
}

}  // namespace

std::optional<Date> parse_date(std::string_view iso) {
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-')
        return std::nullopt;
    const int y = digits(iso, 0, 4), m = digits(iso, 5, 2), d = digits(iso, 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return std::nullopt;
    const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!date.ok())
        return std::nullopt;
    return date;
}

std::string iso_text(Date date) {
    return pad(static_cast<int>(date.year()), 4) + "-" +
           pad(static_cast<int>(static_cast<unsigned>(date.month())), 2) + "-" +
           pad(static_cast<int>(static_cast<unsigned>(date.day())), 2);
}

bool is_weekend(Date date) {
    const std::chrono::weekday wd{std::chrono::sys_days{date}};
    return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

}  // namespace liaise::calendar
