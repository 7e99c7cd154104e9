// Internal: the network layer's limits — how fast one account may send requests, and how many
// connections one address and the whole server may hold. PROTOCOL.md ("Limits") documents them;
// Config carries their settings.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace liaise::server {

/// The limits every connection is held to. Values come from Config; see its comments.
struct Limits {
    std::size_t max_frame_bytes = 1 << 20;
    std::size_t max_queue_bytes = 16 << 20;
    double rate_per_second = 100;
    double rate_burst = 500;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds login_timeout{30'000};
    std::chrono::milliseconds idle_timeout{120'000};
    std::size_t max_connections = 10'000;
    std::size_t max_connections_per_address = 256;
};

/// Requests per second per account: a token bucket holding at most `burst` tokens, refilled at
/// `per_second`, one token per request. Every connection of an account draws from the same
/// bucket, so opening more connections does not raise the limit. Thread-safe.
///
/// The bucket is kept as the time it will next be full (the "generic cell rate algorithm"), in
/// whole nanoseconds, so the arithmetic is exact. There is one per account that has made a
/// request since the server started; enrolment bounds their number, so none is ever evicted.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    /// Preconditions: per_second > 0, burst >= 1.
    RateLimiter(double per_second, double burst);

    /// Takes a token from `account`'s bucket. Returns zero when the request may go ahead;
    /// otherwise nothing is taken and the result is how long until a token is there (>= 1 ms).
    [[nodiscard]] std::chrono::milliseconds take(std::int64_t account,
                                                 Clock::time_point now = Clock::now());

  private:
    const std::chrono::nanoseconds interval_;   ///< one token's worth of time
    const std::chrono::nanoseconds tolerance_;  ///< (burst - 1) tokens' worth
    std::mutex mutex_;
    /// When each account's bucket would be full again if it took nothing more.
    std::unordered_map<std::int64_t, Clock::time_point> full_at_;  // GUARDED_BY(mutex_)
};

/// Counts open connections, in total and per remote address. Thread-safe.
class ConnectionLimiter {
  public:
    /// A connection that is being refused is still answered (HTTP 503) while fewer than this
    /// many are being answered; beyond that, new ones are closed at once.
    static constexpr std::size_t kMaxRefusing = 64;

    /// One accepted connection's place in the count; gives it back when destroyed. Move-only.
    class Slot {
      public:
        Slot() = default;
        Slot(Slot&& other) noexcept { *this = std::move(other); }
        Slot& operator=(Slot&& other) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() { release(); }

        /// True for a connection within the limits; false for one being refused politely.
        [[nodiscard]] bool admitted() const noexcept { return admitted_; }
        /// The address the connection came from.
        [[nodiscard]] const boost::asio::ip::address& address() const noexcept { return address_; }

      private:
        friend class ConnectionLimiter;
        void release() noexcept;
        ConnectionLimiter* owner_ = nullptr;
        boost::asio::ip::address address_;
        bool admitted_ = false;
    };

    ConnectionLimiter(std::size_t max_total, std::size_t max_per_address)
        : max_total_(max_total), max_per_address_(max_per_address) {}

    /// An admitted slot when both limits allow one more connection from `address`; else a
    /// refused slot while fewer than kMaxRefusing are being refused; else nullopt (close now).
    [[nodiscard]] std::optional<Slot> acquire(const boost::asio::ip::address& address);

    /// Admitted connections open now.
    [[nodiscard]] std::size_t total() const;

  private:
    void release(const Slot& slot) noexcept;

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;                                        // GUARDED_BY(mutex_)
    std::size_t refusing_ = 0;                                     // GUARDED_BY(mutex_)
    std::map<boost::asio::ip::address, std::size_t> per_address_;  // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
