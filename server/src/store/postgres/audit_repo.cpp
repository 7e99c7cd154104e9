// store::AuditLog on PostgreSQL (repos.hpp). The chain is extended above the store (audit.hpp):
// a write unit reads the last record and the head, chains to them, appends and sets the head.
// Two nodes doing that at once would chain to the same record, so in a write unit the first
// read of the end of the chain, or the first append, takes a transaction-level advisory lock
// that every node shares and holds it to the unit's commit: audit units take turns across
// nodes (a low-rate path). The primary key on seq is the backstop. Read units never lock. The
// statements both stores share are in store/sql/audit_log.hpp.
#include <stdexcept>

#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/audit_log.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

class PgAuditLog final : public sql::SharedAuditLog<Connection&> {
  public:
    PgAuditLog(Connection& db, bool in_write) : SharedAuditLog(db), in_write_(in_write) {}

    std::optional<AuditRow> last() const override {
        lock();
        return read_last();
    }
    std::vector<AuditRow> records(std::int64_t from_seq, Millis since,
                                  std::int64_t limit) const override {
        // LIMIT NULL is no limit, as SQLite's LIMIT -1.
        return read_records(from_seq, since, limit < 0 ? std::nullopt : std::optional(limit));
    }
    std::optional<AuditHeadRow> head() const override {
        lock();
        return read_head();
    }
    void append(const AuditRow& a) override {
        lock();
        append_row(a);
    }
    void set_head(const AuditHeadRow& h) override {
        run(db_,
            "INSERT INTO audit_head(id, count, last_seq, last_hash, at, mac, signature) "
            "VALUES(1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET count = excluded.count, "
            "last_seq = excluded.last_seq, last_hash = excluded.last_hash, at = excluded.at, "
            "mac = excluded.mac, signature = excluded.signature",
            h.count, h.last_seq, h.last_hash, h.at, h.mac, h.signature);
    }

  private:
    /// In a write unit: the audit lock, once (held to the end of the transaction).
    void lock() const {
        if (!in_write_ || locked_)
            return;
        run(db_, "SELECT pg_advisory_xact_lock(7393318543)");
        locked_ = true;
    }

    bool in_write_ = false;
    mutable bool locked_ = false;
};

}  // namespace

std::unique_ptr<AuditLog> make_audit(Connection& db, bool in_write) {
    return std::make_unique<PgAuditLog>(db, in_write);
}

}  // namespace liaise::server::pg
