// store::Rooms on SQLite: the statements both stores share are in store/sql/rooms.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/sql/rooms.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// A room's last sequence number, from the messages index, for a query over `rooms r`. (The
/// rooms.last_seq column is not kept: updating it cost a page per commit.)
#define LIAISE_LAST_SEQ "(SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = r.id)"

constexpr const char* kRoomSelect =
    "SELECT r.id, r.name, " LIAISE_LAST_SEQ ", r.public FROM rooms r ";

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::RoomStatements kOwnStatements = {
    .room_select = kRoomSelect,
    .members = "SELECT " LIAISE_ACCOUNT_COLUMNS
               ", m.joined_seq FROM room_members m JOIN accounts a ON a.id = "
               "m.account_id JOIN agencies g ON g.id = a.agency_id WHERE "
               "m.room_id = ? ORDER BY a.username",
    .rooms_of = "SELECT r.name, " LIAISE_LAST_SEQ
                ", (SELECT COUNT(*) FROM room_members c WHERE c.room_id = r.id) "
                "FROM rooms r JOIN room_members m ON m.room_id = r.id WHERE "
                "m.account_id = ? ORDER BY r.name"};

class SqlRooms final : public sql::SharedRooms<Conn> {
  public:
    explicit SqlRooms(const Conn& c) : SharedRooms(c, kOwnStatements) {}

    std::vector<RoomMembers> members_of_each(const std::vector<Id>& rooms) const override {
        std::vector<Id> ids = rooms;
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        std::vector<RoomMembers> out;
        for (const auto id : ids) {
            auto name = sql::first(query(db_, "SELECT name FROM rooms WHERE id = ?", id),
                                   [](const auto& row) { return row.text(0); });
            if (name)
                out.push_back({id, std::move(*name), member_accounts(id)});
        }
        return out;
    }

    std::optional<Id> create(std::string_view name, Id created_by, Millis at) override {
        if (sql::any(query(db_, "SELECT 1 FROM rooms WHERE name = ?", name)))
            return std::nullopt;
        db_.changed();
        run(db_, "INSERT INTO rooms(name, created_by, created_at) VALUES(?, ?, ?)", name,
            created_by, at);
        return db_.db.getLastInsertRowid();
    }
    bool add_member(Id room, Id account, std::int64_t joined_seq, Millis at) override {
        db_.changed();
        return run(db_,
                   "INSERT INTO room_members(room_id, account_id, joined_seq, added_at) "
                   "VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   room, account, joined_seq, at) > 0;
    }
    bool remove_member(Id room, Id account) override {
        db_.changed();
        return run(db_, "DELETE FROM room_members WHERE room_id = ? AND account_id = ?", room,
                   account) > 0;
    }
};

}  // namespace

std::unique_ptr<Rooms> make_rooms(const Conn& c) {
    return std::make_unique<SqlRooms>(c);
}

}  // namespace liaise::server::store::sqlite
