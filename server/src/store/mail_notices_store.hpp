// Internal: the schema of what the email outbox stores: each account's email address (a column on
// accounts, since schema version 6 when missing) and which notices were sent. The rows are read
// and written by the store's Outbox repository (store/repo/outbox.hpp).
#pragma once

namespace SQLite {
class Database;
}

namespace liaise::server::mail_store {

/// Adds the email column and the outbox's table when missing. Inside Storage::create_schema.
void create_schema(SQLite::Database& db);

}  // namespace liaise::server::mail_store
