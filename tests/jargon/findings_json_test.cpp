#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/fix.hpp"
#include "shortest_form.hpp"

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

namespace {

/// The draft answer as the browser's engine built it before draft_json(): the findings parsed
/// and the fields added through a JSON library, one by one.
boost::json::value draft_by_hand(std::string_view text, const jargon::CheckResult& result,
                                 std::string_view audience) {
    auto doc = boost::json::parse(jargon::findings_json(result));
    auto& out = doc.as_object();
    out["audience"] = audience;
    const auto fix = [](const std::optional<jargon::Fix>& f) -> boost::json::value {
        if (!f)
            return nullptr;
        return boost::json::object{{"start", f->start}, {"end", f->end}, {"text", f->text}};
    };
    boost::json::array fixes;
    for (const auto& c : jargon::offer_fixes(text, result.findings))
        fixes.push_back(boost::json::object{{"replace", fix(c.replace)},
                                            {"explain", fix(c.explain)},
                                            {"modifier", c.modifier},
                                            {"bracketed", c.bracketed},
                                            {"follows_modifier", c.follows_modifier}});
    out["fixes"] = std::move(fixes);
    out["fixed"] = jargon::fix_text(text, result.findings, jargon::FixMode::replace_where_it_fits);
    out["explained"] = jargon::fix_text(text, result.findings, jargon::FixMode::explain_only);
    return doc;
}

}  // namespace

TEST_CASE("a draft's answer in one pass equals the one built field by field",
          "[jargon][findings]") {
    const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
    REQUIRE(set.ok());
    const auto engine = jargon::Engine::compile(set.value()).value();
    for (const std::string text :
         {"The CIN and CP notes.\nThe XYZ met. It went well. Done.",
          "At CIN the \"CP\" plan\t(see \\notes\\) was agreed.\x01 CIN again, CP again.", "",
          "No terms here at all."}) {
        const auto result = engine->check(text, jargon::Audience::everyone());
        const auto encoded = jargon::draft_json(text, result, "public");
        CAPTURE(text, encoded);
        CHECK(boost::json::parse(encoded) == draft_by_hand(text, result, "public"));
        // Keys in the documented order, compact.
        CHECK(encoded.starts_with(R"({"findings":[)"));
        CHECK(encoded.find(R"(,"audience":"public","fixes":[)") != std::string::npos);
        CHECK(encoded.find('\n') == std::string::npos);
    }
}

TEST_CASE("the WebAssembly build's double form is std::to_chars's, byte for byte",
          "[jargon][findings]") {
    // The form libc++ builds use (it has no floating-point to_chars), checked here against
    // libstdc++'s to_chars: readability-like values, ties between the styles, powers of ten,
    // tiny and huge values, and random bit patterns.
    std::vector<double> values{0.0,      -0.0,
                               10.0,     100.0,
                               1e15,     1e16,
                               1e21,     1e22,
                               1e-5,     1e-7,
                               0.1,      0.3,
                               44.405,   68.49999999999999,
                               1.0 / 3,  2.0 / 3,
                               123456.0, 1e100,
                               5e-324,   1.7976931348623157e308};
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        double d = 0;
        std::memcpy(&d, &state, sizeof d);
        if (std::isfinite(d))
            values.push_back(d);
        values.push_back(static_cast<double>(state % 100000) / 1000.0);  // like readability
    }
    for (const double d : values) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, d);
        const std::string expected(buf, r.ptr);
        CAPTURE(expected);
        REQUIRE(liaise::jargon::detail::shortest_form(d) == expected);
    }
}
