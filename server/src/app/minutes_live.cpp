#include "app/minutes_live.hpp"

#include <boost/json/object.hpp>
#include <stdexcept>
#include <string>

#include "app/outcome.hpp"
#include "liaise/protocol/messages.hpp"

namespace liaise::server {

void minutes_changed(const store::RoomsView& rooms, const store::AccountsView& accounts,
                     Outcome& out, const MinutesEdit& edit) {
    auto members = rooms.member_accounts(edit.room_id);
    if (members.empty())
        return;
    const auto by = accounts.by_id(edit.by);
    if (!by)
        throw std::runtime_error("minutes_changed: no account " + std::to_string(edit.by));
    boost::json::object event{
        {"meeting", edit.meeting}, {"room", std::string(edit.room)}, {"by", by->user}};
    if (edit.version != 0)
        event["version"] = edit.version;
    if (edit.action != 0)
        event["action"] = edit.action;
    out.live.emplace_back(std::move(members),
                          protocol::encode_event("minutes_changed", std::move(event)));
}

}  // namespace liaise::server
