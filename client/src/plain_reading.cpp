#include "plain_reading.hpp"

#include <cmath>

#include "liaise/client/display.hpp"

namespace liaise::client {
namespace {

/// A reading age in words: "about 14", or "18 or over" for adult text.
std::string years(double age) {
    const auto rounded = static_cast<long>(std::lround(age));
    return rounded >= 18 ? "18 or over" : "about " + std::to_string(rounded);
}

/// The first `limit` bytes of `s`, cut at a space and at a whole UTF-8 character, with "…".
std::string shortened(std::string_view s, std::size_t limit) {
    if (s.size() <= limit)
        return std::string(s);
    auto cut = s.substr(0, limit).rfind(' ');
    if (cut == std::string_view::npos || cut < limit / 2) {
        cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
            --cut;
    }
    return std::string(s.substr(0, cut)) + "\u2026";
}

/// The lines for a reading age of `overall` years, above the aim or not, with the hardest
/// sentences as (their reading age, their text).
std::vector<std::string> lines(double overall, bool above_aim,
                               const std::vector<std::pair<double, std::string_view>>& hardest) {
    std::vector<std::string> out;
    if (!above_aim) {
        out.push_back("Reading age " + years(overall) + ": within the aim for families (9 to 11).");
        return out;
    }
    out.push_back("Reading age " + years(overall) +
                  ": the aim for families is 9 to 11. The sentences that raise it most:");
    for (const auto& [age, sentence] : hardest)
        out.push_back(display_line("  [" + years(age) + "] " + shortened(sentence, 90)));
    return out;
}

}  // namespace

std::vector<std::string> reading_age_lines(std::string_view text, const jargon::ReadingAge& age) {
    std::vector<std::pair<double, std::string_view>> hardest;
    for (const auto& s : age.hardest)
        hardest.emplace_back(s.reading_age, text.substr(s.start, s.end - s.start));
    return lines(age.years, age.above_aim(), hardest);
}

std::vector<std::string> reading_age_lines(const boost::json::object& age) {
    const auto number = [](const boost::json::value* v) {
        return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
    };
    std::vector<std::pair<double, std::string_view>> hardest;
    if (const auto* list = age.if_contains("hardest"); list != nullptr && list->is_array())
        for (const auto& v : list->get_array())
            if (const auto* s = v.if_object(); s != nullptr)
                if (const auto* t = s->if_contains("text"); t != nullptr && t->is_string())
                    hardest.emplace_back(number(s->if_contains("reading_age")), t->get_string());
    const auto* above = age.if_contains("above_aim");
    return lines(number(age.if_contains("years")),
                 above != nullptr && above->is_bool() && above->get_bool(), hardest);
}

}  // namespace liaise::client
