// The client's files in $LIAISE_HOME (default ~/.local/share/liaise): the profile, the
// passphrase-protected keystore and the pinned keys of everyone this device has talked to.
// Every file is written atomically (temporary file, then rename) with mode 0600.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// Which server and account this device belongs to.
struct Profile {
    std::string server;  ///< ws://HOST:PORT
    std::string user;
    std::string device;
};

class Home {
  public:
    /// `dir`, else $LIAISE_HOME, else ~/.local/share/liaise. Creates nothing until a write.
    /// `cost`: how hard new keystores are to guess (the `liaise` command always uses
    /// moderate; tests that enrol many devices may ask for interactive).
    explicit Home(std::optional<std::filesystem::path> dir = std::nullopt,
                  crypto::KeystoreCost cost = crypto::KeystoreCost::moderate);

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
    /// not_enrolled when this home has no profile.
    [[nodiscard]] protocol::Expected<Profile> profile() const;
    [[nodiscard]] protocol::Expected<bool> save_profile(const Profile& profile) const;
    /// Opens the keystore. A keystore sealed with limits weaker than this home's cost (one
    /// written before MODERATE was the default) is sealed again under the same passphrase;
    /// resealed() then says so, for the caller to tell the person once.
    [[nodiscard]] protocol::Expected<crypto::DeviceKeys> open_keys(
        std::string_view passphrase) const;
    /// True once open_keys() re-sealed an older keystore with stronger limits.
    [[nodiscard]] bool resealed() const noexcept { return resealed_; }
    [[nodiscard]] protocol::Expected<bool> save_keys(const crypto::DeviceKeys& keys,
                                                     std::string_view passphrase) const;
    [[nodiscard]] bool enrolled() const;

    /// The certificate authority this device trusts for its server's wss:// certificate (a copy
    /// kept in this home by `liaise enrol --ca`), or an empty path: the system's authorities.
    [[nodiscard]] std::filesystem::path ca_file() const;
    /// Keeps a copy of the PEM file `source` as this home's certificate authority, or forgets
    /// it when `source` is empty. Errors: bad_ca (unreadable, or not a PEM certificate).
    [[nodiscard]] protocol::Expected<bool> save_ca(const std::filesystem::path& source) const;

    /// Writes `content` to `name` in this home, atomically, mode 0600.
    [[nodiscard]] protocol::Expected<bool> write_file(std::string_view name,
                                                      std::string_view content) const;
    [[nodiscard]] std::optional<std::string> read_file(std::string_view name) const;

  private:
    std::filesystem::path dir_;
    crypto::KeystoreCost cost_;
    mutable bool resealed_ = false;
};

/// Keys pinned on first use. A device whose key differs from the pinned one, or a new device
/// of someone already known, is a key change the user must acknowledge (trust()).
class KnownKeys {
  public:
    explicit KnownKeys(const Home& home);
    /// Reads the pins again from the home, dropping those held in memory: another `liaise`
    /// (verify, trust) may have changed them since. Every change is saved as it is made, so
    /// nothing this object learned is lost.
    void reload();

    /// `new_device`: the user is known but this device of theirs is not; `changed`: the device
    /// is known with another key.
    enum class Verdict { pinned_now, matches, new_device, changed };
    /// Checks `user`'s `device` against the pins, pinning it if the user is new. Saves on change.
    [[nodiscard]] Verdict check(const std::string& user, const std::string& device,
                                const crypto::SignPublicKey& key);
    /// What check() would say, changing nothing (pinned_now: the user is new and would be).
    [[nodiscard]] Verdict peek(const std::string& user, const std::string& device,
                               const crypto::SignPublicKey& key) const;
    /// Pins `user`'s `device` to `key` without asking: for this device's own key. Saves on change.
    void pin(const std::string& user, const std::string& device, const crypto::SignPublicKey& key);
    /// True once the person compared safety numbers with `user` (`liaise verify`), until
    /// `user`'s keys change: a verified person's changed or new device is never accepted
    /// silently.
    [[nodiscard]] bool verified(const std::string& user) const { return verified_.contains(user); }
    /// Pins exactly these devices of `user` (device -> base64 sign key) as verified.
    void verify(const std::string& user, const std::map<std::string, std::string>& devices);
    /// The pinned key of `user`'s `device`, if any.
    [[nodiscard]] std::optional<crypto::SignPublicKey> pinned(const std::string& user,
                                                              const std::string& device) const;
    /// The account another than `user` that `key` is pinned to, if any: one key may belong
    /// to one person only.
    [[nodiscard]] std::optional<std::string> other_owner(const std::string& user,
                                                         const crypto::SignPublicKey& key) const;
    /// The account that pinned device `device` belongs to, or empty.
    [[nodiscard]] std::string owner_of(const std::string& device) const;

  private:
    void save() const;
    const Home& home_;
    std::map<std::string, std::map<std::string, std::string>> pins_;  // user -> device -> sign key
    std::set<std::string> verified_;
};

/// The passphrase: $LIAISE_PASSPHRASE, else asked on the terminal (twice when `confirm`).
/// bad_passphrase when neither is available. `env` and `prompt` name another variable and
/// question (a new passphrase: LIAISE_NEW_PASSPHRASE, "New passphrase: ").
[[nodiscard]] protocol::Expected<std::string> passphrase(bool confirm,
                                                         const char* env = "LIAISE_PASSPHRASE",
                                                         const char* prompt = "Passphrase: ");

}  // namespace liaise::client
