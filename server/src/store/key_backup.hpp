// Internal: the rows of continuity (PROTOCOL.md, "Continuity"): each account's backup public key
// record, its sealed backup entries, the one pending device transfer per account and the history
// shares stored per recipient device. Only ciphertext and public keys: nothing here opens
// without a recovery key, a transfer code or a device's secret key, none of which the server
// ever receives. This file keeps their schema; the store's Continuity repository
// (store/repo/continuity.hpp) reads and writes them.
#pragma once

namespace SQLite {
class Database;
}

namespace liaise::server::key_backup {

/// Creates the tables when missing (called by Storage::create_schema).
void create_schema(SQLite::Database& db);

}  // namespace liaise::server::key_backup
