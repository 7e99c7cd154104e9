// End to end: the agencies' circulation clocks (`clocks = "FILE"` in the server's config;
// docs/operator.md, "Working-day clocks") against the real liaise-server and a real SMTP server.
// One agency's file gives it a shorter full record clock and comment window than the default;
// its chair's meeting shows them in `deadlines` and the due list, is refused a late comment that
// the other agency's meeting still takes, and its chair is reminded by email where the other is
// not. A file with a mistake stops the server, naming the file and the line.
#include <SQLiteCpp/SQLiteCpp.h>

#include <ctime>

#include "../support/smtp_sink.hpp"
#include "liaise/calendar/bank_holidays.hpp"
#include "liaise/calendar/date.hpp"
#include "liaise/calendar/working_days.hpp"
#include "mail_support.hpp"
#include "server_fixture.hpp"
#include "signed_receipts.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// `days` working days after today, as the server counts them.
std::string working_days_on(int days) {
    const auto from = calendar::parse_date(today());
    REQUIRE(from);
    const auto due =
        calendar::add_working_days(calendar::BankHolidays::england_and_wales(), *from, days);
    REQUIRE(due.ok());
    return calendar::iso_text(due.value());
}

/// The clock `name` of a `deadlines` list.
json::object clock_of(const json::value& deadlines, std::string_view name) {
    for (const auto& v : deadlines.as_array())
        if (v.at("clock").as_string() == name)
            return v.as_object();
    FAIL("no clock " << name << " in " << json::serialize(deadlines));
    return {};
}

// Northshire (the agency `init` made; named here in another case, as operators may) sets a
// 1-day full record and a 2-day comment window; everyone else keeps the core group's 15 and 10.
constexpr const char* kClocks = R"(# Northshire's own procedures
[agencies."northshire children's services".kinds.core-group]
full_record = 1
accuracy_comments = 2

[agencies."Elsewhere Health"]
outline_plan = 4
)";

}  // namespace

TEST_CASE("an agency's clock settings set its meetings' deadlines, comment window and reminders",
          "[e2e][mail][clocks]") {
    smtp::Sink sink;
    Server server;
    server.stop();
    std::ofstream(server.dir() / "clocks.toml") << kClocks;
    server.set_config("clocks = \"" + (server.dir() / "clocks.toml").string() +
                      "\"\n[smtp]\nhost = \"127.0.0.1\"\nport = " + std::to_string(sink.port()) +
                      "\nfrom = \"liaise@council.example.org\"\ncheck_seconds = 1\n"
                      "timeout_ms = 2000\nplain_loopback = true\n");
    server.start();
    CHECK(has(server.log(), "circulation clocks from "));
    Person ann(server, "ann", server.admin_code());
    ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
    // sam chairs for Northshire, rita for Riverside Primary (no settings of its own).
    Person sam(server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair"));
    Person rita(server, "rita", code_for(*ann, "rita", "Riverside Primary", "chair"));
    Person tess(server, "tess", code_for(*ann, "tess", "Riverside Primary"));
    ok(*ann, "account_email", {{"user", "sam"}, {"email", "sam@northshire.example.org"}});
    ok(*ann, "account_email", {{"user", "rita"}, {"email", "rita@riverside.example.org"}});
    ok(*sam, "room_create", {{"room", "case-9"}, {"members", {"tess", "rita"}}});
    const auto held = today() + " 09:30";
    const auto create = [&](Person& chair, const char* title) {
        return ok(*chair, "meeting_create",
                  {{"room", "case-9"},
                   {"title", title},
                   {"kind", "core-group"},
                   {"starts_at", held},
                   {"place", "Riverside Primary"}})
            .at("meeting")
            .as_int64();
    };
    const auto ours = create(sam, "Core group (Northshire)");
    const auto theirs = create(rita, "Core group (Riverside)");

    // The deadlines each meeting shows: Northshire's settings for sam's, the kind's for rita's.
    auto mine = ok(*sam, "meeting_show", {{"meeting", ours}}).at("deadlines");
    auto full = clock_of(mine, "full_record");
    CHECK(full.at("days").as_int64() == 1);
    CHECK(full.at("due").as_string() == working_days_on(1));
    CHECK(full.at("status").as_string() == "due");
    CHECK(clock_of(mine, "accuracy_comments").at("days").as_int64() == 2);
    auto other = ok(*rita, "meeting_show", {{"meeting", theirs}}).at("deadlines");
    full = clock_of(other, "full_record");
    CHECK(full.at("days").as_int64() == 15);
    CHECK(full.at("due").as_string() == working_days_on(15));
    CHECK(clock_of(other, "accuracy_comments").at("days").as_int64() == 10);
    // Another agency's settings (Elsewhere Health's outline plan) touch neither.
    for (const auto& d : mine.as_array())
        CHECK(d.at("clock").as_string() != "outline_plan");
    // The due list, each chair's own.
    auto due = ok(*sam, "minutes_due");
    REQUIRE(find_meeting(due, ours) != nullptr);
    CHECK(clock_of(find_meeting(due, ours)->at("deadlines"), "full_record").at("due").as_string() ==
          working_days_on(1));
    due = ok(*rita, "minutes_due");
    REQUIRE(find_meeting(due, theirs) != nullptr);
    CHECK(
        clock_of(find_meeting(due, theirs)->at("deadlines"), "full_record").at("due").as_string() ==
        working_days_on(15));

    // The reminder: sam's full record is due within a working day, rita's is not.
    auto mail = sink.wait_for(1);
    REQUIRE(mail.size() == 1);
    CHECK(has(mail[0], "X-Sink-Rcpt: sam@northshire.example.org\r\n"));
    CHECK(has(mail[0], "Subject: Minutes due soon: Full record\r\n"));
    CHECK(has(mail[0], "The full record of meeting " + std::to_string(ours) + " is due on"));

    // Both circulated: the comment window is Northshire's 2 working days for sam's meeting and
    // the core group's 10 for rita's, in the replies and in the circulation emails' dates.
    ok(*sam, "meeting_circulate",
       signed_by(*sam, "meeting_circulate", {{"meeting", ours}, {"acknowledge", true}}));
    ok(*rita, "meeting_circulate",
       signed_by(*rita, "meeting_circulate", {{"meeting", theirs}, {"acknowledge", true}}));
    const auto c1 =
        ok(*tess, "minutes_comment",
           comment_signed_by(*tess, {{"meeting", ours}, {"section", "general"}, {"text", "a"}}));
    CHECK(c1.at("window_closes").as_string() == working_days_on(2));
    const auto c2 =
        ok(*tess, "minutes_comment",
           comment_signed_by(*tess, {{"meeting", theirs}, {"section", "general"}, {"text", "b"}}));
    CHECK(c2.at("window_closes").as_string() == working_days_on(10));
    mine = ok(*sam, "meeting_show", {{"meeting", ours}}).at("deadlines");
    CHECK(clock_of(mine, "accuracy_comments").at("due").as_string() == working_days_on(2));
    CHECK(clock_of(mine, "full_record").at("status").as_string() == "met");

    // A week later (both circulations moved 7 days back, the server stopped): at least three
    // working days have passed, more than Northshire's 2 and fewer than the default 10.
    server.stop();
    {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement back(db,
                               "UPDATE minutes_versions SET circulated_at = circulated_at - "
                               "7 * 86400000 WHERE meeting_id IN (?, ?) AND version = 1");
        back.bind(1, static_cast<std::int64_t>(ours));
        back.bind(2, static_cast<std::int64_t>(theirs));
        REQUIRE(back.exec() == 2);
    }
    server.start();
    tess.login();
    sam.login();
    auto late =
        tess->call("minutes_comment",
                   comment_signed_by(
                       *tess, {{"meeting", ours}, {"section", "general"}, {"text", "One more"}}));
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == "comments_closed");
    CHECK(has(late.error().message, "closed at the end of "));
    // The date the refusal names is the date the meeting shows: one clock, worked out once.
    mine = ok(*sam, "meeting_show", {{"meeting", ours}}).at("deadlines");
    const auto window = clock_of(mine, "accuracy_comments");
    CHECK(window.at("status").as_string() == "closed");
    CHECK(window.at("due").as_string() < today());
    const auto later =
        ok(*tess, "minutes_comment",
           comment_signed_by(*tess, {{"meeting", theirs}, {"section", "general"}, {"text", "c"}}));
    CHECK(later.at("window_closes").as_string() >= today());
    CHECK(ok(*sam, "minutes_comments", {{"meeting", ours}}).at("comments").as_array().size() == 1);
}

TEST_CASE("a clock settings file with a mistake stops the server, naming the file and the line",
          "[e2e][clocks]") {
    Server server;
    server.stop();
    const auto file = server.dir() / "clocks.toml";
    const auto serve = [&](const std::string& args) {
        // `timeout`: a file that loaded by mistake would otherwise leave it serving.
        return run_any("timeout 30 '" + std::string(LIAISE_SERVER_BINARY) + "' serve --data '" +
                       server.data().string() + "' --listen 127.0.0.1:" +
                       std::to_string(server.port()) + " " + args + " 2>&1");
    };
    std::ofstream(file) << "[default]\nfull_record = 15\n\n[agencies.\"Riverside Primary\"]\n"
                           "full_recrod = 10\n";
    auto ran = serve("--clocks '" + file.string() + "'");
    REQUIRE(WIFEXITED(ran.status));
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(has(ran.out, file.string() + ": line 5: agencies.\"Riverside Primary\": unknown setting "
                                       "'full_recrod'"));
    // Through the config file too, and for a value out of range and a kind that does not exist.
    std::ofstream(file) << "[default]\nfull_record = 90\n";
    std::ofstream(server.dir() / "server.toml") << "clocks = \"" << file.string() << "\"\n";
    ran = serve("--config '" + (server.dir() / "server.toml").string() + "'");
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(has(ran.out, file.string() + ": line 2: default.full_record must be a whole number of "
                                       "working days from 0 to 60"));
    std::ofstream(file) << "[default.kinds.board-meeting]\nfull_record = 5\n";
    ran = serve("--clocks '" + file.string() + "'");
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(has(ran.out, "'board-meeting' is not a meeting kind"));
    ran = serve("--clocks '" + (server.dir() / "missing.toml").string() + "'");
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(has(ran.out, "missing.toml: cannot be read"));
    std::ofstream(server.dir() / "server.toml") << "clocks = 3\n";
    ran = serve("--config '" + (server.dir() / "server.toml").string() + "'");
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(has(ran.out, "clocks must be the name of a clock settings file"));
    // Nothing was served meanwhile, and a good file starts it.
    std::ofstream(file) << kClocks;
    server.set_extra_args({"--clocks", file.string()});
    server.start();
    CHECK(has(server.log(), "circulation clocks from " + file.string()));
}
