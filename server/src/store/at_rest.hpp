// Internal: encryption at rest for records the server must be able to read back (minutes,
// actions and audit bodies), under the key file that `liaise-server init` creates outside the data
// directory (key_custody.hpp says where it is looked for).
//
// A sealed record is nonce(24) || XChaCha20-Poly1305-IETF ciphertext with a fresh random nonce,
// and the record's identity — table, row id and row version — as associated data, so a sealed
// value copied into another row, table or version fails to open instead of being read as the
// wrong record.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/expected.hpp"

namespace liaise::server {

/// Where a sealed value belongs. Opening checks that it is the same place it was sealed for.
struct RecordId {
    std::string_view table;
    std::int64_t id = 0;
    std::int64_t version = 0;
};

/// The server's at-rest key: 32 secret bytes, wiped when destroyed. Move-only; a moved-from
/// key is all zeroes and must not be used. seal() and open() are const and touch no mutable
/// state, so one key may be shared by every thread.
/// A keyed BLAKE2b-256 hash of `parts`, each prefixed with its length (8 bytes, big-endian),
/// under a subkey of `key` derived for `purpose` (its first 8 bytes are the KDF context).
[[nodiscard]] std::array<unsigned char, 32> keyed_hash(std::span<const unsigned char, 32> key,
                                                       std::string_view purpose,
                                                       std::span<const std::string_view> parts);

class AtRestKey {
  public:
    static constexpr std::size_t kSize = 32;

    /// Reads the key file: exactly 32 bytes. Errors (code `bad_key_file`) name the file, never
    /// the key.
    [[nodiscard]] static protocol::Expected<AtRestKey> load(const std::filesystem::path& file);
    /// A fresh random key (for tests and tools).
    [[nodiscard]] static AtRestKey generate();

    /// Writes the key to a NEW file `file` (never over an existing one), mode 0600, and syncs
    /// the file and its directory before returning, so that a key that sealed anything is never
    /// lost to a crash. Errors (code `bad_key_file`, or `key_exists` when `file` exists) name the
    /// file, never the key.
    [[nodiscard]] protocol::Expected<bool> save(const std::filesystem::path& file) const;

    ~AtRestKey();
    AtRestKey(AtRestKey&& other) noexcept;
    AtRestKey& operator=(AtRestKey&& other) noexcept;
    AtRestKey(const AtRestKey&) = delete;
    AtRestKey& operator=(const AtRestKey&) = delete;

    /// Encrypts `plaintext` for the record `where`. Never fails.
    [[nodiscard]] std::vector<unsigned char> seal(std::string_view plaintext,
                                                  const RecordId& where) const;
    /// Decrypts what seal() made for the same `where`. A wrong key, a changed byte, a truncated
    /// value or a different record id gives the error `bad_ciphertext`.
    [[nodiscard]] protocol::Expected<std::string> open(std::span<const unsigned char> sealed,
                                                       const RecordId& where) const;

    /// A keyed BLAKE2b-256 hash of `parts`, each length-prefixed, under a subkey derived from
    /// this key for `purpose` (8 bytes, e.g. "auditlog"). Without the key file nobody can
    /// compute it, so a chain of these cannot be rebuilt by someone who can only edit the
    /// database.
    [[nodiscard]] std::array<unsigned char, 32> keyed_hash(
        std::string_view purpose, std::span<const std::string_view> parts) const;

    /// The key's public name: 16 hex digits, the first 8 bytes of a keyed BLAKE2b of a fixed
    /// label under a subkey of this key. Safe to print and to store; it says nothing about the
    /// key but lets two keys be told apart.
    [[nodiscard]] std::string id() const;
    /// The key-check value stored in the database: 64 hex digits, a MAC of a fixed label under
    /// another subkey of this key. Only this key gives it; it does not give the key.
    [[nodiscard]] std::string check_value() const;
    /// Whether `other` holds the same 32 bytes (in constant time).
    [[nodiscard]] bool same_as(const AtRestKey& other) const;

  private:
    AtRestKey() = default;
    std::array<unsigned char, kSize> key_{};
};

/// fsync of the directory that holds `file`, so that a new, renamed or removed entry for it
/// survives a crash. False if the directory cannot be opened or synced.
[[nodiscard]] bool sync_parent_directory(const std::filesystem::path& file);

}  // namespace liaise::server
