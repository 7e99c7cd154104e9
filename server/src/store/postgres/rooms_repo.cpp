// store::Rooms on PostgreSQL (repos.hpp). A room's last seq is its counter row
// (rooms.last_seq), which appends move under the room's row lock (messages_repo.cpp). The
// statements both stores share are in store/sql/rooms.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/rooms.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kRoomSelect = "SELECT r.id, r.name, r.last_seq, r.public FROM rooms r ";

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::RoomStatements kOwnStatements = {
    .room_select = kRoomSelect,
    .members = "SELECT " LIAISE_ACCOUNT_COLUMNS
               ", m.joined_seq FROM room_members m JOIN accounts a ON a.id = "
               "m.account_id JOIN agencies g ON g.id = a.agency_id WHERE "
               "m.room_id = ? ORDER BY a.username COLLATE \"C\"",
    .rooms_of =
        "SELECT r.name, r.last_seq, (SELECT COUNT(*) FROM room_members c "
        "WHERE c.room_id = r.id) FROM rooms r JOIN room_members m ON "
        "m.room_id = r.id WHERE m.account_id = ? ORDER BY r.name COLLATE "
        "\"C\""};

class PgRooms final : public sql::SharedRooms<Connection&> {
  public:
    explicit PgRooms(Connection& db) : SharedRooms(db, kOwnStatements) {}

    std::vector<RoomMembers> members_of_each(const std::vector<Id>& rooms) const override {
        std::vector<RoomMembers> out;
        if (rooms.empty())
            return out;
        std::string ids = "{";
        for (std::size_t i = 0; i < rooms.size(); ++i)
            ids += (i ? "," : "") + std::to_string(rooms[i]);
        ids += '}';
        // One row per member (a room without members has one row with a NULL account).
        auto r = run(db_,
                     "SELECT r.id, r.name, m.account_id FROM rooms r LEFT JOIN room_members m ON "
                     "m.room_id = r.id WHERE r.id = ANY(?::bigint[]) ORDER BY r.id, m.account_id",
                     ids);
        for (int i = 0; i < r.rows(); ++i) {
            const auto id = r.int64(i, 0);
            if (out.empty() || out.back().room != id)
                out.push_back({id, text(r, i, 1), {}});
            if (!r.is_null(i, 2))
                out.back().accounts.push_back(r.int64(i, 2));
        }
        return out;
    }

    std::optional<Id> create(std::string_view name, Id created_by, Millis at) override {
        auto r = run(db_,
                     "INSERT INTO rooms(name, created_by, created_at) VALUES(?, ?, ?) "
                     "ON CONFLICT DO NOTHING RETURNING id",
                     name, created_by, at);
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
    }
    // A membership change takes the room's lock first, as a send does (messages_repo.cpp): a
    // send on any node then commits wholly before the change or sees it.
    bool add_member(Id room, Id account, std::int64_t joined_seq, Millis at) override {
        lock_room(room);
        return run(db_,
                   "INSERT INTO room_members(room_id, account_id, joined_seq, added_at) "
                   "VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                   room, account, joined_seq, at)
                   .rows() > 0;
    }
    bool remove_member(Id room, Id account) override {
        lock_room(room);
        return run(db_, "DELETE FROM room_members WHERE room_id = ? AND account_id = ? RETURNING 1",
                   room, account)
                   .rows() > 0;
    }

  private:
    void lock_room(Id room) { run(db_, "SELECT 1 FROM rooms WHERE id = ? FOR UPDATE", room); }
};

}  // namespace

std::unique_ptr<Rooms> make_rooms(Connection& db) {
    return std::make_unique<PgRooms>(db);
}

}  // namespace liaise::server::pg
