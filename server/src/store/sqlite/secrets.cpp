#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

SecretRow secret_row(SQLite::Statement& q) {
    SecretRow s;
    s.name = q.getColumn(0).getString();
    s.id = q.getColumn(1).getInt64();
    s.sealed = bytes(q.getColumn(2));
    if (!q.getColumn(3).isNull())
        s.public_half = bytes(q.getColumn(3));
    return s;
}

class SqlSecrets final : public Secrets {
  public:
    explicit SqlSecrets(const Conn& c) : c_(c) {}

    std::optional<std::string> setting(std::string_view key) const override {
        auto q = c_.sql.use("SELECT value FROM meta WHERE key = ?");
        bind_all(*q, key);
        if (!q->executeStep())
            return std::nullopt;
        return q->getColumn(0).getString();
    }
    std::optional<SecretRow> secret(Id id) const override {
        auto q =
            c_.sql.use("SELECT name, id, sealed, public_half FROM server_secrets WHERE id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return secret_row(*q);
    }
    std::vector<SecretRow> secrets() const override {
        auto q = c_.sql.use("SELECT name, id, sealed, public_half FROM server_secrets ORDER BY id");
        std::vector<SecretRow> out;
        while (q->executeStep())
            out.push_back(secret_row(*q));
        return out;
    }
    void set_setting(std::string_view key, std::string_view value) override {
        run(c_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", key, value);
    }
    void erase_setting(std::string_view key) override {
        run(c_, "DELETE FROM meta WHERE key = ?", key);
    }
    bool add_secret(const SecretRow& s) override {
        return run(c_,
                   "INSERT INTO server_secrets(name, id, sealed, public_half) VALUES(?, ?, ?, ?) "
                   "ON CONFLICT DO NOTHING",
                   s.name, s.id, s.sealed, s.public_half) > 0;
    }
    void reseal_secret(Id id, const Bytes& sealed) override {
        run(c_, "UPDATE server_secrets SET sealed = ? WHERE id = ?", sealed, id);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Secrets> make_secrets(const Conn& c) {
    return std::make_unique<SqlSecrets>(c);
}

}  // namespace liaise::server::store::sqlite
