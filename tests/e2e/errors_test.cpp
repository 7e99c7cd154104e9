// Errors as a person at the `liaise` command meets them: each says what went wrong in plain
// words and what to do, never a system or parser message ("Broken pipe", "Could not convert").
#include "liaise/client/message_size.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

TEST_CASE(
    "a message too long for the server is refused before sending, saying how long one "
    "may be",
    "[e2e][errors][too_long]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    const auto [status, out] =
        liaise("ann", "send --accept-new-readers case-2041", std::string(1'250'000, 'x'));
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("the message is 1.25 MB; a message can be at most about "));
    CHECK_THAT(out, Catch::Contains("KB of text"));
    CHECK_THAT(out, Catch::Contains("(too_long)"));
    CHECK_THAT(out, !Catch::Contains("Broken pipe"));
    CHECK_THAT(liaise.ok("bea", "read case-2041"), !Catch::Contains("xxxx"));

    // The limit named is real: a message of exactly that size is sent and read back whole.
    const auto limit = client::max_text_bytes();
    CHECK(limit > 700'000);
    CHECK_THAT(
        liaise.ok("ann", "send --accept-new-readers --anyway case-2041", std::string(limit, 'y')),
        Catch::Contains("Sent #"));
    const auto read = json::parse(liaise.ok("bea", "read case-2041 --json --since 1"));
    CHECK(read.at("text").as_string().size() == limit);
    // One byte more is refused.
    const auto [over, why] =
        liaise("ann", "send --accept-new-readers --anyway case-2041", std::string(limit + 1, 'z'));
    CHECK(over == 1);
    CHECK_THAT(why, Catch::Contains("(too_long)"));
}

TEST_CASE("the library refuses a message too long for any frame", "[e2e][errors][too_long]") {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    // Far longer than any frame: refused at once, nothing sent.
    const auto huge = ann->send("case-1", std::string(2'000'000, 'x'));
    REQUIRE_FALSE(huge);
    CHECK(huge.error().code == "too_long");
    CHECK_THAT(huge.error().message, Catch::Contains("the message is 2.00 MB"));
}

TEST_CASE("a server that cannot be reached is named, with what still works offline",
          "[e2e][errors][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.enrol("ann", server.admin_code());
    server.stop();
    const auto [status, out] = liaise("ann", "whoami");
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("the server " + server.url() + " cannot be reached"));
    CHECK_THAT(out, Catch::Contains("'liaise check'"));
    CHECK_THAT(out, Catch::Contains("'liaise explain'"));
    CHECK_THAT(out, !Catch::StartsWith("liaise: Connection refused"));
}

TEST_CASE("an action due in the past is created with a warning that it is overdue at once",
          "[e2e][errors][overdue]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    const auto created =
        json::parse(liaise.ok("ann",
                              "meeting create case-2041 --title 'Core group' --kind core-group "
                              "--at '2026-11-20 10:00' --place remote --json"));
    const auto id = std::to_string(created.at("meeting").as_int64());
    const auto past = liaise.ok("ann", "action add " + id +
                                           " 'Ring the school' --owner bea "
                                           "--due 2020-11-01");
    CHECK_THAT(past, Catch::Contains("Action 1 for bea"));
    CHECK_THAT(past, Catch::Contains("Warning: the due date 2020-11-01 is in the past: the action "
                                     "is overdue at once."));
    const auto future = liaise.ok("ann", "action add " + id +
                                             " 'Visit' --owner bea "
                                             "--due 2099-11-01");
    CHECK_THAT(future, !Catch::Contains("Warning"));
    // Moving a due date into the past warns too; changing something else does not.
    CHECK_THAT(liaise.ok("ann", "action update 2 --due 2020-01-02"),
               Catch::Contains("Warning: the due date 2020-01-02 is in the past"));
    CHECK_THAT(liaise.ok("ann", "action update 1 --what 'Ring the school office'"),
               !Catch::Contains("Warning"));
}

TEST_CASE("a missing or mistyped argument is named, with the command's usage line",
          "[e2e][errors][usage]") {
    Server server;
    const Cli liaise{server};
    const auto usage =
        "Usage: liaise meeting agenda MEETING TITLE [--discussion TEXT] "
        "[--item NUMBER] [--json]\n";
    // The title typed, the meeting number left out: the title is not "a bad meeting number".
    auto [status, out] = liaise("ann", "meeting agenda 'Item 1'");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::StartsWith("liaise meeting agenda: missing MEETING (the meeting "
                                      "number)\n") &&
                        Catch::Contains(usage) && !Catch::Contains("Could not convert"));
    std::tie(status, out) = liaise("ann", "meeting agenda");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::StartsWith("liaise meeting agenda: missing MEETING (the meeting "
                                      "number)\n") &&
                        Catch::Contains(usage));
    // Both given, but a word where the number goes.
    std::tie(status, out) = liaise("ann", "meeting agenda twelve 'Item 1'");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::StartsWith("liaise meeting agenda: MEETING must be a number (the "
                                      "meeting number), not 'twelve'\n") &&
                        Catch::Contains(usage));
    std::tie(status, out) = liaise("ann", "read case-2041 --since yesterday");
    CHECK_THAT(out, Catch::StartsWith("liaise read: --since must be a number") &&
                        Catch::Contains(", not 'yesterday'") &&
                        Catch::Contains("Usage: liaise read ROOM [--since NUMBER] [--follow]"));
    std::tie(status, out) = liaise("ann", "room show");
    CHECK_THAT(out, Catch::StartsWith("liaise room show: missing ROOM\nUsage: liaise room show "
                                      "ROOM [--json]\n"));
    std::tie(status, out) = liaise("ann", "action add 3 'Ring the school' --due");
    CHECK_THAT(out, Catch::StartsWith("liaise action add: --due needs a value (due date, "
                                      "YYYY-MM-DD)\n") &&
                        Catch::Contains("Usage: liaise action add MEETING TEXT --due TEXT "));
    std::tie(status, out) = liaise("ann", "admin enrol sam");
    CHECK_THAT(out, Catch::StartsWith("liaise admin enrol: missing --agency (their agency)\n"));
}

TEST_CASE(
    "a room name with capitals or a near miss gets 'did you mean', among the person's "
    "own rooms only",
    "[e2e][errors][did_you_mean]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    liaise.ok("ann", "room create case-9999");  // bea is not in it
    auto [status, out] = liaise("bea", "read Case-2041");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("no room named 'Case-2041'; did you mean 'case-2041'? "
                                    "(not_found)"));
    std::tie(status, out) = liaise("bea", "send case-2014 hello");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("did you mean 'case-2041'?"));
    std::tie(status, out) = liaise("bea", "room show CASE-2041");
    CHECK_THAT(out, Catch::Contains("did you mean 'case-2041'?"));
    // A room bea is not in is never named, however near; a name far from all says nothing more.
    std::tie(status, out) = liaise("bea", "read case-9990");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("no room named 'case-9990'") && !Catch::Contains("case-9999") &&
                        !Catch::Contains("did you mean"));
    std::tie(status, out) = liaise("bea", "read youth-panel");
    CHECK_THAT(out, !Catch::Contains("did you mean"));
}
