// The guides' walkthrough (docs/staff.md, docs/chairs.md, docs/admin.md), driven through the real
// `liaise` command.
#include <poll.h>

#include <ctime>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

TEST_CASE("the walkthrough in the guides works with the liaise command", "[e2e][cli]") {
    Server server;
    const Cli liaise{server};
    CHECK_THAT(
        liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code()),
        Catch::Contains("Enrolled ann (admin"));
    CHECK_THAT(liaise.ok("admin", "whoami"),
               Catch::Contains("ann (ann), admin at Northshire Children's Services [social-care]"));
    liaise.ok("admin", "admin agency add 'Riverside Primary' --discipline education");
    liaise.ok("admin", "admin agency add 'Northshire Health Visiting' --discipline health");
    const auto agencies = json::parse(liaise.ok("admin", "admin agency list --json"));
    CHECK(agencies.at("agencies").as_array().size() == 3);

    const auto code_for = [&](const std::string& user, const std::string& agency,
                              const std::string& role) {
        const auto out = liaise.ok("admin", "admin enrol " + user + " --agency '" + agency +
                                                "' --role " + role + " --json");
        return std::string(json::parse(out).at("code").as_string());
    };
    liaise.ok("bea", "enrol --server " + server.url() + " --code " +
                         code_for("bea", "Riverside Primary", "member"));
    liaise.ok("hana", "enrol --server " + server.url() + " --code " +
                          code_for("hana", "Northshire Health Visiting", "chair"));

    // A second code for someone who has not enrolled yet replaces the first, and says so.
    const auto zed = "admin enrol zed --agency 'Riverside Primary' --role member";
    CHECK(liaise.ok("admin", zed).find("no longer works") == std::string::npos);
    CHECK_THAT(liaise.ok("admin", zed),
               Catch::Contains("The earlier code for zed no longer works."));

    liaise.ok("admin", "room create case-2041 --member bea --member hana");
    CHECK_THAT(liaise.ok("bea", "rooms"), Catch::Contains("case-2041: 3 members"));
    CHECK_THAT(liaise.ok("hana", "room show case-2041"), Catch::Contains("[education]"));
    CHECK_THAT(
        liaise.ok("admin",
                  "send --accept-new-readers case-2041 Home visit went well, mum is engaging."),
        Catch::Contains("Sent #2"));  // #1 is the room's creation
    CHECK_THAT(liaise.ok("bea", "send --accept-new-readers case-2041",
                         "He was in school every day this week.\n"),
               Catch::Contains("Sent #3"));

    const auto read = liaise.ok("hana", "read case-2041");
    CHECK_THAT(read,
               Catch::Contains(
                   "ann (Northshire Children's Services): Home visit went well, mum is engaging."));
    CHECK_THAT(read,
               Catch::Contains("bea (Riverside Primary): He was in school every day this week."));
    CHECK_THAT(read, Catch::Contains("#1 "));
    CHECK_THAT(read, Catch::Contains(" created the room for "));
    const auto since = liaise.ok("hana", "read case-2041 --since 2 --json");
    const auto line = json::parse(since.substr(0, since.find('\n')));
    CHECK(line.at("seq").as_int64() == 3);
    CHECK(line.at("text").as_string() == "He was in school every day this week.");
    // Nothing new says so; with --json nothing is printed.
    CHECK(liaise.ok("hana", "read case-2041 --since 3") == "No messages in case-2041 after #3.\n");
    CHECK(liaise.ok("hana", "read case-2041 --since 3 --json").empty());

    // Verifying who you talk to: both devices compute the same number, and verify takes it.
    const auto fp = liaise.ok("admin", "fingerprint bea");
    CHECK_THAT(fp, Catch::Contains("Safety number for you (ann) and bea"));
    CHECK_THAT(fp, Catch::Contains("Not verified"));
    const auto number = [&](const char* who, const char* other) {
        return std::string(json::parse(liaise.ok(who, std::string("fingerprint --json ") + other))
                               .at("safety_number")
                               .as_string());
    };
    const auto seen_by_admin = number("admin", "bea");
    CHECK(seen_by_admin == number("bea", "ann"));
    auto wrong = seen_by_admin;
    wrong[3] = wrong[3] == '9' ? '8' : '9';
    const auto [refused, why] = liaise("admin", "verify bea '" + wrong + "'");
    CHECK(refused == 1);
    CHECK_THAT(why, Catch::Contains("(number_mismatch)"));
    CHECK_THAT(liaise.ok("admin", "verify bea " + seen_by_admin), Catch::Contains("Verified bea"));
    CHECK_THAT(liaise.ok("admin", "fingerprint bea"),
               Catch::Contains("Verified: these are the keys"));

    // Errors are one clear line and a non-zero exit.
    const auto [status, out] = liaise("bea", "admin agency add Nope --discipline health");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("only admins may do this (forbidden)"));
    const auto [s2, o2] = liaise("nobody", "whoami");
    CHECK(s2 == 1);
    CHECK_THAT(o2, Catch::Contains("not enrolled"));
    const auto [s3, o3] = liaise("bea", "send --accept-new-readers no-such-room hello");
    CHECK(s3 == 1);
    CHECK_THAT(o3, Catch::Contains("no room named 'no-such-room' (not_found)"));
}

namespace {

/// How often `part` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

/// `liaise ARGS` as `who` (home `server.dir()/cli-WHO`, as Cli) with this passphrase;
/// {exit status, standard output and error}.
std::pair<int, std::string> liaise_with(const Server& server, const std::string& who,
                                        const std::string& passphrase, const std::string& args) {
    const auto ran = run_any("LIAISE_HOME='" + (server.dir() / ("cli-" + who)).string() +
                             "' LIAISE_PASSPHRASE='" + passphrase + "' '" + LIAISE_BINARY + "' " +
                             args + " </dev/null 2>&1");
    return {WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, ran.out};
}

/// Runs `liaise ARGS` as `who` with its standard error on a terminal (a pseudo-terminal this
/// test holds open, so nothing is lost when liaise exits); returns what that terminal got.
std::string stderr_on_terminal(const Server& server, const std::string& who,
                               const std::string& args) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    const std::string terminal = ::ptsname(master);
    const int held = ::open(terminal.c_str(), O_RDWR | O_NOCTTY);
    REQUIRE(held >= 0);
    const auto ran = run_any("LIAISE_HOME='" + (server.dir() / ("cli-" + who)).string() +
                             "' LIAISE_PASSPHRASE='" + kPassphrase + "' '" + LIAISE_BINARY + "' " +
                             args + " </dev/null >/dev/null 2>'" + terminal + "'");
    CHECK(WIFEXITED(ran.status));
    CHECK(WEXITSTATUS(ran.status) == 0);
    std::string out;
    pollfd p{master, POLLIN, 0};
    while (::poll(&p, 1, 300) > 0 && (p.revents & POLLIN) != 0) {
        char buf[4096];
        const auto n = ::read(master, buf, sizeof buf);
        if (n <= 0)
            break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(held);
    ::close(master);
    return out;
}

/// An admin (ann) with a room case-9 shared with tess, a chair at a school.
struct CaseRoom {
    Server server;
    Cli liaise{server};
    CaseRoom() {
        liaise.enrol("ann", server.admin_code());
        liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
        const auto code =
            liaise.ok("ann", "admin enrol tess --agency 'Riverside Primary' --role chair --json");
        liaise.enrol("tess", std::string(json::parse(code).at("code").as_string()));
        liaise.ok("ann", "room create case-9 --member tess");
    }
    /// Creates a meeting in case-9 chaired by ann; returns its number.
    std::string meeting(const std::string& title) const {
        const auto created = json::parse(liaise.ok(
            "ann", "meeting create case-9 --title '" + title +
                       "' --kind core-group --at '2030-01-10 10:00' --place remote --json"));
        return std::to_string(created.at("meeting").as_int64());
    }
};

}  // namespace

TEST_CASE("liaise actions shows each meeting once, its actions by due date", "[e2e][cli]") {
    const CaseRoom t;
    const auto first = t.meeting("First core group");
    t.liaise.ok("ann", "action add " + first + " 'Book the GP' --owner tess --due 2030-02-01");
    const auto second = t.meeting("Second core group");  // carries 'Book the GP' forward
    t.liaise.ok("ann", "action add " + second + " 'Visit at home' --owner tess --due 2030-02-05");
    t.liaise.ok("ann", "action add " + first + " 'Send the letter' --owner tess --due 2030-02-10");

    // By due date the meetings interleave: 1, 2, 1.
    const auto listed = t.liaise.ok("tess", "actions");
    INFO(listed);
    CHECK(occurrences(listed, "case-9, meeting " + first + " (First core group):") == 1);
    CHECK(occurrences(listed, "case-9, meeting " + second + " (Second core group):") == 1);
    const auto at = [&](const std::string& s) { return listed.find(s); };
    CHECK(at("meeting " + first + " (") < at("Book the GP"));
    CHECK(at("Book the GP") < at("Send the letter"));
    CHECK(at("Send the letter") < at("meeting " + second + " ("));
    CHECK(at("meeting " + second + " (") < at("Visit at home"));
    // Scripts still get the server's list as it is.
    CHECK(json::parse(t.liaise.ok("tess", "actions --json")).at("actions").as_array().size() == 3);
}

TEST_CASE("meeting refusals use the command's words and keep the error code", "[e2e][cli]") {
    const CaseRoom t;
    const auto [bad_at, at_why] = t.liaise(
        "ann", "meeting create case-9 --title T --kind core-group --at tomorrow --place remote");
    CHECK(bad_at == 1);
    CHECK_THAT(at_why, Catch::Contains("--at: must be a date and time"));
    CHECK_THAT(at_why, Catch::Contains("(bad_request)"));

    const auto id = t.meeting("Core group for J");
    t.liaise.ok("ann", "meeting attend " + id +
                           " --name 'Kelly Smith' --role Mother --family "
                           "--status present");  // the public reads it
    t.liaise.ok("ann", "action add " + id +
                           " 'Send the TAF plan to Kelly' --owner tess "
                           "--due 2030-02-01");
    // Who: neither, or both, each said as it is; the wire's field names in the flags' words.
    const auto refused = [&](const std::string& command) {
        const auto [status, out] = t.liaise("ann", command);
        CHECK(status == 1);
        CHECK_THAT(out, Catch::Contains("(bad_request)"));
        for (const auto* wire : {"owner_name", "in_progress", "not_done", "carried_forward"})
            CHECK(out.find(wire) == std::string::npos);
        return out;
    };
    CHECK_THAT(refused("action add " + id + " 'Ring the school' --due 2030-02-01"),
               Catch::Contains("say who owns it: give --owner (an account) or --owner-name"));
    CHECK_THAT(refused("action add " + id +
                       " 'Ring the school' --owner tess --owner-name Kelly --due 2030-02-01"),
               Catch::Contains("--owner-name (someone without one), not both"));
    CHECK_THAT(refused("meeting attend " + id + " --role GP --status present"),
               Catch::Contains("say who: give --user (someone with an account) or --name"));
    CHECK_THAT(refused("action update 1 --status finished"),
               Catch::Contains("--status: must be one of open, in-progress, done, not-done, "
                               "carried-forward, cancelled"));

    const auto [held, why] = t.liaise("ann", "meeting circulate " + id);
    CHECK(held == 1);
    CHECK_THAT(why, Catch::Contains("the chair must acknowledge them (--acknowledge) before "
                                    "circulating (findings_unacknowledged)"));
    CHECK(why.find("acknowledge: true") == std::string::npos);
    t.liaise.ok("ann", "meeting circulate " + id + " --acknowledge");

    const auto [locked, locked_why] = t.liaise("ann", "meeting agenda " + id + " 'A late item'");
    CHECK(locked == 1);
    CHECK_THAT(locked_why,
               Catch::Contains("the chair or minute-taker can start a correction (liaise meeting "
                               "correct) to make a new version (minutes_locked)"));
    CHECK(locked_why.find("meeting_correct") == std::string::npos);
}

TEST_CASE(
    "the action reminder is shown to a person at a terminal, not to scripts, and not "
    "again and again",
    "[e2e][cli]") {
    const CaseRoom t;
    const auto id = t.meeting("Core group for J");
    t.liaise.ok("ann",
                "action add " + id + " 'Book the GP' --owner tess --due " + protocol::utc_date());

    // Every command logs in; a script reading standard error gets no reminder.
    const auto piped = t.liaise.ok("tess", "whoami");
    CHECK(piped.find("Reminder") == std::string::npos);
    CHECK(piped.find("Book the GP") == std::string::npos);
    CHECK(stderr_on_terminal(t.server, "tess", "rooms --json").find("Reminder") ==
          std::string::npos);

    // A person sees it once ...
    const auto shown = stderr_on_terminal(t.server, "tess", "rooms");
    CHECK_THAT(shown, Catch::Contains("Reminder: you have 0 overdue action(s) and 1 due"));
    CHECK_THAT(shown, Catch::Contains("Book the GP"));
    // ... then not on every command while nothing changed ...
    CHECK(stderr_on_terminal(t.server, "tess", "rooms").find("Reminder") == std::string::npos);
    // ... and at once when there is something new.
    t.liaise.ok("ann", "action add " + id + " 'Ring the school' --owner tess --due " +
                           protocol::utc_date(-1));
    const auto again = stderr_on_terminal(t.server, "tess", "rooms");
    CHECK_THAT(again, Catch::Contains("Reminder: you have 1 overdue action(s) and 1 due"));
    CHECK_THAT(again, Catch::Contains("Ring the school"));
}

TEST_CASE("enrolling needs a strong passphrase, an existing keystore opens with its own",
          "[e2e][cli]") {
    Server server;
    const auto enrol = "enrol --server " + server.url() + " --code " + server.admin_code();
    const auto [status, out] = liaise_with(server, "ann", "x", enrol);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("at least 8 characters"));
    CHECK_THAT(out, Catch::Contains("(bad_passphrase)"));
    CHECK(liaise_with(server, "ann", "sevenÅÅ", enrol).first == 1);  // 7 characters, 9 bytes
    CHECK_FALSE(fs::exists(server.dir() / "cli-ann" / "keystore.json"));
    // Eight characters are not enough on their own (unlock_test.cpp has more).
    CHECK_THAT(liaise_with(server, "ann", "eight ÅÅ", enrol).second,
               Catch::Contains("(weak_passphrase)"));
    // The refusals did not use the code up.
    const auto [enrolled, said] = liaise_with(server, "ann", "Åsa kettle violin harbour", enrol);
    INFO(said);
    CHECK(enrolled == 0);

    // A keystore sealed earlier with a short passphrase still opens (and is sealed again with
    // the current limits, under the same passphrase).
    const auto code = json::parse(liaise_with(server, "ann", "Åsa kettle violin harbour",
                                              "admin enrol bea --agency \"Northshire Children's "
                                              "Services\" --role member --json")
                                      .second);
    const client::Home home(server.dir() / "cli-bea");
    REQUIRE(client::Client::enrol(home, server.url(), std::string(code.at("code").as_string()), "x",
                                  "laptop")
                .ok());
    const auto [opened, who] = liaise_with(server, "bea", "x", "whoami");
    CHECK(opened == 0);
    CHECK_THAT(who, Catch::Contains("bea (bea), member"));
}

TEST_CASE("admin lists say when nothing matches, codes expire at a time in UTC", "[e2e][cli]") {
    const CaseRoom t;
    CHECK_THAT(t.liaise.ok("ann", "admin account list --suspended"),
               Catch::Contains("No suspended accounts."));
    CHECK_THAT(t.liaise.ok("ann", "admin account list --agency 'Riverside Primary' --suspended"),
               Catch::Contains("No suspended accounts at Riverside Primary."));
    CHECK(json::parse(t.liaise.ok("ann", "admin account list --suspended --json"))
              .at("accounts")
              .as_array()
              .empty());
    CHECK_THAT(t.liaise.ok("ann", "admin audit --since 2099-01-01"),
               Catch::Contains("No audit records since 2099-01-01."));

    CHECK_THAT(t.liaise.ok("ann", "admin enrol sam --agency 'Riverside Primary' --role member"),
               Catch::Matches(R"([\s\S]*before \d{4}-\d\d-\d\d \d\d:\d\d UTC\):[\s\S]*)"));
    CHECK_THAT(t.liaise.ok("ann", "admin account replace-device tess"),
               Catch::Matches(R"([\s\S]*before \d{4}-\d\d-\d\d \d\d:\d\d UTC\):[\s\S]*)"));
}

TEST_CASE("a held-back draft shows each term's plain alternative and meaning", "[e2e][cli]") {
    const CaseRoom t;
    const auto [held, why] =
        t.liaise("ann", "send --accept-new-readers case-9 'The CIN plan was agreed.'");
    CHECK(held == 1);
    CHECK_THAT(why, Catch::Contains("[1] CIN (social-care) -> child needing extra council help: "
                                    "child in need \u2014 a child the council must help"));
    CHECK(t.liaise.ok("tess", "read case-9").find("CIN") == std::string::npos);  // not sent
}

TEST_CASE("liaise read --follow reconnects after the server restarts and misses nothing",
          "[e2e][cli]") {
    CaseRoom t;
    t.liaise.ok("ann", "send --accept-new-readers case-9 --anyway 'Before the restart.'");
    const Cli::Running follow(t.liaise, "tess", "read case-9 --follow --plain");
    follow.wait_for("ann (Northshire Children's Services): Before the restart.");
    t.liaise.ok("ann", "send --accept-new-readers case-9 --anyway 'Live, first.'");
    follow.wait_for("ann (Northshire Children's Services): Live, first.");

    REQUIRE(t.server.stop() == 0);
    follow.wait_for("reconnecting");
    t.server.start();
    // Sent while tess's follow may still be logging in again: caught up, in order, once.
    t.liaise.ok("ann", "send --accept-new-readers case-9 --anyway 'Right after the restart.'");
    t.liaise.ok("ann", "send --accept-new-readers case-9 --anyway 'And one more.'");
    const auto out = follow.wait_for("ann (Northshire Children's Services): And one more.");
    CHECK_THAT(out, Catch::Contains("liaise: reconnected"));
    const auto first = out.find("Right after the restart.");
    REQUIRE(first != std::string::npos);
    CHECK(out.find("Right after the restart.", first + 1) == std::string::npos);
    CHECK(first < out.find("And one more."));
}

TEST_CASE("liaise send ROOM - reads the message from standard input, never sends '-'",
          "[e2e][cli][stdin]") {
    const CaseRoom t;
    CHECK_THAT(t.liaise.ok("ann", "send --accept-new-readers case-9 -",
                           "Letter posted to mum today.\nShe will call the school.\n"),
               Catch::Contains("Sent #2"));
    const auto read = t.liaise.ok("tess", "read case-9 --since 1 --json");
    const auto line = json::parse(read.substr(0, read.find('\n')));
    CHECK(line.at("text").as_string() == "Letter posted to mum today.\nShe will call the school.");
    // Nothing on standard input: nothing sent, and no message that is just "-".
    const auto [status, why] = t.liaise("ann", "send case-9 -");
    CHECK(status == 2);
    CHECK_THAT(why, Catch::Contains("nothing to send"));
    CHECK(t.liaise.ok("tess", "read case-9 --since 2") == "No messages in case-9 after #2.\n");
}

TEST_CASE("liaise read --follow shows in words every notice the server sends to the person",
          "[e2e][cli][notices]") {
    CaseRoom t;
    const auto id = t.meeting("First core group");
    const Cli::Running follow(t.liaise, "tess", "read case-9 --follow");
    follow.wait_for("created the room");

    // An action given to tess.
    t.liaise.ok("ann", "action add " + id +
                           " 'Send Kelly the attendance letter' --owner tess "
                           "--due 2030-12-04");
    follow.wait_for(
        "Action for you: 'Send Kelly the attendance letter', due 4 Dec 2030, from "
        "meeting " +
        id + " ('First core group') in case-9");
    // Minutes circulated to the room.
    t.liaise.ok("ann", "meeting circulate " + id + " --acknowledge");
    follow.wait_for("Minutes of meeting " + id +
                    " in case-9 were circulated (version 1): 'liaise meeting show " + id +
                    "' shows them.");
    // A new room with tess in it; removed from it and added again.
    t.liaise.ok("ann", "room create case-10 --member tess");
    follow.wait_for("You are in a new room, case-10 ('liaise chat case-10' opens it).");
    t.liaise.ok("ann", "room remove case-10 tess");
    follow.wait_for("You were removed from case-10: you can no longer read or send there.");
    t.liaise.ok("ann", "room add case-10 tess");
    const auto out = follow.wait_for("You were added to case-10 ('liaise chat case-10' opens it).");
    // The room being read shows its own membership changes as its history does, once.
    CHECK(out.find("Who reads case-9") == std::string::npos);
}
