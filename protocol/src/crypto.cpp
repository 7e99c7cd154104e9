#include "liaise/protocol/crypto.hpp"

#include "crypto_internal.hpp"

#include "liaise/base/utf8.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>

#include <boost/json.hpp>

namespace liaise::crypto {

static_assert(SignPublicKey::size() == crypto_sign_PUBLICKEYBYTES);
static_assert(BoxPublicKey::size() == crypto_box_PUBLICKEYBYTES);
static_assert(Signature::size() == crypto_sign_BYTES);

using detail::Encoder;
using detail::error;
using protocol::Error;
using protocol::Expected;

namespace {

// Domain labels: every Ed25519 signature a device makes starts with one of these (the envelope
// encoding starts with the label's 8-byte length, a zero byte), so no signature made for one
// purpose is valid for another, whatever a server puts in a login challenge.
constexpr std::string_view kBoxKeyLabel = "liaise-box-key-v1";
constexpr std::string_view kLoginLabel = "liaise-login-v1";
constexpr std::string_view kEnvelopeLabel = "liaise-envelope-v1";
constexpr std::string_view kEnvelopeV2Label = "liaise-envelope-v2";
constexpr std::string_view kEnvelopeV3Label = "liaise-envelope-v3";
constexpr std::string_view kMessageHashLabel = "liaise-message-hash-v3";
constexpr std::string_view kSafetyNumberLabel = "liaise-safety-number-v1";
constexpr std::string_view kKeyCommitmentLabel = "liaise-message-key-commitment-v2";
constexpr std::string_view kEnvelopeAdLabel = "liaise-envelope-ad-v1";
constexpr std::string_view kFingerprintLabel = "liaise-fingerprint-v1";

constexpr int kEnvelopeVersion = 3;  // what seal() makes; open() reads 1, 2 and 3
static_assert(kMessageKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kWrappedBytes == crypto_box_NONCEBYTES + kMessageKeyBytes + crypto_box_MACBYTES);

// Keystore. New keystores use the MODERATE limits (KeystoreCost); the limits are stored in the
// file, so raising them later only changes what seal_keystore writes. open_keystore accepts
// anything from interactive to sensitive: below is too weak to be ours, above would let a hostile
// file make us allocate or compute without bound.
constexpr int kKeystoreVersion = 1;
constexpr std::string_view kKeystoreKdf = "argon2id13";
constexpr std::uint64_t kMinOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::uint64_t kMaxOpsLimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
constexpr std::uint64_t kMinMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr std::uint64_t kMaxMemLimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
// Keystore plaintext: sign_sk (64) || box_sk (32) || sign_pk (32) || box_pk (32) || sig (64).
constexpr std::size_t kKeystorePlainBytes = crypto_sign_SECRETKEYBYTES + crypto_box_SECRETKEYBYTES +
                                            crypto_sign_PUBLICKEYBYTES + crypto_box_PUBLICKEYBYTES +
                                            crypto_sign_BYTES;

/// Fixed-size secret scratch space, zeroed when it goes out of scope.
template <std::size_t N>
struct SecretArray {
    std::array<unsigned char, N> bytes{};
    SecretArray() = default;
    SecretArray(const SecretArray&) = delete;
    SecretArray& operator=(const SecretArray&) = delete;
    ~SecretArray() { sodium_memzero(bytes.data(), bytes.size()); }
    unsigned char* data() noexcept { return bytes.data(); }
    const unsigned char* data() const noexcept { return bytes.data(); }
};

/// Variable-size secret scratch space, zeroed when it goes out of scope.
struct SecretVector {
    std::vector<unsigned char> bytes;
    explicit SecretVector(std::size_t n) : bytes(n) {}
    SecretVector(const SecretVector&) = delete;
    SecretVector& operator=(const SecretVector&) = delete;
    ~SecretVector() { sodium_memzero(bytes.data(), bytes.size()); }
};

std::span<const unsigned char> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

std::vector<unsigned char> concat(std::string_view label, std::span<const unsigned char> tail) {
    std::vector<unsigned char> out(label.begin(), label.end());
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

Signature sign_bytes(const unsigned char* sign_sk, std::span<const unsigned char> message) {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sign_sk);
    return Signature(sig);
}

bool verify_bytes(const SignPublicKey& key, std::span<const unsigned char> message,
                  const Signature& sig) {
    init();
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

std::uint64_t version_number(int version) {
    return static_cast<std::uint64_t>(version);
}

std::vector<unsigned char> envelope_ad(int version, std::string_view room,
                                       std::string_view sender_device,
                                       std::string_view client_msg_id) {
    Encoder e;
    e.text(kEnvelopeAdLabel)
        .number(version_number(version))
        .text(room)
        .text(sender_device)
        .text(client_msg_id);
    return e.result();
}

/// What the sender signs. Version 1: every field, with the wrapped keys in (device, wrapped)
/// order so the order on the wire does not matter. Version 2: every field but the wrapped keys
/// (each device receives only its own), with the key commitment and the sorted recipients.
/// Version 3: version 2's, then the history fields (previous_hash as its 0..32 bytes).
std::vector<unsigned char> envelope_transcript(const Envelope& env) {
    const bool v2 = env.version >= 2;
    Encoder e;
    e.text(env.version == 3 ? kEnvelopeV3Label
           : v2             ? kEnvelopeV2Label
                            : kEnvelopeLabel)
        .number(version_number(env.version))
        .text(env.room)
        .text(env.sender_device)
        .text(env.client_msg_id)
        .bytes(env.nonce)
        .bytes(env.ciphertext);
    if (v2) {
        e.bytes(env.key_commitment).number(env.recipients.size());
        for (const auto& r : env.recipients)
            e.text(r);
        if (env.version == 3) {
            const auto& h = env.history;
            e.text(h.sender)
                .number(h.counter)
                .number(static_cast<std::uint64_t>(h.sent_at))
                .number(static_cast<std::uint64_t>(h.previous_seq))
                .bytes(h.previous_hash);
        }
        return e.result();
    }
    std::vector<const WrappedKey*> keys;
    keys.reserve(env.keys.size());
    for (const auto& k : env.keys)
        keys.push_back(&k);
    std::sort(keys.begin(), keys.end(), [](const WrappedKey* a, const WrappedKey* b) {
        return std::tie(a->device, a->wrapped) < std::tie(b->device, b->wrapped);
    });
    e.number(keys.size());
    for (const WrappedKey* k : keys)
        e.text(k->device).bytes(k->wrapped);
    return e.result();
}

/// The version 2 commitment to a message key: BLAKE2b-256 keyed by the message key over a
/// fixed label. Collision resistance binds the signature to one key, so every recipient that
/// accepts the message decrypts it with the same key.
std::array<unsigned char, kCommitmentBytes> key_commitment(
    std::span<const unsigned char, kMessageKeyBytes> message_key) {
    std::array<unsigned char, kCommitmentBytes> out{};
    crypto_generichash(out.data(), out.size(),
                       reinterpret_cast<const unsigned char*>(kKeyCommitmentLabel.data()),
                       kKeyCommitmentLabel.size(), message_key.data(), message_key.size());
    return out;
}

void require(bool condition, const char* what) {
    if (!condition)
        throw std::invalid_argument(what);
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= kMaxIdBytes;
}

}  // namespace

Error detail::error(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

// ---------------------------------------------------------------------------------------------
// Basics

void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0)
            throw std::runtime_error("libsodium failed to initialise");
    });
}

std::string to_base64(std::span<const unsigned char> bytes) {
    init();
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');  // includes NUL
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
    out.pop_back();
    return out;
}

namespace {

/// Each byte's 6-bit value in the URL-safe alphabet, or 0xFF.
constexpr std::array<unsigned char, 256> kBase64Values = [] {
    std::array<unsigned char, 256> t{};
    t.fill(0xFF);
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
    return t;
}();

}  // namespace

// A table decoder rather than sodium_base642bin: every field decoded is public (keys,
// signatures, nonces, ciphertexts, wrapped keys), so constant time buys nothing, and the server
// decodes every wrapped key of every message it relays (sodium's decoder was 6% of its CPU in
// a 51-member room). The rules are sodium's for URLSAFE_NO_PADDING; a test compares the two.
std::optional<std::vector<unsigned char>> from_base64(std::string_view text) {
    const std::size_t tail = text.size() % 4;
    if (tail == 1)
        return std::nullopt;
    std::vector<unsigned char> out(text.size() / 4 * 3 + (tail == 0 ? 0 : tail - 1));
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    unsigned char* o = out.data();
    std::size_t i = 0;
    for (; i + 4 <= text.size(); i += 4) {
        const unsigned a = kBase64Values[in[i]], b = kBase64Values[in[i + 1]],
                       c = kBase64Values[in[i + 2]], d = kBase64Values[in[i + 3]];
        if ((a | b | c | d) > 63)
            return std::nullopt;
        const unsigned v = a << 18 | b << 12 | c << 6 | d;
        *o++ = static_cast<unsigned char>(v >> 16);
        *o++ = static_cast<unsigned char>(v >> 8);
        *o++ = static_cast<unsigned char>(v);
    }
    if (tail != 0) {
        unsigned v = 0;
        for (std::size_t k = 0; k < tail; ++k) {
            const unsigned x = kBase64Values[in[i + k]];
            if (x > 63)
                return std::nullopt;
            v = v << 6 | x;
        }
        // Two characters carry one byte and 4 spare bits; three carry two bytes and 2 spare
        // bits. Spare bits must be zero: one encoding per value.
        if (tail == 2) {
            if ((v & 0xF) != 0)
                return std::nullopt;
            *o++ = static_cast<unsigned char>(v >> 4);
        } else {
            if ((v & 0x3) != 0)
                return std::nullopt;
            *o++ = static_cast<unsigned char>(v >> 10);
            *o++ = static_cast<unsigned char>(v >> 2);
        }
    }
    return out;
}

std::vector<unsigned char> random_bytes(std::size_t n) {
    init();
    std::vector<unsigned char> out(n);
    if (n != 0)  // randombytes_buf's buffer must not be null
        randombytes_buf(out.data(), out.size());
    return out;
}

bool detail::bytes_equal(const unsigned char* a, const unsigned char* b, std::size_t n) noexcept {
    return sodium_memcmp(a, b, n) == 0;
}

// ---------------------------------------------------------------------------------------------
// Identities

bool PublicIdentity::verify() const {
    init();
    if (!verify_bytes(sign_key, concat(kBoxKeyLabel, box_key.bytes()), box_key_signature))
        return false;
    // A low-order X25519 key would give every sender an all-zero shared key; libsodium refuses
    // it (crypto_scalarmult returns -1 for an all-zero result), so refuse it here first.
    SecretArray<crypto_scalarmult_BYTES> probe;
    SecretArray<crypto_scalarmult_SCALARBYTES> scalar;
    scalar.bytes.fill(1);
    return crypto_scalarmult(probe.data(), scalar.data(), box_key.data()) == 0;
}

std::string PublicIdentity::fingerprint() const {
    init();
    const auto input = concat(kFingerprintLabel, sign_key.bytes());
    std::array<unsigned char, 32> h{};
    crypto_generichash(h.data(), h.size(), input.data(), input.size(), nullptr, 0);
    std::string out;
    for (std::size_t chunk = 0; chunk < 6; ++chunk) {  // 6 chunks of 5 bytes = 12 groups
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 5; ++i)
            v = (v << 8) | h[chunk * 5 + i];
        for (std::uint64_t group : {v >> 20, v & 0xFFFFF}) {
            if (!out.empty())
                out += ' ';
            std::string digits = std::to_string(group % 100000);
            out += std::string(5 - digits.size(), '0') + digits;
        }
    }
    return out;
}

namespace {

/// One party's 30 digits (six groups of 5, no spaces) for safety_number().
std::string party_digits(const Party& p) {
    std::vector<SignPublicKey> keys = p.sign_keys;
    std::sort(keys.begin(), keys.end(), [](const SignPublicKey& a, const SignPublicKey& b) {
        return std::lexicographical_compare(a.bytes().begin(), a.bytes().end(), b.bytes().begin(),
                                            b.bytes().end());
    });
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    Encoder e;
    e.text(kSafetyNumberLabel).text(p.account).number(keys.size());
    for (const auto& k : keys)
        e.bytes(k.bytes());
    std::array<unsigned char, 32> h{};
    crypto_generichash(h.data(), h.size(), e.result().data(), e.result().size(), nullptr, 0);
    std::string out;
    for (std::size_t chunk = 0; chunk < 6; ++chunk) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < 5; ++i)
            v = (v << 8) | h[chunk * 5 + i];
        const std::string digits = std::to_string(v % 100000);
        out += std::string(5 - digits.size(), '0') + digits;
    }
    return out;
}

}  // namespace

std::string safety_number(const Party& a, const Party& b) {
    init();
    require(
        !a.account.empty() && !b.account.empty() && !a.sign_keys.empty() && !b.sign_keys.empty(),
        "safety_number: each party needs an account name and at least one key");
    auto first = party_digits(a);
    auto second = party_digits(b);
    if (second < first)
        std::swap(first, second);
    const auto digits = first + second;
    std::string out;
    for (std::size_t i = 0; i < digits.size(); i += 5)
        out += (out.empty() ? "" : " ") + digits.substr(i, 5);
    return out;
}

struct DeviceKeys::Secrets {
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sign_sk{};
    std::array<unsigned char, crypto_box_SECRETKEYBYTES> box_sk{};
    Secrets() = default;
    Secrets(const Secrets&) = delete;
    Secrets& operator=(const Secrets&) = delete;
    ~Secrets() {
        sodium_memzero(sign_sk.data(), sign_sk.size());
        sodium_memzero(box_sk.data(), box_sk.size());
    }
};

struct detail::DeviceKeysAccess {
    static const DeviceKeys::Secrets& secrets(const DeviceKeys& keys) {
        if (!keys.secrets_)
            throw std::logic_error("DeviceKeys used after move");
        return *keys.secrets_;
    }
    static DeviceKeys make(std::unique_ptr<DeviceKeys::Secrets> s, PublicIdentity id) {
        return DeviceKeys(std::move(s), id);
    }
    static std::unique_ptr<DeviceKeys::Secrets> new_secrets() {
        return std::make_unique<DeviceKeys::Secrets>();
    }
};
using Access = detail::DeviceKeysAccess;

DeviceKeys::DeviceKeys(std::unique_ptr<Secrets> secrets, PublicIdentity identity) noexcept
    : secrets_(std::move(secrets)), identity_(identity) {}
DeviceKeys::DeviceKeys(DeviceKeys&&) noexcept = default;
DeviceKeys& DeviceKeys::operator=(DeviceKeys&&) noexcept = default;
DeviceKeys::~DeviceKeys() = default;  // Secrets zeroes itself

DeviceKeys DeviceKeys::generate() {
    init();
    auto s = Access::new_secrets();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> sign_pk{};
    std::array<unsigned char, crypto_box_PUBLICKEYBYTES> box_pk{};
    crypto_sign_keypair(sign_pk.data(), s->sign_sk.data());
    crypto_box_keypair(box_pk.data(), s->box_sk.data());
    PublicIdentity id{SignPublicKey(sign_pk), BoxPublicKey(box_pk), {}};
    id.box_key_signature = sign_bytes(s->sign_sk.data(), concat(kBoxKeyLabel, box_pk));
    return DeviceKeys(std::move(s), id);
}

Signature DeviceKeys::sign(std::span<const unsigned char> message) const {
    init();
    return sign_bytes(Access::secrets(*this).sign_sk.data(), message);
}

Signature sign_login(const DeviceKeys& keys, std::span<const unsigned char> challenge) {
    return keys.sign(concat(kLoginLabel, challenge));
}

bool verify_login(const SignPublicKey& key, std::span<const unsigned char> challenge,
                  const Signature& signature) {
    return verify_bytes(key, concat(kLoginLabel, challenge), signature);
}

// ---------------------------------------------------------------------------------------------
// Keystore

namespace {

/// Derives the keystore key; throws if Argon2id cannot get its memory.
void derive_key(SecretArray<crypto_secretbox_KEYBYTES>& key, std::string_view passphrase,
                std::span<const unsigned char> salt, std::uint64_t opslimit,
                std::uint64_t memlimit) {
    const char* pw = passphrase.data() != nullptr ? passphrase.data() : "";
    if (crypto_pwhash(key.data(), key.bytes.size(), pw, passphrase.size(), salt.data(), opslimit,
                      static_cast<std::size_t>(memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("keystore key derivation failed (out of memory?)");
}

Error bad_keystore(std::string_view why) {
    return error("bad_keystore", "keystore: " + std::string(why));
}

/// The unsigned integer at `key` if it lies in [lo, hi].
std::optional<std::uint64_t> integer_in(const boost::json::object& o, std::string_view key,
                                        std::uint64_t lo, std::uint64_t hi) {
    const auto* v = o.if_contains(key);
    if (v == nullptr)
        return std::nullopt;
    std::uint64_t n = 0;
    if (v->is_uint64())
        n = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0)
        n = static_cast<std::uint64_t>(v->get_int64());
    else
        return std::nullopt;
    if (n < lo || n > hi)
        return std::nullopt;
    return n;
}

/// The base64 field at `key` decoded, if it has exactly `size` bytes.
std::optional<std::vector<unsigned char>> binary_of_size(const boost::json::object& o,
                                                         std::string_view key, std::size_t size) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string())
        return std::nullopt;
    auto bytes = from_base64(std::string_view(v->get_string()));
    if (!bytes || bytes->size() != size)
        return std::nullopt;
    return bytes;
}

}  // namespace

namespace {

std::uint64_t ops_limit(KeystoreCost cost) {
    return cost == KeystoreCost::moderate ? crypto_pwhash_OPSLIMIT_MODERATE
                                          : crypto_pwhash_OPSLIMIT_INTERACTIVE;
}
std::uint64_t mem_limit(KeystoreCost cost) {
    return cost == KeystoreCost::moderate ? crypto_pwhash_MEMLIMIT_MODERATE
                                          : crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

/// The keys from the keystore's plaintext layout, checked for consistency.
Expected<DeviceKeys> keys_from_plain(const unsigned char* p) {
    auto s = Access::new_secrets();
    auto take = [&p](auto& out) {  // copies the next out.size() bytes; same layout as export
        std::copy_n(p, out.size(), out.begin());
        p += out.size();
    };
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> stored_sign_pk{};
    std::array<unsigned char, crypto_box_PUBLICKEYBYTES> stored_box_pk{};
    std::array<unsigned char, crypto_sign_BYTES> stored_sig{};
    take(s->sign_sk);
    take(s->box_sk);
    take(stored_sign_pk);
    take(stored_box_pk);
    take(stored_sig);
    const PublicIdentity id{SignPublicKey(stored_sign_pk), BoxPublicKey(stored_box_pk),
                            Signature(stored_sig)};

    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> sign_pk{};
    std::array<unsigned char, crypto_box_PUBLICKEYBYTES> box_pk{};
    // From the seed, not the copy of the public key inside sign_sk: bytes that did not come
    // from our own sealed box (the agent's) must not pass with a bent seed.
    {
        SecretArray<crypto_sign_SEEDBYTES> seed;
        SecretArray<crypto_sign_SECRETKEYBYTES> again;
        crypto_sign_ed25519_sk_to_seed(seed.data(), s->sign_sk.data());
        crypto_sign_seed_keypair(sign_pk.data(), again.data(), seed.data());
        if (!detail::bytes_equal(again.data(), s->sign_sk.data(), again.bytes.size()))
            return bad_keystore("keys are inconsistent");
    }
    const bool box_ok = crypto_scalarmult_base(box_pk.data(), s->box_sk.data()) == 0;
    if (!box_ok || !(SignPublicKey(sign_pk) == id.sign_key) ||
        !(BoxPublicKey(box_pk) == id.box_key) || !id.verify())
        return bad_keystore("keys are inconsistent");
    return Access::make(std::move(s), id);
}

}  // namespace

void export_device_keys(const DeviceKeys& keys, std::span<unsigned char, kDeviceKeysBytes> out) {
    static_assert(kDeviceKeysBytes == kKeystorePlainBytes);
    init();
    const auto& s = Access::secrets(keys);
    const auto& id = keys.identity();
    auto* p = out.data();
    for (std::span<const unsigned char> part :
         {std::span<const unsigned char>(s.sign_sk), std::span<const unsigned char>(s.box_sk),
          std::span<const unsigned char>(id.sign_key.bytes()),
          std::span<const unsigned char>(id.box_key.bytes()),
          std::span<const unsigned char>(id.box_key_signature.bytes())}) {
        p = std::copy(part.begin(), part.end(), p);
    }
}

Expected<DeviceKeys> import_device_keys(std::span<const unsigned char, kDeviceKeysBytes> bytes) {
    init();
    return keys_from_plain(bytes.data());
}

std::string seal_keystore(const DeviceKeys& keys, std::string_view passphrase, KeystoreCost cost) {
    init();
    std::array<unsigned char, crypto_pwhash_SALTBYTES> salt{};
    std::array<unsigned char, crypto_secretbox_NONCEBYTES> nonce{};
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    return detail::seal_keystore_with(keys, passphrase, cost, salt, nonce);
}

std::string detail::seal_keystore_with(const DeviceKeys& keys, std::string_view passphrase,
                                       KeystoreCost cost, std::span<const unsigned char, 16> salt,
                                       std::span<const unsigned char, 24> nonce) {
    static_assert(crypto_pwhash_SALTBYTES == 16 && crypto_secretbox_NONCEBYTES == 24);
    init();
    SecretVector plain(kKeystorePlainBytes);
    export_device_keys(
        keys, std::span<unsigned char, kDeviceKeysBytes>(plain.bytes.data(), kDeviceKeysBytes));

    SecretArray<crypto_secretbox_KEYBYTES> key;
    derive_key(key, passphrase, salt, ops_limit(cost), mem_limit(cost));
    std::vector<unsigned char> box(plain.bytes.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(box.data(), plain.bytes.data(), plain.bytes.size(), nonce.data(),
                          key.data());

    boost::json::object o;
    o["v"] = kKeystoreVersion;
    o["kdf"] = kKeystoreKdf;
    o["opslimit"] = ops_limit(cost);
    o["memlimit"] = mem_limit(cost);
    o["salt"] = to_base64(salt);
    o["nonce"] = to_base64(nonce);
    o["box"] = to_base64(box);
    return boost::json::serialize(o);
}

bool keystore_weaker_than(std::string_view json, KeystoreCost cost) {
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object())
        return false;
    const auto ops = integer_in(doc.get_object(), "opslimit", 0, kMaxOpsLimit);
    const auto mem = integer_in(doc.get_object(), "memlimit", 0, kMaxMemLimit);
    if (!ops || !mem)
        return false;
    return *ops < ops_limit(cost) || *mem < mem_limit(cost);
}

Expected<DeviceKeys> open_keystore(std::string_view json, std::string_view passphrase) {
    init();
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object())
        return bad_keystore("not a JSON object");
    const auto& o = doc.get_object();
    static constexpr std::string_view kFields[] = {"v",    "kdf",   "opslimit", "memlimit",
                                                   "salt", "nonce", "box"};
    if (o.size() != std::size(kFields))
        return bad_keystore("unexpected fields");
    for (const auto& [k, v] : o) {
        if (std::find(std::begin(kFields), std::end(kFields), k) == std::end(kFields))
            return bad_keystore("unexpected fields");
    }
    if (!integer_in(o, "v", kKeystoreVersion, kKeystoreVersion))
        return bad_keystore("unsupported version");
    const auto* kdf = o.if_contains("kdf");
    if (kdf == nullptr || !kdf->is_string() || kdf->get_string() != kKeystoreKdf)
        return bad_keystore("unsupported kdf");
    const auto ops = integer_in(o, "opslimit", kMinOpsLimit, kMaxOpsLimit);
    const auto mem = integer_in(o, "memlimit", kMinMemLimit, kMaxMemLimit);
    if (!ops || !mem)
        return bad_keystore("kdf limits out of range");
    const auto salt = binary_of_size(o, "salt", crypto_pwhash_SALTBYTES);
    const auto nonce = binary_of_size(o, "nonce", crypto_secretbox_NONCEBYTES);
    const auto box = binary_of_size(o, "box", kKeystorePlainBytes + crypto_secretbox_MACBYTES);
    if (!salt || !nonce || !box)
        return bad_keystore("salt, nonce or box malformed");

    SecretArray<crypto_secretbox_KEYBYTES> key;
    derive_key(key, passphrase, *salt, *ops, *mem);
    SecretVector plain(kKeystorePlainBytes);
    if (crypto_secretbox_open_easy(plain.bytes.data(), box->data(), box->size(), nonce->data(),
                                   key.data()) != 0)
        return error("bad_passphrase", "keystore: wrong passphrase (or a damaged keystore)");

    return keys_from_plain(plain.bytes.data());
}

// ---------------------------------------------------------------------------------------------
// Envelopes

Envelope seal(const DeviceKeys& sender, std::string_view sender_device, std::string_view room,
              std::string_view client_msg_id, std::string_view plaintext,
              const std::vector<Recipient>& recipients, const History& history) {
    init();
    detail::SealChoices choices;
    crypto_aead_xchacha20poly1305_ietf_keygen(choices.message_key.data());
    randombytes_buf(choices.nonce.data(), choices.nonce.size());
    choices.wrap_nonces.resize(recipients.size());
    for (auto& n : choices.wrap_nonces)
        randombytes_buf(n.data(), n.size());
    auto env = detail::seal_with(choices, sender, sender_device, room, client_msg_id, plaintext,
                                 recipients, history);
    sodium_memzero(choices.message_key.data(), choices.message_key.size());
    return env;
}

Envelope detail::seal_with(const SealChoices& choices, const DeviceKeys& sender,
                           std::string_view sender_device, std::string_view room,
                           std::string_view client_msg_id, std::string_view plaintext,
                           const std::vector<Recipient>& recipients, const History& history) {
    init();
    require(valid_id(room) && valid_id(sender_device) && valid_id(client_msg_id),
            "seal: room, sender_device and client_msg_id must be 1..128 bytes");
    require(valid_id(history.sender) && history.counter >= 1 && history.sent_at >= 0 &&
                history.previous_seq >= 0 &&
                history.previous_hash.size() == (history.previous_seq > 0 ? kHashBytes : 0),
            "seal: history needs a sender, a counter from 1, times >= 0 and a 32-byte hash "
            "exactly when previous_seq > 0");
    require(!recipients.empty() && recipients.size() <= kMaxKeys,
            "seal: 1..10000 recipients required");
    std::unordered_set<std::string_view> seen;
    for (const auto& r : recipients)
        require(valid_id(r.device) && seen.insert(r.device).second,
                "seal: recipient devices must be distinct and 1..128 bytes");
    const auto& s = Access::secrets(sender);

    Envelope env;
    env.version = kEnvelopeVersion;
    env.room = room;
    env.sender_device = sender_device;
    env.client_msg_id = client_msg_id;
    env.history = history;

    require(choices.wrap_nonces.size() == recipients.size(), "seal: one wrap nonce per recipient");
    SecretArray<kMessageKeyBytes> message_key;
    message_key.bytes = choices.message_key;
    env.nonce.assign(choices.nonce.begin(), choices.nonce.end());
    const auto ad = envelope_ad(env.version, room, sender_device, client_msg_id);
    env.ciphertext.resize(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        env.ciphertext.data(), nullptr, as_bytes(plaintext).data(), plaintext.size(), ad.data(),
        ad.size(), nullptr, env.nonce.data(), message_key.data());

    const auto commitment = key_commitment(message_key.bytes);
    env.key_commitment.assign(commitment.begin(), commitment.end());
    std::vector<const Recipient*> sorted;
    sorted.reserve(recipients.size());
    for (const auto& r : recipients)
        sorted.push_back(&r);
    std::sort(sorted.begin(), sorted.end(),
              [](const Recipient* a, const Recipient* b) { return a->device < b->device; });
    env.recipients.reserve(sorted.size());
    env.keys.reserve(sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const auto& r = *sorted[i];
        env.recipients.push_back(r.device);
        SecretArray<crypto_box_BEFORENMBYTES> shared;
        require(crypto_box_beforenm(shared.data(), r.box_key.data(), s.box_sk.data()) == 0,
                "seal: unusable recipient box key (check PublicIdentity::verify)");
        const auto& wrap_nonce = choices.wrap_nonces[i];
        WrappedKey wk{r.device, {wrap_nonce.begin(), wrap_nonce.end()}};
        wk.wrapped.resize(kWrappedBytes);
        if (crypto_box_easy_afternm(wk.wrapped.data() + crypto_box_NONCEBYTES, message_key.data(),
                                    kMessageKeyBytes, wk.wrapped.data(), shared.data()) != 0)
            throw std::runtime_error("seal: crypto_box_easy_afternm failed");
        env.keys.push_back(std::move(wk));
    }
    env.signature = sign_bytes(s.sign_sk.data(), envelope_transcript(env));
    return env;
}

MessageKey::~MessageKey() {
    sodium_memzero(bytes.data(), bytes.size());
}

namespace {

/// The checks open() makes before it unwraps: version, identity, signature, recipient.
std::optional<Error> check_signed(const Envelope& env, const PublicIdentity& sender) {
    if (env.version < 1 || env.version > 3)
        return Error{"bad_request", "envelope.v: unsupported version"};
    if (!sender.verify())
        return Error{"bad_signature", "sender identity does not verify"};
    if (!verify_bytes(sender.sign_key, envelope_transcript(env), env.signature))
        return Error{"bad_signature", "envelope signature does not verify"};
    return std::nullopt;
}

/// Unwraps `my_device`'s key (the signature already checked), and checks it against the
/// commitment in versions 2 and 3.
Expected<MessageKey> unwrap(const Envelope& env, const DeviceKeys& me, std::string_view my_device,
                            const PublicIdentity& sender) {
    const auto mine = std::find_if(env.keys.begin(), env.keys.end(),
                                   [&](const WrappedKey& k) { return k.device == my_device; });
    const bool listed = env.version == 1 || std::find(env.recipients.begin(), env.recipients.end(),
                                                      my_device) != env.recipients.end();
    if (mine == env.keys.end() || !listed)
        return error("not_a_recipient",
                     "not encrypted for this device (sent before it was enrolled, or not to it)");
    MessageKey key;
    const auto& w = mine->wrapped;
    if (w.size() != kWrappedBytes ||
        crypto_box_open_easy(key.bytes.data(), w.data() + crypto_box_NONCEBYTES,
                             w.size() - crypto_box_NONCEBYTES, w.data(), sender.box_key.data(),
                             Access::secrets(me).box_sk.data()) != 0)
        return error("bad_wrapped_key", "the message key does not unwrap for this device");
    if (env.version >= 2 && (env.key_commitment.size() != kCommitmentBytes ||
                             !detail::bytes_equal(key_commitment(key.bytes).data(),
                                                  env.key_commitment.data(), kCommitmentBytes)))
        return error("bad_wrapped_key", "the message key does not match the signed commitment");
    return key;
}

Expected<std::string> decrypt(const Envelope& env, const MessageKey& key) {
    constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (env.nonce.size() != kNonceBytes || env.ciphertext.size() < kTag)
        return error("bad_ciphertext", "the message does not decrypt");
    const auto ad = envelope_ad(env.version, env.room, env.sender_device, env.client_msg_id);
    std::string plaintext(env.ciphertext.size() - kTag, '\0');
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plaintext.data()), nullptr, nullptr,
            env.ciphertext.data(), env.ciphertext.size(), ad.data(), ad.size(), env.nonce.data(),
            key.bytes.data()) != 0) {
        sodium_memzero(plaintext.data(), plaintext.size());
        return error("bad_ciphertext", "the message does not decrypt");
    }
    return plaintext;
}

}  // namespace

Expected<std::string> open(const Envelope& env, const DeviceKeys& me, std::string_view my_device,
                           const PublicIdentity& sender) {
    init();
    if (auto refused = check_signed(env, sender))
        return std::move(*refused);
    auto key = unwrap(env, me, my_device, sender);
    if (!key)
        return key.error();
    return decrypt(env, key.value());
}

Expected<MessageKey> message_key(const Envelope& env, const DeviceKeys& me,
                                 std::string_view my_device, const PublicIdentity& sender) {
    init();
    if (env.version == 1)
        return error("bad_request", "a version 1 envelope's key cannot be checked on its own");
    if (auto refused = check_signed(env, sender))
        return std::move(*refused);
    return unwrap(env, me, my_device, sender);
}

Expected<std::string> open_with_key(const Envelope& env, const MessageKey& key,
                                    const PublicIdentity& sender) {
    init();
    if (env.version == 1)
        return error("bad_request", "a version 1 envelope's key cannot be checked on its own");
    if (auto refused = check_signed(env, sender))
        return std::move(*refused);
    if (env.key_commitment.size() != kCommitmentBytes ||
        !detail::bytes_equal(key_commitment(key.bytes).data(), env.key_commitment.data(),
                             kCommitmentBytes))
        return error("bad_wrapped_key", "the message key does not match the signed commitment");
    return decrypt(env, key);
}

std::optional<std::vector<unsigned char>> open_sealed(const DeviceKeys& me,
                                                      std::span<const unsigned char> sealed) {
    init();
    if (sealed.size() < crypto_box_SEALBYTES)
        return std::nullopt;
    const auto& id = me.identity();
    std::vector<unsigned char> out(sealed.size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), id.box_key.data(),
                             Access::secrets(me).box_sk.data()) != 0)
        return std::nullopt;
    return out;
}

std::array<unsigned char, 32> message_hash(const Envelope& env) {
    init();
    auto bytes = concat(kMessageHashLabel, envelope_transcript(env));
    const auto sig = env.signature.bytes();
    bytes.insert(bytes.end(), sig.begin(), sig.end());
    std::array<unsigned char, 32> out{};
    crypto_generichash(out.data(), out.size(), bytes.data(), bytes.size(), nullptr, 0);
    return out;
}

Signature sign_envelope(const DeviceKeys& sender, const Envelope& env) {
    init();
    return sign_bytes(Access::secrets(sender).sign_sk.data(), envelope_transcript(env));
}

bool signature_valid(const Envelope& env, const SignPublicKey& sign_key) {
    return env.version >= 1 && env.version <= 3 &&
           verify_bytes(sign_key, envelope_transcript(env), env.signature);
}

std::vector<std::string> recipient_devices(const Envelope& env) {
    if (env.version >= 2)
        return env.recipients;
    std::vector<std::string> out;
    out.reserve(env.keys.size());
    for (const auto& k : env.keys)
        out.push_back(k.device);
    return out;
}

Envelope for_device(const Envelope& env, std::string_view device) {
    if (env.version == 1)
        return env;
    Envelope out = env;
    std::erase_if(out.keys, [&](const WrappedKey& k) { return k.device != device; });
    return out;
}

}  // namespace liaise::crypto
