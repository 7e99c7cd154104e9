#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/findings_json.hpp"

using namespace liaise;

TEST_CASE("golden: findings encode to the documented JSON", "[jargon][findings]") {
    const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
    REQUIRE(set.ok());
    const auto engine = jargon::Engine::compile(set.value()).value();
    const auto result = engine->check("The CIN and CP notes.\nThe XYZ met. It went well. Done.",
                                      jargon::Audience::everyone());
    const auto encoded = jargon::findings_json(result);

    std::ifstream in(LIAISE_TEST_DATA "/golden/findings.json");
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    // Compare parsed values so that the golden file may be pretty-printed.
    CHECK(boost::json::parse(encoded) == boost::json::parse(buf.str()));
    // Compact, keys in the documented order.
    CHECK(encoded.starts_with(
        R"({"findings":[{"start":4,"end":7,"line":1,"column":5,"text":"CIN",)"));
    CHECK(encoded.find('\n') == std::string::npos);
}

TEST_CASE("a result without readability encodes null", "[jargon][findings]") {
    jargon::CheckResult empty;
    CHECK(jargon::findings_json(empty) == R"({"findings":[],"readability":null})");
}

TEST_CASE("finding text is escaped as JSON", "[jargon][findings]") {
    jargon::Finding f;
    f.text = "a\"b\\c\n\t\x01\x1f caf\xC3\xA9 </script>";
    f.term = "T";
    const auto encoded = jargon::findings_json(f);
    const auto parsed = boost::json::parse(encoded);
    CHECK(parsed.at("text").as_string() == f.text);
    CHECK(encoded.find(R"("text":"a\"b\\c\n\t\u0001\u001f caf)") != std::string::npos);
    CHECK(parsed.at("meanings").as_array().empty());
    CHECK(parsed.at("kind").as_string() == "term");
}

TEST_CASE("readability numbers round-trip exactly", "[jargon][findings]") {
    jargon::CheckResult r;
    r.readability = jargon::Readability{68.49999999999999, 1.0 / 3.0, 0.0, 3, 17};
    const auto parsed = boost::json::parse(jargon::findings_json(r));
    const auto& o = parsed.at("readability").as_object();
    CHECK(o.at("flesch_reading_ease").as_double() == 68.49999999999999);
    CHECK(o.at("average_sentence_length").as_double() == 1.0 / 3.0);
    CHECK(o.at("long_sentence_share").is_double());  // written 0.0, not 0
    CHECK(o.at("long_sentence_share").as_double() == 0.0);
    CHECK(o.at("sentences").as_int64() == 3);
    CHECK(o.at("words").as_int64() == 17);
}
