#include "audit.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "at_rest.hpp"
#include "storage.hpp"

using namespace liaise::server;

namespace {

/// An in-memory database with the server's schema and `n` audit records.
struct Log {
    SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    AtRestKey key = AtRestKey::generate();

    explicit Log(int n) {
        Storage::create_schema(db);
        for (int i = 1; i <= n; ++i)
            audit::append(db, key, i, "role_changed", {{"user", "u" + std::to_string(i)}});
    }
    [[nodiscard]] audit::Verdict verify() { return audit::verify(db, key); }
};

}  // namespace

TEST_CASE("an untouched audit chain verifies, and its records read back", "[audit]") {
    Log log(5);
    const auto v = log.verify();
    CHECK_FALSE(v.first_bad.has_value());
    CHECK(v.records == 5);
    const auto records = audit::list(log.db, log.key, 0, 100);
    REQUIRE(records.size() == 5);
    CHECK(records[2].seq == 3);
    CHECK(records[2].kind == "role_changed");
    CHECK(records[2].details.at("user").as_string() == "u3");
    CHECK(audit::list(log.db, log.key, 0, 2).size() == 2);
    Log empty(0);
    const auto none = empty.verify();
    CHECK(none.records == 0);
    CHECK_FALSE(none.first_bad.has_value());
}

TEST_CASE("verify names the first record that does not fit", "[audit]") {
    const auto first_bad = [](const char* sql) {
        Log log(5);
        log.db.exec(sql);
        const auto v = log.verify();
        INFO(sql << ": " << v.reason);
        REQUIRE(v.first_bad.has_value());
        return *v.first_bad;
    };
    CHECK(first_bad("UPDATE audit SET kind = 'account_suspended' WHERE seq = 3") == 3);
    CHECK(first_bad("UPDATE audit SET actor = 99 WHERE seq = 2") == 2);
    CHECK(first_bad("UPDATE audit SET at = at + 1 WHERE seq = 4") == 4);
    CHECK(first_bad("UPDATE audit SET body = X'00' || body WHERE seq = 1") == 1);
    CHECK(first_bad("UPDATE audit SET hash = prev WHERE seq = 2") == 2);
    CHECK(first_bad("UPDATE audit SET prev = hash WHERE seq = 5") == 5);
    CHECK(first_bad("DELETE FROM audit WHERE seq = 3") == 3);
    CHECK(first_bad("DELETE FROM audit WHERE seq = 5") == 5);
}

TEST_CASE("a chain rebuilt without the key does not verify", "[audit]") {
    Log log(3);
    // The same records appended under another key: well-formed, but not this server's.
    Log other(3);
    const auto v = audit::verify(other.db, log.key);
    REQUIRE(v.first_bad.has_value());
    CHECK(*v.first_bad == 1);
}
