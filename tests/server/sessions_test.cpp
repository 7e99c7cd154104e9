// Logins as sessions (sessions.hpp): what a device's holder is told at the next login, and
// pruning, against a real schema.
#include "store/sessions.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>

#include "store/storage.hpp"
#include "temp_db.hpp"

using namespace liaise::server;
namespace json = boost::json;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

void people(SQLite::Database& db) {
    db.exec("INSERT INTO agencies(id, name, discipline, created_at) VALUES(1, 'A', 'health', 0)");
    db.exec(
        "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) VALUES"
        "(1, 'ann', 'Ann', 1, 'admin', 0), (2, 'bea', 'Bea', 1, 'member', 0)");
    db.exec(
        "INSERT INTO devices(id, account_id, name, sign_key, box_key, box_key_signature, "
        "created_at) VALUES(1, 1, 'ann-laptop', 's', 'b', 'g', 0), (2, 2, 'bea-laptop', 's', "
        "'b', 'g', 0)");
    db.exec(
        "INSERT INTO devices(id, account_id, name, sign_key, box_key, box_key_signature, "
        "created_at, issued_by, issued_at) VALUES(3, 2, 'bea-phone', 's', 'b', 'g', 0, 1, 5)");
}

std::vector<std::string> devices_of(const json::array& logins) {
    std::vector<std::string> out;
    for (const auto& l : logins)
        out.emplace_back(l.at("device").as_string());
    return out;
}

}  // namespace

TEST_CASE("a login tells of the account's logins since the holder's last", "[sessions]") {
    testing::TempDb tmp;
    Storage storage(tmp.path, nullptr);
    storage.write_and_wait([](SQLite::Database& db) {
        people(db);
        const std::int64_t t = 1000 * kDay;
        // Bea's laptop: first login, nothing to tell.
        const auto first = sessions::record_login(db, 2, 2, "127.0.0.1", t, 0);
        CHECK(first.new_logins.empty());
        // Ann's logins are not bea's business; bea's phone (a replacement) logs in twice.
        CHECK(sessions::record_login(db, 1, 1, "127.0.0.9", t + 1, 0).new_logins.empty());
        const auto phone = sessions::record_login(db, 2, 3, "10.0.0.7", t + 2, 0);
        (void)sessions::record_login(db, 2, 3, "10.0.0.7", t + 3, 0);
        // The laptop, with no session id kept: the other device's two logins.
        auto told = sessions::record_login(db, 2, 2, "127.0.0.1", t + 4, 0);
        CHECK(devices_of(told.new_logins) == std::vector<std::string>{"3", "3"});
        const auto& l = told.new_logins.at(0).as_object();
        CHECK(l.at("session").as_int64() == phone.session);
        CHECK(l.at("device_name").as_string() == "bea-phone");
        CHECK(l.at("at").as_int64() == t + 2);
        CHECK(l.at("address").as_string() == "10.0.0.7");
        CHECK(l.at("issued_by").as_string() == "ann");
        CHECK(l.at("issued_at").as_int64() == 5);
        // With the session id it was given: nothing since.
        told = sessions::record_login(db, 2, 2, "127.0.0.1", t + 5, told.session);
        CHECK(told.new_logins.empty());
        // A copy of the laptop's keystore logs in elsewhere: same device id. Without the id the
        // server could not tell it from the laptop itself; with it, it is told.
        const auto copy = sessions::record_login(db, 2, 2, "192.0.2.66", t + 6, told.session);
        const auto next = sessions::record_login(db, 2, 2, "127.0.0.1", t + 7, told.session);
        REQUIRE(next.new_logins.size() == 1);
        CHECK(next.new_logins.at(0).at("session").as_int64() == copy.session);
        CHECK(next.new_logins.at(0).at("address").as_string() == "192.0.2.66");
        CHECK_FALSE(next.new_logins.at(0).as_object().contains("issued_by"));

        // `sessions`: newest first, this account only.
        const auto recent = sessions::recent(db, 2);
        REQUIRE(recent.size() == 7);
        CHECK(recent.at(0).at("session").as_int64() == next.session);
        CHECK(devices_of(sessions::recent(db, 1)) == std::vector<std::string>{"1"});
    });
}

TEST_CASE("logins are kept 90 days and at most 50 are told", "[sessions]") {
    testing::TempDb tmp;
    Storage storage(tmp.path, nullptr);
    storage.write_and_wait([](SQLite::Database& db) {
        people(db);
        const std::int64_t t = 1000 * kDay;
        const auto base = sessions::record_login(db, 2, 2, "127.0.0.1", t, 0);
        for (int i = 1; i <= 60; ++i)
            (void)sessions::record_login(db, 2, 3, "10.0.0.7", t + i, 0);
        const auto told = sessions::record_login(db, 2, 2, "127.0.0.1", t + 61, base.session);
        REQUIRE(told.new_logins.size() == 50);
        // The newest 50, oldest first.
        CHECK(told.new_logins.at(0).at("at").as_int64() == t + 11);
        CHECK(told.new_logins.at(49).at("at").as_int64() == t + 60);
        CHECK(sessions::recent(db, 2).size() == 50);

        // 90 days on, a login prunes everything older.
        (void)sessions::record_login(db, 1, 1, "127.0.0.9", t + 90 * kDay + 62, 0);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM sessions").getInt() == 1);
        CHECK(sessions::recent(db, 2).empty());
    });
}
