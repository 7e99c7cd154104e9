#include "store/glossary_store.hpp"

#include "store/db.hpp"

namespace liaise::server::glossary_store {

void create_tables(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS room_glossary(
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  term_key TEXT NOT NULL,  -- jargon::agreed_key(term): one row per term whatever its case
  term TEXT NOT NULL,
  meaning TEXT NOT NULL,
  agreed_by INTEGER NOT NULL REFERENCES accounts(id),
  agreed_at INTEGER NOT NULL,
  PRIMARY KEY(room_id, term_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_glossary_versions(
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  version INTEGER NOT NULL,
  change TEXT NOT NULL,  -- 'added', 'changed' or 'removed'
  term TEXT NOT NULL,
  meaning TEXT,          -- NULL for 'removed'
  changed_by INTEGER NOT NULL REFERENCES accounts(id),
  changed_at INTEGER NOT NULL,
  PRIMARY KEY(room_id, version)) WITHOUT ROWID;
)sql");
}

}  // namespace liaise::server::glossary_store
