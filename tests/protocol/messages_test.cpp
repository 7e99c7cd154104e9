#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "../support/history.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"

using namespace liaise::protocol;

using liaise::test::test_history;

TEST_CASE("every request type decodes with its fields", "[protocol][codec]") {
    const auto d =
        decode_request(R"({"type":"sync","id":"7","room":"case-1","after":3,"limit":10})");
    REQUIRE(d.request);
    CHECK(d.request->type() == "sync");
    CHECK(d.request->id == "7");
    CHECK(d.request->string("room") == "case-1");
    CHECK(d.request->integer("after", 0) == 3);
    CHECK(d.request->integer("limit", 100) == 10);
    const auto create =
        decode_request(R"({"type":"room_create","id":"x","room":"r","members":["a","b"]})");
    REQUIRE(create.request);
    CHECK(create.request->strings("members") == std::vector<std::string>{"a", "b"});
    CHECK(find_request("send")->access == Access::authenticated);
    CHECK(find_request("agency_add")->access == Access::admin);
    CHECK(find_request("room_create")->access == Access::chair);
    CHECK(find_request("hello")->access == Access::anyone);
    CHECK(find_request("nope") == nullptr);
}

TEST_CASE("malformed requests are rejected with bad_request naming the field",
          "[protocol][codec]") {
    struct Row {
        std::string frame;
        std::string message;  // a prefix of the error message
        std::string id;       // recovered for the reply's "re"
    };
    const std::vector<Row> rows = {
        {"", "not valid JSON", ""},
        {"{", "not valid JSON", ""},
        {"null", "a request must be a JSON object", ""},
        {R"({"type":"hello"})", "id: required", ""},
        {R"({"type":"hello","id":""})", "id: must not be empty", ""},
        {R"({"type":"hello","id":[]})", "id: must be a string", ""},
        {R"({"id":"1"})", "type: required", "1"},
        {R"({"id":"1","type":5})", "type: must be a string", "1"},
        {R"({"id":"1","type":"fly"})", "type: unknown request type 'fly'", "1"},
        {R"({"id":"1","type":"hello"})", "version: required", "1"},
        {R"({"id":"1","type":"hello","version":1.5})", "version: must be an integer", "1"},
        {R"({"id":"1","type":"hello","version":-1})", "version: must be between", "1"},
        {R"({"id":"1","type":"hello","version":1,"extra":true})", "extra: unknown field", "1"},
        {R"({"id":"1","type":"sync","room":"r","limit":0})", "limit: must be between 1", "1"},
        {R"({"id":"1","type":"sync","room":"r","after":18446744073709551615})",
         "after: out of range", "1"},
        {R"({"id":"1","type":"room_create","room":"r","members":"a"})", "members: must be an array",
         "1"},
        {R"({"id":"1","type":"room_create","room":"r","members":[1]})",
         "members[0]: must be a string", "1"},
        {R"({"id":"1","type":"send","room":"r","envelope":"x"})", "envelope: must be an object",
         "1"},
        {R"({"id":"1","type":"agency_add","name":"a\nb","discipline":"health"})",
         "name: control characters", "1"},
        {std::string(R"({"id":"1","type":"whoami","x":")") + "\xFF" + "\"}", "x: unknown field",
         "1"},
        {std::string(R"({"id":"1","type":"hello","version":1,"client":")") + "\xC3\x28" + "\"}",
         "client: invalid UTF-8", "1"},
        {std::string(R"({"id":"1","type":")") + "\xC3\x28" + "\"}", "type: invalid UTF-8", "1"},
        {R"({"id":"1","type":"agency_add","name":")" + std::string(201, 'x') +
             R"(","discipline":"health"})",
         "name: longer than 200 bytes", "1"},
        {std::string(40, '[') + std::string(40, ']'), "not valid JSON", ""},  // too deep
    };
    for (const auto& row : rows) {
        INFO(row.frame);
        const auto d = decode_request(row.frame);
        REQUIRE_FALSE(d.request);
        CHECK(d.error.code == "bad_request");
        CHECK_THAT(d.error.message, Catch::StartsWith(row.message));
        CHECK(d.id == row.id);
    }
}

TEST_CASE("a key written twice in one object is refused at any depth, naming the key",
          "[protocol][codec]") {
    struct Row {
        std::string frame, message, id;
    };
    const std::vector<Row> rows = {
        {R"({"id":"1","type":"sync","room":"a","room":"b"})", "duplicate key 'room'", "1"},
        // Escapes are undone before keys are compared.
        {R"({"id":"1","type":"sync","room":"a","ro\u006fm":"b"})", "duplicate key 'room'", "1"},
        {R"({"id":"1","type":"sync", "room" : "a" ,"after":1,  "room"  :"b"})",
         "duplicate key 'room'", "1"},
        // Inside the envelope, two levels down.
        {R"({"id":"2","type":"send","room":"r","envelope":{"v":2,"keys":[{"device":"1",)"
         R"("wrapped":"x","device":"2"}]}})",
         "duplicate key 'device'", "2"},
        // Which id to answer cannot be told.
        {R"({"id":"1","type":"whoami","id":"2"})", "duplicate key 'id'", ""},
        {R"({"type":"whoami","id":"1","type":"whoami"})", "duplicate key 'type'", "1"},
    };
    for (const auto& row : rows) {
        INFO(row.frame);
        const auto d = decode_request(row.frame);
        REQUIRE_FALSE(d.request);
        CHECK(d.error.code == "bad_request");
        CHECK(d.error.message == row.message);
        CHECK(d.id == row.id);
    }
    // The same key in sibling objects, a key-like string inside a value and escaped quotes are
    // not repeats.
    for (const std::string frame :
         {R"({"id":"1","type":"room_create","room":"r\"room\":","members":["room:","a"]})",
          R"({"id":"1","type":"sync","room":"a\\","after":1})",
          R"({"id":"1","type":"send","room":"r","envelope":{"keys":[{"device":"1","wrapped":"x"},)"
          R"({"device":"2","wrapped":"y"}]}})"}) {
        INFO(frame);
        const auto d = decode_request(frame);
        CHECK(d.error.message == "");
        CHECK(d.request);
    }
}

TEST_CASE("replies and events have the documented shape", "[protocol][codec]") {
    const auto ok = boost::json::parse(encode_ok("9", {{"seq", 4}})).as_object();
    CHECK(ok.at("re").as_string() == "9");
    CHECK(ok.at("type").as_string() == "ok");
    CHECK(ok.at("seq").as_int64() == 4);
    const auto err = boost::json::parse(encode_error("9", {"forbidden", "no"})).as_object();
    CHECK(err.at("type").as_string() == "error");
    CHECK(err.at("code").as_string() == "forbidden");
    CHECK(err.at("message").as_string() == "no");
    CHECK_FALSE(
        boost::json::parse(encode_error("", {"bad_request", "x"})).as_object().contains("re"));
    const auto ev = boost::json::parse(encode_event("message", {{"room", "r"}})).as_object();
    CHECK(ev.at("type").as_string() == "message");
    CHECK_FALSE(ev.contains("re"));

    const auto frame = decode_server_frame(encode_ok("3", {}));
    REQUIRE(frame);
    CHECK(frame.value().is_reply);
    CHECK(frame.value().re == "3");
    const auto event = decode_server_frame(encode_event("membership", {}));
    REQUIRE(event);
    CHECK_FALSE(event.value().is_reply);
    CHECK_FALSE(decode_server_frame("[]"));
}

TEST_CASE("members already written as text encode as the same replies and events",
          "[protocol][codec]") {
    const boost::json::object fields{{"seq", 4}, {"room", "r"}, {"envelope", {{"v", 1}}}};
    const auto members = [&] {
        const auto text = boost::json::serialize(fields);
        return text.substr(1, text.size() - 2);  // without the braces
    }();
    CHECK(boost::json::parse(encode_ok_members("9", members)) ==
          boost::json::parse(encode_ok("9", fields)));
    CHECK(boost::json::parse(encode_event_members("message", members)) ==
          boost::json::parse(encode_event("message", fields)));
    // No members at all: still one well-formed object.
    CHECK(boost::json::parse(encode_ok_members("3", "")) == boost::json::parse(encode_ok("3")));
    CHECK(boost::json::parse(encode_event_members("membership", "")) ==
          boost::json::parse(encode_event("membership", {})));
    const auto frame = decode_server_frame(encode_ok_members("7", members));
    REQUIRE(frame);
    CHECK(frame.value().is_reply);
    CHECK(frame.value().re == "7");
}

TEST_CASE("names and roles", "[protocol]") {
    CHECK(valid_name("case-1234"));
    CHECK(valid_name("sam.jones"));
    CHECK_FALSE(valid_name(""));
    CHECK_FALSE(valid_name("Sam"));
    CHECK_FALSE(valid_name("-x"));
    CHECK_FALSE(valid_name("a b"));
    CHECK_FALSE(valid_name(std::string(65, 'a')));
    CHECK(parse_role("chair") == Role::chair);
    CHECK_FALSE(parse_role("boss"));
    CHECK(to_string(Role::admin) == "admin");
}

TEST_CASE("envelope ids must be valid UTF-8 without control characters", "[protocol][codec]") {
    const auto a = liaise::crypto::DeviceKeys::generate();
    const auto env = liaise::crypto::seal(a, "1", "room", "m1", "hi", {{"1", a.identity().box_key}},
                                          test_history("alice"));
    for (const auto& [field, bad] : std::vector<std::pair<std::string, std::string>>{
             {"client_msg_id", "caf\xC3\x28"}, {"room", "a\x01b"}, {"sender_device", "\xFF"}}) {
        auto j = liaise::crypto::to_json(env);
        j[field] = bad;
        const auto parsed = liaise::crypto::envelope_from_json(j);
        INFO(field);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == "bad_request");
        CHECK_THAT(parsed.error().message, Catch::StartsWith("envelope." + field));
    }
}
