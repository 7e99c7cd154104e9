// Internal: delivering messages that other server nodes committed to this node's sessions.
//
// A node that stores a message delivers it to its own sessions at once (Service::send) and
// tells the other nodes only (room, seq) hints (bus/pg_bus.hpp). Here the node reads, for every
// room hinted since its last read and with a member who has a session here, the rows after the
// last seq it delivered, all rooms in one read unit of work (Service::stored_messages), and
// publishes them locally in seq order; one read is in flight at a time. A hint is only a
// wake-up: a lost one is made good by the next hint of the same room or by resync(); clients
// that see a gap ask `sync` anyway (PROTOCOL.md). Nothing here decides a request's outcome: it
// only chooses what to deliver.
//
// Skipping rooms nobody here can read. A room is read only if one of its members has a
// session on this node, judged from the members the room's last read returned. The contract
// that keeps this correct:
// - Someone who logs in here later joins the local bus first and then asks `sync` from the
//   store. What was skipped was hinted, so committed, before the skip was decided, and the
//   skip was decided while that session had not joined (LocalBus::any_online reads under the
//   bus's lock): their `sync`, which starts after their join, reads it. Hints that arrive after
//   the join find them online and are read (from the last seq skipped: what `sync` also
//   returned may be delivered again, which clients drop by seq as they always have).
// - The remembered members are trusted only while no membership change can have happened
//   since the read that returned them. Every membership change appends a room event (its own
//   seq, never hinted: events cross as frames of their own), and every message's seq reaches
//   this node as a hint or as delivered_here(). So a seq this node hears of that is more than
//   one past the highest it heard of before means a row it was not told of, perhaps a
//   membership change: the room's members are forgotten and its next hint is read. (Hints
//   arriving out of order only cause a read more.) A read in flight while members are
//   forgotten does not restore them: its snapshot may predate the change. resync() forgets all.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace liaise::server {

class LocalBus;
class Metrics;
class Service;
struct StoredEvents;

/// Thread-safe: hints come on the bus's thread, local commits on the writer's, fetched rows on
/// the store's readers. `service`, `local` and `metrics` (if any) must outlive it and every read
/// it started (destroy it after the store has completed its units).
class RemoteDelivery {
  public:
    RemoteDelivery(Service& service, LocalBus& local, Metrics* metrics = nullptr);
    RemoteDelivery(const RemoteDelivery&) = delete;
    RemoteDelivery& operator=(const RemoteDelivery&) = delete;

    /// Another node committed message `seq` of `room` (each pair a room and a seq).
    void committed_elsewhere(const std::vector<std::pair<std::int64_t, std::int64_t>>& hints);
    /// This node committed and delivered message `seq` of `room` itself: not to deliver again.
    void delivered_here(std::int64_t room, std::int64_t seq);
    /// Hints may have been lost (the bus reconnected): read every room known here again.
    void resync();

    /// From now on reads that complete deliver nothing and no read starts: call it before the
    /// bus and the store go, while this object stays until the store has finished its reads.
    void close();

    /// Counters for tests, logs and benchmarks.
    struct Counts {
        std::uint64_t delivered = 0;      ///< messages delivered from other nodes
        std::uint64_t reads = 0;          ///< read units of work started
        std::uint64_t rooms_read = 0;     ///< rooms those units read
        std::uint64_t rooms_skipped = 0;  ///< times a hinted room was not read: nobody here
    };
    [[nodiscard]] Counts counts() const;
    /// Messages delivered from other nodes so far.
    [[nodiscard]] std::uint64_t delivered() const { return counts().delivered; }

  private:
    struct Room {
        std::int64_t delivered = -1;  ///< last seq delivered (or skipped) here; -1 until a hint
        std::int64_t wanted = 0;      ///< the highest seq hinted
        std::int64_t heard = -1;      ///< the highest seq hinted, delivered here or read
        bool again = false;           ///< read once more even if nothing newer was hinted
        std::set<std::int64_t> here;  ///< seqs above `delivered` this node delivered itself
        /// The members the last read returned, while no gap was heard since (see above).
        std::optional<std::vector<std::int64_t>> members;
        std::uint64_t forgotten = 0;  ///< times `members` was forgotten
    };
    /// Notes that `seq` of `r` exists; forgets its members on a gap. Call with mutex_ held.
    static void hear(Room& r, std::int64_t seq);
    /// One read unit's rooms: (room, after) pairs, and each room's `forgotten` when it started.
    struct Read {
        std::vector<std::pair<std::int64_t, std::int64_t>> rooms;
        std::map<std::int64_t, std::uint64_t> forgotten;
    };
    /// The read that is due, unless one is in flight, skipping (and settling) rooms with nobody
    /// here; marks it in flight. Call with mutex_ held, and start() it after unlocking.
    Read due();
    void start(Read read);
    void settle(Room& r);
    void fetched(std::vector<StoredEvents> rooms, const Read& read, bool failed);

    Service& service_;
    LocalBus& local_;
    Metrics* metrics_;
    mutable std::mutex mutex_;
    std::map<std::int64_t, Room> rooms_;  // GUARDED_BY(mutex_)
    bool reading_ = false;                // GUARDED_BY(mutex_): a read is in flight
    Counts counts_;                       // GUARDED_BY(mutex_)
    bool closed_ = false;                 // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
