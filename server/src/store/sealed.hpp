// Internal: every record the server seals with its at-rest key, in one place. A new sealed column
// is added to kSealedColumns in sealed.cpp (or, for the audit log, to audit::reseal), and then
// `liaise-server rotate-key` re-seals it and the key check at start probes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace liaise::server {

class AtRestKey;

namespace sealed {

/// How many records of one table were re-sealed.
struct Count {
    std::string table;
    std::int64_t records = 0;
};

/// Re-seals every sealed record from `from` to `to`, inside the caller's transaction: minutes,
/// minutes versions, actions, and the audit log (audit::reseal, which also recomputes its
/// chain). Throws std::runtime_error naming the first record that does not open with `from`;
/// the caller's transaction must then be rolled back (nothing is half re-sealed).
[[nodiscard]] std::vector<Count> reseal_all(SQLite::Database& db, const AtRestKey& from,
                                            const AtRestKey& to);

/// Whether `key` opens the database's sealed records, judged by the first one found (in the
/// audit log, else in the other sealed tables): nullopt when the database holds none.
[[nodiscard]] std::optional<bool> opens(SQLite::Database& db, const AtRestKey& key);

}  // namespace sealed
}  // namespace liaise::server
