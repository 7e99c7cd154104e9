// store::Enrolment on PostgreSQL (repos.hpp).
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kLoginSelect =
    "SELECT s.id, s.device_id, d.name, s.at, s.address, i.username, d.issued_at FROM sessions s "
    "JOIN devices d ON d.id = s.device_id LEFT JOIN accounts i ON i.id = d.issued_by ";

Login login_row(const Result& r, int i) {
    Login l;
    l.session = r.int64(i, 0);
    l.device = r.int64(i, 1);
    l.device_name = text(r, i, 2);
    l.at = r.int64(i, 3);
    l.address = text(r, i, 4);
    l.issued_by = text(r, i, 5);
    l.issued_at = optional_int(r, i, 6);
    return l;
}

/// The code in row `i`, columns 0-9, in the order code() selects them.
EnrolmentCode code_row(const Result& r, int i) {
    EnrolmentCode e;
    e.code_hash = text(r, i, 0);
    e.user = text(r, i, 1);
    e.display_name = text(r, i, 2);
    e.agency = r.int64(i, 3);
    e.role = protocol::parse_role(r.text(i, 4)).value_or(protocol::Role::member);
    e.created_by = id_or_0(r, i, 5);
    e.created_at = r.int64(i, 6);
    e.expires_at = r.int64(i, 7);
    e.used_at = optional_int(r, i, 8);
    e.replaces = id_or_0(r, i, 9);
    return e;
}

class PgEnrolment final : public Enrolment {
  public:
    explicit PgEnrolment(Connection& db) : db_(db) {}

    std::optional<EnrolmentCode> code(std::string_view code_hash) const override {
        auto r = run(db_,
                     "SELECT code_hash, username, display_name, agency_id, role, created_by, "
                     "created_at, expires_at, used_at, replaces FROM enrolment_codes WHERE "
                     "code_hash = ?",
                     code_hash);
        if (r.rows() == 0)
            return std::nullopt;
        return code_row(r, 0);
    }
    std::vector<Login> recent_logins(Id account, int limit) const override {
        auto r = run(db_,
                     std::string(kLoginSelect) +
                         "WHERE s.account_id = ? ORDER BY s.at DESC, s.id DESC LIMIT ?",
                     account, limit);
        std::vector<Login> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(login_row(r, i));
        return out;
    }
    std::vector<PendingCode> pending(Id agency, Millis expires_after) const override {
        auto r = run(db_,
                     "SELECT c.code_hash, c.username, c.display_name, c.agency_id, c.role, "
                     "c.created_by, c.created_at, c.expires_at, c.used_at, c.replaces, g.name, "
                     "COALESCE(b.username, '') FROM enrolment_codes c JOIN agencies g ON g.id = "
                     "c.agency_id LEFT JOIN accounts b ON b.id = c.created_by WHERE c.used_at IS "
                     "NULL AND c.expires_at > ? AND (?::bigint = 0 OR c.agency_id = ?::bigint) "
                     "AND NOT EXISTS (SELECT 1 FROM enrolment_codes n WHERE n.username = "
                     "c.username AND n.replaces IS NOT DISTINCT FROM c.replaces AND n.created_at "
                     "> c.created_at) AND (c.replaces IS NOT NULL OR NOT EXISTS (SELECT 1 FROM "
                     "accounts a WHERE a.username = c.username)) ORDER BY c.username COLLATE "
                     "\"C\", c.replaces IS NOT NULL",
                     expires_after, agency, agency);
        std::vector<PendingCode> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({code_row(r, i), text(r, i, 10), text(r, i, 11)});
        return out;
    }

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
        // The newest `limit` of the logins to tell of, shown oldest first.
        const auto list = [&](const std::string& where, auto... values) {
            auto r = run(db_,
                         "SELECT * FROM (" + std::string(kLoginSelect) + where +
                             " ORDER BY s.id DESC LIMIT ?) AS newest ORDER BY 1",
                         values..., limit);
            for (int i = 0; i < r.rows(); ++i)
                out.new_logins.push_back(login_row(r, i));
        };
        if (last_session > 0) {
            list("WHERE s.account_id = ? AND s.id > ?", account, last_session);
        } else {
            auto r = run(db_, "SELECT MAX(id) FROM sessions WHERE device_id = ?", device);
            if (const auto previous = optional_int(r, 0, 0))
                list("WHERE s.account_id = ? AND s.device_id <> ? AND s.id > ?", account, device,
                     *previous);
        }
        out.session = run(db_,
                          "INSERT INTO sessions(account_id, device_id, at, address) "
                          "VALUES(?, ?, ?, ?) RETURNING id",
                          account, device, at, address)
                          .int64(0, 0);
        run(db_, "DELETE FROM sessions WHERE at < ?", keep_after);
        return out;
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Enrolment> make_enrolment(Connection& db) {
    return std::make_unique<PgEnrolment>(db);
}

}  // namespace liaise::server::pg
