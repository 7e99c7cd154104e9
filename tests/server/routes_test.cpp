// The route table against the protocol's request list: the two must name the same requests, or
// serve() refuses to start and says which request is missing where.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "app/routes.hpp"
#include "app/service.hpp"
#include "liaise/protocol/messages.hpp"

using liaise::server::route_problems;
using liaise::server::Service;
namespace protocol = liaise::protocol;

TEST_CASE("the server routes exactly the requests the protocol defines", "[routes]") {
    const auto names = Service::route_names();
    CHECK(route_problems(names, protocol::request_specs()).empty());
    CHECK(names.size() == protocol::request_specs().size());
}

TEST_CASE("a request with no route stops the server's start with a clear message", "[routes]") {
    auto names = Service::route_names();
    std::erase(names, std::string_view("meeting_export"));
    const auto problems = route_problems(names, protocol::request_specs());
    REQUIRE(problems.size() == 1);
    CHECK(problems.front() ==
          "request 'meeting_export' is in the protocol but has no route in the server");
}

TEST_CASE("a route with no request spec stops the server's start with a clear message",
          "[routes]") {
    auto names = Service::route_names();
    names.push_back("meeting_teleport");
    names.push_back("hello");
    const auto problems = route_problems(names, protocol::request_specs());
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == "request 'hello' has more than one route");
    CHECK(problems[1] == "route 'meeting_teleport' has no request spec in the protocol");
}
