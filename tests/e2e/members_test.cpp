// Membership every member can see: changes to who reads a room are in the room's own history,
// admins cannot staff rooms they are not in, suspended accounts are not recipients, and a
// replacement device names the admin who issued it. Real server, real `liaise` command.
#include <SQLiteCpp/SQLiteCpp.h>

#include <sstream>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// ann (admin, outside the case room), hana (chair), bea and sam, each with a CLI home and a
/// full name; hana's room "case-9" holds hana and bea.
struct Case {
    Server server;
    Cli liaise{server};

    Case() {
        liaise.ok("ann", "enrol --server " + server.url() + " --code " + server.admin_code());
        liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
        liaise.ok("ann", "admin agency add 'Westshire Police' --discipline police-justice");
        liaise.ok("ann", "admin agency add 'Westshire Council' --discipline social-care");
        enrol("hana", "Hana Ali", "Westshire Council", "chair");
        enrol("bea", "Bea Patel", "Riverside Primary", "member");
        enrol("sam", "Sam Jones", "Westshire Police", "member");
        liaise.ok("hana", "room create case-9 --member bea");
    }
    void enrol(const std::string& who, const std::string& name, const std::string& agency,
               const std::string& role) const {
        const auto out =
            liaise.ok("ann", "admin enrol " + who + " --display-name '" + name + "' --agency '" +
                                 agency + "' --role " + role + " --json");
        liaise.enrol(who, std::string(json::parse(out).at("code").as_string()));
    }
    /// `who`'s `liaise read ROOM --json`, one object per line.
    std::vector<json::object> read_json(const std::string& who, const std::string& room) const {
        std::vector<json::object> out;
        std::istringstream lines(liaise.ok(who, "read " + room + " --json"));
        for (std::string line; std::getline(lines, line);)
            if (!line.empty())
                out.push_back(json::parse(line).as_object());
        return out;
    }
    /// The "recipients" of the newest stored envelope in `room`, from the database itself.
    std::vector<std::string> last_recipients(const std::string& room) const {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement q(db,
                            "SELECT m.envelope FROM messages m JOIN rooms r ON r.id = m.room_id "
                            "WHERE r.name = ? AND m.event IS NULL ORDER BY m.seq DESC LIMIT 1");
        q.bind(1, room);
        REQUIRE(q.executeStep());
        std::vector<std::string> out;
        const auto envelope = q.getColumn(0).getString();
        INFO(envelope);
        const auto parsed = json::parse(envelope);
        for (const auto& d : parsed.at("recipients").as_array())
            out.emplace_back(d.as_string());
        return out;
    }
    std::string device_of(const std::string& who) const {
        return std::string(json::parse(liaise.ok(who, "whoami --json")).at("device").as_string());
    }
};

std::string text(const json::object& o, std::string_view key) {
    return std::string(o.at(key).as_string());
}

}  // namespace

TEST_CASE("an admin outside a room can neither join it nor staff it", "[e2e][members]") {
    Case c;
    const auto before = c.liaise.ok("hana", "room show case-9");
    for (const auto* attempt : {"room add case-9 ann", "room add case-9 sam",
                                "room remove case-9 bea", "room audience case-9 --public on"}) {
        INFO(attempt);
        const auto [status, out] = c.liaise("ann", attempt);
        CHECK(status == 1);
        CHECK_THAT(out, Catch::Contains("you can change only rooms you are a member of"));
        CHECK_THAT(out, Catch::Contains("(forbidden)"));
    }
    // Nothing changed, and nothing was added to the room's history.
    CHECK(c.liaise.ok("hana", "room show case-9") == before);
    const auto history = c.read_json("bea", "case-9");
    REQUIRE(history.size() == 1);
    CHECK(text(history[0].at("event").as_object(), "kind") == "room_created");
    // The admin sees who is in the room, not their devices, and cannot read it.
    const auto shown = c.liaise.ok("ann", "room show case-9");
    CHECK_THAT(shown, Catch::Contains("you are not a member"));
    CHECK_THAT(shown, Catch::Contains("bea (Bea Patel)"));
    CHECK_THAT(shown, !Catch::Contains("device"));
    const auto [status, out] = c.liaise("ann", "read case-9");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("no room named 'case-9' (not_found)"));
    // A chair inside the room still can.
    CHECK_THAT(c.liaise.ok("hana", "room add case-9 sam"), Catch::Contains("sam"));
}

TEST_CASE("every member sees additions and removals in the room's history, in order",
          "[e2e][members]") {
    Case c;
    // bea follows the room while it changes.
    const Cli::Running follow(c.liaise, "bea", "read case-9 --follow");
    follow.wait_for("created the room for");
    CHECK_THAT(c.liaise.ok("bea", "send --accept-new-readers case-9 'Attendance is at 80%.'"),
               Catch::Contains("Sent #2"));
    c.liaise.ok("hana", "room add case-9 sam");
    follow.wait_for("#3 ");
    CHECK_THAT(
        c.liaise.ok("sam",
                    "send --accept-new-readers case-9 'Police have no record of the father.'"),
        Catch::Contains("Sent #4"));
    c.liaise.ok("hana", "room remove case-9 sam");
    CHECK_THAT(c.liaise.ok("bea", "send --accept-new-readers case-9 'Thanks, noted.'"),
               Catch::Contains("Sent #6"));
    // Live, as it happened, in words and in order.
    const auto live = follow.wait_for("Thanks, noted.");
    const auto added = live.find("#3 ");
    const auto removed = live.find("#5 ");
    REQUIRE(added != std::string::npos);
    REQUIRE(removed != std::string::npos);
    CHECK(added < live.find("#4 "));
    CHECK(removed > live.find("#4 "));
    CHECK_THAT(live, Catch::Contains("Sam Jones, Westshire Police, was added by Hana Ali."));
    CHECK_THAT(live, Catch::Contains("Sam Jones, Westshire Police, was removed by Hana Ali."));

    // Read afterwards: the same, from the history itself.
    const auto read = c.liaise.ok("bea", "read case-9");
    CHECK_THAT(read, Catch::Contains("Hana Ali created the room for Hana Ali, Westshire Council; "
                                     "Bea Patel, Riverside Primary."));
    CHECK_THAT(read,
               Catch::Contains(" \u2014 Sam Jones, Westshire Police, was added by Hana Ali."));
    CHECK_THAT(read, Catch::Contains("sam: Police have no record of the father."));
    CHECK_THAT(read,
               Catch::Contains(" \u2014 Sam Jones, Westshire Police, was removed by Hana Ali."));
    const auto lines = c.read_json("bea", "case-9");
    REQUIRE(lines.size() == 6);
    for (std::size_t i = 0; i < lines.size(); ++i)
        CHECK(lines[i].at("seq").as_int64() == static_cast<std::int64_t>(i + 1));
    const auto& add = lines[2];
    CHECK_FALSE(add.contains("text"));
    CHECK_FALSE(add.contains("sender"));
    const auto& event = add.at("event").as_object();
    CHECK(text(event, "kind") == "member_added");
    CHECK(text(event, "user") == "sam");
    CHECK(text(event, "display_name") == "Sam Jones");
    CHECK(text(event, "agency") == "Westshire Police");
    CHECK(text(event, "by") == "hana");
    CHECK(text(event, "by_display_name") == "Hana Ali");
    CHECK(text(lines[4].at("event").as_object(), "kind") == "member_removed");
    CHECK(text(lines[5], "text") == "Thanks, noted.");
    // Resuming after #2 starts with the addition.
    const auto since = lines_of(c.liaise.ok("bea", "read case-9 --since 2"));
    REQUIRE(since.size() >= 2);
    CHECK(since[0].starts_with("\u2014 "));  // the day's heading
    CHECK(since[1].rfind("#3 ", 0) == 0);
}

TEST_CASE("a new member sees the room from their own addition", "[e2e][members]") {
    Case c;
    c.liaise.ok("bea", "send --accept-new-readers case-9 'Before sam joined.'");
    c.liaise.ok("hana", "room add case-9 sam");
    const auto lines = c.read_json("sam", "case-9");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].at("seq").as_int64() == 3);
    CHECK(text(lines[0].at("event").as_object(), "kind") == "member_added");
    CHECK(text(lines[0].at("event").as_object(), "user") == "sam");
}

TEST_CASE("a suspended account is not a recipient, and room show says so", "[e2e][members]") {
    Case c;
    c.liaise.ok("hana", "room add case-9 sam");
    c.liaise.ok("hana", "send --accept-new-readers case-9 'For all three.'");
    const auto hana = c.device_of("hana"), bea = c.device_of("bea"), sam = c.device_of("sam");
    auto all = std::vector<std::string>{hana, bea, sam};
    std::sort(all.begin(), all.end());
    CHECK(c.last_recipients("case-9") == all);

    c.liaise.ok("ann", "admin account suspend sam --reason 'left the service'");
    // The very next send goes to the others only: the server no longer requires sam's device.
    c.liaise.ok("hana", "send --accept-new-readers case-9 'Sam has left.'");
    auto two = std::vector<std::string>{hana, bea};
    std::sort(two.begin(), two.end());
    CHECK(c.last_recipients("case-9") == two);
    const auto shown = c.liaise.ok("hana", "room show case-9");
    CHECK_THAT(shown, Catch::Contains("sam (Sam Jones), member, Westshire Police "
                                      "[police-justice] (suspended)"));
    const auto raw = c.liaise.ok("hana", "room show case-9 --json");
    const auto room = json::parse(raw);
    for (const auto& m : room.at("members").as_array()) {
        const bool is_sam = m.at("user").as_string() == "sam";
        CHECK(m.as_object().contains("suspended") == is_sam);
        if (is_sam)
            CHECK(m.at("devices").as_array().empty());
    }
    // The members were told, in the room, without the reason.
    const auto read = c.liaise.ok("bea", "read case-9");
    CHECK_THAT(read, Catch::Contains("Sam Jones's account was suspended by ann"));
    CHECK_THAT(read, !Catch::Contains("left the service"));

    // Reinstated: the next send includes sam again.
    c.liaise.ok("ann", "admin account reinstate sam");
    c.liaise.ok("bea", "send --accept-new-readers case-9 'Welcome back.'");
    CHECK(c.last_recipients("case-9") == all);
    CHECK_THAT(c.liaise.ok("sam", "read case-9"),
               Catch::Contains("Sam Jones's account was reinstated by ann"));
}

TEST_CASE("a replacement device is announced in the room with the admin who issued it",
          "[e2e][members]") {
    Case c;
    const auto old_device = c.device_of("bea");
    const auto issued = c.liaise.ok("ann", "admin account replace-device bea --json");
    const auto code = std::string(json::parse(issued).at("code").as_string());
    c.liaise.enrol("bea-new", code);  // whoever holds the code: another home
    const auto read = c.liaise.ok("hana", "read case-9");
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char day[32];
    std::strftime(day, sizeof day, "%d %b %Y", &tm);
    const std::string date = day[0] == '0' ? day + 1 : day;
    CHECK_THAT(read, Catch::Contains("New device for Bea Patel (Riverside Primary), issued by "
                                     "admin ann on " +
                                     date + ": verify Bea Patel again before trusting it."));
    const auto lines = c.read_json("hana", "case-9");
    REQUIRE(lines.size() == 2);
    const auto& event = lines[1].at("event").as_object();
    CHECK(text(event, "kind") == "device_replaced");
    CHECK(text(event, "issued_by") == "ann");
    CHECK(text(event, "replaces") == old_device);
    CHECK(text(event, "device") == c.device_of("bea-new"));
    // room show marks the device.
    CHECK_THAT(c.liaise.ok("hana", "room show case-9"),
               Catch::Contains("device " + c.device_of("bea-new") + " was issued by admin ann"));
}
