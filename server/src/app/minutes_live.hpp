// Internal: the live `minutes_changed` event (PROTOCOL.md, "Events"), so that everyone looking
// at a meeting sees an edit without reloading.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/repo/accounts.hpp"
#include "store/repo/rooms.hpp"

namespace liaise::server {

struct Outcome;

/// Where a minutes write happened and who made it.
struct MinutesEdit {
    std::int64_t room_id = 0;
    std::string_view room;
    std::int64_t meeting = 0;
    std::int64_t version = 0;  ///< the version edited; 0 when an action alone changed
    std::int64_t by = 0;       ///< the account that made the change
    std::int64_t action = 0;   ///< the action changed, if that is what changed
};

/// Inside a write unit that changed a meeting's minutes (or an action on them): queues the live
/// event `minutes_changed` for the room's members as they are now (in the unit, so as they are
/// at its commit), delivered once the unit commits (Outcome::live). The minutes handlers call it
/// only through their save path (minutes_records.hpp: save_edit, edited, save_action), so that
/// no edit can forget it. The event carries identifiers only ("meeting", "room", "by", and
/// "version" or "action" when known), never minutes text: a client that wants the change fetches it
/// with `meeting_show`, which checks that it may. Nothing is stored.
void minutes_changed(const store::RoomsView& rooms, const store::AccountsView& accounts,
                     Outcome& out, const MinutesEdit& edit);

}  // namespace liaise::server
