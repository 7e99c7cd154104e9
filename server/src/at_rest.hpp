// Internal: encryption at rest for records the server must be able to read back (minutes and
// actions), under the key file `<data>/at-rest.key` that `liaise-server init` creates.
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
class AtRestKey {
  public:
    static constexpr std::size_t kSize = 32;

    /// Reads the key file: exactly 32 bytes. Errors (code `bad_key_file`) name the file, never
    /// the key.
    [[nodiscard]] static protocol::Expected<AtRestKey> load(const std::filesystem::path& file);
    /// A fresh random key (for tests and tools).
    [[nodiscard]] static AtRestKey generate();

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

  private:
    AtRestKey() = default;
    std::array<unsigned char, kSize> key_{};
};

}  // namespace liaise::server
