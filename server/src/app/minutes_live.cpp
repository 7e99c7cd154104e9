#include "app/minutes_live.hpp"

#include <boost/json/object.hpp>
#include <string>

#include "app/outcome.hpp"
#include "app/room_events.hpp"
#include "liaise/protocol/messages.hpp"
#include "store/accounts.hpp"

namespace liaise::server {

void minutes_changed(SQLite::Database& db, Outcome& out, const MinutesEdit& edit) {
    auto members = member_accounts(db, edit.room_id);
    if (members.empty())
        return;
    boost::json::object event{{"meeting", edit.meeting},
                              {"room", std::string(edit.room)},
                              {"by", account_by_id(db, edit.by).user}};
    if (edit.version != 0)
        event["version"] = edit.version;
    if (edit.action != 0)
        event["action"] = edit.action;
    out.live.emplace_back(std::move(members),
                          protocol::encode_event("minutes_changed", std::move(event)));
}

}  // namespace liaise::server
