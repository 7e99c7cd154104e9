#include "liaise/protocol/minutes_digest.hpp"

#include <sodium.h>

#include <fstream>
#include <iterator>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

namespace json = boost::json;
using namespace liaise::protocol;

std::string hex(const MinutesDigest& d) {
    std::string out(d.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), d.data(), d.size());
    out.pop_back();
    return out;
}

json::array golden() {
    std::ifstream in(LIAISE_VECTORS "/minutes-digest.json");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return json::parse(text).at("vectors").as_array();
}

MinutesSigner signer_of(const json::object& v) {
    return {v.at("act").as_string() == "circulate" ? MinutesAct::circulate : MinutesAct::approve,
            std::string(v.at("account").as_string()), v.at("signed_at").as_int64()};
}

}  // namespace

TEST_CASE("minutes digests match the golden vectors another implementation computed",
          "[minutes-digest]") {
    // protocol/testdata/vectors/minutes-digest.json was computed by ../minutes_digest.py, with
    // Python's hashlib from the rule in PROTOCOL.md; the browser client must reproduce it too.
    const auto vectors = golden();
    REQUIRE(vectors.size() == 3);
    for (const auto& v : vectors) {
        const auto& o = v.as_object();
        CHECK(hex(minutes_digest(o.at("minutes").as_object(), signer_of(o))) ==
              o.at("digest").as_string());
    }
}

TEST_CASE("every shown field, the act, the signer and the time change the minutes digest",
          "[minutes-digest]") {
    const auto vectors = golden();
    const auto& v = vectors.at(0).as_object();
    const auto& minutes = v.at("minutes").as_object();
    const auto signer = signer_of(v);
    const auto base = minutes_digest(minutes, signer);

    auto changed = [&](auto edit) {
        json::object m = minutes;
        edit(m);
        return minutes_digest(m, signer) != base;
    };
    CHECK(changed([](json::object& m) { m["title"] = "Strategy meeting: J (9)"; }));
    CHECK(changed([](json::object& m) { m["version"] = 3; }));
    CHECK(changed([](json::object& m) { m["next_meeting"] = nullptr; }));
    CHECK(changed([](json::object& m) { m["chair"].as_object()["display_name"] = "Hana Alí"; }));
    CHECK(
        changed([](json::object& m) { m["decisions"].as_array()[1].as_object()["dissent"] = ""; }));
    CHECK(changed(
        [](json::object& m) { m["attendance"].as_array()[1].as_object()["family"] = false; }));
    CHECK(changed(
        [](json::object& m) { m["actions"].as_array()[0].as_object()["due"] = "2026-11-25"; }));
    CHECK(changed([](json::object& m) {
        m["carried_forward"].as_array()[0].as_object()["owner"].as_object()["name"] = "Dr Oko";
    }));
    CHECK(changed([](json::object& m) { m.erase("correction"); }));
    // Moving text from one field into the next is a different encoding, not a collision.
    CHECK(changed([](json::object& m) {
        m["title"] = "Strategy meeting: J (8)Room 4, Civic Centre";
        m["place"] = "";
    }));
    // Lifecycle fields are not part of what was signed.
    CHECK_FALSE(changed([](json::object& m) {
        m["status"] = "superseded";
        m["approved_at"] = 1;
        m["distribution"] = json::array{json::object{{"user", "x"}}};
        m["actions"].as_array()[0].as_object()["overdue"] = true;
    }));

    auto other = signer;
    other.act = MinutesAct::circulate;
    CHECK(minutes_digest(minutes, other) != base);
    other = signer;
    other.account = "bea";
    CHECK(minutes_digest(minutes, other) != base);
    other = signer;
    other.signed_at += 1;
    CHECK(minutes_digest(minutes, other) != base);
}

TEST_CASE("a minutes signature verifies only for its digest and its signer's key",
          "[minutes-digest]") {
    const auto vectors = golden();
    const auto& v = vectors.at(0).as_object();
    const auto digest = minutes_digest(v.at("minutes").as_object(), signer_of(v));
    const auto hana = liaise::crypto::DeviceKeys::generate();
    const auto mallory = liaise::crypto::DeviceKeys::generate();
    const auto sig = sign_minutes(hana, digest);
    CHECK(minutes_signature_valid(hana.identity().sign_key, digest, sig));
    CHECK_FALSE(minutes_signature_valid(mallory.identity().sign_key, digest, sig));
    auto other = digest;
    other[0] ^= 1;
    CHECK_FALSE(minutes_signature_valid(hana.identity().sign_key, other, sig));
    // A login signature over the same bytes is not a minutes signature.
    CHECK_FALSE(minutes_signature_valid(hana.identity().sign_key, digest,
                                        liaise::crypto::sign_login(hana, digest)));
}
