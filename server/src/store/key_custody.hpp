// Internal: where the at-rest key lives, and checking that it is the database's key.
//
// The key is never inside the data directory (a backup of the directory must not carry it). The
// database stores, in `meta`, the key's id (AtRestKey::id) and key-check value
// (AtRestKey::check_value), so a wrong key is refused at start instead of sealing new records
// under it. `liaise-server rotate-key` stages a new key as `PATH.new` before its one
// transaction and renames it to `PATH` (the old key to `PATH.old`) after; open_for() finishes or
// discards what an interrupted rotation left.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "liaise/protocol/expected.hpp"
#include "store/at_rest.hpp"
#include "store/repo/secrets.hpp"

namespace SQLite {
class Database;
}

namespace liaise::server {

class Storage;

namespace store {
class Store;
}

namespace custody {

/// Where earlier versions kept the key: inside the data directory.
inline constexpr const char* kLegacyKeyFile = "at-rest.key";
/// The name of the systemd credential (LoadCredential=liaise-at-rest-key:/path).
inline constexpr const char* kCredential = "liaise-at-rest-key";

/// Where a key file was found.
enum class Source { option, environment, credential, beside_data };

struct KeyLocation {
    std::filesystem::path path;
    Source source = Source::beside_data;
};

/// Whether `file` exists (a dangling symbolic link counts: it is not overwritten either).
[[nodiscard]] bool present(const std::filesystem::path& file);

/// `<data dir>.key`, beside the data directory: `./liaise-data` and `./liaise-data/` give
/// `./liaise-data.key`.
[[nodiscard]] std::filesystem::path default_key_file(const std::filesystem::path& data_dir);

/// The key file, in this order: `option` (--key-file), $LIAISE_KEY_FILE, the systemd credential
/// $CREDENTIALS_DIRECTORY/liaise-at-rest-key if that file exists, else default_key_file().
/// `with_credential` false skips the credential (for commands that write the key file).
[[nodiscard]] KeyLocation locate(const std::filesystem::path& data_dir,
                                 const std::optional<std::filesystem::path>& option,
                                 bool with_credential = true);

/// Why the key may not be at `file`: inside the data directory. nullopt when it may.
[[nodiscard]] std::optional<protocol::Error> inside_data(const std::filesystem::path& data_dir,
                                                         const std::filesystem::path& file);

/// The refusal (code `legacy_key`) for a data directory that still holds its key inside it, as
/// earlier versions made it; it names the move-key command. nullopt when it does not.
[[nodiscard]] std::optional<protocol::Error> legacy_key_error(
    const std::filesystem::path& data_dir);

/// Logs a warning when the key file at `where` is inside the data directory, or can be read by
/// anyone but its owner.
void warn_if_exposed(const std::filesystem::path& data_dir, const KeyLocation& where);

/// What the database says about its key (meta rows at_rest_key_id and at_rest_key_check).
struct Binding {
    std::string id;
    std::string check;
    std::string previous_id;  ///< the key before the last rotate-key; "" if none
};
[[nodiscard]] std::optional<Binding> stored_binding(SQLite::Database& db);
/// Records `key` as the database's key (and `previous_id`, unless empty), in the caller's
/// transaction.
void bind(SQLite::Database& db, const AtRestKey& key, const std::string& previous_id = "");
/// The same through the settings of a write unit of work (store/repo/secrets.hpp).
void bind(store::Secrets& secrets, const AtRestKey& key, const std::string& previous_id = "");

/// Loads the key at `where` for the database behind `storage` (opened, and so locked):
/// - when the database stores a key check: first settles what an interrupted rotate-key left
///   (`PATH.new` is removed if `PATH` is the database's key, or renamed to `PATH` if it is, the
///   old key going to `PATH.old`), then refuses (code `wrong_key`) a key whose check does not
///   match, naming both key ids;
/// - when it stores none (made by an earlier version, or just now by init): refuses a key that
///   does not open its first sealed record, else records the key's id and check (the
///   migration).
/// Every error names the file, never the key.
[[nodiscard]] protocol::Expected<AtRestKey> open_for(Storage& storage, const KeyLocation& where);

/// Whether `key` opens what a database holds sealed: nullopt when it holds nothing sealed.
using OpensProbe = std::function<std::optional<bool>(const AtRestKey& key)>;
/// open_for() on any store (serve on SQLite or PostgreSQL), through its settings and its
/// audit and secrets repositories. A database without a key check is tried on its first audit
/// record, else its first server secret, else `opens` when given (an SQLite data directory
/// made by an early version may hold only sealed minutes). The same rules and errors otherwise.
[[nodiscard]] protocol::Expected<AtRestKey> open_for(store::Store& store, const KeyLocation& where,
                                                     const OpensProbe& opens = {});

}  // namespace custody
}  // namespace liaise::server
