// store::Accounts on SQLite: the statements both stores share are in store/sql/accounts.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/accounts.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// Looks up the standing of device `?1`; a device that does not exist is not current.
constexpr const char* kStandingSql =
    "SELECT d.revoked_at IS NULL, a.suspended, a.role FROM devices d JOIN accounts a ON "
    "a.id = d.account_id WHERE d.id = ?";

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::AccountStatements kOwnStatements = {
    .agency = "SELECT id, name, discipline FROM agencies WHERE name = ?",
    .agencies = "SELECT id, name, discipline FROM agencies ORDER BY name",
    .all = "SELECT " LIAISE_ACCOUNT_COLUMNS
           " FROM accounts a JOIN agencies g ON g.id = a.agency_id "
           "ORDER BY a.username"};

class SqlAccounts final : public sql::SharedAccounts<Conn> {
  public:
    explicit SqlAccounts(const Conn& c) : SharedAccounts(c, kOwnStatements) {}

    std::int64_t active_admins_except(Id except) const override {
        return sql::first(query(db_,
                                "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND "
                                "suspended = 0 AND id != ?",
                                except),
                          [](const Row& r) { return r.int64(0); })
            .value_or(0);
    }
    Standing standing(Id device) const override {
        const auto look_up = [&] {
            return sql::first(query(db_, kStandingSql, device),
                              [](const Row& r) {
                                  return Standing{r.boolean(0), r.boolean(1),
                                                  protocol::parse_role(r.text(2)).value_or(
                                                      protocol::Role::member)};
                              })
                .value_or(Standing{});
        };
        auto* memory = db_.remembered();
        if (memory == nullptr)
            return look_up();
        const auto [it, fresh] = memory->standing.try_emplace(device);
        if (fresh)
            it->second = look_up();
        return it->second;
    }
    std::vector<AccountListing> listing(Id agency, std::optional<bool> suspended) const override {
        const int wanted = suspended ? (*suspended ? 1 : 0) : -1;
        return sql::all(
            query(db_,
                  "SELECT " LIAISE_ACCOUNT_COLUMNS
                  ", a.created_at, (SELECT COUNT(*) FROM devices d WHERE d.account_id = a.id AND "
                  "d.revoked_at IS NULL) FROM accounts a JOIN agencies g ON g.id = a.agency_id "
                  "WHERE (? = 0 OR a.agency_id = ?) AND (? < 0 OR a.suspended = ?) ORDER BY "
                  "a.username",
                  agency, agency, wanted, wanted),
            [](const Row& r) { return sql::listing_row(r); });
    }

    std::optional<Id> add_agency(std::string_view name, std::string_view discipline,
                                 Millis at) override {
        if (agency(name))
            return std::nullopt;
        run(db_, "INSERT INTO agencies(name, discipline, created_at) VALUES(?, ?, ?)", name,
            discipline, at);
        return db_.db.getLastInsertRowid();
    }
    bool rename_agency(Id id, std::string_view name) override {
        if (sql::any(query(db_, "SELECT 1 FROM agencies WHERE name = ? AND id != ?", name, id)))
            return false;
        run(db_, "UPDATE agencies SET name = ? WHERE id = ?", name, id);
        return true;
    }
    std::optional<Id> add(std::string_view user, std::string_view display_name, Id agency,
                          protocol::Role role, Millis at) override {
        if (find(user))
            return std::nullopt;
        db_.changed();
        run(db_,
            "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
            "VALUES(?, ?, ?, ?, ?)",
            user, display_name, agency, protocol::to_string(role), at);
        return db_.db.getLastInsertRowid();
    }
    void set_role(Id account, protocol::Role role) override {
        db_.changed();
        run(db_, "UPDATE accounts SET role = ? WHERE id = ?", protocol::to_string(role), account);
    }
    void set_suspended(Id account, bool suspended) override {
        db_.changed();
        run(db_, "UPDATE accounts SET suspended = ? WHERE id = ?", suspended, account);
    }
    Id add_device(Id account, const Device& d) override {
        db_.changed();
        run(db_,
            "INSERT INTO devices(account_id, name, sign_key, box_key, box_key_signature, "
            "created_at, revoked_at, issued_by, issued_at, replaces) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            account, d.name, d.sign_key, d.box_key, d.box_key_signature, d.created_at, d.revoked_at,
            nullable(d.issued_by), d.issued_at, nullable(d.replaces));
        return db_.db.getLastInsertRowid();
    }
    int revoke_devices(Id account, Millis at) override {
        db_.changed();
        return run(db_,
                   "UPDATE devices SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                   at, account);
    }
};

}  // namespace

std::unique_ptr<Accounts> make_accounts(const Conn& c) {
    return std::make_unique<SqlAccounts>(c);
}

}  // namespace liaise::server::store::sqlite
