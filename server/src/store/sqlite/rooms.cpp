#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// A room's last sequence number, from the messages index, for a query over `rooms r`. (The
/// rooms.last_seq column is not kept: updating it cost a page per commit.)
#define LIAISE_LAST_SEQ "(SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = r.id)"

constexpr const char* kRoomSelect =
    "SELECT r.id, r.name, " LIAISE_LAST_SEQ ", r.public FROM rooms r ";

Room room_row(SQLite::Statement& q) {
    return {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
            q.getColumn(3).getInt() != 0};
}

class SqlRooms final : public Rooms {
  public:
    explicit SqlRooms(const Conn& c) : c_(c) {}

    std::optional<Room> find(std::string_view name) const override {
        auto q = c_.sql.use(std::string(kRoomSelect) + "WHERE r.name = ?");
        bind_all(*q, name);
        if (!q->executeStep())
            return std::nullopt;
        return room_row(*q);
    }
    std::optional<Room> by_id(Id id) const override {
        auto q = c_.sql.use(std::string(kRoomSelect) + "WHERE r.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return room_row(*q);
    }
    std::vector<Room> all() const override {
        auto q = c_.sql.use(std::string(kRoomSelect) + "ORDER BY r.id");
        std::vector<Room> out;
        while (q->executeStep())
            out.push_back(room_row(*q));
        return out;
    }
    std::optional<std::int64_t> membership(Id room, Id account) const override {
        auto q =
            c_.sql.use("SELECT joined_seq FROM room_members WHERE room_id = ? AND account_id = ?");
        bind_all(*q, room, account);
        if (!q->executeStep())
            return std::nullopt;
        return q->getColumn(0).getInt64();
    }
    std::vector<Member> members(Id room) const override {
        auto q = c_.sql.use("SELECT " LIAISE_ACCOUNT_COLUMNS
                            ", m.joined_seq FROM room_members m JOIN accounts a ON a.id = "
                            "m.account_id JOIN agencies g ON g.id = a.agency_id WHERE m.room_id = "
                            "? ORDER BY a.username");
        bind_all(*q, room);
        std::vector<Member> out;
        while (q->executeStep())
            out.push_back({account_row(*q), q->getColumn(8).getInt64()});
        return out;
    }
    std::vector<Id> member_accounts(Id room) const override {
        auto q = c_.sql.use("SELECT account_id FROM room_members WHERE room_id = ? ORDER BY 1");
        bind_all(*q, room);
        return int64_column(*q);
    }
    std::vector<RoomMembers> members_of_each(const std::vector<Id>& rooms) const override {
        std::vector<Id> ids = rooms;
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        std::vector<RoomMembers> out;
        for (const auto id : ids) {
            std::string name;
            {
                auto q = c_.sql.use("SELECT name FROM rooms WHERE id = ?");
                bind_all(*q, id);
                if (!q->executeStep())
                    continue;
                name = q->getColumn(0).getString();
            }
            out.push_back({id, std::move(name), member_accounts(id)});
        }
        return out;
    }
    std::vector<RoomSummary> rooms_of(Id account) const override {
        auto q = c_.sql.use("SELECT r.name, " LIAISE_LAST_SEQ
                            ", (SELECT COUNT(*) FROM room_members c WHERE c.room_id = r.id) "
                            "FROM rooms r JOIN room_members m ON m.room_id = r.id WHERE "
                            "m.account_id = ? ORDER BY r.name");
        bind_all(*q, account);
        std::vector<RoomSummary> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getInt64(),
                           q->getColumn(2).getInt64()});
        return out;
    }
    std::vector<Room> rooms_with(Id account) const override {
        auto q = c_.sql.use(std::string(kRoomSelect) +
                            "JOIN room_members m ON m.room_id = r.id WHERE m.account_id = ? "
                            "ORDER BY r.id");
        bind_all(*q, account);
        std::vector<Room> out;
        while (q->executeStep())
            out.push_back(room_row(*q));
        return out;
    }
    bool share_a_room(Id a, Id b) const override {
        auto q = c_.sql.use(
            "SELECT 1 FROM room_members x JOIN room_members y ON y.room_id = x.room_id WHERE "
            "x.account_id = ? AND y.account_id = ? LIMIT 1");
        bind_all(*q, a, b);
        return q->executeStep();
    }
    std::vector<Id> co_members(Id account) const override {
        auto q = c_.sql.use(
            "SELECT DISTINCT o.account_id FROM room_members m JOIN room_members o ON o.room_id = "
            "m.room_id WHERE m.account_id = ? AND o.account_id != ? ORDER BY 1");
        bind_all(*q, account, account);
        return int64_column(*q);
    }

    std::optional<Id> create(std::string_view name, Id created_by, Millis at) override {
        auto exists = c_.sql.use("SELECT 1 FROM rooms WHERE name = ?");
        bind_all(*exists, name);
        if (exists->executeStep())
            return std::nullopt;
        c_.changed();
        run(c_, "INSERT INTO rooms(name, created_by, created_at) VALUES(?, ?, ?)", name, created_by,
            at);
        return c_.db.getLastInsertRowid();
    }
    bool add_member(Id room, Id account, std::int64_t joined_seq, Millis at) override {
        c_.changed();
        return run(c_,
                   "INSERT INTO room_members(room_id, account_id, joined_seq, added_at) "
                   "VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   room, account, joined_seq, at) > 0;
    }
    bool remove_member(Id room, Id account) override {
        c_.changed();
        return run(c_, "DELETE FROM room_members WHERE room_id = ? AND account_id = ?", room,
                   account) > 0;
    }
    void set_public(Id room, bool is_public) override {
        run(c_, "UPDATE rooms SET public = ? WHERE id = ?", is_public, room);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Rooms> make_rooms(const Conn& c) {
    return std::make_unique<SqlRooms>(c);
}

}  // namespace liaise::server::store::sqlite
