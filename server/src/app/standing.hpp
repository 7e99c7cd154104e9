// Internal: whether a logged-in device may still make a request (Service::write_tx and its
// read units check it first, in the same unit of work).
#pragma once

#include "liaise/protocol/messages.hpp"
#include "store/repo/accounts.hpp"

namespace liaise::server {

/// Throws ServiceError unless a device of `standing` may make a request that needs `access`:
/// device_replaced for a device that is not current, suspended for a suspended account,
/// forbidden for a role below `access`.
void require_standing(const store::Standing& standing, protocol::Access access);

}  // namespace liaise::server
