// store::AuditLog: what both stores run alike (rows.hpp). The stores' own: set_head() (an
// upsert), how records() says "no limit", and PostgreSQL's audit lock before a write unit reads
// the end of the chain or appends (postgres/audit_repo.cpp); so last(), head(), append() and
// records() are the stores', over read_last(), read_head(), append_row() and read_records().
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/repo/audit_log.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

inline constexpr const char* kAuditSelect =
    "SELECT l.seq, l.at, l.actor, COALESCE(a.username, ''), l.kind, l.body, l.prev, l.hash "
    "FROM audit l LEFT JOIN accounts a ON a.id = l.actor ";

/// A record in the columns of kAuditSelect.
template <class Row>
[[nodiscard]] AuditRow audit_row(const Row& r) {
    AuditRow a;
    a.seq = r.int64(0);
    a.at = r.int64(1);
    a.actor = r.id_or_0(2);
    a.actor_user = r.text(3);
    a.kind = r.text(4);
    a.body = r.bytes(5);
    a.prev = r.bytes(6);
    a.hash = r.bytes(7);
    return a;
}

template <class Db>
class SharedAuditLog : public AuditLog {
  public:
    void rewrite(std::int64_t seq, const Bytes& body, const Bytes& prev,
                 const Bytes& hash) override {
        run(db_, "UPDATE audit SET body = ?, prev = ?, hash = ? WHERE seq = ?", body, prev, hash,
            seq);
    }

  protected:
    explicit SharedAuditLog(Db db) : db_(db) {}

    /// records()'s contract (repo/audit_log.hpp), with `limit` as the store says "no limit"
    /// (SQLite: -1; PostgreSQL: NULL).
    template <class Limit>
    std::vector<AuditRow> read_records(std::int64_t from_seq, Millis since,
                                       const Limit& limit) const {
        return sql::all(query(db_,
                              std::string(kAuditSelect) +
                                  "WHERE l.seq >= ? AND l.at >= ? ORDER BY l.seq LIMIT ?",
                              from_seq, since, limit),
                        [](const auto& r) { return audit_row(r); });
    }

    /// The last record, without any lock.
    std::optional<AuditRow> read_last() const {
        return sql::first(query(db_, std::string(kAuditSelect) + "ORDER BY l.seq DESC LIMIT 1"),
                          [](const auto& r) { return audit_row(r); });
    }
    /// The head, without any lock.
    std::optional<AuditHeadRow> read_head() const {
        return sql::first(
            query(db_, "SELECT count, last_seq, last_hash, at, mac, signature FROM audit_head"),
            [](const auto& r) {
                return AuditHeadRow{r.int64(0), r.int64(1), r.bytes(2),
                                    r.int64(3), r.bytes(4), r.bytes(5)};
            });
    }
    /// append()'s contract (repo/audit_log.hpp), under whatever lock the store holds.
    void append_row(const AuditRow& a) {
        if (const auto l = read_last(); l && l->seq >= a.seq)
            throw std::logic_error("audit: records are appended at the end only");
        run(db_,
            "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) VALUES(?, ?, ?, ?, ?, ?, ?)",
            a.seq, a.at, a.actor, a.kind, a.body, a.prev, a.hash);
    }

    Db db_;
};

}  // namespace liaise::server::store::sql
