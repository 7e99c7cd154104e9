// store::Rooms: what both stores run alike (rows.hpp). The stores' own: where a room's last seq
// comes from (SQLite reads the messages index; PostgreSQL keeps a counter row) and the orders by
// name (PostgreSQL sorts in "C" order), given as RoomStatements; and every write but
// set_public() (how a new id is read back, what SQLite's writer must forget, which rows
// PostgreSQL locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/rooms.hpp"
#include "store/sql/accounts.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

/// A room in columns 0-3: id, name, last seq, public.
template <class Row>
[[nodiscard]] Room room_row(const Row& r) {
    return {r.int64(0), r.text(1), r.int64(2), r.boolean(3)};
}

/// A member: LIAISE_ACCOUNT_COLUMNS, then joined_seq.
template <class Row>
[[nodiscard]] Member member_row(const Row& r) {
    return {account_row(r), r.int64(8)};
}

/// A summary in columns 0-2: name, last seq, members.
template <class Row>
[[nodiscard]] RoomSummary room_summary_row(const Row& r) {
    return {r.text(0), r.int64(1), r.int64(2)};
}

/// The statements each store words its own way (the same parameters and columns).
struct RoomStatements {
    /// "SELECT <room_row()'s columns> FROM rooms r ", to which a JOIN, WHERE or ORDER BY is
    /// appended.
    const char* room_select;
    const char* members;   ///< (room) -> member_row()'s columns, by user name
    const char* rooms_of;  ///< (account) -> room_summary_row()'s columns, by room name
};

template <class Db>
class SharedRooms : public Rooms {
  public:
    std::optional<Room> find(std::string_view name) const override {
        return sql::first(
            query(db_, std::string(statements_.room_select) + "WHERE r.name = ?", name),
            [](const auto& r) { return room_row(r); });
    }
    std::optional<Room> by_id(Id id) const override {
        return sql::first(query(db_, std::string(statements_.room_select) + "WHERE r.id = ?", id),
                          [](const auto& r) { return room_row(r); });
    }
    std::vector<Room> all() const override {
        return sql::all(query(db_, std::string(statements_.room_select) + "ORDER BY r.id"),
                        [](const auto& r) { return room_row(r); });
    }
    std::optional<std::int64_t> membership(Id room, Id account) const override {
        return sql::first(
            query(db_, "SELECT joined_seq FROM room_members WHERE room_id = ? AND account_id = ?",
                  room, account),
            [](const auto& r) { return r.int64(0); });
    }
    std::vector<Member> members(Id room) const override {
        return sql::all(query(db_, statements_.members, room),
                        [](const auto& r) { return member_row(r); });
    }
    std::vector<RoomSummary> rooms_of(Id account) const override {
        return sql::all(query(db_, statements_.rooms_of, account),
                        [](const auto& r) { return room_summary_row(r); });
    }
    std::vector<Id> member_accounts(Id room) const override {
        return sql::int64_column(
            query(db_, "SELECT account_id FROM room_members WHERE room_id = ? ORDER BY 1", room));
    }
    std::vector<Room> rooms_with(Id account) const override {
        return sql::all(query(db_,
                              std::string(statements_.room_select) +
                                  "JOIN room_members m ON m.room_id = r.id WHERE m.account_id = ? "
                                  "ORDER BY r.id",
                              account),
                        [](const auto& r) { return room_row(r); });
    }
    bool share_a_room(Id a, Id b) const override {
        return sql::any(query(db_,
                              "SELECT 1 FROM room_members x JOIN room_members y ON y.room_id = "
                              "x.room_id WHERE x.account_id = ? AND y.account_id = ? LIMIT 1",
                              a, b));
    }
    std::vector<Id> co_members(Id account) const override {
        return sql::int64_column(query(db_,
                                       "SELECT DISTINCT o.account_id FROM room_members m JOIN "
                                       "room_members o ON o.room_id = m.room_id WHERE "
                                       "m.account_id = ? AND o.account_id <> ? ORDER BY 1",
                                       account, account));
    }
    void set_public(Id room, bool is_public) override {
        run(db_, "UPDATE rooms SET public = ? WHERE id = ?", is_public, room);
    }

  protected:
    SharedRooms(Db db, RoomStatements statements) : db_(db), statements_(statements) {}

    Db db_;

  private:
    RoomStatements statements_;
};

}  // namespace liaise::server::store::sql
