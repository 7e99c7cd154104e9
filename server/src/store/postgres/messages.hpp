// Internal: the message path on PostgreSQL: a node's batch of sends committed in one pipelined
// transaction, and the reads other nodes use to catch up after a bus hint.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/postgres/pq.hpp"

namespace liaise::server::pg {

/// One send as the app accepted it.
struct Send {
    std::int64_t room = 0;
    std::int64_t device = 0;
    std::string client_msg_id;
    std::string envelope;
    std::int64_t sent_at = 0;  ///< ms since the epoch
};

/// What became of one send.
struct Appended {
    enum class Result {
        stored,       ///< new: `seq` is its place in the room
        duplicate,    ///< this device already sent this client_msg_id here: the original seq
        no_room,      ///< the room does not exist
        not_allowed,  ///< the device is revoked or its account suspended (nothing stored)
        not_member,   ///< the device's account is not a member of the room (nothing stored)
    };
    Result result = Result::stored;
    std::int64_t seq = 0;      ///< stored or duplicate only
    std::int64_t sent_at = 0;  ///< stored or duplicate only: the original's time for a duplicate
};

/// Appends `sends` in one transaction sent as one pipeline (one round trip): the batch's rooms
/// are locked in ascending id order first, so two nodes' batches never deadlock; then each send
/// allocates the room's next seq under that lock, checks the sender's standing and membership
/// as committed now, and inserts. Returns one outcome per send, in order, once COMMIT has
/// succeeded: only then may a node acknowledge. Sends of one room in one batch get ascending
/// seqs in batch order, and a batch that repeats a (device, client_msg_id) gets `duplicate`
/// for the repeat. On any failure (the connection broke, a constraint fired) nothing of the
/// batch is stored and Error is thrown; sending the same batch again is then safe, since sends
/// that did commit before a broken connection come back as duplicates with their seqs.
[[nodiscard]] std::vector<Appended> append_batch(Connection& db, std::span<const Send> sends);
[[nodiscard]] std::vector<Appended> append_in_transaction(Connection& db,
                                                          std::span<const Send> sends);

/// append_batch() inside the caller's transaction (a Writer job): the same locks, checks and
/// outcomes, in one pipeline, without BEGIN and COMMIT. The rooms stay locked until the
/// caller's transaction ends; nothing is durable before it commits. On failure throws Error and
/// leaves the caller's transaction failed (the Writer rolls the job back to its savepoint).

/// A stored message, as fetched by another node.
struct Stored {
    std::int64_t room = 0;
    std::int64_t seq = 0;
    std::int64_t device = 0;
    std::string client_msg_id;
    std::string envelope;
    std::int64_t sent_at = 0;
};

/// The room's messages with seq > `after`, ascending, at most `limit`. Committed messages only,
/// and (because seq order is commit order) never one with a gap before it.
[[nodiscard]] std::vector<Stored> fetch_after(Connection& db, std::int64_t room, std::int64_t after,
                                              int limit);

/// The room's last seq as committed now (0 for an empty or unknown room).
[[nodiscard]] std::int64_t last_seq(Connection& db, std::int64_t room);

}  // namespace liaise::server::pg
