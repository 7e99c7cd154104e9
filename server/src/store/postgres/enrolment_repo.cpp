// store::Enrolment on PostgreSQL (repos.hpp). The statements both stores share are in
// store/sql/enrolment.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/enrolment.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::EnrolmentStatements kOwnStatements = {
    .pending =
        "SELECT c.code_hash, c.username, c.display_name, c.agency_id, c.role, "
        "c.created_by, c.created_at, c.expires_at, c.used_at, c.replaces, g.name, "
        "COALESCE(b.username, '') FROM enrolment_codes c JOIN agencies g ON g.id = "
        "c.agency_id LEFT JOIN accounts b ON b.id = c.created_by WHERE c.used_at IS "
        "NULL AND c.expires_at > ? AND (?::bigint = 0 OR c.agency_id = ?::bigint) "
        "AND NOT EXISTS (SELECT 1 FROM enrolment_codes n WHERE n.username = "
        "c.username AND n.replaces IS NOT DISTINCT FROM c.replaces AND n.created_at "
        "> c.created_at) AND (c.replaces IS NOT NULL OR NOT EXISTS (SELECT 1 FROM "
        "accounts a WHERE a.username = c.username)) ORDER BY c.username COLLATE "
        "\"C\", c.replaces IS NOT NULL"};

class PgEnrolment final : public sql::SharedEnrolment<Connection&> {
  public:
    explicit PgEnrolment(Connection& db) : SharedEnrolment(db, kOwnStatements) {}

    int issue(const EnrolmentCode& c) override {
        const auto withdrawn =
            run(db_,
                "UPDATE enrolment_codes SET expires_at = ? WHERE username = ? AND used_at IS NULL "
                "AND expires_at > ? AND replaces IS NOT DISTINCT FROM ?::bigint RETURNING 1",
                c.created_at - 1, c.user, c.created_at, nullable(c.replaces))
                .rows();
        run(db_,
            "INSERT INTO enrolment_codes(code_hash, username, display_name, agency_id, role, "
            "created_by, created_at, expires_at, replaces) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.code_hash, c.user, c.display_name, c.agency, protocol::to_string(c.role),
            nullable(c.created_by), c.created_at, c.expires_at, nullable(c.replaces));
        return withdrawn;
    }
    bool mark_used(std::string_view code_hash, Millis at) override {
        return run(db_,
                   "UPDATE enrolment_codes SET used_at = ? WHERE code_hash = ? AND used_at IS "
                   "NULL RETURNING 1",
                   at, code_hash)
                   .rows() > 0;
    }

    Recorded record_login(Id account, Id device, std::string_view address, Millis at,
                          Id last_session, Millis keep_after, int limit) override {
        Recorded out;
        out.new_logins = logins_to_tell(account, device, last_session, limit);
        out.session = run(db_,
                          "INSERT INTO sessions(account_id, device_id, at, address) "
                          "VALUES(?, ?, ?, ?) RETURNING id",
                          account, device, at, address)
                          .int64(0, 0);
        run(db_, "DELETE FROM sessions WHERE at < ?", keep_after);
        return out;
    }
};

}  // namespace

std::unique_ptr<Enrolment> make_enrolment(Connection& db) {
    return std::make_unique<PgEnrolment>(db);
}

}  // namespace liaise::server::pg
