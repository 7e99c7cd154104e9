// Internal: a meeting's circulation clocks (calendar/clocks.hpp) as this deployment sets them:
// the meeting kind's own clocks (meeting_kinds/data/kinds.toml) overlaid by the operator's
// settings file (`clocks = "FILE"` in the server's config; docs/operator.md) for the agency the
// meeting belongs to. Every deadline the server states — `deadlines` in meeting_show and
// meeting_list, the due list, the accuracy comment window and its refusal, the chairs' reminder
// emails — starts from a MeetingClocks, and meeting_clocks() is the only way to make one, so no
// two of them can disagree. Thread-safety: no shared mutable state.
#pragma once

#include <string>
#include <string_view>

#include "liaise/calendar/clocks.hpp"
#include "store/repo/types.hpp"

namespace liaise::server {

namespace store {
class AccountsView;
}

/// The clocks of one meeting, and the agency they were looked up for.
class MeetingClocks {
  public:
    /// Working days of each clock; an unset one does not apply to the meeting.
    [[nodiscard]] const calendar::ClockDays& days() const noexcept { return days_; }
    /// The agency whose settings apply: the chair's; empty for none (the defaults apply).
    [[nodiscard]] const std::string& agency() const noexcept { return agency_; }

  private:
    MeetingClocks(calendar::ClockDays days, std::string agency)
        : days_(days), agency_(std::move(agency)) {}
    friend MeetingClocks meeting_clocks(const store::AccountsView& accounts,
                                        const calendar::ClockSettings& settings,
                                        std::string_view kind, store::Id chair);
    calendar::ClockDays days_;
    std::string agency_;
};

/// The clocks of a meeting of `kind` chaired by `chair`. A meeting records no agency of its
/// own: it is held by its chair's agency as the chair's account names it now (so a chair who
/// moves agency moves the clocks of the meetings they chair). A chair whose account is gone,
/// or an agency the settings do not name, gets the settings' [default] tables. A kind the
/// shipped catalogue no longer has counts as "other" (minutes_template::kind_of).
[[nodiscard]] MeetingClocks meeting_clocks(const store::AccountsView& accounts,
                                           const calendar::ClockSettings& settings,
                                           std::string_view kind, store::Id chair);

}  // namespace liaise::server
