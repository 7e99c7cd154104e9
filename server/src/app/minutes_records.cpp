#include "app/minutes_records.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "app/error.hpp"
#include "app/minutes_live.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "store/at_rest.hpp"

namespace liaise::server::minutes {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;

store::Millis now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string opened(const protocol::Expected<std::string>& text, std::string_view what, Id id) {
    if (!text) {
        spdlog::error("{} {} does not decrypt with the at-rest key", what, id);
        throw ServiceError(errc::internal,
                           "stored minutes do not decrypt with this server's key file");
    }
    return text.value();
}

json::object parse_body(const std::string& text) {
    auto v = json::parse(text);
    if (!v.is_object())
        throw ServiceError(errc::internal, "stored minutes are damaged");
    return std::move(v.as_object());
}

store::MeetingRow row_of(const Meeting& m, store::Bytes body) {
    store::MeetingRow row;
    row.id = m.id;
    row.room = m.room.id;
    row.kind = m.kind;
    row.starts_at = m.starts_at;
    row.next_meeting = m.next_meeting;
    row.marking = m.marking;
    row.status = m.status;
    row.chair = m.chair;
    row.minute_taker = m.minute_taker;
    row.version = m.version;
    row.rev = m.rev;
    row.body = std::move(body);
    return row;
}

store::ActionRow row_of(const Action& a, store::Bytes body) {
    store::ActionRow row;
    row.id = a.id;
    row.room = a.room_id;
    row.raised_in = a.raised_in;
    row.owner = a.owner.value_or(0);
    row.due = a.due;
    row.review = a.review;
    row.status = a.status;
    row.rev = a.rev;
    row.body = std::move(body);
    return row;
}

void queue_changed(store::Tx& tx, Outcome& out, Id room, std::string_view room_name, Id meeting,
                   std::int64_t version, const Edit& edit) {
    minutes_changed(tx.rooms(), tx.accounts(), out,
                    {room, room_name, meeting, edit.versioned ? version : 0, edit.by, edit.action});
}

}  // namespace

Reader reader_of(const store::ReadTx& tx) {
    return {tx.meetings(), tx.rooms(), tx.accounts()};
}

Reader reader_of(store::Tx& tx) {
    return {tx.meetings(), tx.rooms(), tx.accounts()};
}

void throw_no_such_meeting(Id id) {
    throw ServiceError(errc::not_found, "no meeting " + std::to_string(id));
}

void throw_no_such_room(std::string_view name) {
    throw ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
}

void throw_no_such_action(Id id) {
    throw ServiceError(errc::not_found, "no action " + std::to_string(id));
}

json::object open_body(const AtRestKey& key, const store::Bytes& sealed, std::string_view table,
                       Id id, std::int64_t rev, std::string_view what) {
    return parse_body(opened(key.open(sealed, RecordId{table, id, rev}), what, id));
}

Meeting load_meeting(const Reader& r, const AtRestKey& key, Id id) {
    const auto row = r.meetings.meeting(id);
    if (!row)
        throw_no_such_meeting(id);
    Meeting m;
    m.id = row->id;
    m.room = {row->room, row->room_name, row->room_public};
    m.kind = row->kind;
    m.starts_at = row->starts_at;
    m.next_meeting = row->next_meeting;
    m.marking = row->marking;
    m.status = row->status;
    m.chair = row->chair;
    m.minute_taker = row->minute_taker;
    m.version = row->version;
    m.rev = row->rev;
    m.body = open_body(key, row->body, "meetings", m.id, m.rev, "meeting");
    return m;
}

Action opened_action(const store::ActionRow& row, const AtRestKey& key) {
    Action a;
    a.id = row.id;
    a.room_id = row.room;
    a.room = row.room_name;
    a.raised_in = row.raised_in;
    if (row.owner != 0)
        a.owner = row.owner;
    a.owner_user = row.owner_user;
    a.due = row.due;
    a.review = row.review;
    a.status = row.status;
    a.rev = row.rev;
    a.body = open_body(key, row.body, "actions", a.id, a.rev, "action");
    return a;
}

Action load_action(const Reader& r, const AtRestKey& key, Id id) {
    const auto row = r.meetings.action(id);
    if (!row)
        throw_no_such_action(id);
    return opened_action(*row, key);
}

void create_meeting(store::Tx& tx, const AtRestKey& key, Meeting& m, Id created_by) {
    m.rev = 0;
    m.id = tx.meetings().create(row_of(m, {}), created_by, now());
    store_meeting(tx, key, m);
}

void store_meeting(store::Tx& tx, const AtRestKey& key, Meeting& m) {
    ++m.rev;
    auto sealed = key.seal(json::serialize(m.body), {"meetings", m.id, m.rev});
    tx.meetings().update(row_of(m, std::move(sealed)), now());
}

void create_action(store::Tx& tx, const AtRestKey& key, Action& a) {
    a.rev = 0;
    a.id = tx.meetings().add_action(row_of(a, {}), now());
    ++a.rev;
    auto sealed = key.seal(json::serialize(a.body), {"actions", a.id, a.rev});
    tx.meetings().update_action(row_of(a, std::move(sealed)), now());
}

void save_edit(store::Tx& tx, const AtRestKey& key, Meeting& m, Outcome& out, const Edit& edit) {
    store_meeting(tx, key, m);
    edited(tx, m, out, edit);
}

void edited(store::Tx& tx, const Meeting& m, Outcome& out, const Edit& edit) {
    queue_changed(tx, out, m.room.id, m.room.name, m.id, m.version, edit);
}

void save_action(store::Tx& tx, const AtRestKey& key, Action& a, Outcome& out, Id by) {
    ++a.rev;
    auto sealed = key.seal(json::serialize(a.body), {"actions", a.id, a.rev});
    tx.meetings().update_action(row_of(a, std::move(sealed)), now());
    queue_changed(tx, out, a.room_id, a.room, a.raised_in, 0, {by, false, a.id});
}

store::AccountRow person_by_id(const Reader& r, Id id) {
    auto p = r.accounts.by_id(id);
    if (!p)
        throw ServiceError(errc::internal, "a meeting refers to an account that does not exist");
    return std::move(*p);
}

store::AccountRow require_person(const Reader& r, std::string_view field, const std::string& user) {
    auto p = r.accounts.find(user);
    if (!p)
        throw ServiceError(errc::not_found,
                           std::string(field) + ": no account named '" + user + "'");
    return std::move(*p);
}

RoomRef require_room(const Reader& r, std::string_view name) {
    const auto room = r.rooms.find(name);
    if (!room)
        throw ServiceError(errc::not_found, "no room named '" + std::string(name) + "'");
    return {room->id, room->name, room->is_public};
}

bool is_member(const Reader& r, Id room, Id account) {
    return r.rooms.membership(room, account).has_value();
}

store::AccountRow require_room_member(const Reader& r, const RoomRef& room, std::string_view field,
                                      const std::string& user) {
    auto p = require_person(r, field, user);
    if (!is_member(r, room.id, p.id))
        throw ServiceError(errc::bad_request, std::string(field) + ": " + user +
                                                  " is not a member of room '" + room.name + "'");
    return p;
}

void require_reader(const Reader& r, const Meeting& m, Id account) {
    if (!is_member(r, m.room.id, account))
        throw_no_such_meeting(m.id);
}

void require_editor(const Reader& r, const Meeting& m, Id account) {
    require_reader(r, m, account);
    minutes_rules::require_editor(m.state(), account,
                                  [&](Id id) { return person_by_id(r, id).user; });
}

}  // namespace liaise::server::minutes
