// Internal: the PostgreSQL schema and its migrations (`liaise-server migrate --database URL`).
#pragma once

#include "store/postgres/pq.hpp"

namespace liaise::server::pg {

/// The schema version this build creates and expects.
inline constexpr int schema_version = 8;

/// Creates the schema in an empty database, or brings an older one up to schema_version, in
/// one transaction: a failure leaves the database as it was. Safe to run from several nodes at
/// once (they take turns on an advisory lock) and again on a current database (a no-op).
/// Returns the version found before; throws Error on failure, and std::runtime_error if the
/// database is newer than this build (an older node must not write to it).
int migrate(Connection& db);

/// migrate() up to `version` (1..schema_version) only: for tests of an upgrade from an older
/// schema. Never lowers a database's version.
int migrate_to(Connection& db, int version);

/// The database's schema version, 0 for a database without Liaise's schema.
[[nodiscard]] int current_version(Connection& db);

}  // namespace liaise::server::pg
