#include "limits.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace liaise::server {

RateLimiter::RateLimiter(double per_second, double burst)
    : interval_(std::max<std::int64_t>(1, std::llround(1e9 / per_second))),
      tolerance_(interval_ * std::max<std::int64_t>(0, std::llround(burst) - 1)) {}

std::chrono::milliseconds RateLimiter::take(std::int64_t account, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto& full_at = full_at_.try_emplace(account, now).first->second;
    // The bucket holds burst - (full_at - now) / interval tokens; it needs one.
    const auto from = std::max(full_at, now);
    if (const auto over = from - now - tolerance_; over.count() > 0) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(over);
        return std::max(ms, std::chrono::milliseconds(1));
    }
    full_at = from + interval_;
    return std::chrono::milliseconds(0);
}

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        address_ = other.address_;
        admitted_ = other.admitted_;
    }
    return *this;
}

void ConnectionLimiter::Slot::release() noexcept {
    if (owner_ != nullptr)
        std::exchange(owner_, nullptr)->release(*this);
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::acquire(
    const boost::asio::ip::address& address) {
    std::lock_guard lock(mutex_);
    Slot slot;
    slot.address_ = address;
    auto& mine = per_address_[address];
    if (total_ < max_total_ && mine < max_per_address_) {
        ++total_;
        ++mine;
        slot.admitted_ = true;
    } else {
        if (mine == 0)
            per_address_.erase(address);
        if (refusing_ >= kMaxRefusing)
            return std::nullopt;
        ++refusing_;
    }
    slot.owner_ = this;
    return slot;
}

std::size_t ConnectionLimiter::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

void ConnectionLimiter::release(const Slot& slot) noexcept {
    std::lock_guard lock(mutex_);
    if (!slot.admitted_) {
        --refusing_;
        return;
    }
    --total_;
    if (const auto it = per_address_.find(slot.address_);
        it != per_address_.end() && --it->second == 0)
        per_address_.erase(it);
}

}  // namespace liaise::server
