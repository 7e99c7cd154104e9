// Repository: agencies, accounts and their devices (store/store.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/messages.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::store {

struct Agency {
    Id id = 0;
    std::string name, discipline;
};

/// An account as the handlers see it: with its agency's name and discipline.
struct AccountRow {
    Id id = 0;
    std::string user, display_name, agency, discipline;
    Id agency_id = 0;
    protocol::Role role = protocol::Role::member;
    bool suspended = false;
};

struct Device {
    Id id = 0;
    Id account = 0;
    std::string name, sign_key, box_key, box_key_signature;  ///< base64, as enrolled
    Millis created_at = 0;
    std::optional<Millis> revoked_at;
    /// Set for a device enrolled with an admin's replacement code: who issued it (account id,
    /// user name, display name, "" when the account is gone), when, and the newest device it
    /// revoked (0: none).
    Id issued_by = 0;
    std::string issued_by_user, issued_by_display_name;
    std::optional<Millis> issued_at;
    Id replaces = 0;
};

/// A device's standing: whether it may still act for its account, and as what. A device that
/// does not exist is not current.
struct Standing {
    bool current = false;  ///< exists and is not revoked (replaced)
    bool suspended = false;
    protocol::Role role = protocol::Role::member;
};

/// An account as an admin's list shows it (AccountsView::listing).
struct AccountListing {
    AccountRow account;
    Millis created_at = 0;
    std::int64_t devices = 0;  ///< current (not revoked) devices
};

/// Reads. Every method sees the snapshot of the unit of work it belongs to.
class AccountsView {
  public:
    virtual ~AccountsView() = default;

    [[nodiscard]] virtual std::optional<Agency> agency(std::string_view name) const = 0;
    /// Every agency, by name.
    [[nodiscard]] virtual std::vector<Agency> agencies() const = 0;
    /// Whether any agency has `discipline`.
    [[nodiscard]] virtual bool discipline_in_use(std::string_view discipline) const = 0;

    [[nodiscard]] virtual std::optional<AccountRow> find(std::string_view user) const = 0;
    [[nodiscard]] virtual std::optional<AccountRow> by_id(Id id) const = 0;
    /// Every account, by user name.
    [[nodiscard]] virtual std::vector<AccountRow> all() const = 0;
    /// Admins who are not suspended, not counting `except`.
    [[nodiscard]] virtual std::int64_t active_admins_except(Id except) const = 0;

    /// The device `id` if it belongs to `account` (revoked or not).
    [[nodiscard]] virtual std::optional<Device> device(Id id, Id account) const = 0;
    /// The account's current (not revoked) devices, ascending by id.
    [[nodiscard]] virtual std::vector<Device> devices(Id account) const = 0;
    /// The account's newest device, revoked or not (0: none).
    [[nodiscard]] virtual Id newest_device(Id account) const = 0;
    /// `device`'s standing as it is in this unit of work. Inside a write, an implementation may
    /// answer from memory only if it forgets the answer whenever a unit of work that could
    /// change it commits, on any node.
    [[nodiscard]] virtual Standing standing(Id device) const = 0;
    /// The accounts of agency `agency` (0: of every agency) that are suspended or not as
    /// `suspended` says (nullopt: both), by user name, each with when it was created and how
    /// many current devices it has.
    [[nodiscard]] virtual std::vector<AccountListing> listing(
        Id agency, std::optional<bool> suspended) const = 0;
};

/// Writes: only inside a write unit of work; they take effect when it commits.
class Accounts : public AccountsView {
  public:
    /// Adds an agency; nullopt (and no change) if one with that name (any case) exists.
    [[nodiscard]] virtual std::optional<Id> add_agency(std::string_view name,
                                                       std::string_view discipline, Millis at) = 0;
    /// Renames agency `id`; false (and no change) when another agency has the name.
    [[nodiscard]] virtual bool rename_agency(Id id, std::string_view name) = 0;

    /// Adds an account; nullopt (and no change) if the user name is taken.
    [[nodiscard]] virtual std::optional<Id> add(std::string_view user,
                                                std::string_view display_name, Id agency,
                                                protocol::Role role, Millis at) = 0;
    virtual void set_role(Id account, protocol::Role role) = 0;
    virtual void set_suspended(Id account, bool suspended) = 0;

    /// Adds a device to `account`. `d.id` and `d.account` are ignored; returns the new id.
    [[nodiscard]] virtual Id add_device(Id account, const Device& d) = 0;
    /// Revokes every current device of `account` at `at`; returns how many.
    virtual int revoke_devices(Id account, Millis at) = 0;
};

}  // namespace liaise::server::store
