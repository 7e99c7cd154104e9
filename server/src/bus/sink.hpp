// Internal: where the bus delivers: one connected session, as the bus and the app see it.
#pragma once

#include <memory>
#include <string>

#include "bus/frame.hpp"

namespace liaise::server {

/// Something that can receive server-initiated events: a connected session. deliver() must be
/// thread-safe and must not block.
class Sink {
  public:
    virtual ~Sink() = default;
    virtual void deliver(std::shared_ptr<const Frame> frame) = 0;
    /// Ends the session at once (policy violation, with `reason` as the close reason): no
    /// request it sends afterwards is handled. Thread-safe; must not block.
    virtual void cut_off(std::string reason) = 0;
};

}  // namespace liaise::server
