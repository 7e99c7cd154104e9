// store::Accounts: what both stores run alike (rows.hpp), and the account columns that Rooms
// reads too. The stores' own: the wording of the agency look-ups (PostgreSQL matches names in
// any case) and of the orders (PostgreSQL sorts in "C" order), given as AccountStatements;
// standing() (SQLite's writer remembers it; PostgreSQL reads it every time); listing()
// (integer against boolean `suspended`); and every write (how a new id is read back, what
// SQLite's writer must forget, which rows PostgreSQL locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/accounts.hpp"
#include "store/sql/rows.hpp"

/// The columns account_row() reads, over `accounts a JOIN agencies g`.
#define LIAISE_ACCOUNT_COLUMNS \
    "a.id, a.username, a.display_name, g.name, g.discipline, a.role, a.suspended, a.agency_id"

namespace liaise::server::store::sql {

/// The SELECT that account_row() reads, ending in a join; append a WHERE clause.
inline constexpr const char* kAccountSelect =
    "SELECT " LIAISE_ACCOUNT_COLUMNS " FROM accounts a JOIN agencies g ON g.id = a.agency_id ";

/// The account in LIAISE_ACCOUNT_COLUMNS, from column `first` on.
template <class Row>
[[nodiscard]] AccountRow account_row(const Row& r, int first = 0) {
    AccountRow a;
    a.id = r.int64(first);
    a.user = r.text(first + 1);
    a.display_name = r.text(first + 2);
    a.agency = r.text(first + 3);
    a.discipline = r.text(first + 4);
    a.role = protocol::parse_role(r.text(first + 5)).value_or(protocol::Role::member);
    a.suspended = r.boolean(first + 6);
    a.agency_id = r.int64(first + 7);
    return a;
}

/// An agency in columns 0-2: id, name, discipline.
template <class Row>
[[nodiscard]] Agency agency_row(const Row& r) {
    return {r.int64(0), r.text(1), r.text(2)};
}

/// A listing: LIAISE_ACCOUNT_COLUMNS, then created_at and the count of current devices.
template <class Row>
[[nodiscard]] AccountListing listing_row(const Row& r) {
    return {account_row(r), r.int64(8), r.int64(9)};
}

inline constexpr const char* kDeviceSelect =
    "SELECT d.id, d.account_id, d.name, d.sign_key, d.box_key, d.box_key_signature, "
    "d.created_at, d.revoked_at, d.issued_by, i.username, i.display_name, d.issued_at, "
    "d.replaces FROM devices d LEFT JOIN accounts i ON i.id = d.issued_by ";

/// A device in the columns of kDeviceSelect.
template <class Row>
[[nodiscard]] Device device_row(const Row& r) {
    Device d;
    d.id = r.int64(0);
    d.account = r.int64(1);
    d.name = r.text(2);
    d.sign_key = r.text(3);
    d.box_key = r.text(4);
    d.box_key_signature = r.text(5);
    d.created_at = r.int64(6);
    d.revoked_at = r.optional_int(7);
    d.issued_by = r.id_or_0(8);
    d.issued_by_user = r.text(9);
    d.issued_by_display_name = r.text(10);
    d.issued_at = r.optional_int(11);
    d.replaces = r.id_or_0(12);
    return d;
}

/// The statements each store words its own way (the same parameters and columns).
struct AccountStatements {
    const char* agency;    ///< (name) -> agency_row()'s columns
    const char* agencies;  ///< agency_row()'s columns, by name
    const char* all;       ///< kAccountSelect's columns, by user name
};

template <class Db>
class SharedAccounts : public Accounts {
  public:
    std::optional<Agency> agency(std::string_view name) const override {
        return sql::first(query(db_, statements_.agency, name),
                          [](const auto& r) { return agency_row(r); });
    }
    std::vector<Agency> agencies() const override {
        return sql::all(query(db_, statements_.agencies),
                        [](const auto& r) { return agency_row(r); });
    }
    std::vector<AccountRow> all() const override {
        return sql::all(query(db_, statements_.all), [](const auto& r) { return account_row(r); });
    }
    bool discipline_in_use(std::string_view discipline) const override {
        return sql::any(
            query(db_, "SELECT 1 FROM agencies WHERE discipline = ? LIMIT 1", discipline));
    }
    std::optional<AccountRow> find(std::string_view user) const override {
        return sql::first(query(db_, std::string(kAccountSelect) + "WHERE a.username = ?", user),
                          [](const auto& r) { return account_row(r); });
    }
    std::optional<AccountRow> by_id(Id id) const override {
        return sql::first(query(db_, std::string(kAccountSelect) + "WHERE a.id = ?", id),
                          [](const auto& r) { return account_row(r); });
    }
    std::optional<Device> device(Id id, Id account) const override {
        return sql::first(
            query(db_, std::string(kDeviceSelect) + "WHERE d.id = ? AND d.account_id = ?", id,
                  account),
            [](const auto& r) { return device_row(r); });
    }
    std::vector<Device> devices(Id account) const override {
        return sql::all(query(db_,
                              std::string(kDeviceSelect) +
                                  "WHERE d.account_id = ? AND d.revoked_at IS NULL ORDER BY d.id",
                              account),
                        [](const auto& r) { return device_row(r); });
    }
    Id newest_device(Id account) const override {
        return sql::first(
                   query(db_, "SELECT COALESCE(MAX(id), 0) FROM devices WHERE account_id = ?",
                         account),
                   [](const auto& r) { return r.int64(0); })
            .value_or(0);
    }

  protected:
    SharedAccounts(Db db, AccountStatements statements) : db_(db), statements_(statements) {}
    Db db_;

  private:
    AccountStatements statements_;
};

}  // namespace liaise::server::store::sql
