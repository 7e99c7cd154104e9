// Internal: delivering messages that other server nodes committed to this node's sessions.
//
// A node that stores a message delivers it to its own sessions at once (Service::send) and
// tells the other nodes only (room, seq) hints (bus/pg_bus.hpp). Here, for each room hinted,
// the node reads the rows after the last seq it delivered from the store
// (Service::stored_messages) and publishes them locally, one read at a time per room, in seq
// order. A hint is only a wake-up: a lost one is made good by the next hint of the same room or
// by resync(); clients that see a gap ask `sync` anyway (PROTOCOL.md). Nothing here decides a
// request's outcome: it only chooses what to deliver.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

namespace liaise::server {

class Bus;
class Service;
struct StoredEvents;

/// Thread-safe: hints come on the bus's thread, local commits on the writer's, fetched rows on
/// the store's readers. `service` and `local` must outlive it and every read it started
/// (destroy it after the store has completed its units).
class RemoteDelivery {
  public:
    RemoteDelivery(Service& service, Bus& local);
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

    /// Messages delivered from other nodes so far (for tests and logs).
    [[nodiscard]] std::uint64_t delivered() const;

  private:
    struct Room {
        std::int64_t delivered = -1;  ///< last seq delivered here; -1 until the first hint
        std::int64_t wanted = 0;      ///< the highest seq hinted
        bool reading = false;         ///< a read of this room is in flight
        bool again = false;           ///< read once more even if nothing newer was hinted
        std::set<std::int64_t> here;  ///< seqs above `delivered` this node delivered itself
    };
    /// Starts the reads that are due. Call with mutex_ held.
    void pump();
    void settle(Room& r);
    void fetched(std::int64_t room, StoredEvents events, bool failed);

    Service& service_;
    Bus& local_;
    mutable std::mutex mutex_;
    std::map<std::int64_t, Room> rooms_;  // GUARDED_BY(mutex_)
    std::uint64_t delivered_ = 0;         // GUARDED_BY(mutex_)
    bool closed_ = false;                 // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
