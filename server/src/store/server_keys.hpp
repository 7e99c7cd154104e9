// Internal: the server's own secrets, kept in the table `server_secrets`: the audit chain key
// (32 random bytes; audit.hpp) and the server's Ed25519 signing key, with which it signs audit
// heads that admins' clients check against the public half they pinned at enrolment.
//
// Each secret is sealed with the at-rest key for RecordId{"server_secrets", <fixed id>, 0}, so a
// copy of the database alone holds neither. The signing key's public half is also stored in
// plain text, for anyone reading the database (and checked against the secret half on load).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "liaise/protocol/crypto.hpp"

namespace SQLite {
class Database;
}

namespace liaise::server {

namespace store {
class Secrets;
}

class AtRestKey;

/// The secrets, open in memory (wiped when destroyed). Move-only; a moved-from object is all
/// zeroes and must not be used. Every member is const and touches no mutable state, so one
/// object may be shared by every thread.
class ServerKeys {
  public:
    static constexpr std::string_view kTable = "server_secrets";
    static constexpr std::int64_t kChainKeyId = 1;
    static constexpr std::int64_t kSigningKeyId = 2;

    /// Whether open_or_create() made the chain key just now (a new database, or one from a
    /// version without server secrets): only then may an existing audit log be re-chained.
    enum class Created { no, chain_key };

    /// Opens the secrets in `db`, creating (and storing) any that are missing. Run it on a
    /// read-write connection inside a transaction (a write job). Throws std::runtime_error if
    /// a stored secret does not open with `at_rest` (a wrong key file) or does not fit its
    /// public half.
    [[nodiscard]] static ServerKeys open_or_create(SQLite::Database& db, const AtRestKey& at_rest,
                                                   Created* created = nullptr);
    /// The same through the secrets repository of a write unit of work (store/repo/secrets.hpp),
    /// on any store.
    [[nodiscard]] static ServerKeys open_or_create(store::Secrets& secrets,
                                                   const AtRestKey& at_rest,
                                                   Created* created = nullptr);
    /// Fresh random secrets, stored nowhere (for tests and tools).
    [[nodiscard]] static ServerKeys generate();

    /// Re-seals every secret in `db` from `from` to `to`; the secrets themselves do not change.
    /// A secret that already opens with `to` is left as it is, so running it twice is harmless.
    /// Throws std::runtime_error if one opens with neither key.
    static void reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to);

    ~ServerKeys();
    ServerKeys(ServerKeys&& other) noexcept;
    ServerKeys& operator=(ServerKeys&& other) noexcept;
    ServerKeys(const ServerKeys&) = delete;
    ServerKeys& operator=(const ServerKeys&) = delete;

    /// A keyed BLAKE2b-256 hash of `parts`, each length-prefixed, under a subkey of the chain
    /// key for `purpose` (8 bytes, e.g. "auditlog").
    [[nodiscard]] std::array<unsigned char, 32> chain_hash(
        std::string_view purpose, std::span<const std::string_view> parts) const;
    /// The server's Ed25519 signature over `message`.
    [[nodiscard]] crypto::Signature sign(std::span<const unsigned char> message) const;
    [[nodiscard]] const crypto::SignPublicKey& public_key() const noexcept { return public_; }

  private:
    ServerKeys() = default;
    void wipe() noexcept;
    std::array<unsigned char, 32> chain_key_{};
    std::array<unsigned char, 64> sign_secret_{};  // libsodium's seed || public key form
    crypto::SignPublicKey public_;
};

}  // namespace liaise::server
