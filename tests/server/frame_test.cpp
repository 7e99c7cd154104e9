#include "bus/frame.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>
#include "../support/history.hpp"

#include "liaise/protocol/crypto.hpp"

using namespace liaise;
using liaise::server::Frame;

using liaise::test::test_history;

namespace {

/// A version 2 envelope for devices 7, 12 and 300, as the server stores it.
struct Stored {
    crypto::DeviceKeys sender = crypto::DeviceKeys::generate();
    crypto::DeviceKeys d7 = crypto::DeviceKeys::generate();
    crypto::DeviceKeys d12 = crypto::DeviceKeys::generate();
    crypto::DeviceKeys d300 = crypto::DeviceKeys::generate();
    crypto::Envelope env = crypto::seal(sender, "7", "room", "m1", "Visit at 4pm.",
                                        {{"300", d300.identity().box_key},
                                         {"7", d7.identity().box_key},
                                         {"12", d12.identity().box_key}},
                                        test_history("alice"));
    std::string text = boost::json::serialize(crypto::to_json(env));
};

std::string joined(const std::array<std::string_view, 3>& pieces) {
    return std::string(pieces[0]) + std::string(pieces[1]) + std::string(pieces[2]);
}

}  // namespace

TEST_CASE("a stored version 2 envelope is cut down to each device's copy", "[frame]") {
    const Stored s;
    const auto list = server::find_key_list(s.text);
    REQUIRE(list);
    REQUIRE(list->entries.size() == 3);
    // Entries in the envelope's order (ascending device id text: "12", "300", "7").
    CHECK(list->entries[0].device == 12);
    CHECK(list->entries[1].device == 300);
    CHECK(list->entries[2].device == 7);
    CHECK(s.text.substr(list->end) == "]}");

    const std::pair<std::int64_t, const crypto::DeviceKeys*> devices[] = {
        {7, &s.d7}, {12, &s.d12}, {300, &s.d300}};
    for (const auto& [device, keys] : devices) {
        INFO(device);
        std::string copy;
        server::append_envelope_for(copy, s.text, device);
        const auto env = crypto::envelope_from_json(boost::json::parse(copy));
        REQUIRE(env.ok());
        REQUIRE(env.value().keys.size() == 1);
        CHECK(env.value().keys[0].device == std::to_string(device));
        CHECK(
            crypto::open(env.value(), *keys, std::to_string(device), s.sender.identity()).value() ==
            "Visit at 4pm.");
        CHECK(copy.size() < s.text.size());
    }
    // A device without a key gets the envelope with none.
    std::string none;
    server::append_envelope_for(none, s.text, 99);
    const auto env = crypto::envelope_from_json(boost::json::parse(none));
    REQUIRE(env.ok());
    CHECK(env.value().keys.empty());
}

TEST_CASE("the stored text is what to_json writes, whatever order the client sent", "[frame]") {
    const crypto::DeviceKeys sender = crypto::DeviceKeys::generate();
    std::vector<crypto::Recipient> to;
    for (const auto* device : {"12", "7", "d\"quoted\"", "caf\u00e9 x"})
        to.push_back({device, crypto::DeviceKeys::generate().identity().box_key});
    const auto env = crypto::seal(sender, "7", "room \"A\" \\ caf\u00e9", "m\u00fc1",
                                  "Visit at 4pm.", to, test_history("alice"));
    const auto canonical = boost::json::serialize(crypto::to_json(env));
    // The client's fields and key fields in reverse order.
    const auto json = crypto::to_json(env);
    boost::json::object reversed;
    for (auto it = json.end(); it != json.begin();) {
        --it;
        if (it->key() != "keys") {
            reversed[it->key()] = it->value();
            continue;
        }
        boost::json::array keys;
        for (const auto& k : it->value().as_array())
            keys.push_back(
                boost::json::object{{"wrapped", k.at("wrapped")}, {"device", k.at("device")}});
        reversed["keys"] = std::move(keys);
    }
    REQUIRE(boost::json::serialize(reversed) != canonical);
    REQUIRE(crypto::envelope_from_json(reversed).ok());
    CHECK(server::stored_envelope_text(reversed) == canonical);
    CHECK(server::stored_envelope_text(json) == canonical);
}

TEST_CASE("anything but the stored version 2 form is passed on whole", "[frame]") {
    const Stored s;
    auto v1 = boost::json::parse(s.text).as_object();
    v1["v"] = 1;
    v1.erase("recipients");
    v1.erase("key_commitment");
    const auto parsed = boost::json::parse(s.text).as_object();
    boost::json::object keys_not_last{{"keys", parsed.at("keys")}};
    for (const auto& [k, v] : parsed)
        keys_not_last[k] = v;
    const std::string cases[] = {
        boost::json::serialize(v1),
        boost::json::serialize(keys_not_last),
        R"({"v":2,"keys":[{"device":"x1","wrapped":"AAAA"}]})",
        R"({"v":2,"keys":[{"device":"1","wrapped":"AAAA"]})",
        R"({"v":2,"keys":[{"device":"1","wrapped":"AAAA]})",
        R"({"v":2,"keys":[{"device":"1","wrapped":"AAAA"}{"device":"2","wrapped":"AAAA"}]})",
        R"({"v":2,"keys":[{"device":"1","wrapped":"AAAA","x":1}]})",
        R"({"v":2,"keys":[{"device":"","wrapped":"AAAA"}]})",
        R"({"v":2,"keys":[{"device":"99999999999999999999","wrapped":"AAAA"}]})",
        "",
        "not json",
    };
    for (const auto& text : cases) {
        INFO(text);
        CHECK_FALSE(server::find_key_list(text));
        std::string out;
        server::append_envelope_for(out, text, 1);
        CHECK(out == text);
    }
    const auto empty = server::find_key_list(R"({"v":2,"keys":[]})");
    REQUIRE(empty);
    CHECK(empty->entries.empty());
}

TEST_CASE("a frame gives each device the text with only its entry", "[frame]") {
    //                      0         1         2         3
    //                      0123456789012345678901234567890123
    const std::string text = R"({"a":[{"d":1},{"d":22},{"d":3}],"z":0})";
    const Frame f(text, 6, 30, {{22, 14, 8}, {1, 6, 7}, {3, 23, 7}});
    CHECK(joined(f.pieces_for(1)) == R"({"a":[{"d":1}],"z":0})");
    CHECK(joined(f.pieces_for(22)) == R"({"a":[{"d":22}],"z":0})");
    CHECK(joined(f.pieces_for(3)) == R"({"a":[{"d":3}],"z":0})");
    CHECK(joined(f.pieces_for(4)) == R"({"a":[],"z":0})");
    for (const std::int64_t d : {1, 22, 3, 4})
        CHECK(f.size_for(d) == joined(f.pieces_for(d)).size());

    const Frame whole("same for all");
    CHECK(joined(whole.pieces_for(5)) == "same for all");
    CHECK(whole.size_for(5) == 12);

    CHECK_THROWS_AS(Frame(text, 6, 99, {}), std::invalid_argument);
    CHECK_THROWS_AS(Frame(text, 30, 6, {}), std::invalid_argument);
    CHECK_THROWS_AS(Frame(text, 6, 30, {{1, 2, 3}}), std::invalid_argument);
    CHECK_THROWS_AS(Frame(text, 6, 30, {{1, 25, 10}}), std::invalid_argument);
}
