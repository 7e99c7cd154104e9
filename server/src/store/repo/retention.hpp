// Repository: retention schedules, legal holds and the deletion of expired meeting records
// (store/store.hpp; PROTOCOL.md, "Retention and legal hold"). The store keeps what an admin set
// and answers the sweep's questions (what each room and meeting last saw, which agencies it
// involves); which schedule governs and what has expired is decided above the store
// (app/retention.cpp). Expired messages go through Messages::withdraw, as a withdrawal does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// An agency's own period for one kind of record: "chat" (a room's messages) or a meeting kind
/// ("initial-cp-conference", meeting_kinds/data/kinds.toml). Records without one take the
/// default (app/retention.cpp).
struct RetentionSchedule {
    Id agency = 0;
    std::string agency_name;  ///< on reads
    std::string record;
    std::int64_t days = 0;  ///< > 0
    Id set_by = 0;
    Millis set_at = 0;
    std::string reason;
};

/// A legal hold in force on a room (and so on its meetings) or on one meeting.
struct LegalHold {
    std::string target;  ///< "room" or "meeting"
    Id id = 0;           ///< the room's or the meeting's id
    std::string name;    ///< on reads: the room's name, or the meeting's room's name
    Id placed_by = 0;
    std::string placed_by_user;  ///< on reads
    Millis placed_at = 0;
    std::string reason;
};

/// A room that still stores message ciphertext, for the sweep.
struct RoomContact {
    Id room = 0;
    std::string name;
    Millis last_contact = 0;   ///< when its newest message (not a room event) was sent
    std::int64_t stored = 0;   ///< how many of its messages still have their envelope
    std::vector<Id> agencies;  ///< its members' agencies, ascending, without repeats
};

/// A meeting, for the sweep.
struct MeetingContact {
    Id meeting = 0;
    Id room = 0;
    std::string room_name;
    std::string kind;
    Millis last_contact = 0;   ///< its record's last change (meetings.updated_at)
    std::vector<Id> agencies;  ///< its room's members' and its chair's agencies, ascending
};

class RetentionView {
  public:
    virtual ~RetentionView() = default;
    /// Every schedule an admin set, by agency name then record.
    [[nodiscard]] virtual std::vector<RetentionSchedule> schedules() const = 0;
    /// Every hold in force, rooms first, then by id.
    [[nodiscard]] virtual std::vector<LegalHold> holds() const = 0;
    [[nodiscard]] virtual std::optional<LegalHold> hold(std::string_view target, Id id) const = 0;
    /// Every room with at least one message whose envelope is still stored, by id.
    [[nodiscard]] virtual std::vector<RoomContact> rooms_with_messages() const = 0;
    /// Every meeting, by id.
    [[nodiscard]] virtual std::vector<MeetingContact> meetings() const = 0;
};

class Retention : public RetentionView {
  public:
    /// Sets (or replaces) `s.agency`'s period for `s.record`.
    virtual void set_schedule(const RetentionSchedule& s) = 0;
    /// Puts a hold on `h.target` `h.id`; false, changing nothing, if one is in force already.
    [[nodiscard]] virtual bool place_hold(const LegalHold& h) = 0;
    /// Lifts the hold on `target` `id`; false if there was none.
    [[nodiscard]] virtual bool lift_hold(std::string_view target, Id id) = 0;
    /// Deletes meeting `id`'s records: its fixed minutes versions with their distribution and
    /// signatures, the actions raised in it (with their email notices), its list of actions,
    /// any hold on it, and the meeting itself. False, changing nothing, if there is no such
    /// meeting or an action raised in it is listed on another meeting (carried forward to a
    /// meeting that is kept).
    [[nodiscard]] virtual bool erase_meeting(Id id) = 0;
};

}  // namespace liaise::server::store
