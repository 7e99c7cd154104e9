// store::Accounts on PostgreSQL (repos.hpp).
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

AccountRow account_row(const Result& r, int row, int first) {
    AccountRow a;
    a.id = r.int64(row, first);
    a.user = text(r, row, first + 1);
    a.display_name = text(r, row, first + 2);
    a.agency = text(r, row, first + 3);
    a.discipline = text(r, row, first + 4);
    a.role = protocol::parse_role(r.text(row, first + 5)).value_or(protocol::Role::member);
    a.suspended = boolean(r, row, first + 6);
    a.agency_id = r.int64(row, first + 7);
    return a;
}

namespace {

constexpr const char* kDeviceSelect =
    "SELECT d.id, d.account_id, d.name, d.sign_key, d.box_key, d.box_key_signature, "
    "d.created_at, d.revoked_at, d.issued_by, i.username, i.display_name, d.issued_at, "
    "d.replaces FROM devices d LEFT JOIN accounts i ON i.id = d.issued_by ";

Device device_row(const Result& r, int i) {
    Device d;
    d.id = r.int64(i, 0);
    d.account = r.int64(i, 1);
    d.name = text(r, i, 2);
    d.sign_key = text(r, i, 3);
    d.box_key = text(r, i, 4);
    d.box_key_signature = text(r, i, 5);
    d.created_at = r.int64(i, 6);
    d.revoked_at = optional_int(r, i, 7);
    d.issued_by = id_or_0(r, i, 8);
    d.issued_by_user = text(r, i, 9);
    d.issued_by_display_name = text(r, i, 10);
    d.issued_at = optional_int(r, i, 11);
    d.replaces = id_or_0(r, i, 12);
    return d;
}

std::vector<Agency> agency_rows(const Result& r) {
    std::vector<Agency> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), text(r, i, 1), text(r, i, 2)});
    return out;
}

class PgAccounts final : public Accounts {
  public:
    explicit PgAccounts(Connection& db) : db_(db) {}

    // Agency names are unique and looked up in any case (the unique index is on lower(name)).
    std::optional<Agency> agency(std::string_view name) const override {
        auto r = run(db_, "SELECT id, name, discipline FROM agencies WHERE lower(name) = lower(?)",
                     name);
        if (r.rows() == 0)
            return std::nullopt;
        return agency_rows(r).front();
    }
    std::vector<Agency> agencies() const override {
        return agency_rows(run(db_,
                               "SELECT id, name, discipline FROM agencies ORDER BY lower(name) "
                               "COLLATE \"C\", name COLLATE \"C\""));
    }
    bool discipline_in_use(std::string_view discipline) const override {
        return run(db_, "SELECT 1 FROM agencies WHERE discipline = ? LIMIT 1", discipline).rows() >
               0;
    }
    std::optional<AccountRow> find(std::string_view user) const override {
        auto r = run(db_, std::string(kAccountSelect) + "WHERE a.username = ?", user);
        if (r.rows() == 0)
            return std::nullopt;
        return account_row(r, 0);
    }
    std::optional<AccountRow> by_id(Id id) const override {
        auto r = run(db_, std::string(kAccountSelect) + "WHERE a.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return account_row(r, 0);
    }
    std::vector<AccountRow> all() const override {
        auto r = run(db_, std::string(kAccountSelect) + "ORDER BY a.username COLLATE \"C\"");
        std::vector<AccountRow> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(account_row(r, i));
        return out;
    }
    std::int64_t active_admins_except(Id except) const override {
        return run(db_,
                   "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND NOT suspended AND "
                   "id <> ?",
                   except)
            .int64(0, 0);
    }
    std::optional<Device> device(Id id, Id account) const override {
        auto r = run(db_, std::string(kDeviceSelect) + "WHERE d.id = ? AND d.account_id = ?", id,
                     account);
        if (r.rows() == 0)
            return std::nullopt;
        return device_row(r, 0);
    }
    std::vector<Device> devices(Id account) const override {
        auto r = run(db_,
                     std::string(kDeviceSelect) +
                         "WHERE d.account_id = ? AND d.revoked_at IS NULL ORDER BY d.id",
                     account);
        std::vector<Device> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(device_row(r, i));
        return out;
    }
    Id newest_device(Id account) const override {
        return run(db_, "SELECT COALESCE(MAX(id), 0) FROM devices WHERE account_id = ?", account)
            .int64(0, 0);
    }
    // Read every time, never remembered: a suspension or replacement committed by any node
    // counts from the next unit of work on.
    Standing standing(Id device) const override {
        auto r = run(db_,
                     "SELECT d.revoked_at IS NULL, a.suspended, a.role FROM devices d JOIN "
                     "accounts a ON a.id = d.account_id WHERE d.id = ?",
                     device);
        Standing out;
        if (r.rows() > 0)
            out = {boolean(r, 0, 0), boolean(r, 0, 1),
                   protocol::parse_role(r.text(0, 2)).value_or(protocol::Role::member)};
        return out;
    }
    std::vector<AccountListing> listing(Id agency, std::optional<bool> suspended) const override {
        auto r = run(db_,
                     "SELECT " LIAISE_PG_ACCOUNT_COLUMNS
                     ", a.created_at, (SELECT COUNT(*) FROM "
                     "devices d WHERE d.account_id = a.id AND d.revoked_at IS NULL) FROM accounts "
                     "a JOIN agencies g ON g.id = a.agency_id WHERE (?::bigint = 0 OR "
                     "a.agency_id = ?::bigint) AND (?::boolean IS NULL OR a.suspended = "
                     "?::boolean) ORDER BY a.username COLLATE \"C\"",
                     agency, agency, suspended, suspended);
        std::vector<AccountListing> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({account_row(r, i), r.int64(i, 8), r.int64(i, 9)});
        return out;
    }

    std::optional<Id> add_agency(std::string_view name, std::string_view discipline,
                                 Millis at) override {
        auto r = run(db_,
                     "INSERT INTO agencies(name, discipline, created_at) VALUES(?, ?, ?) "
                     "ON CONFLICT DO NOTHING RETURNING id",
                     name, discipline, at);
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
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
        auto r = run(db_,
                     "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
                     "VALUES(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                     user, display_name, agency, protocol::to_string(role), at);
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
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

    Connection& db_;
};

}  // namespace

std::unique_ptr<Accounts> make_accounts(Connection& db) {
    return std::make_unique<PgAccounts>(db);
}

}  // namespace liaise::server::pg
