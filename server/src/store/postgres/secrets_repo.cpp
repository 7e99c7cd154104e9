// store::Secrets on PostgreSQL (repos.hpp): settings in `meta`, sealed secrets as bytea.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

SecretRow secret_row(const Result& r, int i) {
    SecretRow s;
    s.name = text(r, i, 0);
    s.id = r.int64(i, 1);
    s.sealed = bytes(r, i, 2);
    if (!r.is_null(i, 3))
        s.public_half = bytes(r, i, 3);
    return s;
}

class PgSecrets final : public Secrets {
  public:
    explicit PgSecrets(Connection& db) : db_(db) {}

    std::optional<std::string> setting(std::string_view key) const override {
        auto r = run(db_, "SELECT value FROM meta WHERE key = ?", key);
        if (r.rows() == 0)
            return std::nullopt;
        return text(r, 0, 0);
    }
    std::optional<SecretRow> secret(Id id) const override {
        auto r =
            run(db_, "SELECT name, id, sealed, public_half FROM server_secrets WHERE id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return secret_row(r, 0);
    }
    std::vector<SecretRow> secrets() const override {
        auto r = run(db_, "SELECT name, id, sealed, public_half FROM server_secrets ORDER BY id");
        std::vector<SecretRow> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(secret_row(r, i));
        return out;
    }
    void set_setting(std::string_view key, std::string_view value) override {
        run(db_,
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
            "excluded.value",
            key, value);
    }
    void erase_setting(std::string_view key) override {
        run(db_, "DELETE FROM meta WHERE key = ?", key);
    }
    bool add_secret(const SecretRow& s) override {
        return run(db_,
                   "INSERT INTO server_secrets(name, id, sealed, public_half) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT DO NOTHING RETURNING 1",
                   s.name, s.id, s.sealed, s.public_half)
                   .rows() > 0;
    }
    void reseal_secret(Id id, const Bytes& sealed) override {
        run(db_, "UPDATE server_secrets SET sealed = ? WHERE id = ?", sealed, id);
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Secrets> make_secrets(Connection& db) {
    return std::make_unique<PgSecrets>(db);
}

}  // namespace liaise::server::pg
