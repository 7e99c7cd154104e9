// Internal: a meeting and an action as the minutes handlers work on them — their plain columns
// from the store (store/repo/meetings.hpp) with their sealed bodies opened (store/at_rest.hpp) —
// and the few lookups every minutes handler shares. Loading opens, saving seals afresh under the
// next revision; a body that does not open is `internal`, and nothing here logs minutes text.
// Works inside any unit of work: read helpers take a Reader (the views of a ReadTx or a Tx),
// writes a store::Tx. Thread-safety: whatever thread runs the unit.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/minutes_rules.hpp"
#include "store/store.hpp"

namespace liaise::server {

class AtRestKey;
struct Outcome;

namespace minutes {

using store::Id;

/// The repositories a minutes read looks at, from either kind of unit of work.
struct Reader {
    const store::MeetingsView& meetings;
    const store::RoomsView& rooms;
    const store::AccountsView& accounts;
};
[[nodiscard]] Reader reader_of(const store::ReadTx& tx);
[[nodiscard]] Reader reader_of(store::Tx& tx);

/// A room as a meeting sees it.
struct RoomRef {
    Id id = 0;
    std::string name;
    bool is_public = false;
};

/// A meeting with its sealed body opened.
struct Meeting {
    Id id = 0;
    RoomRef room;
    std::string kind, starts_at, next_meeting, marking, status;
    Id chair = 0, minute_taker = 0;
    std::int64_t version = 0, rev = 0;
    boost::json::object body;  ///< title, place, attendance, agenda, decisions, next_*, correction

    [[nodiscard]] minutes_rules::MeetingState state() const {
        return {chair, minute_taker, status, version};
    }
};

/// An action with its sealed body opened.
struct Action {
    Id id = 0, room_id = 0, raised_in = 0;
    std::int64_t rev = 0;
    std::optional<Id> owner;
    std::string room, owner_user, due, review, status;
    boost::json::object body;  ///< what, outcome, owner_name, owner_agency, evidence
};

/// What a meeting the asker may not see answers: exactly what a missing one does, naming no
/// room (PROTOCOL.md, "Errors"). The same for rooms and actions.
[[noreturn]] void throw_no_such_meeting(Id id);
[[noreturn]] void throw_no_such_room(std::string_view name);
[[noreturn]] void throw_no_such_action(Id id);

/// A sealed body (table, id, rev as associated data) opened and parsed; `internal` when it does
/// not open with `key` or is not a JSON object (logged with `what` and the id only).
[[nodiscard]] boost::json::object open_body(const AtRestKey& key, const store::Bytes& sealed,
                                            std::string_view table, Id id, std::int64_t rev,
                                            std::string_view what);
/// Meeting `id` opened; not_found when there is none.
[[nodiscard]] Meeting load_meeting(const Reader& r, const AtRestKey& key, Id id);
/// Action `id` opened; not_found when there is none.
[[nodiscard]] Action load_action(const Reader& r, const AtRestKey& key, Id id);
/// An action row from the store, opened.
[[nodiscard]] Action opened_action(const store::ActionRow& row, const AtRestKey& key);

/// Adds meeting `m` (its id is set) with its body sealed. Changes nothing live: the caller
/// decides what the room is told.
void create_meeting(store::Tx& tx, const AtRestKey& key, Meeting& m, Id created_by);
/// Writes `m` back with its body sealed afresh under the next revision. Only for writes that
/// tell the room in their own way (circulation); every edit goes through save_edit().
void store_meeting(store::Tx& tx, const AtRestKey& key, Meeting& m);
/// Adds action `a` (raised in a.raised_in, listed there; its id is set) with its body sealed.
void create_action(store::Tx& tx, const AtRestKey& key, Action& a);

/// The live event of every minutes edit (minutes_live.hpp): queued on `out` for the room's
/// members as they are at commit, identifiers only.
struct Edit {
    Id by = 0;              ///< the account that made the change
    bool versioned = true;  ///< false when an action alone changed: no "version" in the event
    Id action = 0;          ///< the action changed, if that is what changed
};
/// Saves an edited meeting (store_meeting()) and queues its `minutes_changed` event.
void save_edit(store::Tx& tx, const AtRestKey& key, Meeting& m, Outcome& out, const Edit& edit);
/// Queues `minutes_changed` for an edit of `m` that changed no meeting row (an action added or
/// removed): the same event save_edit() queues.
void edited(store::Tx& tx, const Meeting& m, Outcome& out, const Edit& edit);
/// Saves a changed action with its body sealed afresh under the next revision, and queues
/// `minutes_changed` naming it (without a version).
void save_action(store::Tx& tx, const AtRestKey& key, Action& a, Outcome& out, Id by);

/// The account `id`; `internal` when a meeting refers to one that does not exist.
[[nodiscard]] store::AccountRow person_by_id(const Reader& r, Id id);
/// The account named `user`; not_found naming `field` otherwise.
[[nodiscard]] store::AccountRow require_person(const Reader& r, std::string_view field,
                                               const std::string& user);
/// The room `name`; not_found otherwise.
[[nodiscard]] RoomRef require_room(const Reader& r, std::string_view name);
/// Whether `account` is a member of `room`.
[[nodiscard]] bool is_member(const Reader& r, Id room, Id account);
/// A room member named in `field`, as the chair, minute-taker or owner of an action must be;
/// bad_request otherwise.
[[nodiscard]] store::AccountRow require_room_member(const Reader& r, const RoomRef& room,
                                                    std::string_view field,
                                                    const std::string& user);
/// Only the room's members may see a meeting; to anyone else it does not exist.
void require_reader(const Reader& r, const Meeting& m, Id account);
/// A reader who runs the meeting, and a draft (minutes_rules::require_editor()).
void require_editor(const Reader& r, const Meeting& m, Id account);

}  // namespace minutes
}  // namespace liaise::server
