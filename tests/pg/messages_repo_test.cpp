// store::Messages on PostgreSQL, against its contract (store/repo/messages.hpp). These cases are
// what the repository conformance suite asks of every store; they move into it when it lands.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pg_test_db.hpp"
#include "seed.hpp"
#include "store/postgres/messages_repo.hpp"
#include "store/postgres/schema.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;
using liaise::server::testing::seed;
using R = store::Appended::Result;

namespace {

struct Fixture {
    PgTestDb t;
    pg::Connection db{t.url};
    testing::Seeded s;
    std::vector<std::string> everyone;  ///< every member device, as the recipients list
    Fixture() {
        pg::migrate(db);
        s = seed(db, 3, 1);
        for (const auto d : s.devices)
            everyone.push_back(std::to_string(d));
    }
    store::NewMessage message(std::size_t sender, std::string_view id,
                              std::string_view envelope = "{\"v\":3}") const {
        store::NewMessage m;
        m.room = "room0";
        m.account = s.accounts.at(sender);
        m.device = s.devices.at(sender);
        m.client_msg_id = id;
        m.envelope = envelope;
        m.recipients = &everyone;
        m.at = 5000;
        return m;
    }
    /// One write unit: BEGIN, `fn`, COMMIT.
    template <class Fn>
    auto unit(Fn&& fn) {
        db.exec("BEGIN");
        pg::PgMessages messages(db);
        auto out = fn(messages);
        db.exec("COMMIT");
        return out;
    }
};

}  // namespace

TEST_CASE("PostgreSQL Messages append stores with the room's next seq and says who to tell",
          "[pg]") {
    Fixture f;
    const auto a = f.unit([&](pg::PgMessages& m) { return m.append(f.message(1, "m1")); });
    CHECK(a.result == R::stored);
    CHECK(a.seq == 1);
    CHECK(a.sent_at == 5000);
    CHECK(a.room == f.s.rooms[0]);
    CHECK(a.members == f.s.accounts);
    CHECK(a.sender.sign_key == "s");
    const auto ev = f.unit([&](pg::PgMessages& m) {
        return m.append_event(f.s.rooms[0], f.s.devices[0], "{\"event\":\"joined\"}", 6000);
    });
    CHECK(ev == 2);
    pg::PgMessages m(f.db);
    CHECK(m.last_seq(f.s.rooms[0]) == 2);
    const auto rows = m.after(f.s.rooms[0], 0, 10);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].envelope == "{\"v\":3}");
    CHECK(rows[0].user == "person1");
    CHECK(rows[0].device == f.s.devices[1]);
    CHECK(rows[0].event.empty());
    CHECK(rows[1].event == "{\"event\":\"joined\"}");
    CHECK(rows[1].envelope.empty());
    CHECK(m.after(f.s.rooms[0], 1, 10).size() == 1);
    CHECK(m.after(f.s.rooms[0], 0, 1).size() == 1);
}

TEST_CASE(
    "PostgreSQL Messages append answers a used identity with the first seq and envelope, "
    "even with stale recipients",
    "[pg]") {
    Fixture f;
    const auto first = f.unit([&](pg::PgMessages& m) { return m.append(f.message(0, "x", "A")); });
    REQUIRE(first.result == R::stored);
    const std::vector<std::string> stale = {f.everyone[0]};
    auto again = f.message(0, "x", "B");
    again.recipients = &stale;
    const auto dup = f.unit([&](pg::PgMessages& m) { return m.append(again); });
    CHECK(dup.result == R::duplicate);
    CHECK(dup.seq == first.seq);
    CHECK(dup.existing_envelope == "A");
    CHECK(f.db.exec("SELECT count(*) FROM messages").int64(0, 0) == 1);
}

TEST_CASE(
    "PostgreSQL Messages append refuses unknown rooms, non-members and stale recipients, "
    "changing nothing",
    "[pg]") {
    Fixture f;
    auto unknown = f.message(0, "u");
    unknown.room = "no such room";
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(unknown); }).result == R::no_room);
    f.db.exec("DELETE FROM room_members WHERE account_id = $1", {std::to_string(f.s.accounts[2])});
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(f.message(2, "n")); }).result ==
          R::not_member);
    // person2 left: their device is no longer a recipient, so the full list is stale.
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(f.message(0, "s")); }).result ==
          R::stale_recipients);
    std::vector<std::string> current = {f.everyone[0], f.everyone[1]};
    auto ok = f.message(0, "s");
    ok.recipients = &current;
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(ok); }).result == R::stored);
    // A suspended member's devices are not recipients either; a revoked device is not.
    f.db.exec("UPDATE accounts SET suspended = true WHERE id = $1",
              {std::to_string(f.s.accounts[1])});
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(f.message(0, "t")); }).result ==
          R::stale_recipients);
    std::vector<std::string> only_me = {f.everyone[0]};
    auto t = f.message(0, "t");
    t.recipients = &only_me;
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(t); }).result == R::stored);
    // Ids that are not decimal device ids never match.
    std::vector<std::string> junk = {"0x1"};
    auto j = f.message(0, "j");
    j.recipients = &junk;
    CHECK(f.unit([&](pg::PgMessages& m) { return m.append(j); }).result == R::stale_recipients);
    CHECK(f.db.exec("SELECT count(*) FROM messages").int64(0, 0) == 2);
    CHECK(f.db.exec("SELECT max(seq) FROM messages").int64(0, 0) == 2);
}
