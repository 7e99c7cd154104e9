// The unlock agent: one process per user and LIAISE_HOME, like ssh-agent, that holds this
// device's keys for a working day so that commands need not ask for the passphrase.
//
// Where: a Unix socket `liaise-agent-<16 hex digits of BLAKE2b of the home's absolute path>`
// in $XDG_RUNTIME_DIR, else in /tmp/liaise-<uid>/ (created 0700; refused if it is not a
// directory of ours that only we can enter). The socket is mode 0600.
//
// What it hands out: the keys themselves (the 224 bytes of crypto::export_device_keys), to a
// peer whose SO_PEERCRED uid is the agent's own; the client checks the agent's uid the same
// way. A process running as the same user could read the keystore file and watch the
// passphrase being typed anyway, so signing inside the agent would add little against it;
// other users cannot connect (0600 socket, private directory, uid check).
//
// How it keeps them: in sodium_malloc'ed memory (guard pages, mlock'ed so they are never
// swapped), read-only only while a reply is written and inaccessible otherwise; the process is
// not dumpable (no core files, no ptrace by other processes of the user). It never writes them
// to disk or logs them. It wipes them and exits when its time runs out, on `liaise lock`, on
// SIGTERM/SIGINT, or when the home's keystore is removed.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>

#include "liaise/client/home.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client::agent {

using Clock = std::chrono::system_clock;

/// This device's keys held for the life of a process that may need them again (to log in
/// again after a lost connection) without asking for the passphrase again: the raw keys in
/// sodium_malloc'ed, mlock'ed memory, inaccessible between uses, wiped on destruction.
/// Not copyable; one thread at a time.
class HeldKeys {
  public:
    explicit HeldKeys(const crypto::DeviceKeys& keys);
    ~HeldKeys();
    HeldKeys(const HeldKeys&) = delete;
    HeldKeys& operator=(const HeldKeys&) = delete;
    /// A fresh DeviceKeys object with the held keys.
    [[nodiscard]] crypto::DeviceKeys keys() const;

  private:
    unsigned char* bytes_;
};

/// Whether socket_path() may create the fallback directory (only the agent itself does).
enum class MakeDir { no, yes };
/// Where the agent for `home` listens. Errors: agent_dir (the fallback directory is not a
/// private directory of this user, or is missing and `make` is no).
[[nodiscard]] protocol::Expected<std::filesystem::path> socket_path(const Home& home,
                                                                    MakeDir make = MakeDir::no);

/// The keys from the agent for `home`, or nullopt when none answers (none running, stopped,
/// expired, run by another user, or sending keys that do not check out).
[[nodiscard]] std::optional<crypto::DeviceKeys> fetch_keys(const Home& home);

/// Until when the agent for `home` holds the keys; nullopt when none answers.
[[nodiscard]] std::optional<Clock::time_point> unlocked_until(const Home& home);

/// Asks the agent for `home` to wipe the keys and exit; true if one answered.
bool stop(const Home& home);

/// Starts an agent process (the executable `self`, run as `self agent --home DIR --until MS`)
/// that holds `keys` until `until`, replacing any agent already running for `home`; returns
/// once it answers. Errors: agent_dir, agent_failed.
[[nodiscard]] protocol::Expected<bool> start(const Home& home, const crypto::DeviceKeys& keys,
                                             Clock::time_point until,
                                             const std::filesystem::path& self);

/// The agent itself (the hidden `liaise agent` command): reads the keys from standard input,
/// listens, writes one byte to `ready_fd` once it answers, and serves until `until`. Returns
/// the process's exit status.
int serve(const Home& home, Clock::time_point until, int ready_fd);

}  // namespace liaise::client::agent
