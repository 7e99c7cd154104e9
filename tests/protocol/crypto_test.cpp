#include "liaise/protocol/crypto.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "../support/history.hpp"
#include "liaise/protocol/withdrawal.hpp"

using liaise::test::test_history;

namespace {

using namespace liaise::crypto;

std::vector<unsigned char> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

Signature flipped(const Signature& sig, std::size_t at) {
    auto b = std::vector<unsigned char>(sig.bytes().begin(), sig.bytes().end());
    b[at] ^= 0x01;
    return Signature(std::span<const unsigned char, 64>(b.data(), 64));
}

// An independent implementation of the encodings PROTOCOL.md specifies, so that the tests can
// play a misbehaving sender (re-signing what it changed) and pin the wire format down.
struct Enc {
    std::vector<unsigned char> out;
    Enc& num(std::uint64_t n) {
        for (int i = 7; i >= 0; --i)
            out.push_back(static_cast<unsigned char>(n >> (8 * i)));
        return *this;
    }
    Enc& bin(std::span<const unsigned char> b) {
        num(b.size());
        out.insert(out.end(), b.begin(), b.end());
        return *this;
    }
    Enc& str(std::string_view s) { return bin(bytes_of(s)); }
};

std::vector<unsigned char> transcript(const Envelope& e) {
    Enc enc;
    if (e.version >= 2) {
        enc.str(e.version == 3 ? "liaise-envelope-v3" : "liaise-envelope-v2")
            .num(static_cast<std::uint64_t>(e.version))
            .str(e.room)
            .str(e.sender_device)
            .str(e.client_msg_id)
            .bin(e.nonce)
            .bin(e.ciphertext)
            .bin(e.key_commitment)
            .num(e.recipients.size());
        for (const auto& r : e.recipients)
            enc.str(r);
        if (e.version == 3)
            enc.str(e.history.sender)
                .num(e.history.counter)
                .num(static_cast<std::uint64_t>(e.history.sent_at))
                .num(static_cast<std::uint64_t>(e.history.previous_seq))
                .bin(e.history.previous_hash);
        return enc.out;
    }
    auto keys = e.keys;
    std::sort(keys.begin(), keys.end(), [](const WrappedKey& a, const WrappedKey& b) {
        return std::tie(a.device, a.wrapped) < std::tie(b.device, b.wrapped);
    });
    enc.str("liaise-envelope-v1")
        .num(static_cast<std::uint64_t>(e.version))
        .str(e.room)
        .str(e.sender_device)
        .str(e.client_msg_id)
        .bin(e.nonce)
        .bin(e.ciphertext)
        .num(keys.size());
    for (const auto& k : keys)
        enc.str(k.device).bin(k.wrapped);
    return enc.out;
}

std::vector<unsigned char> commitment(const unsigned char* message_key) {
    const std::string_view label = "liaise-message-key-commitment-v2";
    std::vector<unsigned char> out(32);
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(label.data()),
                       label.size(), message_key, 32);
    return out;
}

std::vector<unsigned char> associated_data(const Envelope& e) {
    Enc enc;
    enc.str("liaise-envelope-ad-v1")
        .num(static_cast<std::uint64_t>(e.version))
        .str(e.room)
        .str(e.sender_device)
        .str(e.client_msg_id);
    return enc.out;
}

/// A device whose secret keys the test holds: generated here and loaded through a keystore
/// made by hand (which pins the keystore format too), so that the test can seal the way a
/// version 1 client did.
struct KnownDevice {
    unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
    unsigned char box_pk[crypto_box_PUBLICKEYBYTES];
    unsigned char box_sk[crypto_box_SECRETKEYBYTES];
    std::optional<DeviceKeys> keys;

    KnownDevice() {
        crypto_sign_keypair(sign_pk, sign_sk);
        crypto_box_keypair(box_pk, box_sk);
        std::vector<unsigned char> signed_box_key = bytes_of("liaise-box-key-v1");
        signed_box_key.insert(signed_box_key.end(), box_pk, box_pk + sizeof box_pk);
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, signed_box_key.data(), signed_box_key.size(), sign_sk);
        std::vector<unsigned char> plain(sign_sk, sign_sk + sizeof sign_sk);
        plain.insert(plain.end(), box_sk, box_sk + sizeof box_sk);
        plain.insert(plain.end(), sign_pk, sign_pk + sizeof sign_pk);
        plain.insert(plain.end(), box_pk, box_pk + sizeof box_pk);
        plain.insert(plain.end(), sig, sig + sizeof sig);
        const auto salt = random_bytes(crypto_pwhash_SALTBYTES);
        const auto nonce = random_bytes(crypto_secretbox_NONCEBYTES);
        const std::string pass = "pass";
        unsigned char key[crypto_secretbox_KEYBYTES];
        REQUIRE(crypto_pwhash(key, sizeof key, pass.data(), pass.size(), salt.data(),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) == 0);
        std::vector<unsigned char> box(plain.size() + crypto_secretbox_MACBYTES);
        crypto_secretbox_easy(box.data(), plain.data(), plain.size(), nonce.data(), key);
        const boost::json::object store{{"v", 1},
                                        {"kdf", "argon2id13"},
                                        {"opslimit", crypto_pwhash_OPSLIMIT_INTERACTIVE},
                                        {"memlimit", crypto_pwhash_MEMLIMIT_INTERACTIVE},
                                        {"salt", to_base64(salt)},
                                        {"nonce", to_base64(nonce)},
                                        {"box", to_base64(box)}};
        auto opened = open_keystore(boost::json::serialize(store), pass);
        REQUIRE(opened.ok());
        keys.emplace(std::move(opened).value());
    }
};

std::vector<unsigned char> associated_data(const Envelope& e);

/// A version 1 envelope, sealed by hand as version 1 clients did: every wrapped key signed.
Envelope seal_v1(const KnownDevice& sender, std::string_view sender_device, std::string_view text,
                 const std::vector<Recipient>& recipients) {
    Envelope e;
    e.version = 1;
    e.room = "room-42";
    e.sender_device = sender_device;
    e.client_msg_id = "msg-0001";
    unsigned char key[32];
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    e.nonce = random_bytes(24);
    const auto ad = associated_data(e);
    e.ciphertext.resize(text.size() + 16);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        e.ciphertext.data(), nullptr, reinterpret_cast<const unsigned char*>(text.data()),
        text.size(), ad.data(), ad.size(), nullptr, e.nonce.data(), key);
    for (const auto& r : recipients) {
        auto wrapped = random_bytes(24);
        wrapped.resize(72);
        REQUIRE(crypto_box_easy(wrapped.data() + 24, key, 32, wrapped.data(), r.box_key.data(),
                                sender.box_sk) == 0);
        e.keys.push_back({r.device, wrapped});
    }
    sodium_memzero(key, sizeof key);
    e.signature = sender.keys->sign(transcript(e));
    return e;
}

struct Holder {
    std::string device;
    DeviceKeys keys = DeviceKeys::generate();
    Recipient recipient() const { return {device, keys.identity().box_key}; }
};

struct Room {
    Holder alice{"alice-laptop"};
    Holder bob{"bob-phone"};
    Holder carol{"carol-desktop"};
    Holder mallory{"mallory-phone"};

    Envelope send(std::string_view text) const {
        return seal(alice.keys, alice.device, "room-42", "msg-0001", text,
                    {bob.recipient(), carol.recipient(), alice.recipient()}, test_history("alice"));
    }
    liaise::protocol::Expected<std::string> read(const Envelope& env, const Holder& who) const {
        return open(env, who.keys, who.device, alice.keys.identity());
    }
};

std::string code_of(const liaise::protocol::Expected<std::string>& r) {
    return r ? std::string("ok") : r.error().code;
}

WrappedKey& key_for(Envelope& env, std::string_view device) {
    return *std::find_if(env.keys.begin(), env.keys.end(),
                         [&](const WrappedKey& k) { return k.device == device; });
}

}  // namespace

TEST_CASE("base64 is URL-safe, unpadded and strict", "[crypto]") {
    const std::vector<unsigned char> data{0xfb, 0xff, 0x00, 0x01};
    CHECK(to_base64(data) == "-_8AAQ");
    CHECK(from_base64("-_8AAQ") == data);
    CHECK(from_base64("") == std::vector<unsigned char>{});
    CHECK_FALSE(from_base64("-_8AAQ=="));  // padding
    CHECK_FALSE(from_base64("+/8AAQ"));    // standard alphabet
    CHECK_FALSE(from_base64("-_8A AQ"));   // whitespace
    CHECK_FALSE(from_base64("-_8AAR"));    // non-canonical trailing bits
    CHECK_FALSE(from_base64("A"));

    const auto key = DeviceKeys::generate().identity().sign_key;
    CHECK(SignPublicKey::from_base64(key.to_base64()) == key);
    CHECK_FALSE(SignPublicKey::from_base64(to_base64(random_bytes(31))));
    CHECK_FALSE(SignPublicKey::from_base64(to_base64(random_bytes(33))));
    CHECK_FALSE(Signature::from_base64(key.to_base64()));  // 32 bytes is not a signature
}

TEST_CASE("base64 decoding accepts and rejects exactly what libsodium's strict decoder does",
          "[crypto]") {
    // Round trips of every length up to 100, then random texts over the alphabet plus a few
    // characters it does not have, with and without non-canonical tails.
    for (std::size_t n = 0; n <= 100; ++n) {
        const auto bytes = random_bytes(n);
        CHECK(from_base64(to_base64(bytes)) == bytes);
    }
    const std::string chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n";
    for (int round = 0; round < 20000; ++round) {
        const auto r = random_bytes(12);
        std::string text(r[0] % 12, '\0');
        for (std::size_t i = 0; i < text.size(); ++i) {
            // Mostly alphabet characters, so that many texts are valid.
            const unsigned pick = r[i + 1] % (r[11] % 8 == 0 ? chars.size() : 64);
            text[i] = chars[pick];
        }
        std::vector<unsigned char> expected(text.size() + 1);  // never empty: sodium wants a buffer
        std::size_t len = 0;
        const bool sodium_ok =
            sodium_base642bin(expected.data(), expected.size(), text.data(), text.size(), nullptr,
                              &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
        expected.resize(len);
        const auto ours = from_base64(text);
        INFO(text);
        REQUIRE(ours.has_value() == sodium_ok);
        if (sodium_ok)
            CHECK(*ours == expected);
    }
    // Bytes outside ASCII are refused. (libsodium 1.0.18's decoder reads them as signed chars
    // and takes some of them for alphabet characters: "NYITm\x80" + "6k" decodes there.)
    CHECK_FALSE(
        from_base64("NYITm\x80"
                    "6k"));
    CHECK_FALSE(from_base64("AAAA\xc3\xa9"));
}

TEST_CASE("random_bytes gives the length asked for, differently each time", "[crypto]") {
    CHECK(random_bytes(0).empty());
    CHECK(random_bytes(24).size() == 24);
    CHECK(random_bytes(32) != random_bytes(32));
}

TEST_CASE("an identity's box key is bound to its sign key", "[crypto]") {
    const auto alice = DeviceKeys::generate();
    const auto bob = DeviceKeys::generate();
    CHECK(alice.identity().verify());
    CHECK_FALSE(alice.identity().box_key == bob.identity().box_key);

    auto swapped = alice.identity();
    swapped.box_key = bob.identity().box_key;
    CHECK_FALSE(swapped.verify());

    auto other_signer = bob.identity();
    other_signer.sign_key = alice.identity().sign_key;
    CHECK_FALSE(other_signer.verify());

    // A low-order box key is refused even when properly signed.
    const BoxPublicKey zero;
    auto msg = bytes_of("liaise-box-key-v1");
    msg.insert(msg.end(), zero.data(), zero.data() + zero.size());
    const PublicIdentity low{alice.identity().sign_key, zero, alice.sign(msg)};
    CHECK_FALSE(low.verify());
    CHECK_THROWS_AS(seal(alice, "a", "room", "id", "hi", {{"x", zero}}, test_history("alice")),
                    std::invalid_argument);
}

TEST_CASE("fingerprints are stable, distinct and follow the documented rule", "[crypto]") {
    const auto alice = DeviceKeys::generate();
    const auto bob = DeviceKeys::generate();
    const std::string fp = alice.identity().fingerprint();
    CHECK(fp == alice.identity().fingerprint());
    CHECK(fp != bob.identity().fingerprint());
    CHECK(std::regex_match(fp, std::regex("[0-9]{5}( [0-9]{5}){11}")));

    // Only the sign key counts: the box key is bound to it by signature.
    auto copy = alice.identity();
    copy.box_key = bob.identity().box_key;
    CHECK(copy.fingerprint() == fp);

    // The rule, recomputed: BLAKE2b-256 of label || key, 12 big-endian 20-bit values mod 1e5.
    auto input = bytes_of("liaise-fingerprint-v1");
    const auto& key = alice.identity().sign_key;
    input.insert(input.end(), key.data(), key.data() + key.size());
    unsigned char h[32];
    REQUIRE(crypto_generichash(h, sizeof h, input.data(), input.size(), nullptr, 0) == 0);
    std::string expected;
    for (int g = 0; g < 12; ++g) {
        std::uint32_t v = 0;
        for (int bit = g * 20; bit < g * 20 + 20; ++bit)
            v = (v << 1) | ((h[bit / 8] >> (7 - bit % 8)) & 1u);
        char buf[8];
        std::snprintf(buf, sizeof buf, "%05u", static_cast<unsigned>(v % 100000));
        expected += (g ? " " : "") + std::string(buf);
    }
    CHECK(fp == expected);
}

TEST_CASE("DeviceKeys moves its secrets", "[crypto]") {
    auto a = DeviceKeys::generate();
    const auto id = a.identity();
    DeviceKeys b = std::move(a);
    CHECK(b.identity().sign_key == id.sign_key);
    const auto msg = bytes_of("hello");
    CHECK(verify_login(id.sign_key, msg, sign_login(b, msg)));
    CHECK_THROWS_AS(a.sign(msg), std::logic_error);  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("login signatures verify for the challenge signed only", "[crypto]") {
    const auto device = DeviceKeys::generate();
    const auto other = DeviceKeys::generate();
    const auto challenge = random_bytes(32);
    const auto sig = sign_login(device, challenge);
    CHECK(verify_login(device.identity().sign_key, challenge, sig));

    auto wrong = challenge;
    wrong[0] ^= 1;
    CHECK_FALSE(verify_login(device.identity().sign_key, wrong, sig));
    CHECK_FALSE(verify_login(other.identity().sign_key, challenge, sig));
    CHECK_FALSE(verify_login(device.identity().sign_key, challenge, flipped(sig, 10)));
    // Domain separated: a login signature is not a signature over the bare challenge.
    CHECK_FALSE(device.sign(challenge) == sig);
}

TEST_CASE("an envelope opens for every recipient and nobody else", "[crypto]") {
    const Room r;
    const auto env = r.send("Strategy meeting moved to 2pm — bring the CIN plan.");
    CHECK(env.version == 3);
    // Recipients and keys in ascending device order, whatever order seal(, test_history("alice"))
    // was given.
    CHECK(recipient_devices(env) ==
          std::vector<std::string>{"alice-laptop", "bob-phone", "carol-desktop"});
    CHECK(env.nonce.size() == 24);
    CHECK(env.key_commitment.size() == 32);
    REQUIRE(env.keys.size() == 3);
    for (std::size_t i = 0; i < env.keys.size(); ++i) {
        CHECK(env.keys[i].device == env.recipients[i]);
        CHECK(env.keys[i].wrapped.size() == 72);
    }

    for (const Holder* p : {&r.bob, &r.carol, &r.alice}) {
        const auto got = r.read(env, *p);
        REQUIRE(got.ok());
        CHECK(got.value() == "Strategy meeting moved to 2pm — bring the CIN plan.");
        // What the server sends each device: only its own key, and that is enough.
        const auto mine = for_device(env, p->device);
        REQUIRE(mine.keys.size() == 1);
        CHECK(mine.keys[0].device == p->device);
        CHECK(mine.recipients == env.recipients);
        CHECK(r.read(mine, *p).value() == got.value());
    }
    const auto outsider = r.read(env, r.mallory);
    REQUIRE_FALSE(outsider.ok());
    CHECK(outsider.error().code == "not_a_recipient");
    // Carol's copy gives bob nothing; a copy for a device without a key has no keys.
    CHECK(code_of(r.read(for_device(env, "carol-desktop"), r.bob)) == "not_a_recipient");
    CHECK(for_device(env, "mallory-phone").keys.empty());

    // Right device name, wrong keys: the key does not unwrap.
    const auto impostor = open(env, r.mallory.keys, "bob-phone", r.alice.keys.identity());
    CHECK(code_of(impostor) == "bad_wrapped_key");

    // Empty plaintext works; two seals of one text differ.
    const auto empty = r.send("");
    CHECK(r.read(empty, r.bob).value().empty());
    CHECK(r.send("x").ciphertext != r.send("x").ciphertext);
}

TEST_CASE("any change to a sealed envelope is caught", "[crypto]") {
    const Room r;
    const auto original = r.send("Home visit on Thursday.");
    // Everything but the wrapped keys is signed.
    const std::vector<std::pair<std::string, std::function<void(Envelope&)>>> signed_fields{
        {"ciphertext", [](Envelope& e) { e.ciphertext[3] ^= 1; }},
        {"nonce", [](Envelope& e) { e.nonce[0] ^= 1; }},
        {"key commitment", [](Envelope& e) { e.key_commitment[31] ^= 1; }},
        {"room", [](Envelope& e) { e.room = "room-43"; }},
        {"client_msg_id", [](Envelope& e) { e.client_msg_id = "msg-0002"; }},
        {"sender_device", [](Envelope& e) { e.sender_device = "alice-phone"; }},
        {"signature", [](Envelope& e) { e.signature = flipped(e.signature, 0); }},
        {"signature end", [](Envelope& e) { e.signature = flipped(e.signature, 63); }},
        {"a recipient dropped", [](Envelope& e) { e.recipients.erase(e.recipients.begin()); }},
        {"a recipient added", [](Envelope& e) { e.recipients.push_back("eve"); }},
        {"a recipient renamed", [](Envelope& e) { e.recipients[2] = "carol-2"; }},
        {"recipients reordered", [](Envelope& e) { std::swap(e.recipients[0], e.recipients[1]); }},
        {"version 1", [](Envelope& e) { e.version = 1; }},
        {"version 2", [](Envelope& e) { e.version = 2; }},
        {"sender", [](Envelope& e) { e.history.sender = "mallory"; }},
        {"counter", [](Envelope& e) { e.history.counter += 1; }},
        {"sent_at", [](Envelope& e) { e.history.sent_at -= 86'400'000; }},
        {"previous message",
         [](Envelope& e) {
             e.history.previous_seq = 7;
             e.history.previous_hash.assign(32, 1);
         }},
    };
    for (const auto& [name, mutate] : signed_fields) {
        INFO(name);
        auto env = original;
        mutate(env);
        CHECK(code_of(r.read(env, r.bob)) == "bad_signature");
        CHECK(code_of(r.read(env, r.carol)) == "bad_signature");
    }

    // A device's wrapped key is between the sender and that device (crypto_box), and the key
    // inside must match the signed commitment: changing or moving keys fails for the device
    // concerned and for nobody else.
    const auto other = r.send("Home visit cancelled.");  // same sender, room, id and devices
    const std::vector<std::pair<std::string, std::function<void(Envelope&)>>> bobs_key{
        {"bob's wrapped key changed",
         [](Envelope& e) { key_for(e, "bob-phone").wrapped[30] ^= 1; }},
        {"bob's wrapped nonce changed",
         [](Envelope& e) { key_for(e, "bob-phone").wrapped[0] ^= 1; }},
        {"carol's key given to bob",
         [](Envelope& e) {
             key_for(e, "bob-phone").wrapped = key_for(e, "carol-desktop").wrapped;
         }},
        {"bob's key from another message",
         [&](Envelope& e) {
             key_for(e, "bob-phone").wrapped =
                 key_for(const_cast<Envelope&>(other), "bob-phone").wrapped;
         }},
    };
    for (const auto& [name, mutate] : bobs_key) {
        INFO(name);
        auto env = original;
        mutate(env);
        CHECK(code_of(r.read(env, r.bob)) == "bad_wrapped_key");
        CHECK(code_of(r.read(env, r.carol)) == "ok");
    }
    auto replayed = original;
    key_for(replayed, "bob-phone").wrapped =
        key_for(const_cast<Envelope&>(other), "bob-phone").wrapped;
    CHECK(r.read(replayed, r.bob).error().message ==
          "the message key does not match the signed commitment");

    // A device the sender did not list cannot read it, even holding a key that would work: the
    // test plays a sender that wraps for mallory but signs the list without her.
    auto unlisted = seal(r.alice.keys, r.alice.device, "room-42", "msg-0001", "Home visit.",
                         {r.bob.recipient(), r.mallory.recipient()}, test_history("alice"));
    std::erase(unlisted.recipients, "mallory-phone");
    unlisted.signature = r.alice.keys.sign(transcript(unlisted));
    CHECK(code_of(r.read(unlisted, r.bob)) == "ok");
    CHECK(code_of(r.read(unlisted, r.mallory)) == "not_a_recipient");

    auto dropped = original;
    std::erase_if(dropped.keys, [](const WrappedKey& k) { return k.device == "bob-phone"; });
    CHECK(code_of(r.read(dropped, r.bob)) == "not_a_recipient");
    CHECK(code_of(r.read(dropped, r.carol)) == "ok");

    auto reordered = original;
    std::reverse(reordered.keys.begin(), reordered.keys.end());
    CHECK(code_of(r.read(reordered, r.bob)) == "ok");

    auto v4 = original;
    v4.version = 4;
    CHECK(code_of(r.read(v4, r.bob)) == "bad_request");
}

TEST_CASE("version 1 envelopes, every key signed, still open", "[crypto]") {
    const Room r;
    const KnownDevice dana;
    const auto env = seal_v1(dana, "dana-tablet", "Referral sent on Monday.",
                             {r.bob.recipient(), r.carol.recipient()});
    const auto read = [&](const Envelope& e, const Holder& who) {
        return open(e, who.keys, who.device, dana.keys->identity());
    };
    CHECK(read(env, r.bob).value() == "Referral sent on Monday.");
    CHECK(read(env, r.carol).value() == "Referral sent on Monday.");
    CHECK(code_of(read(env, r.mallory)) == "not_a_recipient");
    CHECK(recipient_devices(env) == std::vector<std::string>{"bob-phone", "carol-desktop"});
    // Every key is signed, so no copy can leave any out: for_device gives it whole.
    CHECK(for_device(env, "bob-phone").keys.size() == 2);

    const std::vector<std::pair<std::string, std::function<void(Envelope&)>>> cases{
        {"carol's wrapped key", [](Envelope& e) { key_for(e, "carol-desktop").wrapped[5] ^= 1; }},
        {"a key dropped", [](Envelope& e) { e.keys.erase(e.keys.begin() + 1); }},
        {"a key renamed", [](Envelope& e) { key_for(e, "carol-desktop").device = "carol-2"; }},
        {"keys swapped between devices",
         [](Envelope& e) { std::swap(e.keys[0].wrapped, e.keys[1].wrapped); }},
        {"a key added",
         [](Envelope& e) {
             e.keys.push_back({"eve", e.keys[0].wrapped});
         }},
        {"ciphertext", [](Envelope& e) { e.ciphertext[3] ^= 1; }},
        {"version 2", [](Envelope& e) { e.version = 2; }},
    };
    for (const auto& [name, mutate] : cases) {
        INFO(name);
        auto e = env;
        mutate(e);
        CHECK(code_of(read(e, r.bob)) == "bad_signature");
    }

    const auto json = to_json(env);
    CHECK(json.size() == 8);
    CHECK_FALSE(json.contains("recipients"));
    const auto back = envelope_from_json(boost::json::parse(boost::json::serialize(json)));
    REQUIRE(back.ok());
    CHECK(back.value().version == 1);
    CHECK(read(back.value(), r.carol).value() == "Referral sent on Monday.");
}

TEST_CASE("the signature is checked against the pinned sender identity", "[crypto]") {
    const Room r;
    const auto env = r.send("hello");
    // Mallory's identity pinned for alice's device (or a key change): rejected.
    CHECK(code_of(open(env, r.bob.keys, "bob-phone", r.mallory.keys.identity())) ==
          "bad_signature");
    // Alice's sign key with a box key not signed by it: rejected before anything else.
    auto forged = r.alice.keys.identity();
    forged.box_key = r.mallory.keys.identity().box_key;
    CHECK(code_of(open(env, r.bob.keys, "bob-phone", forged)) == "bad_signature");
    // Mallory seals as "alice-laptop": bob, who pinned alice's identity, rejects it.
    const auto spoof = seal(r.mallory.keys, "alice-laptop", "room-42", "msg-0001", "pay me",
                            {r.bob.recipient()}, test_history("alice"));
    CHECK(code_of(r.read(spoof, r.bob)) == "bad_signature");
}

TEST_CASE("a recipient cannot reuse the message key to forge a message", "[crypto]") {
    const Room r;
    // Bob is a raw X25519 key pair here so that the test can act out his side by hand.
    unsigned char bob_pk[crypto_box_PUBLICKEYBYTES], bob_sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(bob_pk, bob_sk);
    const Recipient bob{"bob-phone", BoxPublicKey(std::span<const unsigned char, 32>(bob_pk))};
    const auto env =
        seal(r.alice.keys, r.alice.device, "room-42", "msg-0001", "Discharge planned Friday.",
             {bob, r.carol.recipient()}, test_history("alice"));

    // Bob unwraps the message key...
    const auto& w = key_for(const_cast<Envelope&>(env), "bob-phone").wrapped;
    unsigned char k[32];
    REQUIRE(crypto_box_open_easy(k, w.data() + 24, w.size() - 24, w.data(),
                                 r.alice.keys.identity().box_key.data(), bob_sk) == 0);
    // (it is the key alice committed to, by the rule PROTOCOL.md gives)...
    CHECK(commitment(k) == env.key_commitment);
    // ...and encrypts his own text under it with alice's room, device and message id.
    auto forged = env;
    const std::string lie = "Discharge cancelled, no follow-up needed.";
    forged.nonce = random_bytes(24);
    forged.ciphertext.resize(lie.size() + 16);
    const auto ad = associated_data(forged);
    REQUIRE(crypto_aead_xchacha20poly1305_ietf_encrypt(
                forged.ciphertext.data(), nullptr,
                reinterpret_cast<const unsigned char*>(lie.data()), lie.size(), ad.data(),
                ad.size(), nullptr, forged.nonce.data(), k) == 0);
    sodium_memzero(k, sizeof k);
    sodium_memzero(bob_sk, sizeof bob_sk);

    CHECK(code_of(r.read(forged, r.carol)) == "bad_signature");

    // The forgery is otherwise perfect: only alice's signature would make carol accept it.
    forged.signature = r.alice.keys.sign(transcript(forged));
    const auto accepted = r.read(forged, r.carol);
    REQUIRE(accepted.ok());
    CHECK(accepted.value() == lie);
}

TEST_CASE("a signed but broken envelope fails at the right step", "[crypto]") {
    const Room r;
    const auto original = r.send("Review on the 12th.");
    // The test plays a faulty sender that re-signs what it broke.
    const auto resigned = [&](const std::function<void(Envelope&)>& mutate) {
        auto e = original;
        mutate(e);
        e.signature = r.alice.keys.sign(transcript(e));
        return e;
    };
    CHECK(code_of(r.read(resigned([](Envelope&) {}), r.bob)) == "ok");
    CHECK(code_of(r.read(resigned([](Envelope& e) { key_for(e, "bob-phone").wrapped[40] ^= 1; }),
                         r.bob)) == "bad_wrapped_key");
    CHECK(code_of(r.read(resigned([](Envelope& e) { key_for(e, "bob-phone").wrapped.resize(71); }),
                         r.bob)) == "bad_wrapped_key");
    // A key that unwraps but is not the committed one; a commitment of the wrong size.
    const auto other = r.send("Review moved to the 13th.");
    CHECK(code_of(r.read(resigned([&](Envelope& e) { e.key_commitment = other.key_commitment; }),
                         r.bob)) == "bad_wrapped_key");
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.key_commitment.resize(31); }), r.bob)) ==
          "bad_wrapped_key");
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.ciphertext[0] ^= 1; }), r.bob)) ==
          "bad_ciphertext");
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.ciphertext.resize(10); }), r.bob)) ==
          "bad_ciphertext");
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.nonce.resize(12); }), r.bob)) ==
          "bad_ciphertext");
    // Room, sender device and message id are associated data: moving a ciphertext fails.
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.room = "room-43"; }), r.bob)) ==
          "bad_ciphertext");
    CHECK(code_of(r.read(resigned([](Envelope& e) { e.client_msg_id = "msg-9"; }), r.bob)) ==
          "bad_ciphertext");
}

TEST_CASE("seal refuses arguments the wire format would reject", "[crypto]") {
    const Room r;
    const auto bob = r.bob.recipient();
    const std::string long_id(129, 'x');
    CHECK_THROWS_AS(seal(r.alice.keys, "a", "", "id", "t", {bob}, test_history("alice")),
                    std::invalid_argument);
    CHECK_THROWS_AS(seal(r.alice.keys, "a", long_id, "id", "t", {bob}, test_history("alice")),
                    std::invalid_argument);
    CHECK_THROWS_AS(seal(r.alice.keys, "", "room", "id", "t", {bob}, test_history("alice")),
                    std::invalid_argument);
    CHECK_THROWS_AS(seal(r.alice.keys, "a", "room", "", "t", {bob}, test_history("alice")),
                    std::invalid_argument);
    CHECK_THROWS_AS(seal(r.alice.keys, "a", "room", "id", "t", {}, test_history("alice")),
                    std::invalid_argument);
    CHECK_THROWS_AS(seal(r.alice.keys, "a", "room", "id", "t", {bob, bob}, test_history("alice")),
                    std::invalid_argument);
    CHECK_NOTHROW((void)seal(r.alice.keys, "a", std::string(128, 'x'), "id", "t", {bob},
                             test_history("alice")));
}

TEST_CASE("envelopes survive a JSON round trip", "[crypto]") {
    const Room r;
    const auto env = r.send("Minutes attached.");
    const auto json = to_json(env);
    CHECK(json.size() == 14);
    CHECK(json.at("v").as_int64() == 3);
    CHECK(json.at("sender").as_string() == "alice");
    CHECK(json.at("counter").as_int64() == 1);
    CHECK_FALSE(json.contains("previous_hash"));  // previous_seq 0: nothing seen before
    CHECK(json.at("nonce").as_string() == to_base64(env.nonce).c_str());
    CHECK(json.at("key_commitment").as_string() == to_base64(env.key_commitment).c_str());
    CHECK(json.at("recipients").as_array().size() == 3);
    CHECK(json.at("keys").as_array().size() == 3);
    // The wrapped keys come last, so that a server can cut one device's copy from the text.
    CHECK(std::prev(json.end())->key() == "keys");

    const auto parsed = envelope_from_json(boost::json::parse(boost::json::serialize(json)));
    REQUIRE(parsed.ok());
    const auto& back = parsed.value();
    CHECK(back.version == 3);
    CHECK(back.history.sender == env.history.sender);
    CHECK(back.history.counter == env.history.counter);
    CHECK(back.history.sent_at == env.history.sent_at);
    CHECK(back.history.previous_seq == 0);
    CHECK(back.room == env.room);
    CHECK(back.key_commitment == env.key_commitment);
    CHECK(back.recipients == env.recipients);
    CHECK(back.sender_device == env.sender_device);
    CHECK(back.client_msg_id == env.client_msg_id);
    CHECK(back.nonce == env.nonce);
    CHECK(back.ciphertext == env.ciphertext);
    CHECK(back.signature == env.signature);
    CHECK(recipient_devices(back) == recipient_devices(env));
    CHECK(r.read(back, r.carol).value() == "Minutes attached.");

    // One device's copy round-trips too.
    const auto mine = envelope_from_json(to_json(for_device(env, "carol-desktop")));
    REQUIRE(mine.ok());
    CHECK(mine.value().keys.size() == 1);
    CHECK(r.read(mine.value(), r.carol).value() == "Minutes attached.");
}

TEST_CASE("malformed envelope JSON is rejected naming the field", "[crypto]") {
    const Room r;
    const auto good = to_json(r.send("hi"));
    using boost::json::object;
    const auto keys = [](object& o) -> boost::json::array& { return o["keys"].as_array(); };
    const auto key1 = [&](object& o) -> object& { return keys(o)[1].as_object(); };
    const std::string b64_23 = to_base64(random_bytes(23));
    const std::vector<std::pair<std::function<void(object&)>, std::string>> cases{
        {[](object& o) { o.erase("room"); }, "envelope.room: missing"},
        {[](object& o) { o["extra"] = 1; }, "envelope.extra: unknown field"},
        {[](object& o) { o["v"] = 4; }, "envelope.v: must be 1, 2 or 3"},
        {[](object& o) { o["v"] = "2"; }, "envelope.v: must be 1, 2 or 3"},
        {[](object& o) { o["v"] = 2.0; }, "envelope.v: must be 1, 2 or 3"},
        {[](object& o) { o["v"] = 2; }, "envelope.sender: unknown field"},
        {[](object& o) { o.erase("sender"); }, "envelope.sender: missing"},
        {[](object& o) { o["counter"] = 0; },
         "envelope.counter: must be an integer from 1 to 2^53"},
        {[](object& o) { o["counter"] = -3; },
         "envelope.counter: must be an integer from 1 to 2^53"},
        {[](object& o) { o["sent_at"] = "now"; },
         "envelope.sent_at: must be an integer from 0 to 2^53"},
        {[](object& o) { o["previous_seq"] = 3; }, "envelope.previous_hash: missing"},
        {[](object& o) { o["previous_hash"] = to_base64(random_bytes(32)); },
         "envelope.previous_hash: only with a previous_seq above 0"},
        {[](object& o) { o["v"] = 1; }, "envelope.key_commitment: unknown field"},
        {[](object& o) { o.erase("v"); }, "envelope.v: missing"},
        {[](object& o) { o["room"] = 5; }, "envelope.room: must be a string"},
        {[](object& o) { o["room"] = ""; }, "envelope.room: must not be empty"},
        {[](object& o) { o["room"] = std::string(129, 'r'); },
         "envelope.room: longer than 128 bytes"},
        {[](object& o) { o.erase("sender_device"); }, "envelope.sender_device: missing"},
        {[](object& o) { o["sender_device"] = nullptr; },
         "envelope.sender_device: must be a string"},
        {[](object& o) { o["client_msg_id"] = std::string(129, 'm'); },
         "envelope.client_msg_id: longer than 128 bytes"},
        {[](object& o) { o["nonce"] = "!!!"; }, "envelope.nonce: not valid base64"},
        {[](object& o) { o["nonce"] = std::string(o["nonce"].as_string()) + "="; },
         "envelope.nonce: not valid base64"},
        {[&](object& o) { o["nonce"] = b64_23; }, "envelope.nonce: must be 24 bytes"},
        {[](object& o) { o["ciphertext"] = to_base64(random_bytes(15)); },
         "envelope.ciphertext: shorter than 16 bytes"},
        {[](object& o) { o["ciphertext"] = boost::json::array{}; },
         "envelope.ciphertext: must be a string"},
        {[](object& o) { o.erase("ciphertext"); }, "envelope.ciphertext: missing"},
        {[](object& o) { o["keys"] = object{}; }, "envelope.keys: must be an array"},
        {[](object& o) { o.erase("key_commitment"); }, "envelope.key_commitment: missing"},
        {[](object& o) { o["key_commitment"] = to_base64(random_bytes(31)); },
         "envelope.key_commitment: must be 32 bytes"},
        {[](object& o) { o.erase("recipients"); }, "envelope.recipients: missing"},
        {[](object& o) { o["recipients"] = "bob-phone"; }, "envelope.recipients: must be an array"},
        {[](object& o) { o["recipients"] = boost::json::array{}; },
         "envelope.recipients: must not be empty"},
        {[](object& o) { o["recipients"].as_array()[1] = 7; },
         "envelope.recipients[1]: must be a string"},
        {[](object& o) { o["recipients"].as_array()[2] = ""; },
         "envelope.recipients[2]: must not be empty"},
        {[](object& o) {
             auto& a = o["recipients"].as_array();
             std::swap(a[0], a[1]);
         },
         "envelope.recipients[1]: must be distinct and in ascending order"},
        {[](object& o) {
             auto& a = o["recipients"].as_array();
             a[1] = a[0];
         },
         "envelope.recipients[1]: must be distinct and in ascending order"},
        {[](object& o) {
             boost::json::array many;
             for (int i = 0; i <= 10000; ++i)
                 many.push_back(boost::json::string(std::to_string(100000 + i)));
             o["recipients"] = std::move(many);
         },
         "envelope.recipients: more than 10000 recipients"},
        {[&](object& o) { key1(o)["device"] = "eve"; },
         "envelope.keys[1].device: not one of the recipients"},
        {[&](object& o) { keys(o)[1] = "bob"; }, "envelope.keys[1]: must be an object"},
        {[&](object& o) { key1(o)["wrapped"] = "a b"; },
         "envelope.keys[1].wrapped: not valid base64"},
        {[&](object& o) { key1(o)["wrapped"] = to_base64(random_bytes(71)); },
         "envelope.keys[1].wrapped: must be 72 bytes"},
        {[&](object& o) { key1(o).erase("wrapped"); }, "envelope.keys[1].wrapped: missing"},
        {[&](object& o) { key1(o).erase("device"); }, "envelope.keys[1].device: missing"},
        {[&](object& o) { key1(o)["device"] = ""; }, "envelope.keys[1].device: must not be empty"},
        {[&](object& o) { key1(o)["x"] = true; }, "envelope.keys[1].x: unknown field"},
        {[&](object& o) { key1(o)["device"] = keys(o)[0].as_object()["device"]; },
         "envelope.keys[1].device: duplicate device"},
        {[](object& o) { o["signature"] = to_base64(random_bytes(63)); },
         "envelope.signature: must be 64 bytes"},
        {[](object& o) { o.erase("signature"); }, "envelope.signature: missing"},
    };
    for (const auto& [mutate, message] : cases) {
        INFO(message);
        auto o = good;
        mutate(o);
        const auto got = envelope_from_json(o);
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().code == "bad_request");
        CHECK(got.error().message == message);
    }
    for (const auto& v : {boost::json::value(nullptr), boost::json::value(boost::json::array{}),
                          boost::json::value("envelope"), boost::json::value(1)}) {
        const auto got = envelope_from_json(v);
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().message == "envelope: must be an object");
    }
    CHECK(envelope_from_json(good).ok());  // the mutations were applied to copies
    auto no_keys = good;
    no_keys["keys"] = boost::json::array{};  // a copy for a device without a key
    CHECK(envelope_from_json(no_keys).ok());

    // Version 1: keys are required and there are no version 2 fields.
    const KnownDevice dana;
    const auto v1 = to_json(seal_v1(dana, "dana-tablet", "hi", {r.bob.recipient()}));
    const std::vector<std::pair<std::function<void(object&)>, std::string>> v1_cases{
        {[](object& o) { o["keys"] = boost::json::array{}; }, "envelope.keys: must not be empty"},
        {[&](object& o) {
             boost::json::array many;
             for (int i = 0; i <= 10000; ++i)
                 many.push_back(keys(o)[0]);
             o["keys"] = std::move(many);
         },
         "envelope.keys: more than 10000 keys"},
        {[](object& o) { o["recipients"] = boost::json::array{"bob-phone"}; },
         "envelope.recipients: unknown field"},
        {[&](object& o) { keys(o).push_back(keys(o)[0]); },
         "envelope.keys[1].device: duplicate device"},
    };
    for (const auto& [mutate, message] : v1_cases) {
        INFO(message);
        auto o = v1;
        mutate(o);
        const auto got = envelope_from_json(o);
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().message == message);
    }
    CHECK(envelope_from_json(v1).ok());
}

TEST_CASE("keystores round-trip and refuse wrong passphrases", "[crypto]") {
    const Room r;
    const auto text = seal_keystore(r.bob.keys, "correct horse battery staple");
    const auto json = boost::json::parse(text).as_object();
    CHECK(json.at("v").as_int64() == 1);
    CHECK(json.at("kdf").as_string() == "argon2id13");
    // New keystores cost a guesser MODERATE limits (about a second and 256 MiB a guess).
    CHECK(json.at("opslimit").to_number<std::uint64_t>() == crypto_pwhash_OPSLIMIT_MODERATE);
    CHECK(json.at("memlimit").to_number<std::uint64_t>() == crypto_pwhash_MEMLIMIT_MODERATE);
    CHECK_FALSE(keystore_weaker_than(text, KeystoreCost::moderate));
    // No key material in the clear.
    CHECK(text.find(r.bob.keys.identity().sign_key.to_base64()) == std::string::npos);
    CHECK(text.find(r.bob.keys.identity().box_key.to_base64()) == std::string::npos);

    auto opened = open_keystore(text, "correct horse battery staple");
    REQUIRE(opened.ok());
    const DeviceKeys bob = std::move(opened).value();
    CHECK(bob.identity().sign_key == r.bob.keys.identity().sign_key);
    CHECK(bob.identity().box_key == r.bob.keys.identity().box_key);
    CHECK(bob.identity().box_key_signature == r.bob.keys.identity().box_key_signature);
    CHECK(bob.identity().fingerprint() == r.bob.keys.identity().fingerprint());
    // The secrets came back too: the reopened keys sign and decrypt.
    const auto challenge = random_bytes(32);
    CHECK(verify_login(r.bob.keys.identity().sign_key, challenge, sign_login(bob, challenge)));
    CHECK(open(r.send("after restart"), bob, "bob-phone", r.alice.keys.identity()).value() ==
          "after restart");

    const auto wrong = open_keystore(text, "correct horse battery stapler");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_passphrase");

    // Two sealings of one key differ (fresh salt and nonce).
    constexpr auto kCheap = KeystoreCost::interactive;
    CHECK(seal_keystore(r.bob.keys, "pw", kCheap) != seal_keystore(r.bob.keys, "pw", kCheap));
    CHECK(open_keystore(seal_keystore(r.bob.keys, "", kCheap), "").ok());
}

TEST_CASE("keystores sealed with the older interactive limits still open, and say so",
          "[crypto][keystore]") {
    const auto keys = DeviceKeys::generate();
    const auto old = seal_keystore(keys, "pw", KeystoreCost::interactive);
    const auto json = boost::json::parse(old).as_object();
    CHECK(json.at("opslimit").to_number<std::uint64_t>() == crypto_pwhash_OPSLIMIT_INTERACTIVE);
    CHECK(json.at("memlimit").to_number<std::uint64_t>() == crypto_pwhash_MEMLIMIT_INTERACTIVE);
    CHECK(keystore_weaker_than(old, KeystoreCost::moderate));
    CHECK_FALSE(keystore_weaker_than(old, KeystoreCost::interactive));
    CHECK_FALSE(keystore_weaker_than("not a keystore", KeystoreCost::moderate));
    auto opened = open_keystore(old, "pw");
    REQUIRE(opened.ok());
    CHECK(opened.value().identity().sign_key == keys.identity().sign_key);
}

TEST_CASE("exported device keys import back, tampered ones are refused", "[crypto][keystore]") {
    const auto keys = DeviceKeys::generate();
    std::array<unsigned char, kDeviceKeysBytes> raw{};
    export_device_keys(keys, raw);
    auto back = import_device_keys(raw);
    REQUIRE(back.ok());
    CHECK(back.value().identity().sign_key == keys.identity().sign_key);
    const auto challenge = random_bytes(32);
    CHECK(verify_login(keys.identity().sign_key, challenge, sign_login(back.value(), challenge)));
    for (const std::size_t at :
         {std::size_t{0}, std::size_t{70}, std::size_t{100}, std::size_t{130}, std::size_t{200}}) {
        auto bent = raw;
        bent[at] ^= 1;
        const auto got = import_device_keys(bent);
        INFO("byte " << at);
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().code == "bad_keystore");
    }
}

TEST_CASE("garbled keystores are rejected without crashing", "[crypto]") {
    const auto keys = DeviceKeys::generate();
    const std::string text = seal_keystore(keys, "pw", KeystoreCost::interactive);
    const auto code = [](std::string_view json) {
        auto got = open_keystore(json, "pw");
        return got ? std::string("ok") : got.error().code;
    };

    for (std::size_t n = 0; n < text.size(); ++n) {  // never gets as far as the KDF
        INFO(n);
        CHECK(code(text.substr(0, n)) == "bad_keystore");
    }
    for (const char* junk :
         {"", "null", "[]", "{}", "\"keystore\"", "{\"v\":1}", "\x01\x02\xff",
          "{\"v\":1,\"kdf\":\"argon2id13\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})
        CHECK(code(junk) == "bad_keystore");

    const auto edited = [&](const std::function<void(boost::json::object&)>& f) {
        auto o = boost::json::parse(text).as_object();
        f(o);
        return code(boost::json::serialize(o));
    };
    using boost::json::object;
    CHECK(edited([](object& o) { o["v"] = 2; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["kdf"] = "scrypt"; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["opslimit"] = 1; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["memlimit"] = std::uint64_t{1} << 40; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["memlimit"] = -1; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["opslimit"] = "2"; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["salt"] = to_base64(random_bytes(15)); }) == "bad_keystore");
    CHECK(edited([](object& o) { o["nonce"] = "not base64!"; }) == "bad_keystore");
    CHECK(edited([](object& o) { o["box"] = to_base64(random_bytes(239)); }) == "bad_keystore");
    CHECK(edited([](object& o) { o["extra"] = 0; }) == "bad_keystore");
    CHECK(edited([](object& o) { o.erase("salt"); }) == "bad_keystore");
    // Well-formed but damaged: indistinguishable from a wrong passphrase.
    CHECK(edited([](object& o) {
              auto box = *from_base64(std::string(o["box"].as_string()));
              box[100] ^= 1;
              o["box"] = to_base64(box);
          }) == "bad_passphrase");
    CHECK(edited([](object& o) { o["salt"] = to_base64(random_bytes(16)); }) == "bad_passphrase");
}

TEST_CASE("a keystore whose contents disagree is rejected", "[crypto]") {
    // Plays someone who knows the passphrase and rewrites the box (PROTOCOL.md layout:
    // sign_sk 64 || box_sk 32 || sign_pk 32 || box_pk 32 || box_key_signature 64).
    const auto keys = DeviceKeys::generate();
    const auto o =
        boost::json::parse(seal_keystore(keys, "pw", KeystoreCost::interactive)).as_object();
    const auto salt = *from_base64(std::string(o.at("salt").as_string()));
    const auto nonce = *from_base64(std::string(o.at("nonce").as_string()));
    const auto box = *from_base64(std::string(o.at("box").as_string()));
    unsigned char key[crypto_secretbox_KEYBYTES];
    REQUIRE(crypto_pwhash(
                key, sizeof key, "pw", 2, salt.data(), o.at("opslimit").to_number<std::uint64_t>(),
                o.at("memlimit").to_number<std::size_t>(), crypto_pwhash_ALG_ARGON2ID13) == 0);
    std::vector<unsigned char> plain(box.size() - crypto_secretbox_MACBYTES);
    REQUIRE(plain.size() == 224);
    REQUIRE(crypto_secretbox_open_easy(plain.data(), box.data(), box.size(), nonce.data(), key) ==
            0);
    const auto& id = keys.identity();
    CHECK(std::equal(id.sign_key.data(), id.sign_key.data() + 32, plain.begin() + 96));
    CHECK(std::equal(id.box_key.data(), id.box_key.data() + 32, plain.begin() + 128));

    const auto rewritten = [&](std::size_t at) {
        auto p = plain;
        p[at] ^= 1;
        std::vector<unsigned char> b(box.size());
        REQUIRE(crypto_secretbox_easy(b.data(), p.data(), p.size(), nonce.data(), key) == 0);
        sodium_memzero(p.data(), p.size());
        auto edited = o;
        edited["box"] = to_base64(b);
        auto got = open_keystore(boost::json::serialize(edited), "pw");
        return got ? std::string("ok") : got.error().code;
    };
    CHECK(rewritten(64 + 5) == "bad_keystore");   // box secret key
    CHECK(rewritten(32 + 5) == "bad_keystore");   // public half of the sign secret key
    CHECK(rewritten(96 + 5) == "bad_keystore");   // sign public key
    CHECK(rewritten(160 + 5) == "bad_keystore");  // box key signature
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain.data(), plain.size());
}

TEST_CASE("a safety number is the same on both sides and changes with any key or name",
          "[crypto][trust]") {
    const auto a1 = DeviceKeys::generate(), a2 = DeviceKeys::generate();
    const auto b1 = DeviceKeys::generate(), m1 = DeviceKeys::generate();
    const Party hana{"hana", {a1.identity().sign_key, a2.identity().sign_key}};
    const Party bea{"bea", {b1.identity().sign_key}};
    const auto number = safety_number(hana, bea);
    CHECK(number == safety_number(bea, hana));
    REQUIRE(number.size() == 71);  // 12 groups of 5 digits, 11 spaces
    for (std::size_t i = 0; i < number.size(); ++i)
        CHECK((i % 6 == 5 ? number[i] == ' ' : std::isdigit(number[i]) != 0));
    // Device order and repeats do not matter; every key and both names do.
    CHECK(safety_number(
              {"hana", {a2.identity().sign_key, a1.identity().sign_key, a2.identity().sign_key}},
              bea) == number);
    CHECK(safety_number(hana, {"bea", {m1.identity().sign_key}}) != number);
    CHECK(safety_number({"hana", {a1.identity().sign_key}}, bea) != number);
    CHECK(safety_number(hana, {"bea2", {b1.identity().sign_key}}) != number);
    // The same keys under the names swapped are another pair of people.
    CHECK(safety_number({"bea", hana.sign_keys}, {"hana", bea.sign_keys}) != number);
    CHECK_THROWS_AS(safety_number(hana, {"bea", {}}), std::invalid_argument);

    // Pinned down independently of the code: each side's 30 digits are the first 30 bytes of
    // BLAKE2b-256 over the encoding, six 5-byte numbers mod 100000; the smaller side first.
    const auto side = [](const Party& p) {
        auto keys = p.sign_keys;
        std::sort(keys.begin(), keys.end(), [](const SignPublicKey& x, const SignPublicKey& y) {
            return std::lexicographical_compare(x.bytes().begin(), x.bytes().end(),
                                                y.bytes().begin(), y.bytes().end());
        });
        Enc enc;
        enc.str("liaise-safety-number-v1").str(p.account).num(keys.size());
        for (const auto& k : keys)
            enc.bin(k.bytes());
        unsigned char h[32];
        crypto_generichash(h, 32, enc.out.data(), enc.out.size(), nullptr, 0);
        std::string digits;
        for (int c = 0; c < 6; ++c) {
            std::uint64_t v = 0;
            for (int i = 0; i < 5; ++i)
                v = (v << 8) | h[c * 5 + i];
            char group[6];
            std::snprintf(group, sizeof group, "%05u", static_cast<unsigned>(v % 100000));
            digits += group;
        }
        return digits;
    };
    auto x = side(hana), y = side(bea);
    if (y < x)
        std::swap(x, y);
    std::string spaced;
    for (std::size_t i = 0; i < 60; i += 5)
        spaced += (i == 0 ? "" : " ") + (x + y).substr(i, 5);
    CHECK(number == spaced);
}

TEST_CASE("a message's hash covers what is signed and the signature, not the wrapped keys",
          "[crypto][trust]") {
    const Room r;
    const auto env = r.send("Strategy meeting at 3pm.");
    const auto hash = message_hash(env);
    CHECK(message_hash(for_device(env, "bob-phone")) == hash);  // every reader computes it
    auto changed = env;
    changed.history.counter += 1;
    CHECK(message_hash(changed) != hash);
    CHECK(message_hash(r.send("Strategy meeting at 3pm.")) != hash);
    CHECK(signature_valid(env, r.alice.keys.identity().sign_key));
    CHECK_FALSE(signature_valid(changed, r.alice.keys.identity().sign_key));
    CHECK_FALSE(signature_valid(env, r.bob.keys.identity().sign_key));
}

TEST_CASE("safety numbers match the golden vectors another implementation computed",
          "[crypto][trust]") {
    // tests/data/golden/safety-numbers.json was computed with Python's hashlib from the rule in
    // PROTOCOL.md; the browser client must reproduce it too.
    std::ifstream in(LIAISE_TEST_DATA "/golden/safety-numbers.json");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto doc = boost::json::parse(text);
    const auto party = [](const boost::json::value& v) {
        Party p{std::string(v.at("account").as_string()), {}};
        for (const auto& k : v.at("sign_keys").as_array()) {
            const auto key = SignPublicKey::from_base64(k.as_string());
            REQUIRE(key);
            p.sign_keys.push_back(*key);
        }
        return p;
    };
    const auto& vectors = doc.at("vectors").as_array();
    REQUIRE(vectors.size() == 2);
    for (const auto& v : vectors) {
        const auto a = party(v.at("a")), b = party(v.at("b"));
        CHECK(safety_number(a, b) == v.at("safety_number").as_string());
        CHECK(safety_number(b, a) == v.at("safety_number").as_string());
    }
}

TEST_CASE("a withdrawal statement verifies only as signed, by its signer", "[crypto][withdraw]") {
    const auto bea = liaise::crypto::DeviceKeys::generate();
    liaise::crypto::Withdrawal w{"case-1", 7, {}, "bea", "3", 1796558400000, {}};
    w.message_hash.fill(0x42);
    liaise::crypto::sign_withdrawal(w, bea);
    CHECK(liaise::crypto::withdrawal_valid(w, bea.identity().sign_key));
    // Another key, or any field changed (moved to another message, room, person or time).
    CHECK_FALSE(liaise::crypto::withdrawal_valid(
        w, liaise::crypto::DeviceKeys::generate().identity().sign_key));
    auto moved = w;
    moved.seq = 8;
    CHECK_FALSE(liaise::crypto::withdrawal_valid(moved, bea.identity().sign_key));
    auto other_room = w;
    other_room.room = "case-2";
    CHECK_FALSE(liaise::crypto::withdrawal_valid(other_room, bea.identity().sign_key));
    auto other_hash = w;
    other_hash.message_hash[0] ^= 1;
    CHECK_FALSE(liaise::crypto::withdrawal_valid(other_hash, bea.identity().sign_key));
    auto other_person = w;
    other_person.by = "hana";
    CHECK_FALSE(liaise::crypto::withdrawal_valid(other_person, bea.identity().sign_key));
    auto other_time = w;
    other_time.withdrawn_at += 1;
    CHECK_FALSE(liaise::crypto::withdrawal_valid(other_time, bea.identity().sign_key));
    // The label keeps it apart from the other signed statements: the same bytes without it do
    // not verify, and out-of-range fields are never signed.
    auto bad = w;
    bad.seq = 0;
    CHECK_THROWS_AS(liaise::crypto::sign_withdrawal(bad, bea), std::invalid_argument);
    CHECK_FALSE(liaise::crypto::withdrawal_valid(bad, bea.identity().sign_key));
    const auto t = liaise::crypto::withdrawal_transcript(w);
    const std::string label = "liaise-withdrawal-v1";
    REQUIRE(t.size() > 8 + label.size());
    CHECK(std::string(t.begin() + 8, t.begin() + 8 + static_cast<long>(label.size())) == label);
}
