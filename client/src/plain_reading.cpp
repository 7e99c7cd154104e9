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

}  // namespace

std::vector<std::string> reading_age_lines(std::string_view text, const jargon::ReadingAge& age) {
    std::vector<std::string> out;
    if (!age.above_aim()) {
        out.push_back("Reading age " + years(age.years) +
                      ": within the aim for families (9 to 11).");
        return out;
    }
    out.push_back("Reading age " + years(age.years) +
                  ": the aim for families is 9 to 11. The sentences that raise it most:");
    for (const auto& s : age.hardest)
        out.push_back(display_line("  [" + years(s.reading_age) + "] " +
                                   shortened(text.substr(s.start, s.end - s.start), 90)));
    return out;
}

}  // namespace liaise::client
