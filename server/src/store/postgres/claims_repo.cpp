// store::Claims on PostgreSQL (repo/claims.hpp). A claim is one statement: an insert that, on a
// key already claimed, takes the row over only if its claim ran out or is the same node's. Two
// nodes claiming one key at once: the second's insert waits on the first's row until its unit
// ends, then sees the claim committed and takes nothing (READ COMMITTED re-checks the WHERE on
// the newest row). The writer's lock_timeout may cut that wait short: its batch is then run
// again alone, and waits.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgClaims final : public Claims {
  public:
    explicit PgClaims(Connection& db) : db_(db) {}

    bool claim(std::string_view key, std::string_view node, Millis now, Millis until) override {
        return run(db_,
                   "INSERT INTO claims AS c(key, claimed_by, claimed_until) VALUES(?, ?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, "
                   "claimed_until = EXCLUDED.claimed_until WHERE c.claimed_until < ? OR "
                   "c.claimed_by = EXCLUDED.claimed_by RETURNING 1",
                   key, node, until, now)
                   .rows() > 0;
    }
    bool release(std::string_view key, std::string_view node) override {
        return run(db_, "DELETE FROM claims WHERE key = ? AND claimed_by = ? RETURNING 1", key,
                   node)
                   .rows() > 0;
    }
    int purge(Millis before, int limit) override {
        // The outer condition again: a row another node took over while this waited on it is
        // checked anew (READ COMMITTED) and kept.
        return run(db_,
                   "DELETE FROM claims WHERE claimed_until < ? AND key IN (SELECT key FROM claims "
                   "WHERE claimed_until < ? ORDER BY claimed_until, key LIMIT ?) RETURNING 1",
                   before, before, limit)
            .rows();
    }
    std::optional<std::string> holder(std::string_view key, Millis now) const override {
        auto r = run(db_, "SELECT claimed_by FROM claims WHERE key = ? AND claimed_until >= ?", key,
                     now);
        if (r.rows() == 0)
            return std::nullopt;
        return text(r, 0, 0);
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Claims> make_claims(Connection& db) {
    return std::make_unique<PgClaims>(db);
}

}  // namespace liaise::server::pg
