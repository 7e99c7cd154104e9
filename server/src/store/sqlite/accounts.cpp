#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {

AccountRow account_row(SQLite::Statement& q, int first) {
    AccountRow a;
    a.id = q.getColumn(first).getInt64();
    a.user = q.getColumn(first + 1).getString();
    a.display_name = q.getColumn(first + 2).getString();
    a.agency = q.getColumn(first + 3).getString();
    a.discipline = q.getColumn(first + 4).getString();
    a.role =
        protocol::parse_role(q.getColumn(first + 5).getString()).value_or(protocol::Role::member);
    a.suspended = q.getColumn(first + 6).getInt() != 0;
    a.agency_id = q.getColumn(first + 7).getInt64();
    return a;
}

namespace {

constexpr const char* kDeviceSelect =
    "SELECT d.id, d.account_id, d.name, d.sign_key, d.box_key, d.box_key_signature, "
    "d.created_at, d.revoked_at, d.issued_by, i.username, i.display_name, d.issued_at, "
    "d.replaces FROM devices d LEFT JOIN accounts i ON i.id = d.issued_by ";

Device device_row(SQLite::Statement& q) {
    Device d;
    d.id = q.getColumn(0).getInt64();
    d.account = q.getColumn(1).getInt64();
    d.name = q.getColumn(2).getString();
    d.sign_key = q.getColumn(3).getString();
    d.box_key = q.getColumn(4).getString();
    d.box_key_signature = q.getColumn(5).getString();
    d.created_at = q.getColumn(6).getInt64();
    d.revoked_at = optional_int(q.getColumn(7));
    d.issued_by = id_or_0(q.getColumn(8));
    d.issued_by_user = text(q.getColumn(9));
    d.issued_by_display_name = text(q.getColumn(10));
    d.issued_at = optional_int(q.getColumn(11));
    d.replaces = id_or_0(q.getColumn(12));
    return d;
}

/// Looks up the standing of device `?1`; a device that does not exist is not current.
constexpr const char* kStandingSql =
    "SELECT d.revoked_at IS NULL, a.suspended, a.role FROM devices d JOIN accounts a ON "
    "a.id = d.account_id WHERE d.id = ?";

class SqlAccounts final : public Accounts {
  public:
    explicit SqlAccounts(const Conn& c) : c_(c) {}

    std::optional<Agency> agency(std::string_view name) const override {
        auto q = c_.sql.use("SELECT id, name, discipline FROM agencies WHERE name = ?");
        bind_all(*q, name);
        if (!q->executeStep())
            return std::nullopt;
        return Agency{q->getColumn(0).getInt64(), q->getColumn(1).getString(),
                      q->getColumn(2).getString()};
    }
    std::vector<Agency> agencies() const override {
        auto q = c_.sql.use("SELECT id, name, discipline FROM agencies ORDER BY name");
        std::vector<Agency> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getString(),
                           q->getColumn(2).getString()});
        return out;
    }
    bool discipline_in_use(std::string_view discipline) const override {
        auto q = c_.sql.use("SELECT 1 FROM agencies WHERE discipline = ? LIMIT 1");
        bind_all(*q, discipline);
        return q->executeStep();
    }
    std::optional<AccountRow> find(std::string_view user) const override {
        auto q = c_.sql.use(std::string(kAccountSelect) + "WHERE a.username = ?");
        bind_all(*q, user);
        if (!q->executeStep())
            return std::nullopt;
        return account_row(*q);
    }
    std::optional<AccountRow> by_id(Id id) const override {
        auto q = c_.sql.use(std::string(kAccountSelect) + "WHERE a.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return account_row(*q);
    }
    std::vector<AccountRow> all() const override {
        auto q = c_.sql.use(std::string(kAccountSelect) + "ORDER BY a.username");
        std::vector<AccountRow> out;
        while (q->executeStep())
            out.push_back(account_row(*q));
        return out;
    }
    std::int64_t active_admins_except(Id except) const override {
        auto q = c_.sql.use(
            "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND suspended = 0 AND id != ?");
        bind_all(*q, except);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }
    std::optional<Device> device(Id id, Id account) const override {
        auto q = c_.sql.use(std::string(kDeviceSelect) + "WHERE d.id = ? AND d.account_id = ?");
        bind_all(*q, id, account);
        if (!q->executeStep())
            return std::nullopt;
        return device_row(*q);
    }
    std::vector<Device> devices(Id account) const override {
        auto q = c_.sql.use(std::string(kDeviceSelect) +
                            "WHERE d.account_id = ? AND d.revoked_at IS NULL ORDER BY d.id");
        bind_all(*q, account);
        std::vector<Device> out;
        while (q->executeStep())
            out.push_back(device_row(*q));
        return out;
    }
    Id newest_device(Id account) const override {
        auto q = c_.sql.use("SELECT COALESCE(MAX(id), 0) FROM devices WHERE account_id = ?");
        bind_all(*q, account);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }
    Standing standing(Id device) const override {
        const auto look_up = [&] {
            auto q = c_.sql.use(kStandingSql);
            bind_all(*q, device);
            Standing out;
            if (q->executeStep())
                out = {q->getColumn(0).getInt() != 0, q->getColumn(1).getInt() != 0,
                       protocol::parse_role(q->getColumn(2).getString())
                           .value_or(protocol::Role::member)};
            return out;
        };
        auto* memory = c_.remembered();
        if (memory == nullptr)
            return look_up();
        const auto [it, fresh] = memory->standing.try_emplace(device);
        if (fresh)
            it->second = look_up();
        return it->second;
    }
    std::vector<AccountListing> listing(Id agency, std::optional<bool> suspended) const override {
        auto q = c_.sql.use(
            "SELECT " LIAISE_ACCOUNT_COLUMNS
            ", a.created_at, (SELECT COUNT(*) FROM devices d "
            "WHERE d.account_id = a.id AND d.revoked_at IS NULL) FROM accounts a JOIN agencies g "
            "ON g.id = a.agency_id WHERE (? = 0 OR a.agency_id = ?) AND (? < 0 OR a.suspended = "
            "?) ORDER BY a.username");
        const int wanted = suspended ? (*suspended ? 1 : 0) : -1;
        bind_all(*q, agency, agency, wanted, wanted);
        std::vector<AccountListing> out;
        while (q->executeStep())
            out.push_back(
                {account_row(*q), q->getColumn(8).getInt64(), q->getColumn(9).getInt64()});
        return out;
    }

    std::optional<Id> add_agency(std::string_view name, std::string_view discipline,
                                 Millis at) override {
        if (agency(name))
            return std::nullopt;
        run(c_, "INSERT INTO agencies(name, discipline, created_at) VALUES(?, ?, ?)", name,
            discipline, at);
        return c_.db.getLastInsertRowid();
    }
    bool rename_agency(Id id, std::string_view name) override {
        auto taken = c_.sql.use("SELECT 1 FROM agencies WHERE name = ? AND id != ?");
        bind_all(*taken, name, id);
        if (taken->executeStep())
            return false;
        run(c_, "UPDATE agencies SET name = ? WHERE id = ?", name, id);
        return true;
    }
    std::optional<Id> add(std::string_view user, std::string_view display_name, Id agency,
                          protocol::Role role, Millis at) override {
        if (find(user))
            return std::nullopt;
        c_.changed();
        run(c_,
            "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
            "VALUES(?, ?, ?, ?, ?)",
            user, display_name, agency, protocol::to_string(role), at);
        return c_.db.getLastInsertRowid();
    }
    void set_role(Id account, protocol::Role role) override {
        c_.changed();
        run(c_, "UPDATE accounts SET role = ? WHERE id = ?", protocol::to_string(role), account);
    }
    void set_suspended(Id account, bool suspended) override {
        c_.changed();
        run(c_, "UPDATE accounts SET suspended = ? WHERE id = ?", suspended, account);
    }
    Id add_device(Id account, const Device& d) override {
        c_.changed();
        run(c_,
            "INSERT INTO devices(account_id, name, sign_key, box_key, box_key_signature, "
            "created_at, revoked_at, issued_by, issued_at, replaces) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            account, d.name, d.sign_key, d.box_key, d.box_key_signature, d.created_at, d.revoked_at,
            nullable(d.issued_by), d.issued_at, nullable(d.replaces));
        return c_.db.getLastInsertRowid();
    }
    int revoke_devices(Id account, Millis at) override {
        c_.changed();
        return run(c_,
                   "UPDATE devices SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                   at, account);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Accounts> make_accounts(const Conn& c) {
    return std::make_unique<SqlAccounts>(c);
}

}  // namespace liaise::server::store::sqlite
