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
