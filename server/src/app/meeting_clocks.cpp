#include "app/meeting_clocks.hpp"

#include "app/minutes_template.hpp"
#include "store/repo/accounts.hpp"

namespace liaise::server {

MeetingClocks meeting_clocks(const store::AccountsView& accounts,
                             const calendar::ClockSettings& settings, std::string_view kind,
                             store::Id chair) {
    const auto& k = minutes_template::kind_of(kind);
    const auto account = accounts.by_id(chair);
    auto agency = account ? account->agency : std::string();
    // The catalogue's lookup, as every other reader of clocks uses; kind_of() made it known.
    auto days = meeting_kinds::Catalogue::shipped().clocks(k.id, agency, settings);
    return {days.value_or(k.clocks), std::move(agency)};
}

}  // namespace liaise::server
