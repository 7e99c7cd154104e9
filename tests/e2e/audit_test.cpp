// The audit log's tail (review finding 11), end to end: records cut off the end with the server
// stopped, by someone who can only edit the database and by someone who also holds the keys
// (playing a modified server); and a server whose signing key changed under an admin's pin.
#include <SQLiteCpp/SQLiteCpp.h>

#include "liaise/protocol/messages.hpp"
#include "server_fixture.hpp"
#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/server_keys.hpp"

namespace liaise::test {
namespace {

namespace json = boost::json;
using server::AtRestKey;
using server::ServerKeys;

constexpr const char* kCare = "Northshire Children's Services";  // from init

/// ann (admin, client library), boss (admin, the `liaise` command), and some records.
struct Audited {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Cli cli{server};
    bool boss = enrol_boss();

    bool enrol_boss() {
        cli.enrol("boss", code_for(*ann, "boss", kCare, "admin"));
        for (const auto* name : {"dan", "eve", "fay", "gus"})
            (void)code_for(*ann, name, kCare);
        return true;
    }
    std::int64_t records() {
        return ok(*ann, "audit", {{"verify", true}}).at("records").as_int64();
    }
    fs::path database() const { return server.data() / "liaise.db"; }
    /// The server's at-rest key, read from beside the data directory, where `serve` finds it.
    AtRestKey at_rest() const {
        auto key = AtRestKey::load(at_rest_key_file(server));
        REQUIRE(key.ok());
        return std::move(key).value();
    }
};

/// What the server itself says of its log, asked on a connection that skips the client's own
/// head check (which may refuse first): log in with `person`'s keys by hand.
json::object server_verdict(const Server& server, const Person& person) {
    const auto profile = person.home->profile();
    REQUIRE(profile.ok());
    auto keys = person.home->open_keys(kPassphrase);
    REQUIRE(keys.ok());
    auto conn = client::Connection::open(server.url());
    REQUIRE(conn.ok());
    auto hello = conn.value()->request("hello", {{"version", protocol::kVersion}});
    REQUIRE(hello.ok());
    const auto challenge = crypto::from_base64(hello.value().at("challenge").as_string());
    REQUIRE(challenge);
    REQUIRE(conn.value()
                ->request("login",
                          {{"user", profile.value().user},
                           {"device", profile.value().device},
                           {"signature", crypto::sign_login(keys.value(), *challenge).to_base64()}})
                .ok());
    auto verdict = conn.value()->request("audit", {{"verify", true}});
    REQUIRE(verdict.ok());
    return verdict.value();
}

}  // namespace

TEST_CASE(
    "records cut off the end of the audit log, the head set back without the chain key, "
    "are reported by admin audit --verify",
    "[audit][e2e]") {
    Audited t;
    const auto total = t.records();
    REQUIRE(total >= 6);

    SECTION("the head left as it was") {
        t.server.stop();
        {
            SQLite::Database db(t.database().string(), SQLite::OPEN_READWRITE);
            SQLite::Statement cut(db, "DELETE FROM audit WHERE seq > ?");
            cut.bind(1, total - 3);
            cut.exec();
        }
        t.server.start();
        const auto [status, out] = t.cli("boss", "admin audit --verify");
        INFO(out);
        CHECK(status == 1);
        CHECK(out.find("does NOT verify") != std::string::npos);
        CHECK(out.find("records " + std::to_string(total - 2) + " to " + std::to_string(total) +
                       " are missing from the end") != std::string::npos);
    }
    SECTION("the head moved back by hand, as the review did with meta.audit_head") {
        t.server.stop();
        {
            SQLite::Database db(t.database().string(), SQLite::OPEN_READWRITE);
            SQLite::Statement cut(db, "DELETE FROM audit WHERE seq > ?");
            cut.bind(1, total - 3);
            cut.exec();
            db.exec("UPDATE meta SET value = '" + std::to_string(total - 3) +
                    "' WHERE key = 'audit_head'");
            // Everything the head says, copied from the new last record: only the MAC (which
            // needs the chain key) and the signature (the server's key) cannot be made.
            db.exec(
                "UPDATE audit_head SET count = last_seq - 3, last_seq = last_seq - 3, last_hash = "
                "(SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), at = (SELECT at FROM audit "
                "ORDER BY seq DESC LIMIT 1)");
        }
        t.server.start();
        // The server's own check names it.
        const auto verdict = server_verdict(t.server, t.ann);
        CHECK_FALSE(verdict.at("verified").as_bool());
        CHECK(std::string(verdict.at("reason").as_string()).find("MAC does not verify") !=
              std::string::npos);
        // And the command refuses: the head's signature is not the server's.
        const auto [status, out] = t.cli("boss", "admin audit --verify");
        INFO(out);
        CHECK(status == 1);
        CHECK(out.find("does not verify with the key this device pinned") != std::string::npos);
    }
}

TEST_CASE(
    "an admin's device that saw the longer log refuses one cut short by someone holding "
    "the keys",
    "[audit][e2e]") {
    Audited t;
    // boss sees the whole log, and the device keeps its signed head.
    const auto seen = t.cli.ok("boss", "admin audit --verify");
    CHECK(seen.find("verifies") != std::string::npos);
    CHECK(seen.find("signed with the server's pinned key") != std::string::npos);
    const auto total = t.records();
    // ann's device saw the head at her login, before the last records: it will not notice.
    t.server.stop();
    const auto attack = [&](bool append_after) {
        SQLite::Database db(t.database().string(), SQLite::OPEN_READWRITE);
        const auto at_rest = t.at_rest();
        SQLite::Transaction tx(db);
        // The server's secrets, opened the way the server opens them.
        const auto keys = ServerKeys::open_or_create(db, at_rest);
        SQLite::Statement cut(db, "DELETE FROM audit WHERE seq > ?");
        cut.bind(1, total - 3);
        cut.exec();
        server::audit::reset_head(db, keys);
        if (append_after)  // and new records in their place, so the log is as long again
            for (int i = 0; i < 5; ++i)
                server::audit::append(db, at_rest, keys, server::audit::kOperator, "agency_added",
                                      {{"name", "filler " + std::to_string(i)}});
        tx.commit();
    };

    SECTION("shorter than before") {
        attack(false);
        t.server.start();
        // Server-side the forged log is consistent: only the device's memory can tell.
        CHECK(server_verdict(t.server, t.ann).at("verified").as_bool());
        const auto [status, out] = t.cli("boss", "admin audit --verify");
        INFO(out);
        CHECK(status == 1);
        CHECK(out.find("the audit log is shorter than the one this device saw on ") !=
              std::string::npos);
        CHECK(out.find("(" + std::to_string(total) + " records); records may have been removed") !=
              std::string::npos);
        CHECK(out.find("(audit_log_shorter)") != std::string::npos);
        // Every command logs in first, so the device refuses them all, and keeps its record of
        // the longer log (a second try says the same).
        const auto [status2, out2] = t.cli("boss", "admin audit");
        CHECK(status2 == 1);
        CHECK(out2.find("audit_log_shorter") != std::string::npos);
    }
    SECTION("cut and refilled to more records than before") {
        attack(true);
        t.server.start();
        CHECK(server_verdict(t.server, t.ann).at("verified").as_bool());
        const auto [status, out] = t.cli("boss", "admin audit --verify");
        INFO(out);
        CHECK(status == 1);
        CHECK(out.find("the audit log does not extend the one this device saw on ") !=
              std::string::npos);
        CHECK(out.find("(audit_log_rewritten)") != std::string::npos);
    }
    SECTION("an admin who never saw the longer log is not told: the documented limit") {
        attack(false);
        t.server.start();
        t.ann.login();  // her device saw an older, shorter head, which the forged log extends
        CHECK(t.ann->audit_head_check().has_value());
    }
}

TEST_CASE("a pinned admin device refuses a server whose signing key changed", "[audit][e2e]") {
    Audited t;
    t.cli.ok("boss", "admin audit --verify");
    CHECK(t.cli.ok("boss", "whoami").find("server_key_changed") == std::string::npos);
    // What the device pinned at enrolment is the key every hello announces.
    {
        auto conn = client::Connection::open(t.server.url());
        REQUIRE(conn.ok());
        const auto hello = conn.value()->request("hello", {{"version", protocol::kVersion}});
        REQUIRE(hello.ok());
        const auto pinned = json::parse(slurp(t.server.dir() / "cli-boss" / "server.json"));
        CHECK(pinned.at("server_key") == hello.value().at("server_key"));
        CHECK(pinned.at("audit_head").at("count").as_int64() == t.records());
    }
    t.server.stop();
    {
        // The signing key replaced (the new one is made when the server opens the database).
        SQLite::Database db(t.database().string(), SQLite::OPEN_READWRITE);
        db.exec("DELETE FROM server_secrets WHERE name = 'server_signing_key'");
    }
    t.server.start();
    const auto [status, out] = t.cli("boss", "whoami");
    INFO(out);
    CHECK(status == 1);
    CHECK(out.find("the server's signing key is not the one this device pinned on ") !=
          std::string::npos);
    CHECK(out.find("(server_key_changed)") != std::string::npos);
    // The library says the same to ann, whose device pinned the key at enrolment.
    auto again = client::Client::login(*t.ann.home, kPassphrase);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "server_key_changed");
}

}  // namespace liaise::test
