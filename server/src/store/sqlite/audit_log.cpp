#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

constexpr const char* kAuditSelect =
    "SELECT l.seq, l.at, l.actor, COALESCE(a.username, ''), l.kind, l.body, l.prev, l.hash "
    "FROM audit l LEFT JOIN accounts a ON a.id = l.actor ";

AuditRow audit_row(SQLite::Statement& q) {
    AuditRow r;
    r.seq = q.getColumn(0).getInt64();
    r.at = q.getColumn(1).getInt64();
    r.actor = id_or_0(q.getColumn(2));
    r.actor_user = q.getColumn(3).getString();
    r.kind = q.getColumn(4).getString();
    r.body = bytes(q.getColumn(5));
    r.prev = bytes(q.getColumn(6));
    r.hash = bytes(q.getColumn(7));
    return r;
}

class SqlAuditLog final : public AuditLog {
  public:
    explicit SqlAuditLog(const Conn& c) : c_(c) {}

    std::optional<AuditRow> last() const override {
        auto q = c_.sql.use(std::string(kAuditSelect) + "ORDER BY l.seq DESC LIMIT 1");
        if (!q->executeStep())
            return std::nullopt;
        return audit_row(*q);
    }
    std::vector<AuditRow> records(std::int64_t from_seq, Millis since,
                                  std::int64_t limit) const override {
        auto q = c_.sql.use(std::string(kAuditSelect) +
                            "WHERE l.seq >= ? AND l.at >= ? ORDER BY l.seq LIMIT ?");
        bind_all(*q, from_seq, since, limit);
        std::vector<AuditRow> out;
        while (q->executeStep())
            out.push_back(audit_row(*q));
        return out;
    }
    std::optional<AuditHeadRow> head() const override {
        auto q =
            c_.sql.use("SELECT count, last_seq, last_hash, at, mac, signature FROM audit_head");
        if (!q->executeStep())
            return std::nullopt;
        return AuditHeadRow{q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                            bytes(q->getColumn(2)),     q->getColumn(3).getInt64(),
                            bytes(q->getColumn(4)),     bytes(q->getColumn(5))};
    }
    void append(const AuditRow& r) override {
        if (const auto l = last(); l && l->seq >= r.seq)
            throw std::logic_error("audit: records are appended at the end only");
        run(c_,
            "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) VALUES(?, ?, ?, ?, ?, ?, ?)",
            r.seq, r.at, r.actor, r.kind, r.body, r.prev, r.hash);
    }
    void set_head(const AuditHeadRow& h) override {
        run(c_,
            "INSERT OR REPLACE INTO audit_head(id, count, last_seq, last_hash, at, mac, "
            "signature) VALUES(1, ?, ?, ?, ?, ?, ?)",
            h.count, h.last_seq, h.last_hash, h.at, h.mac, h.signature);
    }
    void rewrite(std::int64_t seq, const Bytes& body, const Bytes& prev,
                 const Bytes& hash) override {
        run(c_, "UPDATE audit SET body = ?, prev = ?, hash = ? WHERE seq = ?", body, prev, hash,
            seq);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<AuditLog> make_audit(const Conn& c) {
    return std::make_unique<SqlAuditLog>(c);
}

}  // namespace liaise::server::store::sqlite
