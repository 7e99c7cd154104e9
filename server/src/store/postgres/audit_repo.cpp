// store::AuditLog on PostgreSQL (repos.hpp). The chain is extended above the store (audit.hpp):
// a write unit reads the last record and the head, chains to them, appends and sets the head.
// Two nodes doing that at once would chain to the same record, so in a write unit the first
// read of the end of the chain, or the first append, takes a transaction-level advisory lock
// that every node shares and holds it to the unit's commit: audit units take turns across
// nodes (a low-rate path). The primary key on seq is the backstop. Read units never lock.
#include <stdexcept>

#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kAuditSelect =
    "SELECT l.seq, l.at, l.actor, COALESCE(a.username, ''), l.kind, l.body, l.prev, l.hash "
    "FROM audit l LEFT JOIN accounts a ON a.id = l.actor ";

AuditRow audit_row(const Result& r, int i) {
    AuditRow a;
    a.seq = r.int64(i, 0);
    a.at = r.int64(i, 1);
    a.actor = id_or_0(r, i, 2);
    a.actor_user = text(r, i, 3);
    a.kind = text(r, i, 4);
    a.body = bytes(r, i, 5);
    a.prev = bytes(r, i, 6);
    a.hash = bytes(r, i, 7);
    return a;
}

class PgAuditLog final : public AuditLog {
  public:
    PgAuditLog(Connection& db, bool in_write) : db_(db), in_write_(in_write) {}

    std::optional<AuditRow> last() const override {
        lock();
        auto r = run(db_, std::string(kAuditSelect) + "ORDER BY l.seq DESC LIMIT 1");
        if (r.rows() == 0)
            return std::nullopt;
        return audit_row(r, 0);
    }
    std::vector<AuditRow> records(std::int64_t from_seq, Millis since,
                                  std::int64_t limit) const override {
        // LIMIT NULL is no limit, as SQLite's LIMIT -1.
        auto r =
            run(db_,
                std::string(kAuditSelect) + "WHERE l.seq >= ? AND l.at >= ? ORDER BY l.seq LIMIT ?",
                from_seq, since, limit < 0 ? std::nullopt : std::optional(limit));
        std::vector<AuditRow> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(audit_row(r, i));
        return out;
    }
    std::optional<AuditHeadRow> head() const override {
        lock();
        auto r = run(db_, "SELECT count, last_seq, last_hash, at, mac, signature FROM audit_head");
        if (r.rows() == 0)
            return std::nullopt;
        return AuditHeadRow{r.int64(0, 0), r.int64(0, 1),  bytes(r, 0, 2),
                            r.int64(0, 3), bytes(r, 0, 4), bytes(r, 0, 5)};
    }
    void append(const AuditRow& a) override {
        lock();
        if (const auto l = last(); l && l->seq >= a.seq)
            throw std::logic_error("audit: records are appended at the end only");
        run(db_,
            "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) VALUES(?, ?, ?, ?, ?, ?, ?)",
            a.seq, a.at, a.actor, a.kind, a.body, a.prev, a.hash);
    }
    void set_head(const AuditHeadRow& h) override {
        run(db_,
            "INSERT INTO audit_head(id, count, last_seq, last_hash, at, mac, signature) "
            "VALUES(1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET count = excluded.count, "
            "last_seq = excluded.last_seq, last_hash = excluded.last_hash, at = excluded.at, "
            "mac = excluded.mac, signature = excluded.signature",
            h.count, h.last_seq, h.last_hash, h.at, h.mac, h.signature);
    }
    void rewrite(std::int64_t seq, const Bytes& body, const Bytes& prev,
                 const Bytes& hash) override {
        run(db_, "UPDATE audit SET body = ?, prev = ?, hash = ? WHERE seq = ?", body, prev, hash,
            seq);
    }

  private:
    /// In a write unit: the audit lock, once (held to the end of the transaction).
    void lock() const {
        if (!in_write_ || locked_)
            return;
        run(db_, "SELECT pg_advisory_xact_lock(7393318543)");
        locked_ = true;
    }

    Connection& db_;
    bool in_write_ = false;
    mutable bool locked_ = false;
};

}  // namespace

std::unique_ptr<AuditLog> make_audit(Connection& db, bool in_write) {
    return std::make_unique<PgAuditLog>(db, in_write);
}

}  // namespace liaise::server::pg
