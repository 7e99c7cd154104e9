// Internal: a count of the work a Service has under way (store units and worker jobs with their
// completions), so that shutdown can wait for all of it before the Service goes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace liaise::server {

/// Counts live Tokens. Thread-safe. Must outlive every Token it hands out (the Service declares
/// it before its worker, whose queued jobs hold Tokens).
class InFlight {
  public:
    /// One piece of work under way: copy it into the completion of the store unit, or into the
    /// worker job, that it stands for; the work is over when its last copy is destroyed (stores
    /// and the worker destroy a completion once it has run, or unrun when they stop). Copies
    /// count on their own, so a Token can ride in a std::function; a follow-up step created
    /// inside a completion takes a copy before the completion ends, so a chain of steps counts
    /// as under way until its last step is over.
    class Token {
      public:
        explicit Token(InFlight& owner) : owner_(&owner) { owner_->count_.fetch_add(1); }
        Token(const Token& o) : owner_(o.owner_) { owner_->count_.fetch_add(1); }
        Token& operator=(const Token&) = delete;
        ~Token() { owner_->release(); }

      private:
        InFlight* owner_;
    };

    [[nodiscard]] Token start() { return Token(*this); }

    /// Waits until no Token is alive, or `limit` has passed; true if none is. Work can still
    /// start while this waits (a completion may start the next step): the caller stops new
    /// work from outside first.
    [[nodiscard]] bool wait_idle(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return idle_.wait_for(lock, limit, [this] { return count_.load() == 0; });
    }
    [[nodiscard]] std::int64_t count() const { return count_.load(); }

  private:
    void release() {
        if (count_.fetch_sub(1) == 1) {
            std::lock_guard lock(mutex_);  // so a waiter cannot miss the wake-up
            idle_.notify_all();
        }
    }

    std::atomic<std::int64_t> count_{0};
    std::mutex mutex_;
    std::condition_variable idle_;
};

}  // namespace liaise::server
