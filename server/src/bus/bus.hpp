// Internal: the bus, the one way a change on one connection reaches others: fan-out of messages
// and events, cut-offs (suspension, device replacement, a lowered role) and dictionary reloads.
// The app calls it only after the change it announces has committed. LocalBus (local_bus.hpp)
// is this process's sessions; a bus that spans several server nodes implements the same calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bus/frame.hpp"
#include "bus/sink.hpp"

namespace liaise::server {

/// Every member is thread-safe and must not block on a session: delivery only queues.
class Bus {
  public:
    virtual ~Bus() = default;

    /// `sink` now receives what is published to `account` (a session that logged in).
    virtual void join(std::int64_t account, const std::shared_ptr<Sink>& sink) = 0;
    /// `sink` receives nothing more (a closed session). Unknown sinks are ignored.
    virtual void leave(std::int64_t account, const Sink* sink) = 0;

    /// Delivers `frame` (shared, never copied) to every session of `accounts` except `except`;
    /// returns how many sessions it reached here.
    virtual std::size_t publish(const std::vector<std::int64_t>& accounts,
                                const std::shared_ptr<const Frame>& frame,
                                const Sink* except = nullptr) = 0;
    /// Delivers `frame` to every logged-in session.
    virtual void broadcast(const std::shared_ptr<const Frame>& frame) = 0;
    /// Ends every session of `account` with `reason` (a suspension, a replaced device, a changed
    /// role: a session keeps the standing it logged in with, so it must log in again); returns
    /// how many it ended here. A session that joins afterwards is not affected.
    virtual std::size_t cut_off(std::int64_t account, const std::string& reason) = 0;
    /// The dictionaries are now `version`: every session hears the `dictionaries` event. The
    /// node that made the change has already swapped its own engine.
    virtual void dictionaries_changed(std::int64_t version) = 0;
};

}  // namespace liaise::server
