// The golden vectors in protocol/testdata/vectors, written by an independent implementation
// (protocol/testdata/make_vectors.py): our code must reproduce every value byte for byte.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "crypto_internal.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/envelope_json.hpp"

using namespace liaise;
namespace json = boost::json;

namespace {

json::object vectors(const char* name) {
    std::ifstream in(std::string(LIAISE_VECTORS "/") + name);
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    auto doc = json::parse(buf.str()).as_object();
    REQUIRE(doc.contains("description"));  // every file says what it holds
    return doc;
}

std::string text(const json::value& v) {
    return std::string(v.as_string());
}

std::vector<unsigned char> bytes(const json::value& v) {
    auto decoded = crypto::from_base64(v.as_string());
    REQUIRE(decoded);
    return *decoded;
}

template <std::size_t N>
std::array<unsigned char, N> array_of(const json::value& v) {
    const auto b = bytes(v);
    REQUIRE(b.size() == N);
    std::array<unsigned char, N> out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

std::string hex(const std::vector<unsigned char>& b) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

/// A device of identity.json, imported from its secret keys as the unlock agent would.
crypto::DeviceKeys device_keys(const json::object& d) {
    std::array<unsigned char, crypto::kDeviceKeysBytes> plain{};
    auto* p = plain.data();
    for (const char* field :
         {"sign_secret_key", "box_secret_key", "sign_key", "box_key", "box_key_signature"}) {
        const auto b = bytes(d.at(field));
        p = std::copy(b.begin(), b.end(), p);
    }
    REQUIRE(p == plain.data() + plain.size());
    auto keys = crypto::import_device_keys(plain);
    REQUIRE(keys.ok());
    return std::move(keys).value();
}

const json::object& device_named(const json::array& devices, std::string_view name) {
    for (const auto& d : devices)
        if (d.at("device").as_string() == name)
            return d.as_object();
    FAIL("no device " << name << " in identity.json");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("vectors: identities, box key signatures and fingerprints", "[protocol][vectors]") {
    const auto doc = vectors("identity.json");
    const auto& devices = doc.at("devices").as_array();
    REQUIRE(devices.size() >= 2);
    for (const auto& dv : devices) {
        const auto& d = dv.as_object();
        INFO(text(d.at("device")));
        // The 64-byte Ed25519 secret key is the seed followed by the public key.
        const auto sk = bytes(d.at("sign_secret_key"));
        const auto seed = bytes(d.at("sign_seed"));
        REQUIRE(sk.size() == 64);
        CHECK(std::equal(seed.begin(), seed.end(), sk.begin()));
        const auto keys = device_keys(d);  // checks the public keys derive from the secret ones
        const auto& id = keys.identity();
        CHECK(id.sign_key.to_base64() == text(d.at("sign_key")));
        CHECK(id.box_key.to_base64() == text(d.at("box_key")));
        CHECK(id.box_key_signature.to_base64() == text(d.at("box_key_signature")));
        CHECK(id.verify());
        CHECK(id.fingerprint() == text(d.at("fingerprint")));
        // Ed25519 is deterministic: signing the box key again gives the vector's signature.
        std::string message = "liaise-box-key-v1";
        message.append(reinterpret_cast<const char*>(id.box_key.data()), id.box_key.size());
        const auto sig = keys.sign(
            std::span(reinterpret_cast<const unsigned char*>(message.data()), message.size()));
        CHECK(sig.to_base64() == text(d.at("box_key_signature")));
    }
}

TEST_CASE("vectors: safety numbers", "[protocol][vectors]") {
    const auto doc = vectors("identity.json");
    const auto& pairs = doc.at("safety_numbers").as_array();
    REQUIRE(pairs.size() >= 4);
    const auto party = [](const json::value& v) {
        crypto::Party p{text(v.at("account")), {}};
        for (const auto& k : v.at("sign_keys").as_array()) {
            const auto key = crypto::SignPublicKey::from_base64(k.as_string());
            REQUIRE(key);
            p.sign_keys.push_back(*key);
        }
        return p;
    };
    for (const auto& pair : pairs) {
        const auto a = party(pair.at("a"));
        const auto b = party(pair.at("b"));
        const auto expected = text(pair.at("safety_number"));
        INFO(a.account << " / " << b.account);
        CHECK(crypto::safety_number(a, b) == expected);
        CHECK(crypto::safety_number(b, a) == expected);
        // The number is the two parties' digits, the smaller first, in groups of five.
        auto da = text(pair.at("a").at("digits"));
        auto db = text(pair.at("b").at("digits"));
        if (db < da)
            std::swap(da, db);
        std::string joined;
        for (std::size_t i = 0; i < 60; i += 5)
            joined += (joined.empty() ? "" : " ") + (da + db).substr(i, 5);
        CHECK(joined == expected);
    }
}

TEST_CASE("vectors: the login signature", "[protocol][vectors]") {
    const auto doc = vectors("login.json");
    const auto ids = vectors("identity.json");
    const auto keys = device_keys(device_named(ids.at("devices").as_array(), "alice-laptop"));
    const auto challenge = bytes(doc.at("challenge"));
    const auto sig = crypto::sign_login(keys, challenge);
    CHECK(sig.to_base64() == text(doc.at("signature")));
    CHECK(crypto::verify_login(keys.identity().sign_key, challenge, sig));
    std::vector<unsigned char> signed_bytes;
    const std::string label = "liaise-login-v1";
    signed_bytes.assign(label.begin(), label.end());
    signed_bytes.insert(signed_bytes.end(), challenge.begin(), challenge.end());
    CHECK(hex(signed_bytes) == text(doc.at("signed_hex")));
    CHECK(text(doc.at("request").at("signature")) == text(doc.at("signature")));
}

TEST_CASE("vectors: envelopes sealed with fixed keys and nonces", "[protocol][vectors]") {
    const auto doc = vectors("envelope.json");
    const auto ids = vectors("identity.json");
    const auto& devices = ids.at("devices").as_array();
    const auto& list = doc.at("envelopes").as_array();
    REQUIRE(list.size() >= 2);
    for (const auto& v : list) {
        const auto& in = v.at("inputs").as_object();
        INFO(text(in.at("client_msg_id")));
        const auto sender = device_keys(device_named(devices, in.at("sender").as_string()));

        crypto::detail::SealChoices choices;
        choices.message_key = array_of<32>(in.at("message_key"));
        choices.nonce = array_of<24>(in.at("nonce"));
        for (const auto& n : in.at("wrap_nonces").as_array())
            choices.wrap_nonces.push_back(array_of<24>(n));
        std::vector<crypto::Recipient> recipients;
        for (const auto& r : in.at("recipients").as_array()) {
            const auto key = crypto::BoxPublicKey::from_base64(
                device_named(devices, r.as_string()).at("box_key").as_string());
            REQUIRE(key);
            recipients.push_back({text(r), *key});
        }
        const auto& h = in.at("history").as_object();
        crypto::History history{text(h.at("sender")),
                                static_cast<std::uint64_t>(h.at("counter").as_int64()),
                                h.at("sent_at").as_int64(), h.at("previous_seq").as_int64(),
                                bytes(h.at("previous_hash"))};

        // Sealing with the same choices gives the same envelope, byte for byte.
        const auto env = crypto::detail::seal_with(
            choices, sender, text(in.at("sender")), text(in.at("room")),
            text(in.at("client_msg_id")), text(in.at("plaintext")), recipients, history);
        const auto sealed = json::serialize(crypto::to_json(env));
        CHECK(sealed == text(v.at("envelope_text")));
        CHECK(json::parse(sealed) == v.at("envelope"));
        const auto hash = crypto::message_hash(env);
        CHECK(crypto::to_base64(hash) == text(v.at("message_hash")));

        // The vector's text decodes, re-encodes to the same text and verifies.
        const auto decoded = crypto::envelope_from_json(json::parse(text(v.at("envelope_text"))));
        REQUIRE(decoded.ok());
        CHECK(json::serialize(crypto::to_json(decoded.value())) == text(v.at("envelope_text")));
        CHECK(crypto::signature_valid(decoded.value(), sender.identity().sign_key));

        // Each device's copy is the envelope with only its wrapped key, and opens to the text.
        const auto& copies = v.at("copies").as_object();
        const auto& opens_to = v.at("opens_to").as_object();
        REQUIRE(copies.size() == recipients.size());
        for (const auto& [device, copy] : copies) {
            INFO(std::string(device));
            CHECK(json::serialize(crypto::to_json(crypto::for_device(env, device))) ==
                  copy.as_string());
            const auto mine = crypto::envelope_from_json(json::parse(copy.as_string()));
            REQUIRE(mine.ok());
            const auto reader = device_keys(device_named(devices, device));
            const auto opened = crypto::open(mine.value(), reader, device, sender.identity());
            REQUIRE(opened.ok());
            CHECK(opened.value() == opens_to.at(device).as_string());
            CHECK(crypto::to_base64(crypto::message_hash(mine.value())) ==
                  text(v.at("message_hash")));
        }
    }
}

TEST_CASE("vectors: the keystore file", "[protocol][vectors]") {
    const auto doc = vectors("passphrase-sealed-device.json");
    const auto ids = vectors("identity.json");
    const auto keys = device_keys(device_named(ids.at("devices").as_array(), "alice-laptop"));
    const auto& ks = doc.at("keystore").as_object();
    REQUIRE(ks.at("opslimit").as_int64() == 2);  // libsodium's INTERACTIVE limits
    REQUIRE(ks.at("memlimit").as_int64() == 67108864);
    const auto salt = array_of<16>(ks.at("salt"));
    const auto nonce = array_of<24>(ks.at("nonce"));
    const auto passphrase = text(doc.at("passphrase"));

    const auto sealed = crypto::detail::seal_keystore_with(
        keys, passphrase, crypto::KeystoreCost::interactive, salt, nonce);
    CHECK(sealed == text(doc.at("keystore_text")));

    const auto opened = crypto::open_keystore(text(doc.at("keystore_text")), passphrase);
    REQUIRE(opened.ok());
    CHECK(opened.value().identity().sign_key == keys.identity().sign_key);
    CHECK(opened.value().identity().box_key == keys.identity().box_key);
    const auto wrong = crypto::open_keystore(text(doc.at("keystore_text")), passphrase + "x");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_passphrase");
}
