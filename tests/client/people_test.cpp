// Who is speaking (client/include/liaise/client/people.hpp): a room's members by name and
// agency, told apart when two share a name, and anyone else by account name.
#include "liaise/client/people.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using liaise::client::People;
namespace json = boost::json;

namespace {

People of(std::string_view members) {
    return People(json::parse(members).as_array());
}

}  // namespace

TEST_CASE("a member is named by display name and agency", "[people]") {
    const auto people = of(R"([
        {"user":"bea","display_name":"Bea Patel","agency":"Riverside Primary","role":"member"},
        {"user":"ann","display_name":"ann","agency":"Northshire Children's Services"},
        {"user":"kit","display_name":"Kit Ng","agency":""},
        {"user":"lou","agency":"Westshire Police"}])");
    CHECK(people.name("bea") == "Bea Patel (Riverside Primary)");
    CHECK(people.name("ann") == "ann (Northshire Children's Services)");
    CHECK(people.name("kit") == "Kit Ng");
    CHECK(people.name("lou") == "lou (Westshire Police)");  // no display name: the account's
    CHECK(people.knows("bea"));
}

TEST_CASE("someone who is not a member is shown by account name", "[people]") {
    const auto people = of(R"([{"user":"bea","display_name":"Bea Patel","agency":"R"}])");
    CHECK(people.name("sam") == "sam");
    CHECK_FALSE(people.knows("sam"));
    CHECK(People().name("bea") == "bea");
}

TEST_CASE("two members with the same name are told apart by account", "[people]") {
    const auto people = of(R"([
        {"user":"bea","display_name":"Bea Patel","agency":"Riverside Primary"},
        {"user":"bpatel","display_name":"bea patel","agency":"Northshire NHS Trust"},
        {"user":"sam","display_name":"Sam Jones","agency":""},
        {"user":"sjones","display_name":"Sam Jones","agency":""},
        {"user":"hana","display_name":"Hana Ali","agency":"Westshire Council"}])");
    CHECK(people.name("bea") == "Bea Patel (Riverside Primary, bea)");
    CHECK(people.name("bpatel") == "bea patel (Northshire NHS Trust, bpatel)");
    CHECK(people.name("sam") == "Sam Jones (sam)");
    CHECK(people.name("sjones") == "Sam Jones (sjones)");
    CHECK(people.name("hana") == "Hana Ali (Westshire Council)");
}

TEST_CASE("a name from the server cannot draw on the terminal", "[people]") {
    const auto people =
        of("[{\"user\":\"eve\",\"display_name\":\"Eve\\u001b[2J\\nBea\",\"agency\":\"X\\u202e\"},"
           "{\"user\":\"m\\u0007\"}]");
    const auto eve = people.name("eve");
    CHECK(eve.find('\x1b') == std::string::npos);
    CHECK(eve.find('\n') == std::string::npos);
    CHECK(eve.find("\xE2\x80\xAE") == std::string::npos);
    CHECK(people.name("m\a").find('\a') == std::string::npos);
    CHECK(people.name("not\x1bthere").find('\x1b') == std::string::npos);
}

TEST_CASE("members that are not objects or have no account are skipped", "[people]") {
    const auto people = of(R"([1, "bea", {"display_name":"No One"},
        {"user":"bea","display_name":"Bea Patel","agency":"R"}])");
    CHECK(people.name("bea") == "Bea Patel (R)");
}
