// store::AuditLog on SQLite: the statements both stores share are in store/sql/audit_log.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/audit_log.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

class SqlAuditLog final : public sql::SharedAuditLog<Conn> {
  public:
    explicit SqlAuditLog(const Conn& c) : SharedAuditLog(c) {}

    std::optional<AuditRow> last() const override { return read_last(); }
    std::vector<AuditRow> records(std::int64_t from_seq, Millis since,
                                  std::int64_t limit) const override {
        return read_records(from_seq, since, limit);  // LIMIT -1: no limit
    }
    std::optional<AuditHeadRow> head() const override { return read_head(); }
    void append(const AuditRow& r) override { append_row(r); }
    void set_head(const AuditHeadRow& h) override {
        run(db_,
            "INSERT OR REPLACE INTO audit_head(id, count, last_seq, last_hash, at, mac, "
            "signature) VALUES(1, ?, ?, ?, ?, ?, ?)",
            h.count, h.last_seq, h.last_hash, h.at, h.mac, h.signature);
    }
};

}  // namespace

std::unique_ptr<AuditLog> make_audit(const Conn& c) {
    return std::make_unique<SqlAuditLog>(c);
}

}  // namespace liaise::server::store::sqlite
