// Reading without the server, as a person at the `liaise` command meets it: the history this
// device kept (client/src/history_store.hpp) is shown when the server is down, only what is new
// is fetched when it is up, and a damaged or foreign store never shows altered text.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

const std::vector<std::string> kFirst = {"Strategy meeting moved to Thursday at ten.",
                                         "Mum phoned the school about the pick-up.",
                                         "His aunt collected him; all well."};

void send_all(const Cli& liaise, const std::vector<std::string>& texts) {
    for (const auto& t : texts)
        liaise.ok("ann", "send --accept-new-readers --anyway case-2041", t);
}

fs::path store_of(const Server& server, const std::string& who) {
    return server.dir() / ("cli-" + who) / "history.db";
}

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// The seq `text` was shown at in `liaise read --json` output.
std::int64_t seq_of(const std::string& read_json, const std::string& text) {
    std::istringstream lines(read_json);
    for (std::string line; std::getline(lines, line);) {
        boost::system::error_code ec;
        const auto v = json::parse(line, ec);
        if (!ec && v.is_object() && v.as_object().contains("text") &&
            v.at("text").as_string() == text)
            return v.at("seq").as_int64();
    }
    FAIL("'" << text << "' was not read:\n" << read_json);
    return 0;
}

/// Flips one byte in the middle of row `seq`'s sealed bytes, in the file itself.
void flip_row(const fs::path& file, std::int64_t seq) {
    std::string row;
    {
        SQLite::Database db(file.string());
        SQLite::Statement q(db, "SELECT sealed FROM rows WHERE seq = ?");
        q.bind(1, seq);
        REQUIRE(q.executeStep());
        const auto* b = static_cast<const char*>(q.getColumn(0).getBlob());
        row.assign(b, b + q.getColumn(0).getBytes());
    }
    auto bytes = bytes_of(file);
    const auto at = bytes.find(row);
    REQUIRE(at != std::string::npos);
    bytes[at + row.size() / 2] ^= 0x20;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE(
    "read keeps the history on this device: offline it is shown, online only new "
    "messages are fetched",
    "[e2e][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    send_all(liaise, kFirst);

    const auto first = liaise.ok("bea", "read case-2041 --verbose");
    for (const auto& t : kFirst)
        CHECK_THAT(first, Catch::Contains(t));
    CHECK_THAT(first, Catch::Contains("liaise: 0 kept on this device, "));

    // On disk: sealed, private, and none of what was said, by whom or where.
    const auto file = store_of(server, "bea");
    REQUIRE(fs::exists(file));
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto on_disk = bytes_of(file);
    for (const auto& t : kFirst)
        CHECK(on_disk.find(t) == std::string::npos);
    for (const char* s : {"Strategy", "aunt", "case-2041", "\"sender\"", "ann"})
        CHECK(on_disk.find(s) == std::string::npos);

    server.stop();
    const auto [status, offline] = liaise("bea", "read case-2041");
    INFO(offline);
    CHECK(status == 0);
    for (const auto& t : kFirst)
        CHECK_THAT(offline, Catch::Contains(t));
    CHECK_THAT(offline, Catch::Contains("Offline: the server at " + server.url() +
                                        " cannot be reached; showing the 3 messages kept on "
                                        "this device, up to "));
    // A room this device never read: nothing to show, and the command fails as before.
    const auto [never, none] = liaise("bea", "read case-9999");
    INFO(none);
    CHECK(never == 1);
    CHECK_THAT(none, Catch::Contains("cannot be reached"));
    CHECK_THAT(none, Catch::Contains("nothing of case-9999 is kept on this device"));

    server.start();
    const std::vector<std::string> more = {"Review on the 14th.", "Minutes to follow."};
    send_all(liaise, more);
    const auto again = liaise.ok("bea", "read case-2041 --verbose");
    for (const auto& t : kFirst)
        CHECK_THAT(again, Catch::Contains(t));
    for (const auto& t : more)
        CHECK_THAT(again, Catch::Contains(t));
    // Only the two new messages came from the server; the rest from this device.
    CHECK_THAT(again, Catch::Contains(" kept on this device, 2 fetched from the server"));
    CHECK_THAT(again, !Catch::Contains("0 kept on this device"));
    CHECK_THAT(again, !Catch::Contains("gap"));
    CHECK_THAT(again, !Catch::Contains("replay"));
    // And nothing new: nothing fetched but what the server has after the last kept.
    CHECK_THAT(liaise.ok("bea", "read case-2041 --verbose"),
               Catch::Contains(" kept on this device, 0 fetched from the server"));
}

TEST_CASE("a kept row with a flipped byte is refused, never shown altered, and fetched again",
          "[e2e][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    send_all(liaise, kFirst);
    const auto seq = seq_of(liaise.ok("bea", "read case-2041 --json --plain"), kFirst[1]);
    const auto file = store_of(server, "bea");
    flip_row(file, seq);

    server.stop();
    const auto [status, offline] = liaise("bea", "read case-2041");
    INFO(offline);
    CHECK(status == 0);
    CHECK_THAT(offline, Catch::Contains(kFirst[0]));
    CHECK_THAT(offline, Catch::Contains(kFirst[2]));
    CHECK_THAT(offline, !Catch::Contains("Mum phoned"));
    CHECK_THAT(offline, Catch::Contains("message #" + std::to_string(seq) +
                                        " kept on this device did not open (damaged or "
                                        "altered); it is not shown"));
    CHECK_THAT(offline, Catch::Contains("showing the 2 messages kept on this device"));

    server.start();
    const auto online = liaise.ok("bea", "read case-2041 --verbose");
    for (const auto& t : kFirst)
        CHECK_THAT(online, Catch::Contains(t));
    CHECK_THAT(online, Catch::Contains("message #" + std::to_string(seq) +
                                       " kept on this device did not open (damaged or altered); "
                                       "it is fetched again from the server"));
    CHECK_THAT(online, !Catch::Contains("gap"));
    CHECK_THAT(online, !Catch::Contains("replay"));

    // Fetched again, it is kept again: offline now shows all three.
    server.stop();
    const auto [after, repaired] = liaise("bea", "read case-2041");
    INFO(repaired);
    CHECK(after == 0);
    for (const auto& t : kFirst)
        CHECK_THAT(repaired, Catch::Contains(t));
    CHECK_THAT(repaired, !Catch::Contains("did not open"));
}

TEST_CASE("a missing store or another device's store is fetched again in full", "[e2e][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    send_all(liaise, kFirst);
    liaise.ok("ann", "read case-2041");
    liaise.ok("bea", "read case-2041");

    SECTION("deleted") {
        fs::remove(store_of(server, "bea"));
        const auto out = liaise.ok("bea", "read case-2041 --verbose");
        for (const auto& t : kFirst)
            CHECK_THAT(out, Catch::Contains(t));
        CHECK_THAT(out, Catch::Contains("liaise: 0 kept on this device"));
        CHECK_THAT(out, !Catch::Contains("gap"));
    }
    SECTION("copied from another device") {
        fs::copy_file(store_of(server, "ann"), store_of(server, "bea"),
                      fs::copy_options::overwrite_existing);
        const auto out = liaise.ok("bea", "read case-2041 --verbose");
        for (const auto& t : kFirst)
            CHECK_THAT(out, Catch::Contains(t));
        CHECK_THAT(out, Catch::Contains("written by another device or is damaged"));
        CHECK_THAT(out, Catch::Contains("liaise: 0 kept on this device"));
        server.stop();
        const auto [status, offline] = liaise("bea", "read case-2041");
        CHECK(status == 0);  // kept again, as bea's own
        CHECK_THAT(offline, Catch::Contains(kFirst[2]));
    }
}

TEST_CASE("read --follow keeps what arrives, for reading offline later", "[e2e][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    send_all(liaise, {kFirst[0]});
    {
        const Cli::Running follow(liaise, "bea", "read case-2041 --follow --plain");
        follow.wait_for(kFirst[0]);
        send_all(liaise, {kFirst[1]});
        follow.wait_for(kFirst[1]);
    }
    server.stop();
    const auto [status, offline] = liaise("bea", "read case-2041");
    INFO(offline);
    CHECK(status == 0);
    CHECK_THAT(offline, Catch::Contains(kFirst[0]));
    CHECK_THAT(offline, Catch::Contains(kFirst[1]));
}

TEST_CASE("a replaced device deletes what it kept when the server shuts it out", "[e2e][offline]") {
    Server server;
    const Cli liaise{server};
    liaise.two_in_a_room();
    send_all(liaise, kFirst);
    liaise.ok("bea", "read case-2041");
    REQUIRE(fs::exists(store_of(server, "bea")));

    const auto code = liaise.ok("ann", "admin account replace-device bea --json");
    liaise.ok("bea-new", "enrol --server " + server.url() + " --code " +
                             std::string(json::parse(code).at("code").as_string()));
    const auto [status, out] = liaise("bea", "read case-2041");
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("(device_replaced)"));
    CHECK_THAT(out, Catch::Contains("the history kept on this device was deleted"));
    CHECK(!fs::exists(store_of(server, "bea")));
    for (const auto& t : kFirst)
        CHECK_THAT(out, !Catch::Contains(t));

    server.stop();
    const auto [offline, none] = liaise("bea", "read case-2041");
    CHECK(offline == 1);
    CHECK_THAT(none, !Catch::Contains(kFirst[0]));
}
