// store::Accounts on PostgreSQL (repos.hpp). The statements both stores share are in
// store/sql/accounts.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/accounts.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::AccountStatements kOwnStatements = {
    .agency = "SELECT id, name, discipline FROM agencies WHERE lower(name) = lower(?)",
    .agencies =
        "SELECT id, name, discipline FROM agencies ORDER BY lower(name) "
        "COLLATE \"C\", name COLLATE \"C\"",
    .all = "SELECT " LIAISE_ACCOUNT_COLUMNS
           " FROM accounts a JOIN agencies g ON g.id = a.agency_id "
           "ORDER BY a.username COLLATE \"C\""};

class PgAccounts final : public sql::SharedAccounts<Connection&> {
  public:
    explicit PgAccounts(Connection& db) : SharedAccounts(db, kOwnStatements) {}

    // Agency names are unique and looked up in any case (the unique index is on lower(name)).
    std::int64_t active_admins_except(Id except) const override {
        return run(db_,
                   "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND NOT suspended AND "
                   "id <> ?",
                   except)
            .int64(0, 0);
    }
    // Read every time, never remembered: a suspension or replacement committed by any node
    // counts from the next unit of work on.
    Standing standing(Id device) const override {
        return sql::first(query(db_,
                                "SELECT d.revoked_at IS NULL, a.suspended, a.role FROM devices d "
                                "JOIN accounts a ON a.id = d.account_id WHERE d.id = ?",
                                device),
                          [](const Row& r) {
                              return Standing{
                                  r.boolean(0), r.boolean(1),
                                  protocol::parse_role(r.text(2)).value_or(protocol::Role::member)};
                          })
            .value_or(Standing{});
    }
    std::vector<AccountListing> listing(Id agency, std::optional<bool> suspended) const override {
        return sql::all(query(db_,
                              "SELECT " LIAISE_ACCOUNT_COLUMNS
                              ", a.created_at, (SELECT COUNT(*) FROM devices d WHERE "
                              "d.account_id = a.id AND d.revoked_at IS NULL) FROM accounts a JOIN "
                              "agencies g ON g.id = a.agency_id WHERE (?::bigint = 0 OR "
                              "a.agency_id = ?::bigint) AND (?::boolean IS NULL OR a.suspended = "
                              "?::boolean) ORDER BY a.username COLLATE \"C\"",
                              agency, agency, suspended, suspended),
                        [](const Row& r) { return sql::listing_row(r); });
    }

    std::optional<Id> add_agency(std::string_view name, std::string_view discipline,
                                 Millis at) override {
        return new_id(run(db_,
                          "INSERT INTO agencies(name, discipline, created_at) VALUES(?, ?, ?) "
                          "ON CONFLICT DO NOTHING RETURNING id",
                          name, discipline, at));
    }
    bool rename_agency(Id id, std::string_view name) override {
        if (run(db_, "SELECT 1 FROM agencies WHERE lower(name) = lower(?) AND id <> ?", name, id)
                .rows() > 0)
            return false;
        run(db_, "UPDATE agencies SET name = ? WHERE id = ?", name, id);
        return true;
    }
    std::optional<Id> add(std::string_view user, std::string_view display_name, Id agency,
                          protocol::Role role, Millis at) override {
        return new_id(run(db_,
                          "INSERT INTO accounts(username, display_name, agency_id, role, "
                          "created_at) VALUES(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                          user, display_name, agency, protocol::to_string(role), at));
    }
    void set_role(Id account, protocol::Role role) override {
        run(db_, "UPDATE accounts SET role = ? WHERE id = ?", protocol::to_string(role), account);
    }
    void set_suspended(Id account, bool suspended) override {
        lock_rooms_of(account);
        run(db_, "UPDATE accounts SET suspended = ? WHERE id = ?", suspended, account);
    }
    Id add_device(Id account, const Device& d) override {
        lock_rooms_of(account);
        return run(db_,
                   "INSERT INTO devices(account_id, name, sign_key, box_key, box_key_signature, "
                   "created_at, revoked_at, issued_by, issued_at, replaces) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   account, d.name, d.sign_key, d.box_key, d.box_key_signature, d.created_at,
                   d.revoked_at, nullable(d.issued_by), d.issued_at, nullable(d.replaces))
            .int64(0, 0);
    }
    int revoke_devices(Id account, Millis at) override {
        lock_rooms_of(account);
        return run(db_,
                   "UPDATE devices SET revoked_at = ? WHERE account_id = ? AND revoked_at IS "
                   "NULL RETURNING 1",
                   at, account)
            .rows();
    }

  private:
    /// The id an INSERT ... ON CONFLICT DO NOTHING RETURNING id gave, if it inserted.
    static std::optional<Id> new_id(const Result& r) {
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
    }
    /// Takes the locks of the rooms `account` is in, ascending, as a send takes its room's: a
    /// change to whom a send must wrap for (suspension, a device added or revoked) then
    /// serialises with the sends of those rooms on every node, so no send commits after it
    /// with the recipients from before it (a revoked device's key).
    void lock_rooms_of(Id account) {
        run(db_,
            "SELECT 1 FROM rooms WHERE id IN (SELECT room_id FROM room_members WHERE account_id "
            "= ?) ORDER BY id FOR UPDATE",
            account);
    }
};

}  // namespace

std::unique_ptr<Accounts> make_accounts(Connection& db) {
    return std::make_unique<PgAccounts>(db);
}

}  // namespace liaise::server::pg
