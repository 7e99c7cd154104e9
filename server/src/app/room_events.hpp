// Internal: membership events in a room's history (protocol/PROTOCOL.md, "Room events").
//
// A change to who reads a room (a member added or removed, the audience, a member's role,
// suspension or replacement device) is stored as a row of `messages` with an `event` and no
// envelope, at the room's next sequence number, in the same write job as the change. So every
// member meets it in `sync`, in order between messages, and a server cannot change who reads a
// room without the members seeing it in the room itself.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace liaise::server {

class Frame;
class Bus;

/// Events a write job stored, to deliver live once the job commits. Shared by the job and its
/// completion, both on the writer thread; the job clears it when it starts, for a job may run
/// again after a failed batch.
class RoomEvents {
  public:
    /// Stores `event` (its "kind" and fields) in room `room`'s history at the room's next
    /// sequence number, as sent by `actor_device`, and queues its `message` frame for the
    /// room's members as they are now plus `also`. Inside a write unit of work on the store
    /// (store/store.hpp): the seq comes from Messages::append_event, which makes the store
    /// forget what it remembered of the room, so the send path does not hand it out again.
    void append(store::Tx& tx, std::int64_t room, std::string_view room_name,
                std::int64_t actor_device, const boost::json::object& event,
                const std::vector<std::int64_t>& also = {});
    /// The same event in every room `account` belongs to.
    void append_to_rooms_of(store::Tx& tx, std::int64_t account, std::int64_t actor_device,
                            const boost::json::object& event);
    /// Delivers every queued frame. After the commit only; safe from the writer's completion.
    void publish(Bus& bus) const;
    void clear() { pending_.clear(); }
    [[nodiscard]] bool empty() const noexcept { return pending_.empty(); }

  private:
    struct Pending {
        std::vector<std::int64_t> accounts;
        std::shared_ptr<const Frame> frame;
    };
    std::vector<Pending> pending_;
};

/// The account with id `id` in the current unit of work; throws std::runtime_error if there is
/// none (ids come from rows).
[[nodiscard]] store::AccountRow account_by_id(const store::AccountsView& accounts, std::int64_t id);

/// {"user", "display_name", "agency"}.
[[nodiscard]] boost::json::object person_fields(const store::AccountRow& a);
/// {"kind", "user", "display_name", "agency"}: an event of `kind` about `a`.
[[nodiscard]] boost::json::object event_about(std::string_view kind, const store::AccountRow& a);
/// Adds `a` to `event` as who made the change: "by" and "by_display_name".
void set_event_actor(boost::json::object& event, const store::AccountRow& a);

/// Appends the fields of a stored event as clients receive it (in sync pages and live alike),
/// without braces: "room", "seq", "sent_at", then "event", the stored JSON text spliced in.
void append_event_fields(std::string& out, std::string_view room, std::int64_t seq,
                         std::int64_t sent_at, std::string_view event_json);

}  // namespace liaise::server
