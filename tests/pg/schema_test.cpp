#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "pg_test_db.hpp"
#include "store/postgres/schema.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;

TEST_CASE("PostgreSQL migrate creates the schema once, and again is a no-op", "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    CHECK(pg::current_version(db) == 0);
    CHECK(pg::migrate(db) == 0);
    CHECK(pg::current_version(db) == pg::schema_version);
    CHECK(pg::migrate(db) == pg::schema_version);
    CHECK(db.exec("SELECT count(*) FROM liaise_schema").int64(0, 0) == 1);
    CHECK(db.exec("SELECT to_regclass('messages') IS NOT NULL").text(0, 0) == "t");
}

TEST_CASE("PostgreSQL migrate from several nodes at once: one creates, the rest find it", "[pg]") {
    PgTestDb t;
    std::vector<int> found(4, -1);
    std::vector<std::string> errors(4);
    std::vector<std::thread> nodes;
    for (int i = 0; i < 4; ++i)
        nodes.emplace_back([&, i] {
            try {
                pg::Connection db(t.url);
                found[i] = pg::migrate(db);
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& n : nodes)
        n.join();
    int created = 0;
    for (int i = 0; i < 4; ++i) {
        INFO(errors[i]);
        CHECK(errors[i].empty());
        created += found[i] == 0 ? 1 : 0;
    }
    CHECK(created == 1);
}

TEST_CASE("PostgreSQL migrate refuses a database newer than this build and changes nothing",
          "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    db.exec("UPDATE liaise_schema SET version = " + std::to_string(pg::schema_version + 1));
    CHECK_THROWS_WITH(pg::migrate(db), Catch::Contains("newer than this liaise-server"));
    CHECK(pg::current_version(db) == pg::schema_version + 1);
    // The connection is idle again, not left in a failed transaction.
    CHECK(db.exec("SELECT 1").int64(0, 0) == 1);
}

TEST_CASE("PostgreSQL migrate brings a version 1 database to the current schema, keeping its rows",
          "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    CHECK(pg::migrate_to(db, 1) == 0);
    REQUIRE(pg::current_version(db) == 1);
    CHECK(db.exec("SELECT to_regclass('meetings') IS NULL").text(0, 0) == "t");
    db.exec(
        "INSERT INTO agencies(name, discipline, created_at) VALUES('Care', 'social-care', 1);"
        "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
        "VALUES('ann', 'Ann', 1, 'admin', 1);"
        "INSERT INTO rooms(name, created_by, created_at, last_seq) VALUES('r', 1, 1, 7)");
    CHECK(pg::migrate(db) == 1);
    CHECK(pg::current_version(db) == pg::schema_version);
    CHECK(db.exec("SELECT last_seq FROM rooms WHERE name = 'r'").int64(0, 0) == 7);
    CHECK(db.exec("SELECT username FROM accounts").text(0, 0) == "ann");
    // Version 2's tables are there and take rows that refer to version 1's.
    db.exec(
        "INSERT INTO sessions(account_id, device_id, at, address) SELECT 1, d.id, 1, '' FROM "
        "devices d");
    db.exec("INSERT INTO questions(term, room_id, asked_by, asked_at) VALUES('CIN', 1, 1, 1)");
    db.exec(
        "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) VALUES(1, 1, 1, 'k', "
        "'\\x00ff', '\\x', '\\x01')");
    CHECK(db.exec("SELECT encode(body, 'hex') FROM audit").text(0, 0) == "00ff");
    // Asking for an older version than the database's changes nothing.
    CHECK(pg::migrate_to(db, 1) == pg::schema_version);
    CHECK(pg::current_version(db) == pg::schema_version);
}

TEST_CASE("PostgreSQL migrate brings a version 2 database to the current schema, keeping its rows",
          "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    CHECK(pg::migrate_to(db, 2) == 0);
    REQUIRE(pg::current_version(db) == 2);
    CHECK(db.exec("SELECT to_regclass('room_glossary') IS NULL").text(0, 0) == "t");
    db.exec(
        "INSERT INTO agencies(name, discipline, created_at) VALUES('Care', 'social-care', 1);"
        "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
        "VALUES('ann', 'Ann', 1, 'admin', 1);"
        "INSERT INTO rooms(name, created_by, created_at, last_seq) VALUES('r', 1, 1, 7);"
        "INSERT INTO meetings(room_id, kind, starts_at, marking, chair_id, minute_taker_id, "
        "status, version, rev, body, created_by, created_at, updated_at) VALUES(1, 'core', "
        "'2026-01-05', 'OFFICIAL', 1, 1, 'draft', 1, 1, '\\x', 1, 1, 1);"
        "INSERT INTO actions(room_id, raised_in, owner_id, due, status, rev, body, created_at, "
        "updated_at) VALUES(1, 1, 1, '2026-01-20', 'open', 1, '\\x01', 1, 1)");
    CHECK(pg::migrate(db) == 2);
    CHECK(pg::current_version(db) == pg::schema_version);
    CHECK(db.exec("SELECT last_seq FROM rooms WHERE name = 'r'").int64(0, 0) == 7);
    CHECK(db.exec("SELECT encode(body, 'hex') FROM actions").text(0, 0) == "01");
    // Accounts keep their rows, with no address yet.
    CHECK(db.exec("SELECT username, email IS NULL FROM accounts").text(0, 1) == "t");
    // Version 3's tables are there and take rows that refer to the older ones.
    db.exec(
        "INSERT INTO room_glossary(room_id, term_key, term, meaning, agreed_by, agreed_at) "
        "VALUES(1, 'cin', 'CIN', 'Child in need', 1, 2);"
        "INSERT INTO room_glossary_versions(room_id, version, change, term, meaning, changed_by, "
        "changed_at) VALUES(1, 1, 'added', 'CIN', 'Child in need', 1, 2);"
        "INSERT INTO mail_notices_sent(notice, action_id, account_id, sent_at) "
        "VALUES('action_assigned', 1, 1, 2);"
        "INSERT INTO key_transfers(account_id, from_device, bundle, expires_at) SELECT 1, d.id, "
        "'b', 2 FROM devices d");
    CHECK(db.exec("SELECT count(*) FROM room_glossary_versions").int64(0, 0) == 1);
    CHECK(db.exec("SELECT count(*) FROM mail_notices_sent").int64(0, 0) == 1);
}
