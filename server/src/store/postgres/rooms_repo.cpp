// store::Rooms on PostgreSQL (repos.hpp). A room's last seq is its counter row
// (rooms.last_seq), which appends move under the room's row lock (messages_repo.cpp).
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kRoomSelect = "SELECT r.id, r.name, r.last_seq, r.public FROM rooms r ";

Room room_row(const Result& r, int i) {
    return {r.int64(i, 0), text(r, i, 1), r.int64(i, 2), boolean(r, i, 3)};
}

class PgRooms final : public Rooms {
  public:
    explicit PgRooms(Connection& db) : db_(db) {}

    std::optional<Room> find(std::string_view name) const override {
        auto r = run(db_, std::string(kRoomSelect) + "WHERE r.name = ?", name);
        if (r.rows() == 0)
            return std::nullopt;
        return room_row(r, 0);
    }
    std::optional<Room> by_id(Id id) const override {
        auto r = run(db_, std::string(kRoomSelect) + "WHERE r.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return room_row(r, 0);
    }
    std::vector<Room> all() const override {
        auto r = run(db_, std::string(kRoomSelect) + "ORDER BY r.id");
        std::vector<Room> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(room_row(r, i));
        return out;
    }
    std::optional<std::int64_t> membership(Id room, Id account) const override {
        auto r =
            run(db_, "SELECT joined_seq FROM room_members WHERE room_id = ? AND account_id = ?",
                room, account);
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
    }
    std::vector<Member> members(Id room) const override {
        auto r = run(db_,
                     "SELECT " LIAISE_PG_ACCOUNT_COLUMNS
                     ", m.joined_seq FROM room_members m JOIN accounts a ON a.id = m.account_id "
                     "JOIN agencies g ON g.id = a.agency_id WHERE m.room_id = ? ORDER BY "
                     "a.username COLLATE \"C\"",
                     room);
        std::vector<Member> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({account_row(r, i), r.int64(i, 8)});
        return out;
    }
    std::vector<Id> member_accounts(Id room) const override {
        return int64_column(
            run(db_, "SELECT account_id FROM room_members WHERE room_id = ? ORDER BY 1", room));
    }
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
    std::vector<RoomSummary> rooms_of(Id account) const override {
        auto r = run(db_,
                     "SELECT r.name, r.last_seq, (SELECT COUNT(*) FROM room_members c WHERE "
                     "c.room_id = r.id) FROM rooms r JOIN room_members m ON m.room_id = r.id "
                     "WHERE m.account_id = ? ORDER BY r.name COLLATE \"C\"",
                     account);
        std::vector<RoomSummary> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({text(r, i, 0), r.int64(i, 1), r.int64(i, 2)});
        return out;
    }
    std::vector<Room> rooms_with(Id account) const override {
        auto r = run(db_,
                     std::string(kRoomSelect) +
                         "JOIN room_members m ON m.room_id = r.id WHERE m.account_id = ? "
                         "ORDER BY r.id",
                     account);
        std::vector<Room> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(room_row(r, i));
        return out;
    }
    bool share_a_room(Id a, Id b) const override {
        return run(db_,
                   "SELECT 1 FROM room_members x JOIN room_members y ON y.room_id = x.room_id "
                   "WHERE x.account_id = ? AND y.account_id = ? LIMIT 1",
                   a, b)
                   .rows() > 0;
    }
    std::vector<Id> co_members(Id account) const override {
        return int64_column(run(db_,
                                "SELECT DISTINCT o.account_id FROM room_members m JOIN "
                                "room_members o ON o.room_id = m.room_id WHERE m.account_id = ? "
                                "AND o.account_id <> ? ORDER BY 1",
                                account, account));
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
    void set_public(Id room, bool is_public) override {
        run(db_, "UPDATE rooms SET public = ? WHERE id = ?", is_public, room);
    }

  private:
    void lock_room(Id room) { run(db_, "SELECT 1 FROM rooms WHERE id = ? FOR UPDATE", room); }

    Connection& db_;
};

}  // namespace

std::unique_ptr<Rooms> make_rooms(Connection& db) {
    return std::make_unique<PgRooms>(db);
}

}  // namespace liaise::server::pg
