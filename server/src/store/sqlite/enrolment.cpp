#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

constexpr const char* kLoginSelect =
    "SELECT s.id, s.device_id, d.name, s.at, s.address, i.username, d.issued_at FROM sessions s "
    "JOIN devices d ON d.id = s.device_id LEFT JOIN accounts i ON i.id = d.issued_by ";

Login login_row(SQLite::Statement& q) {
    Login l;
    l.session = q.getColumn(0).getInt64();
    l.device = q.getColumn(1).getInt64();
    l.device_name = q.getColumn(2).getString();
    l.at = q.getColumn(3).getInt64();
    l.address = q.getColumn(4).getString();
    l.issued_by = text(q.getColumn(5));
    l.issued_at = optional_int(q.getColumn(6));
    return l;
}

/// The code in columns 0-9 of `q`, in the order code() selects them.
EnrolmentCode code_row(SQLite::Statement& q) {
    EnrolmentCode e;
    e.code_hash = q.getColumn(0).getString();
    e.user = q.getColumn(1).getString();
    e.display_name = q.getColumn(2).getString();
    e.agency = q.getColumn(3).getInt64();
    e.role = protocol::parse_role(q.getColumn(4).getString()).value_or(protocol::Role::member);
    e.created_by = id_or_0(q.getColumn(5));
    e.created_at = q.getColumn(6).getInt64();
    e.expires_at = q.getColumn(7).getInt64();
    e.used_at = optional_int(q.getColumn(8));
    e.replaces = id_or_0(q.getColumn(9));
    return e;
}

class SqlEnrolment final : public Enrolment {
  public:
    explicit SqlEnrolment(const Conn& c) : c_(c) {}

    std::optional<EnrolmentCode> code(std::string_view code_hash) const override {
        auto q = c_.sql.use(
            "SELECT code_hash, username, display_name, agency_id, role, created_by, created_at, "
            "expires_at, used_at, replaces FROM enrolment_codes WHERE code_hash = ?");
        bind_all(*q, code_hash);
        if (!q->executeStep())
            return std::nullopt;
        return code_row(*q);
    }
    std::vector<Login> recent_logins(Id account, int limit) const override {
        auto q = c_.sql.use(std::string(kLoginSelect) +
                            "WHERE s.account_id = ? ORDER BY s.at DESC, s.id DESC LIMIT ?");
        bind_all(*q, account, limit);
        std::vector<Login> out;
        while (q->executeStep())
            out.push_back(login_row(*q));
        return out;
    }
    std::vector<PendingCode> pending(Id agency, Millis expires_after) const override {
        auto q = c_.sql.use(
            "SELECT c.code_hash, c.username, c.display_name, c.agency_id, c.role, c.created_by, "
            "c.created_at, c.expires_at, c.used_at, c.replaces, g.name, COALESCE(b.username, '') "
            "FROM enrolment_codes c JOIN agencies g ON g.id = c.agency_id LEFT JOIN accounts b "
            "ON b.id = c.created_by WHERE c.used_at IS NULL AND c.expires_at > ? AND (? = 0 OR "
            "c.agency_id = ?) AND NOT EXISTS (SELECT 1 FROM enrolment_codes n WHERE n.username = "
            "c.username AND n.replaces IS c.replaces AND n.created_at > c.created_at) AND "
            "(c.replaces IS NOT NULL OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.username = "
            "c.username)) ORDER BY c.username, c.replaces IS NOT NULL");
        bind_all(*q, expires_after, agency, agency);
        std::vector<PendingCode> out;
        while (q->executeStep())
            out.push_back(
                {code_row(*q), q->getColumn(10).getString(), q->getColumn(11).getString()});
        return out;
    }

    int issue(const EnrolmentCode& c) override {
        const auto withdrawn = run(c_,
                                   "UPDATE enrolment_codes SET expires_at = ? WHERE username = ? "
                                   "AND used_at IS NULL AND expires_at > ? AND replaces IS ?",
                                   c.created_at - 1, c.user, c.created_at, nullable(c.replaces));
        run(c_,
            "INSERT INTO enrolment_codes(code_hash, username, display_name, agency_id, role, "
            "created_by, created_at, expires_at, replaces) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.code_hash, c.user, c.display_name, c.agency, protocol::to_string(c.role),
            nullable(c.created_by), c.created_at, c.expires_at, nullable(c.replaces));
        return withdrawn;
    }
    bool mark_used(std::string_view code_hash, Millis at) override {
        return run(c_,
                   "UPDATE enrolment_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
                   at, code_hash) > 0;
    }

    Recorded record_login(Id account, Id device, std::string_view address, Millis at,
                          Id last_session, Millis keep_after, int limit) override {
        Recorded out;
        // The newest `limit` of the logins to tell of, shown oldest first.
        const auto list = [&](const std::string& where, auto... values) {
            auto q = c_.sql.use("SELECT * FROM (" + std::string(kLoginSelect) + where +
                                " ORDER BY s.id DESC LIMIT ?) ORDER BY 1");
            bind_all(*q, values..., limit);
            while (q->executeStep())
                out.new_logins.push_back(login_row(*q));
        };
        if (last_session > 0) {
            list("WHERE s.account_id = ? AND s.id > ?", account, last_session);
        } else {
            std::optional<std::int64_t> previous;
            {
                auto q = c_.sql.use("SELECT MAX(id) FROM sessions WHERE device_id = ?");
                bind_all(*q, device);
                if (q->executeStep())
                    previous = optional_int(q->getColumn(0));
            }
            if (previous)
                list("WHERE s.account_id = ? AND s.device_id != ? AND s.id > ?", account, device,
                     *previous);
        }
        run(c_, "INSERT INTO sessions(account_id, device_id, at, address) VALUES(?, ?, ?, ?)",
            account, device, at, address);
        out.session = c_.db.getLastInsertRowid();
        run(c_, "DELETE FROM sessions WHERE at < ?", keep_after);
        return out;
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Enrolment> make_enrolment(const Conn& c) {
    return std::make_unique<SqlEnrolment>(c);
}

}  // namespace liaise::server::store::sqlite
