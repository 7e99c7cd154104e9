// Key custody: where the key is looked for, and re-sealing every sealed record under a new key.
#include <SQLiteCpp/SQLiteCpp.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/key_custody.hpp"
#include "store/sealed.hpp"
#include "store/storage.hpp"

using namespace liaise::server;
namespace fs = std::filesystem;

TEST_CASE("the default key file is beside the data directory, never in it", "[keys]") {
    CHECK(custody::default_key_file("./liaise-data") == fs::path("liaise-data.key"));
    CHECK(custody::default_key_file("./liaise-data/") == fs::path("liaise-data.key"));
    CHECK(custody::default_key_file("/srv/liaise/data") == fs::path("/srv/liaise/data.key"));
    CHECK(custody::default_key_file("/srv/liaise/data//") == fs::path("/srv/liaise/data.key"));
    // "." is the current directory: its key goes beside it, by its real name.
    const auto here = custody::default_key_file(".");
    CHECK(here.parent_path() == fs::current_path().parent_path());
    CHECK(here.filename() == fs::current_path().filename().string() + ".key");
    for (const auto* dir : {"./liaise-data", "./liaise-data/", ".", "/srv/x/"})
        CHECK_FALSE(custody::inside_data(dir, custody::default_key_file(dir)).has_value());
    CHECK(custody::inside_data("/srv/x", "/srv/x/at-rest.key").has_value());
    CHECK(custody::inside_data("/srv/x", "/srv/x/sub/k.key").has_value());
    CHECK_FALSE(custody::inside_data("/srv/x", "/srv/xy.key").has_value());
}

TEST_CASE("the key is looked for in --key-file, $LIAISE_KEY_FILE, a credential, then beside",
          "[keys]") {
    const auto creds = fs::temp_directory_path() / ("liaise-creds-" + std::to_string(::getpid()));
    fs::create_directories(creds);
    ::unsetenv("LIAISE_KEY_FILE");
    ::setenv("CREDENTIALS_DIRECTORY", creds.c_str(), 1);
    // A credential directory without our credential: not used.
    CHECK(custody::locate("/d", std::nullopt).source == custody::Source::beside_data);
    std::ofstream(creds / custody::kCredential) << "x";
    auto found = custody::locate("/d", std::nullopt);
    CHECK(found.source == custody::Source::credential);
    CHECK(found.path == creds / "liaise-at-rest-key");
    CHECK(custody::locate("/d", std::nullopt, false).path == fs::path("/d.key"));
    ::setenv("LIAISE_KEY_FILE", "/keys/env.key", 1);
    CHECK(custody::locate("/d", std::nullopt).path == fs::path("/keys/env.key"));
    found = custody::locate("/d", fs::path("/keys/option.key"));
    CHECK(found.source == custody::Source::option);
    CHECK(found.path == fs::path("/keys/option.key"));
    ::unsetenv("LIAISE_KEY_FILE");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(custody::locate("/d", std::nullopt).path == fs::path("/d.key"));
    fs::remove_all(creds);
}

namespace {

/// The server's schema in memory, with sealed minutes, a fixed version, an action and an audit
/// log, all under `key`.
struct Sealed {
    SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    AtRestKey key = AtRestKey::generate();

    Sealed() {
        Storage::create_schema(db);
        const auto put = [&](const std::string& sql, std::string_view table, std::int64_t id,
                             std::int64_t version, const std::string& text) {
            const auto body = key.seal(text, {table, id, version});
            SQLite::Statement q(db, sql);
            q.bind(1, body.data(), static_cast<int>(body.size()));
            q.exec();
        };
        for (int id = 1; id <= 3; ++id)
            put("INSERT INTO meetings(id, room_id, kind, starts_at, marking, chair_id, "
                "minute_taker_id, status, version, rev, body, created_by, created_at, updated_at) "
                "VALUES(" +
                    std::to_string(id) + ", 1, 'core-group', 'x', 'OFFICIAL', 1, 1, 'draft', 1, " +
                    std::to_string(id + 4) + ", ?, 1, 0, 0)",
                "meetings", id, id + 4, "meeting " + std::to_string(id));
        put("INSERT INTO minutes_versions(meeting_id, version, status, circulated_by, "
            "circulated_at, findings, body) VALUES(2, 1, 'circulated', 1, 0, 0, ?)",
            "minutes_versions", 2, 1, "version 1 of meeting 2");
        put("INSERT INTO actions(id, room_id, raised_in, due, status, rev, body, created_at, "
            "updated_at) VALUES(9, 1, 2, '2026-12-01', 'open', 3, ?, 0, 0)",
            "actions", 9, 3, "action 9");
        const auto keys = audit::setup(db, key);
        for (int i = 0; i < 4; ++i)
            audit::append(db, key, keys, audit::kOperator, "role_changed", {{"n", i}});
    }
    std::string open(const AtRestKey& k, const std::string& sql, std::string_view table,
                     std::int64_t id, std::int64_t version) {
        const auto column = db.execAndGet(sql);
        const auto opened = k.open({static_cast<const unsigned char*>(column.getBlob()),
                                    static_cast<std::size_t>(column.getBytes())},
                                   {table, id, version});
        return opened ? opened.value() : "(does not open)";
    }
};

}  // namespace

TEST_CASE("reseal_all moves every sealed record to the new key, or none", "[keys]") {
    Sealed s;
    CHECK(sealed::opens(s.db, s.key) == std::optional<bool>(true));
    const auto fresh = AtRestKey::generate();
    CHECK(sealed::opens(s.db, fresh) == std::optional<bool>(false));
    {
        SQLite::Transaction tx(s.db);
        const auto counts = sealed::reseal_all(s.db, s.key, fresh);
        std::int64_t total = 0;
        for (const auto& c : counts)
            total += c.records;
        CHECK(total == 3 + 1 + 1 + 4);
        tx.commit();
    }
    CHECK(s.open(fresh, "SELECT body FROM meetings WHERE id = 3", "meetings", 3, 7) == "meeting 3");
    CHECK(s.open(s.key, "SELECT body FROM meetings WHERE id = 3", "meetings", 3, 7) ==
          "(does not open)");
    CHECK(s.open(fresh, "SELECT body FROM minutes_versions", "minutes_versions", 2, 1) ==
          "version 1 of meeting 2");
    CHECK(s.open(fresh, "SELECT body FROM actions", "actions", 9, 3) == "action 9");
    const auto keys = audit::setup(s.db, fresh);  // the server's secrets, re-sealed too
    CHECK_FALSE(audit::verify(s.db, fresh, keys).first_bad.has_value());
    CHECK(audit::verify(s.db, fresh, keys).records == 4);
    CHECK(audit::verify(s.db, s.key, keys).first_bad.has_value());
    CHECK(audit::list(s.db, fresh, 0, 10).at(3).details.at("n").as_int64() == 3);

    // One record that does not open with the current key: an error naming it, and after the
    // rollback every record is as it was.
    const auto before = s.open(fresh, "SELECT body FROM meetings WHERE id = 1", "meetings", 1, 5);
    s.db.exec(
        "UPDATE actions SET body = "
        "x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677' WHERE "
        "id = 9");
    const auto third = AtRestKey::generate();
    {
        SQLite::Transaction tx(s.db);
        CHECK_THROWS_WITH(sealed::reseal_all(s.db, fresh, third),
                          Catch::Contains("actions record 9"));
    }
    CHECK(s.open(fresh, "SELECT body FROM meetings WHERE id = 1", "meetings", 1, 5) == before);
    CHECK_FALSE(audit::verify(s.db, fresh, keys).first_bad.has_value());
}

TEST_CASE("a broken audit chain is not re-sealed into a whole one", "[keys][audit]") {
    Sealed s;
    s.db.exec("UPDATE audit SET kind = 'account_suspended' WHERE seq = 2");
    SQLite::Transaction tx(s.db);
    CHECK_THROWS_WITH(audit::reseal(s.db, s.key, AtRestKey::generate()),
                      Catch::Contains("does not verify at record 2"));
}

TEST_CASE("a database with no sealed records yet opens with any key", "[keys]") {
    SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    Storage::create_schema(db);
    CHECK_FALSE(sealed::opens(db, AtRestKey::generate()).has_value());
    CHECK_FALSE(custody::stored_binding(db).has_value());
    const auto key = AtRestKey::generate();
    custody::bind(db, key);
    const auto b = custody::stored_binding(db);
    REQUIRE(b.has_value());
    CHECK(b->id == key.id());
    CHECK(b->check == key.check_value());
    CHECK(b->previous_id.empty());
}
