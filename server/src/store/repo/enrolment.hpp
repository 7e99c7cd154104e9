// Repository: enrolment codes and login sessions (store/store.hpp). Codes are kept only as
// hashes (the app hashes them); the store never sees a code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/messages.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::store {

/// How long a login is kept (older ones are pruned as new ones are recorded), and how many are
/// listed at most (a login's new_logins, `sessions`).
inline constexpr Millis kLoginKeepMs = 90LL * 24 * 3600 * 1000;
inline constexpr int kLoginListMax = 50;

struct EnrolmentCode {
    std::string code_hash;
    std::string user, display_name;
    Id agency = 0;
    protocol::Role role = protocol::Role::member;
    Id created_by = 0;  ///< 0: not known (the operator)
    Millis created_at = 0, expires_at = 0;
    std::optional<Millis> used_at;
    Id replaces = 0;  ///< the account a new device is for; 0 for a new account
};

/// One recorded login.
struct Login {
    Id session = 0;
    Id device = 0;
    std::string device_name;
    Millis at = 0;
    std::string address;
    /// For a device enrolled with a replacement code: who issued it ("" when gone), and when.
    std::optional<Millis> issued_at;
    std::string issued_by;
};

/// An unused code as an admin's list of pending enrolments shows it (EnrolmentView::pending).
struct PendingCode {
    EnrolmentCode code;
    std::string agency;     ///< the agency's name
    std::string issued_by;  ///< the issuer's user name; "" for the operator or an account gone
};

class EnrolmentView {
  public:
    virtual ~EnrolmentView() = default;
    [[nodiscard]] virtual std::optional<EnrolmentCode> code(std::string_view code_hash) const = 0;
    /// The account's most recent logins, newest first, at most `limit`.
    [[nodiscard]] virtual std::vector<Login> recent_logins(Id account, int limit) const = 0;
    /// For each purpose (a user name, and the account a new device is for or none) the newest
    /// code issued, if it is unused and expires after `expires_after`, is of agency `agency`
    /// (0: of any) and, for a new account, no account has that user name yet. By user name,
    /// a new account's code before a device's. Codes issued at the same time for the same
    /// purpose are all listed.
    [[nodiscard]] virtual std::vector<PendingCode> pending(Id agency,
                                                           Millis expires_after) const = 0;
};

class Enrolment : public EnrolmentView {
  public:
    /// Stores `c` (used_at ignored). Unused, unexpired codes for the same purpose (same user
    /// and same `replaces`) expire at `c.created_at - 1` first; returns how many.
    virtual int issue(const EnrolmentCode& c) = 0;
    /// Marks the code used at `at`; false if it was used already.
    virtual bool mark_used(std::string_view code_hash, Millis at) = 0;

    /// Records a login and prunes those older than `keep_after`. Returns its session id and the
    /// logins to tell of, oldest first, at most `limit`: with `last_session` > 0, the account's
    /// logins after it; otherwise those of the account's other devices since `device`'s
    /// previous login (none at its first).
    struct Recorded {
        Id session = 0;
        std::vector<Login> new_logins;
    };
    [[nodiscard]] virtual Recorded record_login(Id account, Id device, std::string_view address,
                                                Millis at, Id last_session, Millis keep_after,
                                                int limit) = 0;
};

}  // namespace liaise::server::store
