// Prepared statements across a schema change (a rolling upgrade: one node migrates while the
// others run). PostgreSQL refuses a statement prepared before a change of its result columns
// ("cached plan must not change result type", SQLSTATE 0A000); the store must get over it on
// its own: the unit runs once more with the connection's statements prepared afresh.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "../pg/pg_test_db.hpp"
#include "../pg/seed.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/schema.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;
using liaise::server::testing::seed;

namespace {

/// What a migration that changes a result type does: rooms.last_seq from bigint to numeric
/// (the same values, another type).
void change_result_type(const std::string& url) {
    pg::Connection admin(url);
    admin.exec("ALTER TABLE rooms ALTER COLUMN last_seq TYPE numeric");
}

}  // namespace

TEST_CASE(
    "PostgreSQL: a statement prepared before a result type change fails with 0A000 until "
    "the connection's statements are prepared again",
    "[pg][upgrade]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 1, 1);
    const std::string sql = "SELECT last_seq FROM rooms WHERE id = $1";
    const auto room = std::to_string(s.rooms.at(0));
    CHECK(db.exec(sql, {room}).int64(0, 0) == 0);  // prepared on first use
    change_result_type(t.url);
    bool stale = false;
    try {
        (void)db.exec(sql, {room});
    } catch (const pg::Error& e) {
        stale = pg::stale_plan(e);
        INFO(e.what());
    }
    CHECK(stale);  // the failure the store has to get over
    db.forget_prepared();
    CHECK(db.exec(sql, {room}).int64(0, 0) == 0);
}

TEST_CASE(
    "PostgreSQL store: read and write units succeed across a result type change made by "
    "another connection (a node migrating during a rolling upgrade)",
    "[pg][upgrade]") {
    PgTestDb t;
    std::int64_t room = 0, device = 0;
    {
        pg::Connection db(t.url);
        pg::migrate(db);
        const auto s = seed(db, 1, 1);
        room = s.rooms.at(0);
        device = s.devices.at(0);
    }
    pg::PgStore::Options options;
    options.readers = 1;  // every read on the one connection that prepared the statement
    pg::PgStore store(t.url, options);
    const auto read_last = [&] {
        std::optional<std::int64_t> out;
        store.read_and_wait([&](const store::ReadTx& tx) { out = tx.messages().last_seq(room); });
        return out;
    };
    const auto write_last = [&] {
        std::optional<std::int64_t> out;
        store.write_and_wait([&](store::Tx& tx) { out = tx.messages().last_seq(room); });
        return out;
    };
    // Prepared on the reader's and the writer's connections.
    CHECK(read_last() == 0);
    CHECK(write_last() == 0);
    change_result_type(t.url);
    CHECK(read_last() == 0);
    CHECK(write_last() == 0);
    // And a unit that appends after it: the store keeps working.
    store.write_and_wait(
        [&](store::Tx& tx) { CHECK(tx.messages().append_event(room, device, "{}", 1) == 1); });
    CHECK(read_last() == 1);
}
