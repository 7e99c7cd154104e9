#include "store/mail_notices_store.hpp"

#include "store/db.hpp"

namespace liaise::server::mail_store {

void create_schema(SQLite::Database& db) {
    if (db.execAndGet("SELECT COUNT(*) FROM pragma_table_info('accounts') WHERE name = 'email'")
            .getInt() == 0)
        db.exec("ALTER TABLE accounts ADD COLUMN email TEXT");
    // One row per notice sent: (notice, action, account) is sent once. A reassigned action is a
    // new (action, account) pair and so a new notice. An action removed from a draft takes its
    // rows with it.
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS mail_notices_sent(
  notice TEXT NOT NULL,
  action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  sent_at INTEGER NOT NULL,
  PRIMARY KEY(notice, action_id, account_id));
)sql");
}

}  // namespace liaise::server::mail_store
