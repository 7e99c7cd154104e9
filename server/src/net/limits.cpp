#include "net/limits.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace liaise::server {

template <class Key>
BasicRateLimiter<Key>::BasicRateLimiter(double per_second, double burst)
    : interval_(std::max<std::int64_t>(1, std::llround(1e9 / per_second))),
      tolerance_(interval_ * std::max<std::int64_t>(0, std::llround(burst) - 1)) {}

template <class Key>
std::chrono::milliseconds BasicRateLimiter<Key>::take(const Key& key, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (full_at_.size() > kForgetAbove)
        std::erase_if(full_at_, [&](const auto& entry) { return entry.second <= now; });
    auto& full_at = full_at_.try_emplace(key, now).first->second;
    // The bucket holds burst - (full_at - now) / interval tokens; it needs one.
    const auto from = std::max(full_at, now);
    if (const auto over = from - now - tolerance_; over.count() > 0) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(over);
        return std::max(ms, std::chrono::milliseconds(1));
    }
    full_at = from + interval_;
    return std::chrono::milliseconds(0);
}

template class BasicRateLimiter<std::int64_t>;
template class BasicRateLimiter<boost::asio::ip::address>;

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
    const std::optional<boost::asio::ip::address>& address) {
    std::lock_guard lock(mutex_);
    Slot slot;
    slot.address_ = address;
    std::size_t none = 0;
    auto& mine = address ? per_address_[*address] : none;
    if (total_ < max_total_ && mine < max_per_address_) {
        ++total_;
        ++mine;
        slot.admitted_ = true;
    } else {
        if (address && mine == 0)
            per_address_.erase(*address);
        if (refusing_ >= kMaxRefusing)
            return std::nullopt;
        ++refusing_;
    }
    slot.owner_ = this;
    return slot;
}

bool ConnectionLimiter::rekey(Slot& slot, const boost::asio::ip::address& address) {
    if (!slot.admitted_ || slot.address_ == address)
        return slot.admitted_;
    std::lock_guard lock(mutex_);
    auto& mine = per_address_[address];
    if (mine >= max_per_address_)
        return false;
    ++mine;
    forget(slot.address_);
    slot.address_ = address;
    return true;
}

std::size_t ConnectionLimiter::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

void ConnectionLimiter::forget(const std::optional<boost::asio::ip::address>& address) noexcept {
    if (!address)
        return;
    if (const auto it = per_address_.find(*address); it != per_address_.end() && --it->second == 0)
        per_address_.erase(it);
}

void ConnectionLimiter::release(const Slot& slot) noexcept {
    std::lock_guard lock(mutex_);
    if (!slot.admitted_) {
        --refusing_;
        return;
    }
    --total_;
    forget(slot.address_);
}

}  // namespace liaise::server
