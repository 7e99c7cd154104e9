#include "liaise/calendar/clocks.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "liaise/calendar/working_days.hpp"

namespace liaise::calendar {
namespace {

constexpr std::array<std::string_view, kClocks.size()> kNames = {
    "decision_summary", "outline_plan", "full_record", "accuracy_comments"};
constexpr std::array<std::string_view, kClocks.size()> kLabels = {
    "Decision summary", "Outline plan", "Full record", "Accuracy comments"};
constexpr int kMaxDays = 60;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// "line N: ", where `node` starts in the file; empty when the parser kept no position.
std::string line_of(const toml::node& node) {
    const auto line = node.source().begin.line;
    return line == 0 ? std::string() : "line " + std::to_string(line) + ": ";
}

/// Reads a table of clock values (and, when `kinds` is not null, a `kinds` sub-table of them)
/// into `scope`; returns the problem, starting with its line, or empty.
struct Reader {
    std::string_view source;
    const ClockSettings::KnownKind& known_kind;

    std::string clocks(const toml::table& table, const std::string& where, ClockDays& into,
                       std::map<std::string, ClockDays, std::less<>>* kinds) const {
        for (const auto& [key, node] : table) {
            const std::string_view k = key.str();
            if (k == "kinds" && kinds != nullptr) {
                const auto* sub = node.as_table();
                if (sub == nullptr)
                    return line_of(node) + where + ".kinds must be a table of meeting kinds";
                for (const auto& [kind, kind_node] : *sub) {
                    const std::string name(kind.str());
                    if (!known_kind(name))
                        return line_of(kind_node) + where + ".kinds: '" + name +
                               "' is not a meeting kind";
                    const auto* kt = kind_node.as_table();
                    if (kt == nullptr)
                        return line_of(kind_node) + where + ".kinds." + name +
                               " must be a table of clocks";
                    auto problem = clocks(*kt, where + ".kinds." + name, (*kinds)[name], nullptr);
                    if (!problem.empty())
                        return problem;
                }
                continue;
            }
            const auto clock = clock_from_name(k);
            if (!clock)
                return line_of(node) + where + ": unknown setting '" + std::string(k) +
                       "' (the clocks are decision_summary, outline_plan, full_record and "
                       "accuracy_comments)";
            const auto v = node.value<std::int64_t>();
            if (!node.is_integer() || !v || *v < 0 || *v > kMaxDays)
                return line_of(node) + where + "." + std::string(k) +
                       " must be a whole number of working days " + "from 0 to " +
                       std::to_string(kMaxDays);
            into.set(*clock, static_cast<int>(*v));
        }
        return {};
    }
};

}  // namespace

std::string_view clock_name(Clock clock) noexcept {
    return kNames[static_cast<int>(clock)];
}

std::optional<Clock> clock_from_name(std::string_view name) noexcept {
    for (const auto c : kClocks)
        if (kNames[static_cast<int>(c)] == name)
            return c;
    return std::nullopt;
}

std::string_view clock_label(Clock clock) noexcept {
    return kLabels[static_cast<int>(clock)];
}

void ClockDays::overlay(const ClockDays& over) {
    for (std::size_t i = 0; i < days.size(); ++i)
        if (over.days[i])
            days[i] = over.days[i];
}

ClockDays default_clock_days() {
    ClockDays d;
    d.set(Clock::decision_summary, 1);
    d.set(Clock::outline_plan, 5);
    d.set(Clock::full_record, 15);
    d.set(Clock::accuracy_comments, 10);
    return d;
}

base::Expected<Date> due_date(const BankHolidays& holidays, Date start, int days) {
    return add_working_days(holidays, start, days);
}

base::Expected<ClockSettings> ClockSettings::parse(std::string_view text, std::string_view source,
                                                   const KnownKind& known_kind) {
    const auto fail = [&](const std::string& what) {
        return base::Error{"calendar_bad_config", std::string(source) + ": " + what};
    };
    toml::table table;
    try {
        table = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        return fail("line " + std::to_string(e.source().begin.line) + ": " +
                    std::string(e.description()));
    }
    ClockSettings out;
    const Reader reader{source, known_kind};
    for (const auto& [key, node] : table) {
        const std::string_view k = key.str();
        const auto* sub = node.as_table();
        if (k == "default") {
            if (sub == nullptr)
                return fail(line_of(node) + "[default] must be a table");
            auto problem = reader.clocks(*sub, "default", out.defaults_.all, &out.defaults_.kinds);
            if (!problem.empty())
                return fail(problem);
        } else if (k == "agencies") {
            if (sub == nullptr)
                return fail(line_of(node) + "[agencies] must be a table of agencies");
            for (const auto& [agency, agency_node] : *sub) {
                const std::string name(agency.str());
                const auto* at = agency_node.as_table();
                if (at == nullptr || name.empty())
                    return fail(line_of(agency_node) + "agencies.\"" + name +
                                "\" must be a table of clocks");
                auto& scope = out.agencies_[lower(name)];
                auto problem =
                    reader.clocks(*at, "agencies.\"" + name + "\"", scope.all, &scope.kinds);
                if (!problem.empty())
                    return fail(problem);
            }
        } else {
            return fail(line_of(node) + "unknown table '" + std::string(k) +
                        "' (expected [default] or [agencies])");
        }
    }
    return out;
}

base::Expected<ClockSettings> ClockSettings::load(const std::filesystem::path& file,
                                                  const KnownKind& known_kind) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return base::Error{"calendar_bad_config", file.string() + ": cannot be read"};
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), file.string(), known_kind);
}

ClockDays ClockSettings::resolve(std::string_view agency, std::string_view kind,
                                 const ClockDays& kind_defaults) const {
    ClockDays out = kind_defaults;
    const auto apply = [&](const Scope& scope) {
        out.overlay(scope.all);
        if (const auto it = scope.kinds.find(kind); it != scope.kinds.end())
            out.overlay(it->second);
    };
    apply(defaults_);
    if (const auto it = agencies_.find(lower(agency)); it != agencies_.end())
        apply(it->second);
    return out;
}

}  // namespace liaise::calendar
