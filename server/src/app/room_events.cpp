#include "app/room_events.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "app/service.hpp"
#include "bus/bus.hpp"
#include "bus/frame.hpp"
#include "clock.hpp"
#include "liaise/protocol/messages.hpp"

namespace liaise::server {

namespace json = boost::json;

void RoomEvents::append(store::Tx& tx, std::int64_t room, std::string_view room_name,
                        std::int64_t actor_device, const json::object& event,
                        const std::vector<std::int64_t>& also) {
    const auto sent_at = now_ms();
    const auto text = json::serialize(event);
    const auto seq = tx.messages().append_event(room, actor_device, text, sent_at);
    auto accounts = tx.rooms().member_accounts(room);
    for (const auto id : also)
        if (std::find(accounts.begin(), accounts.end(), id) == accounts.end())
            accounts.push_back(id);
    std::string members;
    append_event_fields(members, room_name, seq, sent_at, text);
    pending_.push_back(
        {std::move(accounts), std::make_shared<const Frame>(
                                  protocol::encode_event_members("message", std::move(members)))});
}

void RoomEvents::append_to_rooms_of(store::Tx& tx, std::int64_t account, std::int64_t actor_device,
                                    const json::object& event) {
    for (const auto& room : tx.rooms().rooms_with(account))
        append(tx, room.id, room.name, actor_device, event);
}

void RoomEvents::publish(Bus& bus) const {
    for (const auto& p : pending_)
        bus.publish(p.accounts, p.frame);
}

store::AccountRow account_by_id(const store::AccountsView& accounts, std::int64_t id) {
    auto a = accounts.by_id(id);
    if (!a)
        throw std::runtime_error("account_by_id: no account " + std::to_string(id));
    return std::move(*a);
}

json::object person_fields(const store::AccountRow& a) {
    return {{"user", a.user}, {"display_name", a.display_name}, {"agency", a.agency}};
}

json::object event_about(std::string_view kind, const store::AccountRow& a) {
    return {
        {"kind", kind}, {"user", a.user}, {"display_name", a.display_name}, {"agency", a.agency}};
}

void set_event_actor(json::object& event, const store::AccountRow& a) {
    event["by"] = a.user;
    event["by_display_name"] = a.display_name;
}

void append_event_fields(std::string& out, std::string_view room, std::int64_t seq,
                         std::int64_t sent_at, std::string_view event_json) {
    out += "\"room\":";
    out += json::serialize(room);
    out += ",\"seq\":";
    out += std::to_string(seq);
    out += ",\"sent_at\":";
    out += std::to_string(sent_at);
    out += ",\"event\":";
    out += event_json;
}

}  // namespace liaise::server
