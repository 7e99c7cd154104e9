#include "store/key_custody.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <limits>

#include "store/db.hpp"
#include "store/sealed.hpp"
#include "store/storage.hpp"
#include "store/store.hpp"

namespace liaise::server::custody {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIdRow = "at_rest_key_id";
constexpr const char* kCheckRow = "at_rest_key_check";
constexpr const char* kPreviousRow = "previous_at_rest_key_id";

std::optional<fs::path> from_environment(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0')
        return std::nullopt;
    return fs::path(value);
}

fs::path with_suffix(const fs::path& p, const char* suffix) {
    return fs::path(p.string() + suffix);
}

bool matches(const AtRestKey& key, const Binding& binding) {
    const auto check = key.check_value();
    return check.size() == binding.check.size() &&
           sodium_memcmp(check.data(), binding.check.data(), check.size()) == 0;
}

/// Loads `file`, saying where it was looked for when it is the default and missing.
protocol::Expected<AtRestKey> load(const KeyLocation& where) {
    auto key = AtRestKey::load(where.path);
    if (!key && where.source == Source::beside_data && !present(where.path))
        return protocol::Error{
            "bad_key_file",
            "no at-rest key at " + where.path.string() +
                " (the default, beside the data directory): pass --key-file PATH, set "
                "LIAISE_KEY_FILE, or give the systemd credential " +
                kCredential};
    return key;
}

protocol::Error wrong_key(const KeyLocation& where, const AtRestKey& key, const Binding& b) {
    std::string message = "the key file " + where.path.string() +
                          " is not this database's key (key id " + key.id() +
                          ", the database expects " + b.id + ")";
    if (!b.previous_id.empty() && b.previous_id == key.id())
        message += "; it is the key the database used before its last rotate-key";
    return {"wrong_key", message + "; serve with the right --key-file"};
}

/// What an interrupted rotate-key left beside `path` (see the header). Errors only when a
/// rename or removal fails.
std::optional<protocol::Error> settle_rotation(const fs::path& path, const Binding& binding) {
    const auto staged = with_suffix(path, ".new");
    if (!present(staged))
        return std::nullopt;
    std::error_code ec;
    if (present(path)) {
        if (auto current = AtRestKey::load(path); current && matches(current.value(), binding)) {
            fs::remove(staged, ec);
            if (ec || !sync_parent_directory(staged))
                return protocol::Error{"bad_key_file", "cannot remove " + staged.string()};
            spdlog::warn(
                "removed {}, left by a rotate-key that did not finish: the database still uses "
                "the key in {}",
                staged.string(), path.string());
            return std::nullopt;
        }
    }
    auto fresh = AtRestKey::load(staged);
    if (!fresh || !matches(fresh.value(), binding))
        return std::nullopt;  // neither is the database's key: the caller says so
    const auto old = with_suffix(path, ".old");
    if (present(path)) {
        fs::rename(path, old, ec);
        if (ec || !sync_parent_directory(old))
            return protocol::Error{"bad_key_file",
                                   "cannot rename " + path.string() + " to " + old.string()};
    }
    fs::rename(staged, path, ec);
    if (ec || !sync_parent_directory(path))
        return protocol::Error{"bad_key_file",
                               "cannot rename " + staged.string() + " to " + path.string()};
    spdlog::warn(
        "finished a rotate-key that was interrupted after its commit: {} is now {} (the old key "
        "is {}); back up the new key, then destroy the old one",
        staged.string(), path.string(), old.string());
    return std::nullopt;
}

}  // namespace

bool present(const fs::path& file) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(file, ec));
}

fs::path default_key_file(const fs::path& data_dir) {
    auto dir = data_dir.lexically_normal();
    if (!dir.has_filename())  // "liaise-data/"
        dir = dir.parent_path();
    if (dir.empty() || dir.filename() == "." || dir.filename() == "..") {
        std::error_code ec;
        dir = fs::weakly_canonical(fs::absolute(data_dir), ec);
    }
    return with_suffix(dir, ".key");
}

KeyLocation locate(const fs::path& data_dir, const std::optional<fs::path>& option,
                   bool with_credential) {
    if (option && !option->empty())
        return {*option, Source::option};
    if (auto env = from_environment("LIAISE_KEY_FILE"))
        return {*env, Source::environment};
    if (with_credential) {
        if (auto dir = from_environment("CREDENTIALS_DIRECTORY");
            dir && present(*dir / kCredential))
            return {*dir / kCredential, Source::credential};
    }
    return {default_key_file(data_dir), Source::beside_data};
}

std::optional<protocol::Error> inside_data(const fs::path& data_dir, const fs::path& file) {
    std::error_code ec;
    const auto dir = fs::weakly_canonical(fs::absolute(data_dir), ec);
    const auto where = fs::weakly_canonical(fs::absolute(file), ec).parent_path();
    const auto [d, w] = std::mismatch(dir.begin(), dir.end(), where.begin(), where.end());
    if (d != dir.end())
        return std::nullopt;
    return protocol::Error{
        "bad_key_file", "the key file " + file.string() + " would be inside the data directory " +
                            data_dir.string() +
                            ", where every backup of the directory would carry it; choose a "
                            "--key-file outside it"};
}

void warn_if_exposed(const fs::path& data_dir, const KeyLocation& where) {
    if (inside_data(data_dir, where.path))
        spdlog::warn(
            "the key file {} is inside the data directory {}: every backup of the directory "
            "carries it; move it out (and give --key-file)",
            where.path.string(), data_dir.string());
    std::error_code ec;
    const auto perms = fs::status(where.path, ec).permissions();
    if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
        spdlog::warn("the key file {} can be read by others than its owner: chmod 600 {}",
                     where.path.string(), where.path.string());
}

std::optional<protocol::Error> legacy_key_error(const fs::path& data_dir) {
    const auto legacy = data_dir / kLegacyKeyFile;
    if (!present(legacy))
        return std::nullopt;
    return protocol::Error{
        "legacy_key",
        data_dir.string() + " still holds its at-rest key inside it (" + legacy.string() +
            "), where every backup of the directory carries it. Move it out first with: "
            "liaise-server move-key --data " +
            data_dir.string() + " [--key-file PATH] (default " +
            default_key_file(data_dir).string() + ")"};
}

std::optional<Binding> stored_binding(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT key, value FROM meta WHERE key IN (?, ?, ?)");
    q.bind(1, kIdRow);
    q.bind(2, kCheckRow);
    q.bind(3, kPreviousRow);
    Binding b;
    while (q.executeStep()) {
        const auto row = q.getColumn(0).getString();
        (row == kIdRow      ? b.id
         : row == kCheckRow ? b.check
                            : b.previous_id) = q.getColumn(1).getString();
    }
    if (b.check.empty())
        return std::nullopt;
    return b;
}

void bind(SQLite::Database& db, const AtRestKey& key, const std::string& previous_id) {
    const auto put = [&db](const char* row, const std::string& value) {
        exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", std::string(row), value);
    };
    put(kIdRow, key.id());
    put(kCheckRow, key.check_value());
    if (!previous_id.empty())
        put(kPreviousRow, previous_id);
}

void bind(store::Secrets& secrets, const AtRestKey& key, const std::string& previous_id) {
    secrets.set_setting(kIdRow, key.id());
    secrets.set_setting(kCheckRow, key.check_value());
    if (!previous_id.empty())
        secrets.set_setting(kPreviousRow, previous_id);
}

namespace {

/// open_for()'s rules, whatever the store: `binding` as stored, `opens` to try a key on a
/// database that has none, `record` to store a key's binding.
protocol::Expected<AtRestKey> open_with(const std::optional<Binding>& binding,
                                        const KeyLocation& where, const OpensProbe& opens,
                                        const std::function<void(const AtRestKey&)>& record) {
    if (binding) {
        if (auto failed = settle_rotation(where.path, *binding))
            return *failed;
        auto key = load(where);
        if (!key)
            return key.error();
        if (!matches(key.value(), *binding))
            return wrong_key(where, key.value(), *binding);
        return key;
    }
    auto key = load(where);
    if (!key)
        return key.error();
    const auto opened = opens(key.value());
    if (opened && !*opened)
        return protocol::Error{"wrong_key", "the key file " + where.path.string() +
                                                " is not this database's key (key id " +
                                                key.value().id() +
                                                " does not open its records); serve with the "
                                                "right --key-file"};
    record(key.value());
    spdlog::info("recorded the at-rest key's id ({}) and check value in the database",
                 key.value().id());
    return key;
}

std::optional<Binding> binding_of(const store::SecretsView& secrets) {
    Binding b;
    b.id = secrets.setting(kIdRow).value_or("");
    b.check = secrets.setting(kCheckRow).value_or("");
    b.previous_id = secrets.setting(kPreviousRow).value_or("");
    if (b.check.empty())
        return std::nullopt;
    return b;
}

}  // namespace

protocol::Expected<AtRestKey> open_for(Storage& storage, const KeyLocation& where) {
    const auto binding = storage.read([](SQLite::Database& db) { return stored_binding(db); });
    return open_with(
        binding, where,
        [&](const AtRestKey& key) {
            return storage.read([&](SQLite::Database& db) { return sealed::opens(db, key); });
        },
        [&](const AtRestKey& key) {
            storage.write_and_wait([&](SQLite::Database& db) {
                if (!stored_binding(db))
                    bind(db, key);
            });
        });
}

protocol::Expected<AtRestKey> open_for(store::Store& store, const KeyLocation& where,
                                       const OpensProbe& opens) {
    const auto binding =
        store.read_now([](const store::ReadTx& tx) { return binding_of(tx.secrets()); });
    return open_with(
        binding, where,
        [&](const AtRestKey& key) -> std::optional<bool> {
            const auto found = store.read_now([&](const store::ReadTx& tx) {
                std::optional<bool> out;
                const auto first =
                    tx.audit().records(0, std::numeric_limits<std::int64_t>::min(), 1);
                if (!first.empty()) {
                    out = key.open(first.front().body, {"audit", first.front().seq, 0}).ok();
                } else if (const auto secrets = tx.secrets().secrets(); !secrets.empty()) {
                    const auto& s = secrets.front();
                    out = key.open(s.sealed, {"server_secrets", s.id, 0}).ok();
                }
                return out;
            });
            if (found || !opens)
                return found;
            return opens(key);
        },
        [&](const AtRestKey& key) {
            store.write_and_wait([&](store::Tx& tx) {
                if (!binding_of(tx.secrets()))
                    bind(tx.secrets(), key);
            });
        });
}

}  // namespace liaise::server::custody
