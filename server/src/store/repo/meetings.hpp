// Repository: meetings, their fixed minutes versions with distribution and signatures, and
// actions (store/store.hpp). Bodies are sealed above the store (at_rest.hpp) with (table, id,
// rev or version) as associated data; the store keeps them as bytes beside the metadata it is
// asked to query by (who, where, when, status). Minutes text never reaches the store in plain.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

struct MeetingRow {
    Id id = 0;
    Id room = 0;
    std::string room_name;                                       ///< on reads
    bool room_public = false;                                    ///< on reads
    std::string kind, starts_at, next_meeting, marking, status;  ///< next_meeting "" for none
    Id chair = 0, minute_taker = 0;
    std::int64_t version = 0, rev = 0;
    Bytes body;  ///< sealed for ("meetings", id, rev)
};

struct ActionRow {
    Id id = 0, room = 0, raised_in = 0;
    std::string room_name;   ///< on reads
    Id owner = 0;            ///< 0: owned by someone without an account (named in the body)
    std::string owner_user;  ///< on reads; "" for none
    std::string due, review, status;  ///< review "" for none
    std::int64_t rev = 0;
    Bytes body;  ///< sealed for ("actions", id, rev)
};

/// A fixed (circulated) version of a meeting's minutes.
struct MinutesVersion {
    Id meeting = 0;
    std::int64_t version = 0;
    std::string status;  ///< circulated, approved, superseded
    Id circulated_by = 0;
    Millis circulated_at = 0;
    Id approved_by = 0;  ///< 0: not approved
    std::optional<Millis> approved_at;
    std::int64_t findings = 0;
    Id acknowledged_by = 0;
    Bytes body;  ///< sealed snapshot
};

/// The recipient device's signature on an acknowledgement (PROTOCOL.md, "Signed
/// acknowledgements and comments"), checked by the server before it was stored.
struct AckSignature {
    Id device = 0;
    Millis signed_at = 0;
    std::string signature;  ///< base64
    // On reads: the signing device's keys (revoked or not).
    std::string sign_key, box_key, box_key_signature;
};

struct Distribution {
    std::string user, display_name, agency;
    Millis sent_at = 0;
    std::optional<Millis> received_at;
    std::optional<Millis> acknowledged_at;  ///< when the recipient acknowledged receipt
    /// The acknowledgement's signature; nullopt for one recorded before acknowledgements were
    /// signed (shown as unsigned, never as verified).
    std::optional<AckSignature> ack_signature;
};

struct MinutesSignature {
    std::string act;  ///< circulate, approve
    Id account = 0, device = 0;
    Millis signed_at = 0;
    std::string signature;  ///< base64
    // On reads: the signer and its device's keys (revoked or not).
    std::string user, display_name, agency;
    std::string sign_key, box_key, box_key_signature;
};

/// Which actions to list (MeetingsView::actions); an empty or zero field matches any.
struct ActionFilter {
    Id member = 0;  ///< only actions of rooms this account is a member of
    Id room = 0;
    Id owner = 0;
    std::vector<std::string> statuses;  ///< a status among these
    std::string due_before;             ///< due < this (YYYY-MM-DD)
    std::string due_by;                 ///< due <= this
};

class MeetingsView {
  public:
    virtual ~MeetingsView() = default;
    [[nodiscard]] virtual std::optional<MeetingRow> meeting(Id id) const = 0;
    /// The room's meetings by start and id.
    [[nodiscard]] virtual std::vector<Id> meetings_in(Id room) const = 0;
    /// The room's newest meeting (greatest id); 0 for none.
    [[nodiscard]] virtual Id latest_meeting(Id room) const = 0;
    [[nodiscard]] virtual std::optional<MinutesVersion> version(Id meeting,
                                                                std::int64_t v) const = 0;
    /// Every fixed version, ascending.
    [[nodiscard]] virtual std::vector<MinutesVersion> versions(Id meeting) const = 0;
    [[nodiscard]] virtual std::vector<Distribution> distribution(Id meeting,
                                                                 std::int64_t v) const = 0;
    /// Circulation first, then by signing time.
    [[nodiscard]] virtual std::vector<MinutesSignature> signatures(Id meeting,
                                                                   std::int64_t v) const = 0;

    [[nodiscard]] virtual std::optional<ActionRow> action(Id id) const = 0;
    /// The actions a meeting lists, ascending, each with whether it was carried forward to it.
    [[nodiscard]] virtual std::vector<std::pair<ActionRow, bool>> actions_of(Id meeting) const = 0;
    /// The actions that match every condition of `f`, by due date then id.
    [[nodiscard]] virtual std::vector<ActionRow> actions(const ActionFilter& f) const = 0;
    /// Whether `account` chairs or takes the minutes of a meeting listing action `id`
    /// (with `draft_only`, a draft meeting).
    [[nodiscard]] virtual bool runs_meeting_of(Id action, Id account, bool draft_only) const = 0;
    /// Whether the action is carried forward to `meeting` (nullopt: not listed there).
    [[nodiscard]] virtual std::optional<bool> carried(Id meeting, Id action) const = 0;
};

class Meetings : public MeetingsView {
  public:
    /// Adds a meeting (m.id ignored); returns its id. Its body is sealed by the caller
    /// afterwards (the id is part of the associated data): update() it.
    [[nodiscard]] virtual Id create(const MeetingRow& m, Id created_by, Millis at) = 0;
    /// Writes every field of `m` but room (found by m.id).
    virtual void update(const MeetingRow& m, Millis at) = 0;
    /// Lists the open actions (`open_statuses`) of meeting `from` on meeting `to` as carried
    /// forward and sets their status to `carried_status`; returns how many.
    virtual int carry_forward(Id from, Id to, const std::vector<std::string>& open_statuses,
                              std::string_view carried_status, Millis at) = 0;

    virtual void add_version(const MinutesVersion& v) = 0;
    virtual void update_version(const MinutesVersion& v) = 0;
    /// Marks every version of `meeting` below `v` with status `status` that has `from_status`.
    virtual void supersede(Id meeting, std::int64_t below, std::string_view from_status,
                           std::string_view status) = 0;
    virtual void distribute(Id meeting, std::int64_t v, const std::vector<Id>& accounts,
                            Millis at) = 0;
    /// Marks `account`'s copy received; false if it was not sent one or had it already.
    virtual bool mark_received(Id meeting, std::int64_t v, Id account, Millis at) = 0;
    virtual void add_signature(Id meeting, std::int64_t v, const MinutesSignature& s,
                               Millis recorded_at) = 0;

    /// Adds an action raised in `a.raised_in` and lists it there; returns its id (then seal
    /// and update() it as for meetings).
    [[nodiscard]] virtual Id add_action(const ActionRow& a, Millis at) = 0;
    virtual void update_action(const ActionRow& a, Millis at) = 0;
    /// Removes an action from every meeting and deletes it.
    virtual void remove_action(Id id) = 0;
};

}  // namespace liaise::server::store
