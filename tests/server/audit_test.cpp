#include "store/audit.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "liaise/protocol/audit_head.hpp"
#include "store/at_rest.hpp"
#include "store/server_keys.hpp"
#include "store/storage.hpp"

using namespace liaise::server;

namespace {

/// An in-memory database with the server's schema, its secrets and `n` audit records.
struct Log {
    SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    AtRestKey key = AtRestKey::generate();
    ServerKeys keys = make_keys(db, key);

    static ServerKeys make_keys(SQLite::Database& db, const AtRestKey& key) {
        Storage::create_schema(db);
        return audit::setup(db, key);
    }
    explicit Log(int n) {
        for (int i = 1; i <= n; ++i)
            audit::append(db, key, keys, i, "role_changed", {{"user", "u" + std::to_string(i)}});
    }
    [[nodiscard]] audit::Verdict verify() { return audit::verify(db, key, keys); }
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

TEST_CASE("a chain rebuilt without the chain key does not verify", "[audit]") {
    Log log(3);
    // The same records appended under other secrets: well-formed, but not this server's.
    Log other(3);
    const auto v = audit::verify(other.db, log.key, log.keys);
    REQUIRE(v.first_bad.has_value());
    CHECK(*v.first_bad == 1);
}

TEST_CASE("records cut off the end are caught by the head", "[audit]") {
    SECTION("the head left as it was") {
        Log log(6);
        log.db.exec("DELETE FROM audit WHERE seq > 4");
        const auto v = log.verify();
        REQUIRE(v.first_bad.has_value());
        CHECK(*v.first_bad == 5);
        CHECK(v.reason == "records 5 to 6 are missing from the end");
    }
    SECTION("the head moved back by hand, without the chain key") {
        Log log(6);
        // The attacker copies what the head would say about record 4, keeping the old MAC.
        log.db.exec("DELETE FROM audit WHERE seq > 4");
        log.db.exec(
            "UPDATE audit_head SET count = 4, last_seq = 4, last_hash = (SELECT hash FROM audit "
            "WHERE seq = 4), at = (SELECT at FROM audit WHERE seq = 4)");
        const auto v = log.verify();
        REQUIRE(v.first_bad.has_value());
        CHECK(*v.first_bad == 5);
        CHECK_THAT(v.reason, Catch::Contains("MAC does not verify"));
    }
    SECTION("the head deleted") {
        Log log(6);
        log.db.exec("DELETE FROM audit WHERE seq > 4");
        log.db.exec("DELETE FROM audit_head");
        const auto v = log.verify();
        REQUIRE(v.first_bad.has_value());
        CHECK_THAT(v.reason, Catch::Contains("head is missing"));
    }
    SECTION("an older head copied back (its own MAC and signature intact)") {
        Log log(4);
        log.db.exec("CREATE TABLE saved AS SELECT * FROM audit_head");
        audit::append(log.db, log.key, log.keys, 1, "role_changed", {{"user", "late"}});
        audit::append(log.db, log.key, log.keys, 1, "role_changed", {{"user", "later"}});
        log.db.exec("DELETE FROM audit WHERE seq > 4");
        log.db.exec("DELETE FROM audit_head");
        log.db.exec("INSERT INTO audit_head SELECT * FROM saved");
        // Server-side this is a consistent, shorter log: only a client that saw the longer
        // signed head can tell (tests/e2e/audit_test.cpp).
        CHECK_FALSE(log.verify().first_bad.has_value());
        CHECK(audit::head(log.db)->signed_part.count == 4);
    }
}

TEST_CASE("a head that has moved on past the records stays a gap after the next append",
          "[audit]") {
    Log log(5);
    log.db.exec("DELETE FROM audit WHERE seq > 3");
    audit::append(log.db, log.key, log.keys, 1, "role_changed", {{"user", "next"}});
    const auto records = audit::list(log.db, log.key, 0, 100);
    REQUIRE(records.size() == 5);
    CHECK(records[3].seq == 6);
    CHECK(records[3].kind == "audit_head_mismatch");
    CHECK(records[3].details.at("head_count").as_int64() == 5);
    CHECK(records[3].details.at("records_found").as_int64() == 3);
    CHECK(records[4].seq == 7);
    const auto v = log.verify();
    REQUIRE(v.first_bad.has_value());
    CHECK(*v.first_bad == 4);
}

TEST_CASE("the stored head is signed by the server's key over the canonical encoding", "[audit]") {
    Log log(3);
    const auto h = audit::head(log.db);
    REQUIRE(h);
    CHECK(h->signed_part.count == 3);
    CHECK(h->last_seq == 3);
    CHECK(audit::hash_of(log.db, 3) == h->signed_part.last_hash);
    CHECK(liaise::protocol::verify_audit_head(log.keys.public_key(), h->signed_part, h->signature));
    auto moved = h->signed_part;
    moved.count = 2;
    CHECK_FALSE(liaise::protocol::verify_audit_head(log.keys.public_key(), moved, h->signature));
    Log other(0);
    CHECK_FALSE(
        liaise::protocol::verify_audit_head(other.keys.public_key(), h->signed_part, h->signature));
    CHECK_FALSE(audit::hash_of(log.db, 4).has_value());
}

TEST_CASE("the server's secrets are sealed, reopen, and refuse another at-rest key", "[audit]") {
    Log log(1);
    const auto again = ServerKeys::open_or_create(log.db, log.key);
    CHECK(again.public_key() == log.keys.public_key());
    CHECK(log.db.execAndGet("SELECT COUNT(*) FROM server_secrets").getInt() == 2);
    // Neither secret is in the database in plain: the signing key's public half is.
    const auto pk = log.db.execAndGet("SELECT public_half FROM server_secrets WHERE id = 2");
    REQUIRE(pk.getBytes() == 32);
    CHECK(std::equal(log.keys.public_key().bytes().begin(), log.keys.public_key().bytes().end(),
                     static_cast<const unsigned char*>(pk.getBlob())));
    const auto wrong = AtRestKey::generate();
    CHECK_THROWS_WITH(ServerKeys::open_or_create(log.db, wrong),
                      Catch::Contains("do not open with this at-rest key"));
    CHECK(log.db.execAndGet("SELECT COUNT(*) FROM server_secrets").getInt() == 2);
}

TEST_CASE("reseal moves everything to a new at-rest key without changing a hash", "[audit]") {
    Log log(4);
    const auto head_before = audit::head(log.db);
    const auto hashes = [&] {
        std::vector<std::string> out;
        SQLite::Statement q(log.db, "SELECT hex(prev), hex(hash) FROM audit ORDER BY seq");
        while (q.executeStep())
            out.push_back(q.getColumn(0).getString() + q.getColumn(1).getString());
        out.push_back(log.db
                          .execAndGet("SELECT hex(last_hash) || hex(mac) || hex(signature) "
                                      "FROM audit_head")
                          .getString());
        return out;
    };
    const auto before = hashes();
    auto next = AtRestKey::generate();
    audit::reseal(log.db, log.key, next);
    CHECK(hashes() == before);
    const auto v = audit::verify(log.db, next, log.keys);
    INFO(v.reason);
    CHECK_FALSE(v.first_bad.has_value());
    CHECK(v.records == 4);
    // The old key opens nothing any more; the secrets open with the new one, unchanged.
    CHECK(audit::verify(log.db, log.key, log.keys).first_bad.has_value());
    CHECK_THROWS(ServerKeys::open_or_create(log.db, log.key));
    const auto reopened = ServerKeys::open_or_create(log.db, next);
    CHECK(reopened.public_key() == log.keys.public_key());
    CHECK_FALSE(audit::verify(log.db, next, reopened).first_bad.has_value());
    CHECK(audit::list(log.db, next, 0, 10).at(1).details.at("user").as_string() == "u2");
    // A second run from the old key is refused (it no longer opens the log) and changes nothing.
    CHECK_THROWS(audit::reseal(log.db, log.key, next));
    CHECK(hashes() == before);
    CHECK_FALSE(audit::verify(log.db, next, reopened).first_bad.has_value());
    (void)head_before;
}

TEST_CASE("a log from before version 6 is re-chained once, with a record saying so", "[audit]") {
    SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    Storage::create_schema(db);
    const auto key = AtRestKey::generate();
    // Three records as version 5 wrote them: keyed with the at-rest key over the sealed body.
    std::array<unsigned char, 32> prev{};
    for (int seq = 1; seq <= 3; ++seq) {
        const auto sealed = key.seal(R"({"user":"old"})", {"audit", seq, 0});
        const auto seq_text = std::to_string(seq);
        const std::array<std::string_view, 6> parts = {
            std::string_view(reinterpret_cast<const char*>(prev.data()), prev.size()),
            seq_text,
            "1000",
            "1",
            "role_changed",
            std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size())};
        const auto hash = key.keyed_hash("auditlog", parts);
        SQLite::Statement q(db,
                            "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) "
                            "VALUES(?, 1000, 1, 'role_changed', ?, ?, ?)");
        q.bind(1, seq);
        q.bind(2, sealed.data(), static_cast<int>(sealed.size()));
        q.bind(3, prev.data(), 32);
        q.bind(4, hash.data(), 32);
        q.exec();
        prev = hash;
    }
    db.exec("INSERT INTO meta(key, value) VALUES('audit_head', '3')");
    const auto keys = audit::setup(db, key);
    const auto v = audit::verify(db, key, keys);
    INFO(v.reason);
    CHECK_FALSE(v.first_bad.has_value());
    CHECK(v.records == 4);
    const auto records = audit::list(db, key, 0, 10);
    REQUIRE(records.size() == 4);
    CHECK(records[3].kind == "audit_log_converted");
    CHECK(records[3].details.at("records").as_int64() == 3);
    CHECK(records[3].details.at("earlier_chain_verified").as_bool());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM meta WHERE key = 'audit_head'").getInt() == 0);
    // Opening again converts nothing: a log whose head then goes missing is not re-chained.
    db.exec("DELETE FROM audit WHERE seq = 4");
    db.exec("DELETE FROM audit_head");
    const auto again = audit::setup(db, key);
    CHECK(audit::list(db, key, 0, 10).size() == 3);
    CHECK(audit::verify(db, key, again).first_bad.has_value());
}
