// Internal: the bus across several server nodes sharing one PostgreSQL database, over
// LISTEN/NOTIFY on the channel `liaise_bus`.
//
// Each node delivers to its own sessions through a LocalBus and tells the other nodes with one
// NOTIFY per call, sent on a connection of its own, never inside a write transaction (PostgreSQL
// serialises the commits of notifying transactions on one global lock: half the throughput,
// measured in shared/notes/multi-node-and-peers.md). What crosses:
// - events and broadcasts whose text is the same for every device, with their accounts;
// - cut-offs (suspension, replaced device, changed role) and dictionary changes;
// - for messages, only hints: (room, seq) pairs after each committed batch. A `message` frame
//   holds each device's wrapped key and can be large, so other nodes fetch the rows after the
//   last seq they delivered (store/postgres/messages.hpp) and build their own frames.
// A payload over PostgreSQL's NOTIFY limit goes through the table bus_frames and the NOTIFY
// names its row. NOTIFY is at-most-once: a node whose listening connection broke may have
// missed some, so on reconnecting it calls `Handlers::resync` to catch up from the store;
// cut-offs are safe regardless, since standing is read in every write transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bus/bus.hpp"
#include "bus/local_bus.hpp"

namespace liaise::server {

namespace pg {
class Connection;
}

/// A message another node committed: the room and its new last seq.
struct RoomSeq {
    std::int64_t room = 0;
    std::int64_t seq = 0;
    friend bool operator==(const RoomSeq&, const RoomSeq&) = default;
};

class PgBus final : public Bus {
  public:
    /// Called on the bus's listening thread; each must queue its work and return quickly.
    struct Handlers {
        /// Another node committed these messages: fetch each room's rows after the last seq
        /// this node delivered and publish them to local sessions (local()).
        std::function<void(const std::vector<RoomSeq>&)> messages;
        /// Another node changed the dictionaries to `version`: reload them. Sessions here hear
        /// the `dictionaries` event right after this returns.
        std::function<void(std::int64_t version)> dictionaries;
        /// The listening connection was re-established: notifications may have been missed, so
        /// catch up every room with local members from the store.
        std::function<void()> resync;
    };

    /// Connects twice to `url` (one connection listens, one notifies) and starts listening.
    /// Throws pg::Error if PostgreSQL cannot be reached.
    PgBus(const std::string& url, Handlers handlers);
    /// Stops listening (waits for the listening thread) and disconnects.
    ~PgBus() override;
    PgBus(const PgBus&) = delete;
    PgBus& operator=(const PgBus&) = delete;

    void join(std::int64_t account, const std::shared_ptr<Sink>& sink) override;
    void leave(std::int64_t account, const Sink* sink) override;
    /// Delivers here at once and returns how many sessions it reached here. A frame the same
    /// for every device is also sent to the other nodes; a per-device frame (a message) is not:
    /// other nodes learn of it from messages_committed().
    std::size_t publish(const std::vector<std::int64_t>& accounts,
                        const std::shared_ptr<const Frame>& frame,
                        const Sink* except = nullptr) override;
    void broadcast(const std::shared_ptr<const Frame>& frame) override;
    std::size_t cut_off(std::int64_t account, const std::string& reason) override;
    void dictionaries_changed(std::int64_t version) override;

    /// After a batch of messages committed on this node: one NOTIFY with every room's new last
    /// seq (split only if it exceeds the payload limit). Thread-safe.
    void messages_committed(const std::vector<RoomSeq>& hints);
    /// Queues one message's hint for messages_committed(), which a thread of the bus's own calls
    /// with everything queued meanwhile: the caller (the thread that completes writes) never
    /// waits for PostgreSQL, and hints sent together share one NOTIFY. Thread-safe.
    void hint(std::int64_t room, std::int64_t seq);

    /// This node's own sessions, for delivering what a handler fetched.
    [[nodiscard]] LocalBus& local() noexcept { return local_; }

    /// NOTIFYs sent and received from other nodes (for tests and metrics).
    [[nodiscard]] std::uint64_t sent() const noexcept { return sent_.load(); }
    [[nodiscard]] std::uint64_t received() const noexcept { return received_.load(); }

  private:
    void notify(const std::string& payload);
    void listen_loop();
    void hint_loop();
    void handle(const std::string& payload);

    std::string url_;
    Handlers handlers_;
    std::string node_;  ///< random id: a node ignores its own notifications
    LocalBus local_;
    std::mutex notify_mutex_;
    std::unique_ptr<pg::Connection> notifier_;  // GUARDED_BY(notify_mutex_)
    std::unique_ptr<pg::Connection> listener_;  // listening thread only (after construction)
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> received_{0};
    std::thread thread_;
    std::mutex hint_mutex_;
    std::condition_variable hint_wake_;
    std::vector<RoomSeq> hints_;  // GUARDED_BY(hint_mutex_)
    bool hints_stop_ = false;     // GUARDED_BY(hint_mutex_)
    std::thread hinter_;
};

}  // namespace liaise::server
