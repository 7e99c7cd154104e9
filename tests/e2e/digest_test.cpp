// End to end: read positions (room_read) and the daily digest of unread rooms, from the real
// liaise-server to a real SMTP server (aiosmtpd). The digest is run now by an admin's digest_run:
// the configured time is 23:59 London, so the schedule does not start the day's run first
// (unless the test runs in the last minute of a day).
#include "../support/smtp_sink.hpp"
#include "mail_support.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

constexpr const char* kCare = "Northshire Children's Services";

/// The `read_seq` and `last_seq` of `room` in `who`'s `rooms` reply.
std::pair<std::int64_t, std::int64_t> positions(const json::object& rooms,
                                                const std::string& room) {
    for (const auto& r : rooms.at("rooms").as_array())
        if (r.at("room").as_string() == room)
            return {r.at("read_seq").as_int64(), r.at("last_seq").as_int64()};
    FAIL("no room " << room << " in " << json::serialize(rooms));
    return {};
}

}  // namespace

TEST_CASE("the digest goes only to those with unread messages, once a day, naming no room",
          "[e2e][mail][digest]") {
    smtp::Sink sink;
    Server server;
    server.stop();
    server.set_config("[smtp]\nhost = \"127.0.0.1\"\nport = " + std::to_string(sink.port()) +
                      "\nfrom = \"liaise@council.example.org\"\ncheck_seconds = 1\n"
                      "timeout_ms = 2000\nservice_url = \"https://liaise.council.example.org\"\n"
                      "plain_loopback = true\ndigest_time = \"23:59\"\n");
    server.start();
    // ann (admin) and cal through the library; bea and dee through the `liaise` command.
    Person ann(server, "ann", server.admin_code());
    Person cal(server, "cal", code_for(*ann, "cal", kCare));
    Cli cli{server};
    cli.enrol("bea", code_for(*ann, "bea", kCare));
    cli.enrol("dee", code_for(*ann, "dee", kCare));
    ok(*ann, "room_create", {{"room", "case-2041"}, {"members", {"bea", "cal", "dee"}}});
    ok(*ann, "room_create", {{"room", "case-9"}});  // ann alone
    for (const auto* who : {"ann", "bea", "cal", "dee"})
        ok(*ann, "account_email", {{"user", who}, {"email", std::string(who) + "@example.org"}});

    auto sent = ann->send("case-2041", "Kelly Smith said Jamie has a bruise on his arm.");
    REQUIRE(sent.ok());
    const auto last = sent.value();

    // bea reads the room: `liaise read` records what it showed.
    CHECK(has(cli.ok("bea", "read case-2041 --plain"), "bruise"));
    CHECK(has(cli.ok("bea", "rooms"),
              "case-2041: 4 members, last message #" + std::to_string(last) + "\n"));
    // dee turns the digest off.
    CHECK(has(cli.ok("dee", "digest off"), "The daily email of unread rooms is off."));
    CHECK(has(cli.ok("dee", "digest off"), "was off already"));
    // cal has read nothing; `liaise rooms` for dee says so.
    CHECK(has(cli.ok("dee", "rooms"), "unread after #0"));
    CHECK(positions(ok(*cal, "rooms"), "case-2041") ==
          std::pair<std::int64_t, std::int64_t>{0, last});

    // Refused: a seq past the room's last, a room cal is not in. Neither changes anything.
    CHECK(error_code(*cal, "room_read", {{"room", "case-2041"}, {"seq", last + 1}}) ==
          "bad_request");
    CHECK(error_code(*cal, "room_read", {{"room", "case-2041"}, {"seq", 0}}) == "bad_request");
    CHECK(error_code(*cal, "room_read", {{"room", "case-9"}, {"seq", 1}}) == "not_found");
    CHECK(error_code(*cal, "room_read", {{"room", "no-such-room"}, {"seq", 1}}) == "not_found");
    CHECK(positions(ok(*cal, "rooms"), "case-2041").first == 0);
    // Only an admin runs the digest now.
    CHECK(error_code(*cal, "digest_run", {}) == "forbidden");
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(sink.received().empty());

    const auto run = ok(*ann, "digest_run", {});
    CHECK(run.at("day").as_string().size() == 10);
    const auto mail = sink.wait_for(1);
    REQUIRE(mail.size() == 1);
    const auto& m = mail[0];
    CHECK(has(m, "X-Sink-Rcpt: cal@example.org\r\n"));
    CHECK(has(m, "Subject: You have unread messages in Liaise\r\n"));
    CHECK(has(m, "1 room has messages you have not read yet."));
    CHECK(has(m, "https://liaise.council.example.org"));
    for (const auto* secret : {"case-2041", "case-9", "Kelly", "Jamie", "bruise", "Smith"})
        CHECK_FALSE(has(m, secret));

    // Once a day: a second run, even after a new message, sends nothing more today.
    REQUIRE(ann->send("case-2041", "The core group is on Tuesday.").ok());
    ok(*ann, "digest_run", {});
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    CHECK(sink.received().size() == 1);

    // A position only rises, and a second device of the account sees it in `rooms`.
    const auto moved = ok(*cal, "room_read", {{"room", "case-2041"}, {"seq", last}});
    CHECK(moved.at("changed").as_bool());
    CHECK(moved.at("read_seq").as_int64() == last);
    const auto lower = ok(*cal, "room_read", {{"room", "case-2041"}, {"seq", 1}});
    CHECK_FALSE(lower.at("changed").as_bool());
    CHECK(lower.at("read_seq").as_int64() == last);
    CHECK(positions(ok(*cal, "rooms"), "case-2041").first == last);
    // The audit log has the run, and no address or room.
    const auto audit = json::serialize(ok(*ann, "audit"));
    CHECK(has(audit, "digest_run"));
    CHECK_FALSE(has(audit, "cal@example.org"));
}
