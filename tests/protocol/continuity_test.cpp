// Continuity formats (protocol/continuity.hpp): the golden vectors of
// protocol/testdata/vectors/continuity.json, written by make_vectors.py with PyNaCl, read byte
// for byte; then what a server that stores these blobs could try: move an entry to another
// message, hand a key for another message, forge or alter a share, guess a transfer code.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "liaise/protocol/continuity.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/envelope_json.hpp"

using namespace liaise;
namespace json = boost::json;

namespace {

json::object load(const char* name) {
    std::ifstream in(std::string(LIAISE_VECTORS "/") + name);
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return json::parse(buf.str()).as_object();
}

std::string text(const json::value& v) {
    return std::string(v.as_string());
}

std::vector<unsigned char> bytes(const json::value& v) {
    auto decoded = crypto::from_base64(v.as_string());
    REQUIRE(decoded);
    return *decoded;
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

const json::object& device_named(const json::object& ids, std::string_view name) {
    for (const auto& d : ids.at("devices").as_array())
        if (d.at("device").as_string() == name)
            return d.as_object();
    FAIL("no device " << name);
    throw std::logic_error("unreachable");
}

crypto::DeviceKeys device_keys(const json::object& d) {
    std::array<unsigned char, crypto::kDeviceKeysBytes> plain{};
    auto* p = plain.data();
    for (const char* field :
         {"sign_secret_key", "box_secret_key", "sign_key", "box_key", "box_key_signature"}) {
        const auto b = bytes(d.at(field));
        p = std::copy(b.begin(), b.end(), p);
    }
    auto keys = crypto::import_device_keys(plain);
    REQUIRE(keys.ok());
    return std::move(keys).value();
}

crypto::RecoveryKey vector_recovery(const json::object& doc) {
    const auto secret = bytes(doc.at("recovery").at("secret"));
    REQUIRE(secret.size() == crypto::kRecoverySecretBytes);
    return crypto::RecoveryKey::from_secret(
        std::span<const unsigned char, crypto::kRecoverySecretBytes>(secret.data(), secret.size()));
}

}  // namespace

TEST_CASE("vectors: the recovery key's text and backup key pair",
          "[protocol][vectors][continuity]") {
    const auto doc = load("continuity.json");
    const auto key = vector_recovery(doc);
    CHECK(key.text() == text(doc.at("recovery").at("text")));
    CHECK(key.backup_public_key().to_base64() == text(doc.at("recovery").at("backup_public_key")));

    // Typed loosely (lower case, dashes, no spaces) it is the same key.
    std::string loose;
    for (const char c : key.text())
        loose += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto parsed = crypto::RecoveryKey::parse(loose);
    REQUIRE(parsed.ok());
    CHECK(parsed.value().backup_public_key() == key.backup_public_key());

    // One symbol changed, or two swapped: the check bytes catch it.
    auto typo = key.text();
    typo[5] = typo[5] == 'A' ? 'B' : 'A';
    CHECK(crypto::RecoveryKey::parse(typo).error().code == "bad_recovery_key");
    auto swapped = key.text();
    std::swap(swapped[0], swapped[1]);
    if (swapped != key.text())
        CHECK(crypto::RecoveryKey::parse(swapped).error().code == "bad_recovery_key");
    CHECK(crypto::RecoveryKey::parse("ABCD").error().code == "bad_recovery_key");
    CHECK(crypto::RecoveryKey::parse(key.text() + " U").error().code == "bad_recovery_key");
}

TEST_CASE("vectors: a backup entry opens only for its message", "[protocol][vectors][continuity]") {
    const auto doc = load("continuity.json");
    const auto key = vector_recovery(doc);
    const auto& v = doc.at("backup_entry").as_object();
    const auto room = text(v.at("room"));

    crypto::KeyEntry entry;
    entry.room = room;
    entry.seq = v.at("seq").as_int64();
    const auto hash = bytes(v.at("message_hash"));
    const auto mk = bytes(v.at("message_key"));
    std::copy(hash.begin(), hash.end(), entry.message_hash.begin());
    std::copy(mk.begin(), mk.end(), entry.key.bytes.begin());
    CHECK(hex(crypto::key_entry_plaintext(entry)) == text(v.at("plaintext_hex")));

    const auto opened = key.open_entry(bytes(v.at("sealed")), room, entry.seq);
    REQUIRE(opened.ok());
    CHECK(opened.value().key.bytes == entry.key.bytes);
    CHECK(opened.value().message_hash == entry.message_hash);

    // The server moved the entry to another seq or room: refused.
    CHECK(key.open_entry(bytes(v.at("sealed")), room, entry.seq + 1).error().code ==
          "bad_backup_entry");
    CHECK(key.open_entry(bytes(v.at("sealed")), "case-9", entry.seq).error().code ==
          "bad_backup_entry");
    CHECK(key.open_entry(bytes(v.at("moved_sealed")), room, entry.seq).error().code ==
          "bad_backup_entry");
    // Another recovery key does not open it.
    CHECK(crypto::RecoveryKey::generate()
              .open_entry(bytes(v.at("sealed")), room, entry.seq)
              .error()
              .code == "bad_backup_entry");

    // What we seal, the key opens (crypto_box_seal is randomised: not byte for byte).
    const auto sealed = crypto::seal_key_entry(entry, key.backup_public_key());
    CHECK(key.open_entry(sealed, room, entry.seq).ok());
}

TEST_CASE("vectors: the backup public key record", "[protocol][vectors][continuity]") {
    const auto doc = load("continuity.json");
    const auto ids = load("identity.json");
    const auto& v = doc.at("backup_key_record").as_object();
    const auto alice = device_keys(device_named(ids, text(v.at("device"))));
    crypto::BackupKeyRecord r;
    r.account = text(v.at("account"));
    r.version = v.at("version").as_int64();
    r.public_key = *crypto::BoxPublicKey::from_base64(text(v.at("public_key")));
    r.device = text(v.at("device"));
    CHECK(hex(crypto::backup_key_transcript(r)) == text(v.at("transcript_hex")));
    crypto::sign_backup_key(r, alice);
    CHECK(r.signature.to_base64() == text(v.at("signature")));
    CHECK(crypto::backup_key_valid(r, alice.identity().sign_key));
    // A key the server substitutes is not what the device signed.
    r.public_key = crypto::RecoveryKey::generate().backup_public_key();
    CHECK_FALSE(crypto::backup_key_valid(r, alice.identity().sign_key));
}

TEST_CASE("vectors: a transfer bundle opens with its code only",
          "[protocol][vectors][continuity]") {
    const auto doc = load("continuity.json");
    const auto ids = load("identity.json");
    const auto& v = doc.at("transfer").as_object();
    const auto alice = device_keys(device_named(ids, text(v.at("from_device"))));
    const auto signer = [&](std::string_view device) -> std::optional<crypto::SignPublicKey> {
        if (device == text(v.at("from_device")))
            return alice.identity().sign_key;
        return std::nullopt;
    };
    const auto bundle = text(v.at("bundle_text"));
    const auto opened = crypto::open_transfer(bundle, "7k3qd m9xpa", "alice", signer);
    REQUIRE(opened.ok());
    REQUIRE(opened.value().entries.size() == 1);
    const auto& be = doc.at("backup_entry").as_object();
    CHECK(crypto::to_base64(opened.value().entries[0].key.bytes) == text(be.at("message_key")));
    CHECK(opened.value().entries[0].seq == 41);

    CHECK(crypto::open_transfer(bundle, "7K3QD-M9XPB", "alice", signer).error().code ==
          "bad_transfer_code");
    CHECK(crypto::open_transfer(bundle, "7K3QD", "alice", signer).error().code ==
          "bad_transfer_code");
    // For another account, or signed by a device that is not the account's: refused.
    CHECK(crypto::open_transfer(bundle, "7K3QD-M9XPA", "bob", signer).error().code ==
          "bad_transfer");
    const auto other = crypto::DeviceKeys::generate();
    const auto wrong_signer = [&](std::string_view) -> std::optional<crypto::SignPublicKey> {
        return other.identity().sign_key;
    };
    CHECK(crypto::open_transfer(bundle, "7K3QD-M9XPA", "alice", wrong_signer).error().code ==
          "bad_transfer");

    // A fresh code and bundle round-trip.
    const auto code = crypto::new_transfer_code();
    REQUIRE(crypto::normalise_transfer_code(code));
    crypto::TransferContents contents{"alice", text(v.at("from_device")), {}};
    contents.entries.push_back(opened.value().entries[0]);
    const auto again =
        crypto::open_transfer(crypto::seal_transfer(contents, alice, code), code, "alice", signer);
    REQUIRE(again.ok());
    CHECK(again.value().entries[0].key.bytes == contents.entries[0].key.bytes);
}

TEST_CASE("vectors: a history share", "[protocol][vectors][continuity]") {
    const auto doc = load("continuity.json");
    const auto ids = load("identity.json");
    const auto& v = doc.at("share").as_object();
    const auto alice = device_keys(device_named(ids, "alice-laptop"));
    const auto bob_phone = device_keys(device_named(ids, "bob-phone"));
    const auto bob_laptop = device_keys(device_named(ids, "bob-laptop"));

    auto share = crypto::share_from_json(text(v.at("share_text")));
    REQUIRE(share.ok());
    auto s = share.value();
    CHECK(hex(crypto::share_transcript(s)) == text(v.at("transcript_hex")));
    CHECK(crypto::share_to_json(s) == text(v.at("share_text")));
    CHECK(crypto::share_valid(s, alice.identity().sign_key));
    crypto::HistoryShare resigned = s;
    crypto::sign_share(resigned, alice);
    CHECK(resigned.signature == s.signature);

    const auto entry = crypto::open_shared_entry(bob_phone, s.entries[0].sealed, s.room, 41);
    REQUIRE(entry.ok());
    CHECK(crypto::to_base64(entry.value().key.bytes) ==
          text(doc.at("backup_entry").at("message_key")));
    // Sealed to bob-phone: bob-laptop cannot open it.
    CHECK(crypto::open_shared_entry(bob_laptop, s.entries[0].sealed, s.room, 41).error().code ==
          "bad_share");

    // The server widens the date, the range or the recipient: the signature no longer holds.
    auto earlier = s;
    earlier.since -= 86400000;
    CHECK_FALSE(crypto::share_valid(earlier, alice.identity().sign_key));
    auto other = s;
    other.to_device = "bob-laptop";
    CHECK_FALSE(crypto::share_valid(other, alice.identity().sign_key));
    // Signed by a key that is not the sharing device's: refused.
    CHECK_FALSE(crypto::share_valid(s, bob_phone.identity().sign_key));
    // An entry outside the signed range never passes, even re-signed.
    auto outside = s;
    outside.entries[0].seq = 40;
    crypto::sign_share(outside, alice);
    CHECK_FALSE(crypto::share_valid(outside, alice.identity().sign_key));
    CHECK(crypto::share_from_json("{}").error().code == "bad_share");
}

TEST_CASE("a backed-up key opens its envelope and no other", "[protocol][continuity]") {
    const auto env_doc = load("envelope.json");
    const auto ids = load("identity.json");
    const auto alice = device_keys(device_named(ids, "alice-laptop"));
    const auto& envs = env_doc.at("envelopes").as_array();
    const auto first = crypto::envelope_from_json(envs[0].at("envelope"));
    const auto second = crypto::envelope_from_json(envs[1].at("envelope"));
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    const auto key = crypto::message_key(first.value(), alice, "alice-laptop", alice.identity());
    REQUIRE(key.ok());
    const auto read = crypto::open_with_key(first.value(), key.value(), alice.identity());
    REQUIRE(read.ok());
    CHECK(read.value() == text(envs[0].at("inputs").at("plaintext")));
    // A key for the first message handed over for the second: the commitment refuses it.
    CHECK(crypto::open_with_key(second.value(), key.value(), alice.identity()).error().code ==
          "bad_wrapped_key");
    // Signed by someone else: refused before the key is tried.
    const auto bob = device_keys(device_named(ids, "bob-phone"));
    CHECK(crypto::open_with_key(first.value(), key.value(), bob.identity()).error().code ==
          "bad_signature");
}
