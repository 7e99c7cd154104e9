#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "liaise/protocol/findings.hpp"

using namespace liaise;

TEST_CASE("golden: findings encode to the documented JSON", "[protocol][findings]") {
    const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
    REQUIRE(set.ok());
    const auto engine = jargon::Engine::compile(set.value()).value();
    const auto result = engine->check("The CIN and CP notes.\nThe XYZ met. It went well. Done.",
                                      jargon::Audience::everyone());
    const auto encoded = boost::json::serialize(protocol::to_json(result));

    std::ifstream in(LIAISE_TEST_DATA "/golden/findings.json");
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    // Compare parsed values so that the golden file may be pretty-printed.
    CHECK(boost::json::parse(encoded) == boost::json::parse(buf.str()));
}

TEST_CASE("a result without readability encodes null", "[protocol][findings]") {
    jargon::CheckResult empty;
    const auto v = protocol::to_json(empty);
    CHECK(v.at("findings").as_array().empty());
    CHECK(v.at("readability").is_null());
}
