// The README's walkthrough, driven through the real `liaise` command.
#include "server_fixture.hpp"

using namespace liaise::test;
namespace json = boost::json;

TEST_CASE("the README walkthrough works with the liaise command", "[e2e][cli]") {
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

    liaise.ok("admin", "room create case-2041 --member bea --member hana");
    CHECK_THAT(liaise.ok("bea", "rooms"), Catch::Contains("case-2041: 3 members"));
    CHECK_THAT(liaise.ok("hana", "room show case-2041"), Catch::Contains("[education]"));
    CHECK_THAT(liaise.ok("admin", "send case-2041 Home visit went well, mum is engaging."),
               Catch::Contains("Sent #1"));
    CHECK_THAT(liaise.ok("bea", "send case-2041", "He was in school every day this week.\n"),
               Catch::Contains("Sent #2"));

    const auto read = liaise.ok("hana", "read case-2041");
    CHECK_THAT(read, Catch::Contains("ann: Home visit went well, mum is engaging."));
    CHECK_THAT(read, Catch::Contains("bea: He was in school every day this week."));
    const auto since = liaise.ok("hana", "read case-2041 --since 1 --json");
    const auto line = json::parse(since.substr(0, since.find('\n')));
    CHECK(line.at("seq").as_int64() == 2);
    CHECK(line.at("text").as_string() == "He was in school every day this week.");

    const auto fp = liaise.ok("admin", "fingerprint bea");
    CHECK_THAT(fp, Catch::Contains("Safety numbers of bea"));

    // Errors are one clear line and a non-zero exit.
    const auto [status, out] = liaise("bea", "admin agency add Nope --discipline health");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("only admins may do this (forbidden)"));
    const auto [s2, o2] = liaise("nobody", "whoami");
    CHECK(s2 == 1);
    CHECK_THAT(o2, Catch::Contains("not enrolled"));
    const auto [s3, o3] = liaise("bea", "send no-such-room hello");
    CHECK(s3 == 1);
    CHECK_THAT(o3, Catch::Contains("no room named 'no-such-room' (not_found)"));
}
