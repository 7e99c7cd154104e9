// store::Secrets: what both stores run alike (rows.hpp). The stores' own: set_setting (an
// upsert) and add_secret (whether the row went in).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/secrets.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

/// A secret in columns 0-3: name, id, sealed, public_half.
template <class Row>
[[nodiscard]] SecretRow secret_row(const Row& r) {
    SecretRow s;
    s.name = r.text(0);
    s.id = r.int64(1);
    s.sealed = r.bytes(2);
    if (!r.is_null(3))
        s.public_half = r.bytes(3);
    return s;
}

template <class Db>
class SharedSecrets : public Secrets {
  public:
    std::optional<std::string> setting(std::string_view key) const override {
        return sql::first(query(db_, "SELECT value FROM meta WHERE key = ?", key),
                          [](const auto& r) { return r.text(0); });
    }
    std::optional<SecretRow> secret(Id id) const override {
        return sql::first(
            query(db_, "SELECT name, id, sealed, public_half FROM server_secrets WHERE id = ?", id),
            [](const auto& r) { return secret_row(r); });
    }
    std::vector<SecretRow> secrets() const override {
        return sql::all(
            query(db_, "SELECT name, id, sealed, public_half FROM server_secrets ORDER BY id"),
            [](const auto& r) { return secret_row(r); });
    }
    void erase_setting(std::string_view key) override {
        run(db_, "DELETE FROM meta WHERE key = ?", key);
    }
    void reseal_secret(Id id, const Bytes& sealed) override {
        run(db_, "UPDATE server_secrets SET sealed = ? WHERE id = ?", sealed, id);
    }

  protected:
    explicit SharedSecrets(Db db) : db_(db) {}
    Db db_;
};

}  // namespace liaise::server::store::sql
