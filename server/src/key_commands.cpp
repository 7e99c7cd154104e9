// `liaise-server move-key` and `liaise-server rotate-key` (server.hpp; key_custody.hpp has the
// rules for where the key lives).
#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "liaise/server/server.hpp"
#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/key_custody.hpp"
#include "store/sealed.hpp"
#include "store/storage.hpp"

namespace liaise::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabase = "liaise.db";

protocol::Error key_error(std::string message) {
    return {"bad_key_file", std::move(message)};
}

std::optional<protocol::Error> not_a_data_dir(const fs::path& data_dir) {
    if (custody::present(data_dir / kDatabase))
        return std::nullopt;
    return protocol::Error{
        "bad_config", data_dir.string() + " is not a Liaise data directory (no " + kDatabase + ")"};
}

}  // namespace

protocol::Expected<MoveKeyResult> move_key(const KeyOptions& options) {
    if (auto e = not_a_data_dir(options.data_dir))
        return *e;
    const auto where = custody::locate(options.data_dir, options.key_file, false);
    if (auto e = custody::inside_data(options.data_dir, where.path))
        return *e;
    MoveKeyResult result{options.data_dir / custody::kLegacyKeyFile, where.path, false};
    if (!custody::present(result.from)) {
        if (custody::present(result.to))
            return result;  // moved before
        return key_error("there is no key to move: neither " + result.from.string() + " nor " +
                         result.to.string() + " exists");
    }
    auto key = AtRestKey::load(result.from);
    if (!key)
        return key.error();
    std::error_code ec;
    if (custody::present(result.to)) {
        // A run that stopped after writing the new file and before removing the old one.
        auto there = AtRestKey::load(result.to);
        if (!there || !there.value().same_as(key.value()))
            return key_error(result.to.string() +
                             " already exists and holds a different key; refusing to overwrite "
                             "it (choose another --key-file)");
    } else {
        // Written whole under a temporary name, then renamed: the key file is either absent or
        // complete.
        const fs::path staged(result.to.string() + ".tmp");
        fs::remove(staged, ec);
        if (auto saved = key.value().save(staged); !saved)
            return saved.error();
        fs::rename(staged, result.to, ec);
        if (ec || !sync_parent_directory(result.to))
            return key_error("cannot rename " + staged.string() + " to " + result.to.string());
    }
    fs::remove(result.from, ec);
    if (ec || !sync_parent_directory(result.from))
        return key_error("cannot remove " + result.from.string() + ": " + ec.message());
    result.moved = true;
    return result;
}

protocol::Expected<RotateResult> rotate_key(const KeyOptions& options) {
    if (auto e = not_a_data_dir(options.data_dir))
        return *e;
    if (auto e = custody::legacy_key_error(options.data_dir))
        return *e;
    const auto where = custody::locate(options.data_dir, options.key_file);
    if (where.source == custody::Source::credential)
        return key_error(
            "rotate-key writes the key file, and the systemd credential directory is read-only: "
            "pass --key-file with the file the credential is loaded from");
    const auto target = options.new_key_file.value_or(where.path);
    if (auto e = custody::inside_data(options.data_dir, target))
        return *e;
    if (target != where.path && custody::present(target))
        return protocol::Error{"key_exists",
                               target.string() + " already exists; refusing to overwrite it"};

    std::optional<Storage> storage;
    try {
        storage.emplace(options.data_dir / kDatabase, nullptr);
    } catch (const std::exception& e) {
        return protocol::Error{"bad_config", "cannot open the database: " + std::string(e.what()) +
                                                 "; rotate-key runs only with the server stopped"};
    }
    auto old_key = custody::open_for(*storage, where);
    if (!old_key)
        return old_key.error();
    // Checked after open_for, which may just have finished an interrupted rotation.
    const fs::path old_file(where.path.string() + ".old");
    if (custody::present(old_file))
        return key_error(old_file.string() +
                         " is still there from an earlier rotate-key: back up the current key " +
                         where.path.string() + ", destroy the old one, then run rotate-key again");
    std::error_code ec;
    const fs::path staged(target.string() + ".new");
    // A staged key here was never committed (open_for settled the one beside the current key).
    fs::remove(staged, ec);
    const auto fresh = AtRestKey::generate();
    if (auto saved = fresh.save(staged); !saved)
        return saved.error();

    RotateResult result{0, old_key.value().id(), fresh.id(), target, old_file};
    try {
        storage->write_and_wait([&](SQLite::Database& db) {
            for (const auto& count : sealed::reseal_all(db, old_key.value(), fresh))
                result.records += count.records;
            custody::bind(db, fresh, result.old_id);
            audit::append(
                db, fresh, audit::setup(db, fresh), audit::kOperator, "at_rest_key_rotated",
                {{"from", result.old_id}, {"to", result.new_id}, {"records", result.records}});
        });
    } catch (const std::exception& e) {
        fs::remove(staged, ec);
        return protocol::Error{"not_rotated", std::string(e.what()) +
                                                  "; nothing was changed, the key is still " +
                                                  where.path.string()};
    }
    // Committed: from here on the database opens only with the new key. Each step below is
    // redone by the next serve or rotate-key should this process die (key_custody.hpp).
    // Each rename is made durable before the next, so the old key is never lost to a crash
    // that kept the second rename and not the first.
    fs::rename(where.path, old_file, ec);
    if (ec || !sync_parent_directory(old_file))
        return key_error("the keys were rotated, but " + where.path.string() +
                         " could not be renamed to " + old_file.string() + "; the new key is " +
                         staged.string());
    fs::rename(staged, target, ec);
    if (ec || !sync_parent_directory(target))
        return key_error("the keys were rotated, but " + staged.string() +
                         " could not be renamed to " + target.string() + "; the new key is " +
                         staged.string());
    return result;
}

}  // namespace liaise::server
