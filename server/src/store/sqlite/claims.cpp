// store::Claims on SQLite (repo/claims.hpp): one writer, so a claim is a read and a write in the
// same unit, and nothing can come between them.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlClaims final : public Claims {
  public:
    explicit SqlClaims(const Conn& c) : c_(c) {}

    bool claim(std::string_view key, std::string_view node, Millis now, Millis until) override {
        {
            auto q = c_.sql.use("SELECT claimed_by, claimed_until FROM claims WHERE key = ?");
            bind_all(*q, key);
            if (q->executeStep() && q->getColumn(0).getString() != node &&
                q->getColumn(1).getInt64() >= now)
                return false;
        }
        run(c_,
            "INSERT INTO claims(key, claimed_by, claimed_until) VALUES(?, ?, ?) ON CONFLICT(key) "
            "DO UPDATE SET claimed_by = excluded.claimed_by, claimed_until = "
            "excluded.claimed_until",
            key, node, until);
        return true;
    }
    bool release(std::string_view key, std::string_view node) override {
        return run(c_, "DELETE FROM claims WHERE key = ? AND claimed_by = ?", key, node) > 0;
    }
    int purge(Millis before, int limit) override {
        return run(c_,
                   "DELETE FROM claims WHERE claimed_until < ? AND key IN (SELECT key FROM claims "
                   "WHERE claimed_until < ? ORDER BY claimed_until, key LIMIT ?)",
                   before, before, limit);
    }
    std::optional<std::string> holder(std::string_view key, Millis now) const override {
        auto q = c_.sql.use("SELECT claimed_by FROM claims WHERE key = ? AND claimed_until >= ?");
        bind_all(*q, key, now);
        if (!q->executeStep())
            return std::nullopt;
        return q->getColumn(0).getString();
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Claims> make_claims(const Conn& c) {
    return std::make_unique<SqlClaims>(c);
}

}  // namespace liaise::server::store::sqlite
