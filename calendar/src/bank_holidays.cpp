#include "liaise/calendar/bank_holidays.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace liaise::calendar {
namespace {

base::Error bad(std::string_view source, int line, const std::string& what) {
    return {"calendar_bad_data", std::string(source) + ":" + std::to_string(line) + ": " + what};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// A year of four digits, or -1.
int year_of(std::string_view s) {
    if (s.size() != 4)
        return -1;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

namespace detail {
// The shipped file's text (generated from calendar/data/ at build time: shipped_data.cpp.in).
std::string_view shipped_england_and_wales();
}  // namespace detail

base::Expected<BankHolidays> BankHolidays::parse(std::string_view text, std::string_view source) {
    BankHolidays out;
    bool have_covers = false;
    std::vector<std::pair<int, Date>> dates;  // line number, date: checked once covers is known
    int number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        const auto line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() == '#')
            continue;
        if (line.starts_with("covers ")) {
            if (have_covers)
                return bad(source, number, "a second 'covers' line");
            const auto rest = trim(line.substr(7));
            const auto space = rest.find(' ');
            const int first = year_of(rest.substr(0, space));
            const int last =
                space == std::string_view::npos ? -1 : year_of(trim(rest.substr(space + 1)));
            if (first < 1900 || last < first)
                return bad(source, number, "'covers' needs two years, FIRST LAST, in order");
            out.first_year_ = first;
            out.last_year_ = last;
            have_covers = true;
            continue;
        }
        const auto date = parse_date(line.substr(0, 10));
        if (!date)
            return bad(source, number, "expected a date (YYYY-MM-DD) and a name");
        const auto name = trim(line.substr(10));
        if (name.empty() || line[10] != ' ')
            return bad(source, number, "the date " + iso_text(*date) + " has no name");
        if (is_weekend(*date))
            return bad(source, number,
                       iso_text(*date) + " is a weekend: list the substitute day instead");
        if (!out.days_.emplace(std::chrono::sys_days{*date}, std::string(name)).second)
            return bad(source, number, iso_text(*date) + " is listed twice");
        dates.emplace_back(number, *date);
    }
    if (!have_covers)
        return base::Error{"calendar_bad_data",
                           std::string(source) + ": no 'covers FIRST LAST' line"};
    for (const auto& [line, date] : dates)
        if (!out.covers(date))
            return bad(source, line,
                       iso_text(date) + " is outside the years covered (" +
                           std::to_string(out.first_year_) + " to " +
                           std::to_string(out.last_year_) + ")");
    return out;
}

base::Expected<BankHolidays> BankHolidays::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return base::Error{"calendar_bad_data", file.string() + ": cannot be read"};
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string());
}

const BankHolidays& BankHolidays::england_and_wales() {
    // The shipped file is checked by the unit tests, so this cannot fail in a release.
    static const BankHolidays shipped = [] {
        auto parsed =
            parse(detail::shipped_england_and_wales(), "calendar/data/england-and-wales.txt");
        if (!parsed)
            throw std::logic_error(parsed.error().message);
        return std::move(parsed).value();
    }();
    return shipped;
}

bool BankHolidays::covers(Date date) const noexcept {
    const int y = static_cast<int>(date.year());
    return y >= first_year_ && y <= last_year_;
}

std::string_view BankHolidays::name(Date date) const {
    const auto it = days_.find(std::chrono::sys_days{date});
    return it == days_.end() ? std::string_view{} : std::string_view{it->second};
}

}  // namespace liaise::calendar
