// Internal: the bus within one server process: who is online, by account.
#pragma once

#include <mutex>
#include <unordered_map>

#include "bus/bus.hpp"

namespace liaise::server {

/// Thread-safe. Sessions are held weakly: a closed session that has not left yet is skipped.
class LocalBus final : public Bus {
  public:
    void join(std::int64_t account, const std::shared_ptr<Sink>& sink) override;
    void leave(std::int64_t account, const Sink* sink) override;
    std::size_t publish(const std::vector<std::int64_t>& accounts,
                        const std::shared_ptr<const Frame>& frame,
                        const Sink* except = nullptr) override;
    void broadcast(const std::shared_ptr<const Frame>& frame) override;
    std::size_t cut_off(std::int64_t account, const std::string& reason) override;
    void dictionaries_changed(std::int64_t version) override;

    /// Whether any of `accounts` has a session here (joined and not yet left), as of the call:
    /// a session that joins afterwards is not counted.
    [[nodiscard]] bool any_online(const std::vector<std::int64_t>& accounts) const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::vector<std::weak_ptr<Sink>>>
        online_;  // GUARDED_BY(mutex_)
};

}  // namespace liaise::server
