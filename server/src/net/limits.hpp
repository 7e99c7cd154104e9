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
    double preauth_rate_per_second = 10;
    double preauth_rate_burst = 20;
};

/// Requests per second per key (an account; an address for requests before login): a token
/// bucket per key holding at most `burst` tokens, refilled at `per_second`, one token per
/// request. Every connection of an account (or from an address) draws from the same bucket, so
/// opening more connections does not raise the limit. Thread-safe.
///
/// The bucket is kept as the time it will next be full (the "generic cell rate algorithm"), in
/// whole nanoseconds, so the arithmetic is exact. A bucket that is full is the same as none: when
/// more than kForgetAbove keys are held, the full ones are forgotten, which bounds the memory an
/// attacker with many addresses can make the server hold to what it can refill.
template <class Key>
class BasicRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kForgetAbove = 4096;

    /// Preconditions: per_second > 0, burst >= 1.
    BasicRateLimiter(double per_second, double burst);

    /// Takes a token from `key`'s bucket. Returns zero when the request may go ahead;
    /// otherwise nothing is taken and the result is how long until a token is there (>= 1 ms).
    [[nodiscard]] std::chrono::milliseconds take(const Key& key,
                                                 Clock::time_point now = Clock::now());

  private:
    const std::chrono::nanoseconds interval_;   ///< one token's worth of time
    const std::chrono::nanoseconds tolerance_;  ///< (burst - 1) tokens' worth
    std::mutex mutex_;
    /// When each key's bucket would be full again if it took nothing more.
    std::map<Key, Clock::time_point> full_at_;  // GUARDED_BY(mutex_)
};

/// Requests per account, across its connections.
using RateLimiter = BasicRateLimiter<std::int64_t>;
/// Requests before login (enrol, login) per client address.
using AddressRateLimiter = BasicRateLimiter<boost::asio::ip::address>;

extern template class BasicRateLimiter<std::int64_t>;
extern template class BasicRateLimiter<boost::asio::ip::address>;

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

      private:
        friend class ConnectionLimiter;
        void release() noexcept;
        ConnectionLimiter* owner_ = nullptr;
        std::optional<boost::asio::ip::address> address_;  ///< none: counted in the total only
        bool admitted_ = false;
    };

    ConnectionLimiter(std::size_t max_total, std::size_t max_per_address)
        : max_total_(max_total), max_per_address_(max_per_address) {}

    /// An admitted slot when both limits allow one more connection from `address`; else a
    /// refused slot while fewer than kMaxRefusing are being refused; else nullopt (close now).
    /// Without an address (a trusted proxy's connection, whose client is known only from its
    /// request) the slot counts towards the total only, until rekey() gives it one.
    [[nodiscard]] std::optional<Slot> acquire(
        const std::optional<boost::asio::ip::address>& address);

    /// Moves an admitted `slot` to count against `address` instead of its current one (or
    /// none). False, and the slot unchanged, when `address` already has the most it may.
    [[nodiscard]] bool rekey(Slot& slot, const boost::asio::ip::address& address);

    /// Admitted connections open now.
    [[nodiscard]] std::size_t total() const;

  private:
    void release(const Slot& slot) noexcept;
    /// One connection fewer from `address`. Caller holds mutex_.
    void forget(const std::optional<boost::asio::ip::address>& address) noexcept;

    const std::size_t max_total_;
    const std::size_t max_per_address_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;                                        // GUARDED_BY(mutex_)
    std::size_t refusing_ = 0;                                     // GUARDED_BY(mutex_)
    std::map<boost::asio::ip::address, std::size_t> per_address_;  // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
