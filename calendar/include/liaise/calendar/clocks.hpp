// Circulation clocks: how many working days after a meeting (or after receiving its record) each
// output of the meeting is due, set per agency and per meeting kind.
//
// Defaults follow common local procedures collated in shared notes on UK practice (R4, R5):
// decision summary within 1 working day (North Yorkshire, Sussex), outline plan within 5 (Wales,
// South Ayrshire), full record within 15 (North Yorkshire; 10 to 20 elsewhere), accuracy comments
// within 10 of receiving the record (Wales). Working Together 2023 leaves these timescales to
// local procedures, hence the settings file.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "liaise/base/expected.hpp"
#include "liaise/calendar/bank_holidays.hpp"
#include "liaise/calendar/date.hpp"

namespace liaise::calendar {

enum class Clock { decision_summary, outline_plan, full_record, accuracy_comments };
inline constexpr std::array kClocks = {Clock::decision_summary, Clock::outline_plan,
                                       Clock::full_record, Clock::accuracy_comments};

/// "decision_summary", "outline_plan", "full_record", "accuracy_comments": the settings' keys.
[[nodiscard]] std::string_view clock_name(Clock clock) noexcept;
[[nodiscard]] std::optional<Clock> clock_from_name(std::string_view name) noexcept;
/// "Decision summary", ...: for people.
[[nodiscard]] std::string_view clock_label(Clock clock) noexcept;

/// Working days for each clock; an unset clock does not apply (or is not overridden).
struct ClockDays {
    std::array<std::optional<int>, kClocks.size()> days{};
    [[nodiscard]] std::optional<int> get(Clock c) const { return days[static_cast<int>(c)]; }
    void set(Clock c, std::optional<int> d) { days[static_cast<int>(c)] = d; }
    /// Each clock set in `over` replaces this one's.
    void overlay(const ClockDays& over);
};

/// 1, 5, 15 and 10 working days.
[[nodiscard]] ClockDays default_clock_days();

/// The deadline of a clock of `days` working days started on `start`.
[[nodiscard]] base::Expected<Date> due_date(const BankHolidays& holidays, Date start, int days);

/// The clocks a deployment sets, from a TOML settings file:
///
///     [default]                      # every agency; overrides the kinds' own clocks
///     full_record = 20
///     [default.kinds.core-group]     # one kind, every agency
///     full_record = 10
///     [agencies."Riverside Council"] # one agency, every kind
///     outline_plan = 3
///     [agencies."Riverside Council".kinds.marac]
///     decision_summary = 1
///
/// Each value is a whole number of working days from 0 to 60.
class ClockSettings {
  public:
    /// Says whether a kind id is known; the loader refuses others.
    using KnownKind = std::function<bool(std::string_view)>;

    /// No overrides: each kind keeps its own clocks.
    ClockSettings() = default;
    /// Fails with "calendar_bad_config" and a message naming the file, the line, the table and
    /// the key ("clocks.toml: line 4: default.full_record must be ...") for a TOML syntax error,
    /// an unknown key or kind, or a value that is not 0 to 60.
    [[nodiscard]] static base::Expected<ClockSettings> parse(std::string_view toml,
                                                             std::string_view source,
                                                             const KnownKind& known_kind);
    [[nodiscard]] static base::Expected<ClockSettings> load(const std::filesystem::path& file,
                                                            const KnownKind& known_kind);

    /// The clocks for a meeting of `kind` held by `agency`: `kind_defaults` (the kind's own),
    /// overlaid by [default], [default.kinds.KIND], [agencies.AGENCY], then
    /// [agencies.AGENCY.kinds.KIND], each more specific one winning. Agency names match
    /// case-insensitively, as agency names do elsewhere.
    [[nodiscard]] ClockDays resolve(std::string_view agency, std::string_view kind,
                                    const ClockDays& kind_defaults) const;

  private:
    struct Scope {
        ClockDays all;
        std::map<std::string, ClockDays, std::less<>> kinds;
    };
    Scope defaults_;
    std::map<std::string, Scope, std::less<>> agencies_;  // keyed by lower-cased name
};

}  // namespace liaise::calendar
