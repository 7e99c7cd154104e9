// Signed acknowledgements and accuracy comments against the golden vectors that
// protocol/testdata/minutes_receipts.py computed with PyNaCl from the rule in PROTOCOL.md, and
// the attacks they exist to stop: an acknowledgement moved to another version, meeting, room,
// account or text received; a comment's words or section changed; one kind of signature passed
// off as the other.
#include "liaise/protocol/minutes_receipts.hpp"

#include <sodium.h>

#include <fstream>
#include <iterator>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

namespace json = boost::json;
using namespace liaise::protocol;
namespace crypto = liaise::crypto;

json::array golden() {
    std::ifstream in(LIAISE_VECTORS "/minutes-receipts.json");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return json::parse(text).at("vectors").as_array();
}

std::string hex(const std::vector<unsigned char>& b) {
    std::string out(b.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
    out.pop_back();
    return out;
}

MinutesDigest digest_of(std::string_view h) {
    MinutesDigest d{};
    REQUIRE(sodium_hex2bin(d.data(), d.size(), h.data(), h.size(), nullptr, nullptr, nullptr) == 0);
    return d;
}

Acknowledgement ack_of(const json::object& v) {
    return {v.at("meeting").as_int64(),
            std::string(v.at("room").as_string()),
            v.at("version").as_int64(),
            digest_of(v.at("circulation").as_string()),
            std::string(v.at("account").as_string()),
            v.at("signed_at").as_int64()};
}

CommentSignature comment_of(const json::object& v) {
    return {v.at("meeting").as_int64(),
            v.at("version").as_int64(),
            std::string(v.at("section").as_string()),
            std::string(v.at("text").as_string()),
            std::string(v.at("account").as_string()),
            v.at("signed_at").as_int64()};
}

struct Vector {
    crypto::SignPublicKey key;
    crypto::Signature signature;
};

Vector keys_of(const json::object& v) {
    const auto key = crypto::SignPublicKey::from_base64(v.at("sign_key").as_string());
    const auto sig = crypto::Signature::from_base64(v.at("signature").as_string());
    REQUIRE(key);
    REQUIRE(sig);
    return {*key, *sig};
}

json::object first(std::string_view kind) {
    for (const auto& v : golden())
        if (v.at("kind").as_string() == kind)
            return v.as_object();
    FAIL("no golden vector of kind " << kind);
    return {};
}

}  // namespace

TEST_CASE("acknowledgements and comments are the golden vectors byte for byte, and verify",
          "[minutes-receipts]") {
    int acks = 0, comments = 0;
    for (const auto& value : golden()) {
        const auto& v = value.as_object();
        INFO(v.at("kind").as_string() << " " << v.at("device").as_string());
        const auto [key, signature] = keys_of(v);
        if (v.at("kind").as_string() == "acknowledgement") {
            ++acks;
            CHECK(hex(acknowledgement_message(ack_of(v))) == v.at("message").as_string());
            CHECK(acknowledgement_valid(key, ack_of(v), signature));
            CHECK_FALSE(comment_valid(key, {}, signature));
        } else {
            ++comments;
            CHECK(hex(comment_message(comment_of(v))) == v.at("message").as_string());
            CHECK(comment_valid(key, comment_of(v), signature));
        }
    }
    CHECK(acks == 2);
    CHECK(comments == 2);
}

TEST_CASE("an acknowledgement does not verify for anything but what was signed",
          "[minutes-receipts]") {
    const auto v = first("acknowledgement");
    const auto [key, signature] = keys_of(v);
    const auto honest = ack_of(v);
    REQUIRE(acknowledgement_valid(key, honest, signature));
    // The replay the server would try: the same signature shown for version 2.
    auto changed = honest;
    changed.version = 2;
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    changed = honest;
    changed.meeting = 10;
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    changed = honest;
    changed.room = "case-2042";
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    changed = honest;
    changed.circulation[31] ^= 1;  // other text received
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    changed = honest;
    changed.account = "bob";  // re-attributed
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    changed = honest;
    changed.signed_at += 1;  // back-dated
    CHECK_FALSE(acknowledgement_valid(key, changed, signature));
    // Another device's key does not verify it.
    const auto other = keys_of(golden().at(1).as_object());
    CHECK_FALSE(acknowledgement_valid(other.key, honest, signature));
}

TEST_CASE("a comment does not verify once its words, section or version change",
          "[minutes-receipts]") {
    const auto v = first("comment");
    const auto [key, signature] = keys_of(v);
    const auto honest = comment_of(v);
    REQUIRE(comment_valid(key, honest, signature));
    auto changed = honest;
    changed.text = "J said she feels safe at home.";
    CHECK_FALSE(comment_valid(key, changed, signature));
    changed = honest;
    changed.section = "general";
    CHECK_FALSE(comment_valid(key, changed, signature));
    changed = honest;
    changed.version = 2;
    CHECK_FALSE(comment_valid(key, changed, signature));
    changed = honest;
    changed.account = "bob";
    CHECK_FALSE(comment_valid(key, changed, signature));
    // Lengths are part of the encoding: moving bytes between section and text changes it.
    CHECK(comment_message({1, 1, "ab", "c", "x", 0}) != comment_message({1, 1, "a", "bc", "x", 0}));
}

TEST_CASE("signing and checking round-trip with a device's keys", "[minutes-receipts]") {
    const auto keys = crypto::DeviceKeys::generate();
    const Acknowledgement a{3, "case-1", 2, {}, "bea", 1795000000000};
    const auto sig = sign_acknowledgement(keys, a);
    CHECK(acknowledgement_valid(keys.identity().sign_key, a, sig));
    const CommentSignature c{3, 2, "decisions", "The decision was a plan.", "bea", 1795000000001};
    const auto csig = sign_comment(keys, c);
    CHECK(comment_valid(keys.identity().sign_key, c, csig));
    CHECK_FALSE(comment_valid(keys.identity().sign_key, c, sig));
}

TEST_CASE("the circulation digest is the one the circulator signed", "[minutes-receipts]") {
    json::object m{{"meeting", 4},
                   {"room", "case-1"},
                   {"version", 1},
                   {"title", "Strategy meeting"},
                   {"circulated_by", json::object{{"user", "hana"}}},
                   {"circulated_at", 1795000000500}};
    // Circulated before signatures: circulated_by and circulated_at.
    CHECK(circulation_digest(m) ==
          minutes_digest(m, {MinutesAct::circulate, "hana", 1795000000500}));
    m["signatures"] = json::array{
        json::object{{"act", "approve"}, {"user", "sam"}, {"signed_at", 7}},
        json::object{{"act", "circulate"}, {"user", "tess"}, {"signed_at", 1795000000000}}};
    CHECK(circulation_digest(m) ==
          minutes_digest(m, {MinutesAct::circulate, "tess", 1795000000000}));
    const auto before = circulation_digest(m);
    m["title"] = "Another meeting";
    CHECK(circulation_digest(m) != before);
}
