#include "store/key_backup.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/db.hpp"

namespace liaise::server::key_backup {

void create_schema(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS backup_keys(
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  version INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS backup_entries(
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  sealed TEXT NOT NULL,
  PRIMARY KEY(account_id, room_id, version, seq));
CREATE TABLE IF NOT EXISTS key_transfers(
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  from_device INTEGER NOT NULL REFERENCES devices(id),
  bundle TEXT NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS history_shares(
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  to_device INTEGER NOT NULL REFERENCES devices(id),
  from_device INTEGER NOT NULL REFERENCES devices(id),
  since INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  share TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS history_shares_by_device ON history_shares(to_device, room_id);
)sql");
}

}  // namespace liaise::server::key_backup
