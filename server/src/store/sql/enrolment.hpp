// store::Enrolment: what both stores run alike (rows.hpp). The stores' own: the wording of
// pending() (SQLite's IS against PostgreSQL's IS NOT DISTINCT FROM, and "C" order), given as
// EnrolmentStatements; issue() and mark_used() (how many rows changed); and, in record_login(),
// how the new session's id is read back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/enrolment.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

inline constexpr const char* kLoginSelect =
    "SELECT s.id, s.device_id, d.name, s.at, s.address, i.username, d.issued_at FROM sessions s "
    "JOIN devices d ON d.id = s.device_id LEFT JOIN accounts i ON i.id = d.issued_by ";

/// A login in the columns of kLoginSelect.
template <class Row>
[[nodiscard]] Login login_row(const Row& r) {
    Login l;
    l.session = r.int64(0);
    l.device = r.int64(1);
    l.device_name = r.text(2);
    l.at = r.int64(3);
    l.address = r.text(4);
    l.issued_by = r.text(5);
    l.issued_at = r.optional_int(6);
    return l;
}

/// The code in columns 0-9, in the order code() selects them.
template <class Row>
[[nodiscard]] EnrolmentCode code_row(const Row& r) {
    EnrolmentCode e;
    e.code_hash = r.text(0);
    e.user = r.text(1);
    e.display_name = r.text(2);
    e.agency = r.int64(3);
    e.role = protocol::parse_role(r.text(4)).value_or(protocol::Role::member);
    e.created_by = r.id_or_0(5);
    e.created_at = r.int64(6);
    e.expires_at = r.int64(7);
    e.used_at = r.optional_int(8);
    e.replaces = r.id_or_0(9);
    return e;
}

/// The statements each store words its own way (the same parameters and columns).
struct EnrolmentStatements {
    /// (expires_after, agency, agency: 0 for all) -> code_row()'s columns, the agency's name and
    /// the issuer's user name: the codes still to be used, newest per user and kind.
    const char* pending;
};

template <class Db>
class SharedEnrolment : public Enrolment {
  public:
    std::optional<EnrolmentCode> code(std::string_view code_hash) const override {
        return sql::first(query(db_,
                                "SELECT code_hash, username, display_name, agency_id, role, "
                                "created_by, created_at, expires_at, used_at, replaces FROM "
                                "enrolment_codes WHERE code_hash = ?",
                                code_hash),
                          [](const auto& r) { return code_row(r); });
    }
    std::vector<Login> recent_logins(Id account, int limit) const override {
        return sql::all(query(db_,
                              std::string(kLoginSelect) +
                                  "WHERE s.account_id = ? ORDER BY s.at DESC, s.id DESC LIMIT ?",
                              account, limit),
                        [](const auto& r) { return login_row(r); });
    }

    std::vector<PendingCode> pending(Id agency, Millis expires_after) const override {
        return sql::all(query(db_, statements_.pending, expires_after, agency, agency),
                        [](const auto& r) {
                            return PendingCode{code_row(r), r.text(10), r.text(11)};
                        });
    }

  protected:
    SharedEnrolment(Db db, EnrolmentStatements statements) : db_(db), statements_(statements) {}

    /// record_login()'s new_logins (repo/enrolment.hpp): read before the new session is added.
    std::vector<Login> logins_to_tell(Id account, Id device, Id last_session, int limit) const {
        // The newest `limit` of the logins to tell of, shown oldest first.
        const auto list = [&](const std::string& where, auto... values) {
            return sql::all(query(db_,
                                  "SELECT * FROM (" + std::string(kLoginSelect) + where +
                                      " ORDER BY s.id DESC LIMIT ?) AS newest ORDER BY 1",
                                  values..., limit),
                            [](const auto& r) { return login_row(r); });
        };
        if (last_session > 0)
            return list("WHERE s.account_id = ? AND s.id > ?", account, last_session);
        const auto previous =
            sql::first(query(db_, "SELECT MAX(id) FROM sessions WHERE device_id = ?", device),
                       [](const auto& r) { return r.optional_int(0); });
        if (!previous || !*previous)
            return {};
        return list("WHERE s.account_id = ? AND s.device_id <> ? AND s.id > ?", account, device,
                    **previous);
    }

    Db db_;

  private:
    EnrolmentStatements statements_;
};

}  // namespace liaise::server::store::sql
