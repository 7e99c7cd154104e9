// Internal: unlocking once a day (`liaise unlock`, `lock`, the hidden `agent`), changing the
// passphrase, and the logins of this account's devices (`liaise sessions`, "new login" notices).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "commands.hpp"
#include "liaise/client/agent.hpp"
#include "liaise/client/client.hpp"

namespace liaise::client::cli {

/// This device's keys: from the unlock agent when one answers, else from the keystore with the
/// passphrase ($LIAISE_PASSPHRASE or the terminal). Says once, on standard error, when an older
/// keystore was sealed again with stronger limits.
[[nodiscard]] protocol::Expected<std::shared_ptr<const agent::HeldKeys>> unlock_keys(
    const Home& home);

/// One login of `new_logins` or `sessions` for people: "New login from device 3 (bea-phone) at
/// 10:02 on 6 Dec, from 127.0.0.1" (local time); a device enrolled with a replacement code
/// says who issued it and when.
[[nodiscard]] std::string login_line(const boost::json::object& login, std::string_view first);

/// login_line() for a login of `new_logins`: "New login from device 3 …", or, for a login with
/// `own_device`'s keys (which this home did not make), "New login with this device's keys,
/// from another copy of them: device 3 …".
[[nodiscard]] std::string new_login_line(const boost::json::object& login,
                                         const std::string& own_device);

/// Prints new_login_line() on standard error for each of `c`'s new_logins().
void print_new_logins(const Client& c);

/// `liaise unlock [--for DURATION] [--status]`. `duration`: a number with s, m, h or d.
int unlock(const Options& o, const std::string& duration, bool status);
/// `liaise lock`.
int lock(const Options& o);
/// The hidden `liaise agent --home DIR --until MS` that `unlock` starts.
int agent_process(const std::string& home, std::int64_t until_ms);
/// `liaise passphrase`: seals the keystore under a new passphrase, checked for strength.
int change_passphrase(const Options& o);
/// `liaise sessions`: the account's recent logins.
int sessions(const Options& o);

}  // namespace liaise::client::cli
