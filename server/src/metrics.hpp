// Internal: counters served at GET /metrics in the Prometheus text format. Thread-safe; no
// label carries user data (request types and error codes come from fixed lists).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace liaise::server {

class Metrics {
  public:
    void connection_opened() { ++connections_open_, ++connections_total_; }
    void connection_closed() { --connections_open_; }
    /// A connection turned away by the connection limits (answered 503, or closed unanswered).
    void connection_refused() { ++connections_refused_; }
    void request(std::string_view type);
    void error(std::string_view code);
    void message_stored() { ++messages_stored_; }
    void message_delivered(std::uint64_t n) { messages_delivered_ += n; }
    /// Delivery of what other nodes committed (app/remote_delivery.hpp): one read unit of work
    /// that read `rooms` rooms, and a hinted room not read because nobody here is in it.
    void remote_read(std::uint64_t rooms) { ++remote_reads_, remote_rooms_read_ += rooms; }
    void remote_skipped() { ++remote_rooms_skipped_; }
    /// One grouped commit of `jobs` jobs that took `seconds`.
    void commit(double seconds, std::size_t jobs);

    /// The exposition text.
    [[nodiscard]] std::string render() const;

  private:
    static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01,
                                                        0.02,   0.05,  0.1,   0.25,  1.0};
    std::atomic<std::int64_t> connections_open_{0};
    std::atomic<std::uint64_t> connections_total_{0};
    std::atomic<std::uint64_t> connections_refused_{0};
    std::atomic<std::uint64_t> messages_stored_{0};
    std::atomic<std::uint64_t> messages_delivered_{0};
    std::atomic<std::uint64_t> remote_reads_{0};
    std::atomic<std::uint64_t> remote_rooms_read_{0};
    std::atomic<std::uint64_t> remote_rooms_skipped_{0};

    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t, std::less<>> requests_;   // GUARDED_BY(mutex_)
    std::map<std::string, std::uint64_t, std::less<>> errors_;     // GUARDED_BY(mutex_)
    std::array<std::uint64_t, kBuckets.size()> commit_buckets_{};  // GUARDED_BY(mutex_)
    std::uint64_t commits_ = 0;                                    // GUARDED_BY(mutex_)
    std::uint64_t committed_jobs_ = 0;                             // GUARDED_BY(mutex_)
    double commit_seconds_ = 0;                                    // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
