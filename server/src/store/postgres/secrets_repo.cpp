// store::Secrets on PostgreSQL (repos.hpp): settings in `meta`, sealed secrets as bytea. The
// statements both stores share are in store/sql/secrets.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/secrets.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgSecrets final : public sql::SharedSecrets<Connection&> {
  public:
    explicit PgSecrets(Connection& db) : SharedSecrets(db) {}

    void set_setting(std::string_view key, std::string_view value) override {
        run(db_,
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
            "excluded.value",
            key, value);
    }
    bool add_secret(const SecretRow& s) override {
        return run(db_,
                   "INSERT INTO server_secrets(name, id, sealed, public_half) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT DO NOTHING RETURNING 1",
                   s.name, s.id, s.sealed, s.public_half)
                   .rows() > 0;
    }
};

}  // namespace

std::unique_ptr<Secrets> make_secrets(Connection& db) {
    return std::make_unique<PgSecrets>(db);
}

}  // namespace liaise::server::pg
