// Repository: each room's messages and membership events, in one sequence per room
// (store/store.hpp).
//
// Sequence numbers are the store's to allocate: a room's seqs are 1, 2, 3… with no gap and no
// repeat, allocated in the same transaction as the row they number, so several server nodes on
// one shared store can never hand out the same seq. A message is identified for retries by
// (room, sender device, client message id): a second append under that identity stores nothing
// and is answered with the first one's seq.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// A message to store (Messages::append).
struct NewMessage {
    std::string_view room;  ///< by name
    Id account = 0;         ///< the sender; must be a member
    Id device = 0;          ///< the sender's device
    std::string_view client_msg_id;
    /// The envelope as stored and later served: JSON text, kept byte for byte.
    std::string_view envelope;
    /// Ids (decimal text) of the devices the envelope wraps the key for, ascending and distinct.
    /// The append is refused (`stale_recipients`) unless they are exactly the current devices of
    /// the room's members whose accounts are not suspended.
    const std::vector<std::string>* recipients = nullptr;
    Millis at = 0;  ///< the time to record as sent_at
};

/// The sender device's public keys, as enrolled (base64).
struct SenderKeys {
    std::string sign_key, box_key, box_key_signature;
};

struct Appended {
    enum class Result {
        stored,      ///< a new message: seq, sent_at, room, members, sender are set
        duplicate,   ///< the identity was used before: seq, sent_at and existing_envelope are set
        no_room,     ///< no room has that name
        not_member,  ///< the sender is not a member (answer it as no_room)
        stale_recipients,  ///< recipients are not the room's current devices; room is set
    };
    Result result = Result::no_room;
    std::int64_t seq = 0;
    Millis sent_at = 0;
    Id room = 0;
    /// `duplicate`: the envelope stored under the identity, for the caller to decide whether
    /// this is the same message sent again or another message under a used id.
    std::string existing_envelope;
    /// `stored`: the room's member accounts, ascending, to deliver to.
    std::vector<Id> members;
    /// `stored`: the sending device's keys, for the event clients receive.
    SenderKeys sender;
};

/// One row of a room's sequence, as sync serves it.
struct StoredMessage {
    std::int64_t seq = 0;
    Millis sent_at = 0;
    /// A membership event's JSON text (room_events.hpp); empty for a message.
    std::string event;
    // For a message (event empty): the stored envelope and who sent it.
    std::string envelope;
    Id device = 0;
    std::string user;
    SenderKeys sender;
};

/// What one account sent to one room (MessagesView::sent_by): messages only, not membership
/// events or withdrawn messages (whose ciphertext is gone).
struct SentSpan {
    Id room = 0;
    std::int64_t count = 0;
    Millis first_at = 0, last_at = 0;
};

/// One room's starting point for MessagesView::after_each: its rows after seq `after`.
struct RoomAfter {
    Id room = 0;
    std::int64_t after = 0;
};

/// One room's rows from MessagesView::after_each.
struct RoomRows {
    Id room = 0;
    std::vector<StoredMessage> rows;  ///< seq > the room's `after`, ascending, at most `limit`
    bool more = false;                ///< rows after the last of `rows` remain
};

class MessagesView {
  public:
    virtual ~MessagesView() = default;
    /// The room's last seq (0 when it has none).
    [[nodiscard]] virtual std::int64_t last_seq(Id room) const = 0;
    /// Rows of `room` with seq > `after`, ascending, at most `limit`.
    [[nodiscard]] virtual std::vector<StoredMessage> after(Id room, std::int64_t after,
                                                           std::int64_t limit) const = 0;
    /// For each of `wanted` (distinct rooms) what after(room, after, limit) returns, and
    /// whether more rows follow those, read together: one statement for all of them where the
    /// store can (remote delivery reads every room a batch of hints names at once). One entry
    /// per wanted room, in the order given; a room with no such rows, or that does not exist,
    /// has empty `rows` and `more` false. `limit` must be at least 1.
    [[nodiscard]] virtual std::vector<RoomRows> after_each(const std::vector<RoomAfter>& wanted,
                                                           std::int64_t limit) const = 0;
    /// For each room `account` sent messages to (from any of its devices, revoked or not), how
    /// many it sent and when the first and last were sent; ascending by room id.
    [[nodiscard]] virtual std::vector<SentSpan> sent_by(Id account) const = 0;
};

class Messages : public MessagesView {
  public:
    /// Stores a message with the room's next seq, or says why not (Appended). Checks, in
    /// order: the room exists; the sender is a member; the recipients are the room's current
    /// devices, else a duplicate identity is still answered as `duplicate`; the identity is new,
    /// else `duplicate`. Only `stored` changes anything. The hot path: implementations may keep
    /// what it reads in memory only under the contract of store.hpp (invalidated on every
    /// commit that could change it, on any node).
    [[nodiscard]] virtual Appended append(const NewMessage& m) = 0;
    /// Appends a membership event (JSON text) to `room` by `actor_device` with the room's next
    /// seq; returns the seq.
    [[nodiscard]] virtual std::int64_t append_event(Id room, Id actor_device,
                                                    std::string_view event_json, Millis at) = 0;
    /// Withdraws the message at `seq` of `room` (PROTOCOL.md, "Withdrawing a message"): drops
    /// its envelope (the ciphertext and every device's wrapped key) and keeps the row, at the
    /// same seq, as a tombstone whose event is `tombstone_json`; deletes every key backup entry
    /// of the message (any account, any backup version). False, changing nothing, unless `seq`
    /// is a message of `room` (not an event, not withdrawn before). The caller appends the room
    /// event and the audit record in the same unit of work.
    [[nodiscard]] virtual bool withdraw(Id room, std::int64_t seq,
                                        std::string_view tombstone_json) = 0;
};

}  // namespace liaise::server::store
