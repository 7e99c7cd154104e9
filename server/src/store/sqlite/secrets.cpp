// store::Secrets on SQLite: the statements both stores share are in store/sql/secrets.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/secrets.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlSecrets final : public sql::SharedSecrets<Conn> {
  public:
    explicit SqlSecrets(const Conn& c) : SharedSecrets(c) {}

    void set_setting(std::string_view key, std::string_view value) override {
        run(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", key, value);
    }
    bool add_secret(const SecretRow& s) override {
        return run(db_,
                   "INSERT INTO server_secrets(name, id, sealed, public_half) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT DO NOTHING",
                   s.name, s.id, s.sealed, s.public_half) > 0;
    }
};

}  // namespace

std::unique_ptr<Secrets> make_secrets(const Conn& c) {
    return std::make_unique<SqlSecrets>(c);
}

}  // namespace liaise::server::store::sqlite
