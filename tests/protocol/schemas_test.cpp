#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "liaise/protocol/messages.hpp"
#include "liaise/protocol/schemas.hpp"

using namespace liaise;
namespace json = boost::json;

namespace {

std::string problem(const json::object& frame, std::string_view request = "") {
    return protocol::check_server_frame(frame, request).value_or("");
}

}  // namespace

TEST_CASE("there is one reply shape per request type, in the same order", "[protocol][schemas]") {
    const auto specs = protocol::request_specs();
    const auto replies = protocol::reply_shapes();
    REQUIRE(replies.size() == specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i)
        CHECK(replies[i].name == specs[i].type);
    std::set<std::string_view> events;
    for (const auto& e : protocol::event_shapes()) {
        CHECK(events.insert(e.name).second);  // no event type twice
        CHECK(e.name != "ok");
        CHECK(e.name != "error");
    }
    for (const auto* shapes : {&replies}) {
        for (const auto& shape : *shapes) {
            std::set<std::string_view> names;
            for (const auto& f : shape.fields) {
                INFO(shape.name << "." << f.name);
                CHECK(names.insert(f.name).second);
                CHECK(f.kinds != 0);
                CHECK(f.name != "type");
                CHECK(f.name != "re");
            }
        }
    }
}

TEST_CASE("conforming frames pass the check", "[protocol][schemas]") {
    CHECK(problem({{"re", "1"},
                   {"type", "ok"},
                   {"version", 1},
                   {"server", "liaise"},
                   {"challenge", "AAAA"},
                   {"server_key", "BBBB"}},
                  "hello") == "");
    CHECK(problem({{"type", "dictionaries"}, {"version", 7}}) == "");
    CHECK(problem({{"re", "2"}, {"type", "error"}, {"code", "not_found"}, {"message", "No."}}) ==
          "");
    CHECK(problem({{"type", "error"}, {"code", "bad_request"}, {"message", "Not JSON."}}) == "");
}

TEST_CASE("frames that differ from their shape are caught", "[protocol][schemas]") {
    const json::object hello{{"re", "1"},          {"type", "ok"},        {"version", 1},
                             {"server", "liaise"}, {"challenge", "AAAA"}, {"server_key", "BBBB"}};
    SECTION("no type") {
        CHECK(problem({{"re", "1"}}, "hello") == "frame: no string 'type'");
    }
    SECTION("unknown event type") {
        CHECK(problem({{"type", "surprise"}}) == "unknown event type 'surprise'");
    }
    SECTION("reply to an unknown request") {
        CHECK(problem(hello, "helo") == "ok reply to unknown request type 'helo'");
    }
    SECTION("a reply that is neither ok nor error") {
        auto f = hello;
        f["type"] = "maybe";
        CHECK(problem(f, "hello") == "reply of type 'maybe' (only ok and error)");
    }
    SECTION("missing required field") {
        auto f = hello;
        f.erase("challenge");
        CHECK(problem(f, "hello") == "reply to 'hello': field 'challenge' is missing");
    }
    SECTION("wrong type") {
        auto f = hello;
        f["version"] = "1";
        CHECK(problem(f, "hello") == "reply to 'hello': field 'version' is string, not integer");
        CHECK(problem({{"type", "dictionaries"}, {"version", 1.5}}) ==
              "event 'dictionaries': field 'version' is number, not integer");
    }
    SECTION("undeclared field") {
        auto f = hello;
        f["_notify"] = json::array{1, 2};
        CHECK(problem(f, "hello") == "reply to 'hello': field '_notify' is not declared");
        CHECK(problem({{"type", "error"}, {"code", "x"}, {"message", "y"}, {"secret", 1}}) ==
              "error reply: field 'secret' is not declared");
    }
    SECTION("error without its code") {
        CHECK(problem({{"type", "error"}, {"message", "y"}}) ==
              "error reply: field 'code' is missing");
    }
}

namespace {

json::object frames_vector() {
    std::ifstream in(LIAISE_VECTORS "/frames.json");
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return json::parse(buf.str()).as_object();
}

std::vector<std::string> kind_names(unsigned kinds) {
    static constexpr std::pair<unsigned, const char*> kNames[] = {
        {protocol::kString, "string"}, {protocol::kInteger, "integer"},
        {protocol::kNumber, "number"}, {protocol::kBoolean, "boolean"},
        {protocol::kArray, "array"},   {protocol::kObject, "object"},
        {protocol::kNull, "null"}};
    std::vector<std::string> out;
    for (const auto& [bit, name] : kNames)
        if (kinds & bit)
            out.emplace_back(name);
    return out;
}

/// The shape as frames.json writes it.
json::object as_json(const protocol::FrameShape& shape) {
    json::array fields;
    for (const auto& f : shape.fields) {
        json::array kinds;
        for (const auto& k : kind_names(f.kinds))
            kinds.emplace_back(k);
        fields.push_back(json::object{{"name", f.name}, {"kinds", kinds}, {"always", f.always}});
    }
    return {{"name", shape.name}, {"fields", fields}};
}

}  // namespace

TEST_CASE("vectors: frames.json holds the shapes of this table and conforming examples",
          "[protocol][schemas][vectors]") {
    const auto doc = frames_vector();
    REQUIRE(doc.contains("description"));
    const auto& replies = doc.at("replies").as_array();
    REQUIRE(replies.size() == protocol::reply_shapes().size());
    for (std::size_t i = 0; i < replies.size(); ++i)
        CHECK(replies[i] == as_json(protocol::reply_shapes()[i]));
    const auto& events = doc.at("events").as_array();
    REQUIRE(events.size() == protocol::event_shapes().size());
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i] == as_json(protocol::event_shapes()[i]));
    CHECK(doc.at("error") == as_json(protocol::error_shape()));

    const auto& examples = doc.at("examples").as_array();
    CHECK(examples.size() >= replies.size());  // every reply, and events and an error
    for (const auto& e : examples) {
        INFO(json::serialize(e));
        CHECK(problem(e.at("frame").as_object(), e.at("request").as_string()) == "");
    }
}
