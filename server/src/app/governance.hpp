// Internal: whether an account holds the information-governance permission (PROTOCOL.md,
// "Subject access requests"). The list of officers lives in subject_access.cpp; `whoami` reports
// the permission so that a client can offer subject access only to those who hold it (the
// request itself checks again: the server is the authority).
#pragma once

#include <cstdint>

#include "store/repo/secrets.hpp"

namespace liaise::server {

/// True when the account with id `account` holds the `governance` permission as stored in
/// `secrets`. Throws ServiceError (internal) when the stored list does not read.
[[nodiscard]] bool holds_governance(const store::SecretsView& secrets, std::int64_t account);

}  // namespace liaise::server
