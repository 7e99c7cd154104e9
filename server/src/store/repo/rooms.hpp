// Repository: rooms and their membership (store/store.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/accounts.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::store {

struct Room {
    Id id = 0;
    std::string name;
    /// The room's last sequence number (messages and membership events alike); 0 when empty.
    std::int64_t last_seq = 0;
    bool is_public = false;  ///< families or young people take part: every term is jargon
};

/// A room as listed for one of its members.
struct RoomSummary {
    std::string name;
    std::int64_t last_seq = 0;
    std::int64_t members = 0;
};

struct Member {
    AccountRow account;
    std::int64_t joined_seq = 0;  ///< the member reads messages after this seq only
};

/// A room's name and member accounts (RoomsView::members_of_each).
struct RoomMembers {
    Id room = 0;
    std::string name;
    std::vector<Id> accounts;  ///< ascending
};

class RoomsView {
  public:
    virtual ~RoomsView() = default;

    [[nodiscard]] virtual std::optional<Room> find(std::string_view name) const = 0;
    [[nodiscard]] virtual std::optional<Room> by_id(Id id) const = 0;
    /// Every room, ascending by id, members or not (a subject access request searches them all).
    [[nodiscard]] virtual std::vector<Room> all() const = 0;
    /// The seq `account` joined `room` at, if it is a member.
    [[nodiscard]] virtual std::optional<std::int64_t> membership(Id room, Id account) const = 0;
    /// Members with their accounts, by user name.
    [[nodiscard]] virtual std::vector<Member> members(Id room) const = 0;
    /// Member account ids, ascending.
    [[nodiscard]] virtual std::vector<Id> member_accounts(Id room) const = 0;
    /// For each of `rooms` that exists, its name and member accounts, ascending by room id;
    /// rooms that do not exist are left out. One statement where the store can.
    [[nodiscard]] virtual std::vector<RoomMembers> members_of_each(
        const std::vector<Id>& rooms) const = 0;
    /// Rooms `account` is a member of, by name.
    [[nodiscard]] virtual std::vector<RoomSummary> rooms_of(Id account) const = 0;
    /// The rooms `account` is a member of, ascending by id.
    [[nodiscard]] virtual std::vector<Room> rooms_with(Id account) const = 0;
    /// Whether `a` and `b` share a room (true when a == b and a is in any room).
    [[nodiscard]] virtual bool share_a_room(Id a, Id b) const = 0;
    /// Everyone who shares a room with `account`, not counting it, ascending.
    [[nodiscard]] virtual std::vector<Id> co_members(Id account) const = 0;
};

class Rooms : public RoomsView {
  public:
    /// Creates a room with no members; nullopt (and no change) if the name is taken.
    [[nodiscard]] virtual std::optional<Id> create(std::string_view name, Id created_by,
                                                   Millis at) = 0;
    /// Adds `account` to `room`, reading from after `joined_seq`; false if it was a member.
    virtual bool add_member(Id room, Id account, std::int64_t joined_seq, Millis at) = 0;
    /// False if `account` was not a member.
    virtual bool remove_member(Id room, Id account) = 0;
    virtual void set_public(Id room, bool is_public) = 0;
};

}  // namespace liaise::server::store
