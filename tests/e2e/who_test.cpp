// Who is speaking, and when: the real server and the real `liaise` binary name people by
// display name and agency ("Bea Patel (Riverside Primary)") and show local UK times in day-month
// order, while --json keeps account names and the server's milliseconds.
#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// TZ for the `liaise` commands a test runs (they inherit this process's environment); the
/// previous value comes back on destruction.
class Zone {
  public:
    explicit Zone(const char* zone) {
        if (const char* was = std::getenv("TZ"))
            was_ = was;
        ::setenv("TZ", zone, 1);
    }
    ~Zone() {
        if (was_)
            ::setenv("TZ", was_->c_str(), 1);
        else
            ::unsetenv("TZ");
    }
    Zone(const Zone&) = delete;
    Zone& operator=(const Zone&) = delete;

  private:
    std::optional<std::string> was_;
};

constexpr std::int64_t kSummerNoon = 1782907200000;     // 2026-07-01 12:00 UTC
constexpr std::int64_t kWinterEvening = 1796593200000;  // 2026-12-06 21:40 UTC

/// ann (admin, Northshire Children's Services); Bea Patel at Riverside Primary; Hana Ali at
/// Northshire Children's Services; two Sam Joneses, at Westshire Police and Riverside Primary.
/// case-7 holds ann, bea, hana and sam.
struct People {
    Server server;
    Cli liaise{server};

    People() {
        liaise.enrol("ann", server.admin_code());
        liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
        liaise.ok("ann", "admin agency add 'Westshire Police' --discipline police-justice");
        enrol("bea", "Bea Patel", "Riverside Primary");
        enrol("hana", "Hana Ali", "Northshire Children's Services");
        enrol("sam", "Sam Jones", "Westshire Police");
        enrol("sjones", "Sam Jones", "Riverside Primary");
        liaise.ok("ann", "room create case-7 --member bea --member hana --member sam");
    }

    void enrol(const std::string& who, const std::string& name, const std::string& agency) const {
        const auto out =
            liaise.ok("ann", "admin enrol " + who + " --agency \"" + agency +
                                 "\" --display-name '" + name + "' --role member --json");
        liaise.enrol(who, std::string(json::parse(out).at("code").as_string()));
    }

    /// Sets the time the server recorded for message `seq` of case-7 (with the server stopped).
    void set_time(std::int64_t seq, std::int64_t ms) {
        server.stop();
        {
            SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
            SQLite::Statement q(db,
                                "UPDATE messages SET sent_at = ? WHERE seq = ? AND room_id = "
                                "(SELECT id FROM rooms WHERE name = 'case-7')");
            q.bind(1, static_cast<int64_t>(ms));
            q.bind(2, static_cast<int64_t>(seq));
            REQUIRE(q.exec() == 1);
        }
        server.start();
    }
};

/// The line of `out` that starts with `start`, or "".
std::string line_starting(const std::string& out, const std::string& start) {
    for (const auto& line : lines_of(out))
        if (line.starts_with(start))
            return line;
    return "";
}

}  // namespace

TEST_CASE("read names the sender by display name and agency", "[e2e][who]") {
    const People t;
    t.liaise.ok("bea", "send --anyway --accept-new-readers case-7 He was in school every day.");
    t.liaise.ok("hana", "send --anyway --accept-new-readers case-7 Thank you, noted.");
    for (const auto* plain : {"", " --plain"}) {
        const auto out = t.liaise.ok("hana", std::string("read case-7") + plain);
        INFO(out);
        CHECK_THAT(line_starting(out, "#2 "),
                   Catch::EndsWith(" Bea Patel (Riverside Primary): He was in school every day."));
        CHECK_THAT(
            line_starting(out, "#3 "),
            Catch::EndsWith(" Hana Ali (Northshire Children's Services): Thank you, noted."));
        CHECK(out.find(" bea: ") == std::string::npos);
    }
    // Scripts still get account names.
    const auto first = lines_of(t.liaise.ok("hana", "read case-7 --since 1 --json")).front();
    CHECK(json::parse(first).at("sender").as_string() == "bea");
}

TEST_CASE("two members with one name are told apart, and a former member by account",
          "[e2e][who]") {
    const People t;
    t.liaise.ok("ann", "room add case-7 sjones");                                              // #2
    t.liaise.ok("sam", "send --anyway --accept-new-readers case-7 On my way.");                // #3
    t.liaise.ok("sjones", "send --anyway --accept-new-readers case-7 I will ring the head.");  // #4
    t.liaise.ok("bea", "send --anyway --accept-new-readers case-7 Thanks both.");              // #5
    t.liaise.ok("ann", "room remove case-7 bea");                                              // #6
    const auto out = t.liaise.ok("hana", "read case-7");
    INFO(out);
    CHECK_THAT(line_starting(out, "#3 "),
               Catch::EndsWith(" Sam Jones (Westshire Police, sam): On my way."));
    CHECK_THAT(line_starting(out, "#4 "),
               Catch::EndsWith(" Sam Jones (Riverside Primary, sjones): I will ring the head."));
    // No longer a member: the server no longer vouches for a name, so the account it signed as.
    CHECK_THAT(line_starting(out, "#5 "), Catch::EndsWith(" bea: Thanks both."));
}

TEST_CASE("read shows local UK time under a heading for each day, --json the server's time",
          "[e2e][who]") {
    People t;
    t.liaise.ok("bea", "send --anyway --accept-new-readers case-7 Summer visit notes.");  // #2
    t.liaise.ok("ann", "room add case-7 sjones");                                         // #3
    t.set_time(1, kSummerNoon);     // the room's creation, in British Summer Time
    t.set_time(3, kWinterEvening);  // an addition, in winter (GMT)

    std::string json_seen;
    for (const auto* zone : {"Europe/London", "UTC", "Asia/Tokyo"}) {
        const Zone tz(zone);
        const auto out = t.liaise.ok("hana", "read case-7");
        INFO(zone << "\n" << out);
        const auto lines = lines_of(out);
        if (std::string(zone) == "Europe/London") {
            CHECK(lines.at(0) == "\u2014 Wednesday 1 July 2026 \u2014");
            CHECK_THAT(lines.at(1), Catch::StartsWith("#1 13:00 \u2014 "));  // UTC + 1
            CHECK(line_starting(out, "\u2014 Sunday 6 December 2026") ==
                  "\u2014 Sunday 6 December 2026 \u2014");
            CHECK_THAT(line_starting(out, "#3 "), Catch::StartsWith("#3 21:40 \u2014 "));  // UTC
        } else if (std::string(zone) == "UTC") {
            CHECK(lines.at(0) == "\u2014 Wednesday 1 July 2026 \u2014");
            CHECK_THAT(lines.at(1), Catch::StartsWith("#1 12:00 \u2014 "));
            CHECK_THAT(line_starting(out, "#3 "), Catch::StartsWith("#3 21:40 \u2014 "));
        } else {
            CHECK_THAT(lines.at(1), Catch::StartsWith("#1 21:00 \u2014 "));
            CHECK(line_starting(out, "\u2014 Monday 7 December 2026") ==
                  "\u2014 Monday 7 December 2026 \u2014");
            CHECK_THAT(line_starting(out, "#3 "), Catch::StartsWith("#3 06:40 \u2014 "));
        }
        // No ISO dates for people.
        CHECK(out.find("2026-") == std::string::npos);
        // --json is the server's milliseconds whatever the zone.
        const auto as_json = t.liaise.ok("hana", "read case-7 --json");
        const auto first = json::parse(lines_of(as_json).at(0));
        CHECK(first.at("sent_at").as_int64() == kSummerNoon);
        if (json_seen.empty())
            json_seen = as_json;
        CHECK(as_json == json_seen);
    }
}

TEST_CASE("actions name the owner by name and agency, with dates day first", "[e2e][who]") {
    const People t;
    const auto meeting = std::to_string(
        json::parse(t.liaise.ok("ann",
                                "meeting create case-7 --title 'Core group' --kind "
                                "core-group --at '2030-01-10 10:00' --place remote --json"))
            .at("meeting")
            .as_int64());
    CHECK_THAT(t.liaise.ok("ann", "action add " + meeting +
                                      " 'Ring the school' --owner bea --due 2030-02-01"),
               Catch::Contains("for Bea Patel (Riverside Primary), due 1 Feb 2030."));
    const auto listed = t.liaise.ok("bea", "actions --mine");
    INFO(listed);
    CHECK_THAT(listed, Catch::Contains("owner Bea Patel (Riverside Primary), due 1 Feb 2030"));
    CHECK_THAT(t.liaise.ok("ann", "meeting show " + meeting), Catch::Contains("10 Jan 2030 10:00"));
    CHECK(json::parse(t.liaise.ok("bea", "actions --mine --json"))
              .at("actions")
              .at(0)
              .at("due")
              .as_string() == "2030-02-01");
}
