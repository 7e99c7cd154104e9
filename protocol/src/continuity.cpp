#include "liaise/protocol/continuity.hpp"

#include "crypto_internal.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>

namespace liaise::crypto {

using detail::Encoder;
using detail::error;
using protocol::Expected;
namespace json = boost::json;

namespace {

constexpr std::string_view kKeyEntryLabel = "liaise-key-entry-v1";
constexpr std::string_view kRecoveryCheckLabel = "liaise-recovery-check-v1";
constexpr std::string_view kBackupKeyLabel = "liaise-backup-key-v1";
constexpr std::string_view kBackupPublicKeyLabel = "liaise-backup-public-key-v1";
constexpr std::string_view kTransferLabel = "liaise-transfer-v1";
constexpr std::string_view kShareLabel = "liaise-history-share-v1";
constexpr char kBase32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
constexpr std::size_t kRecoverySymbols = 48;
constexpr std::size_t kTransferSymbols = 10;

/// Symbols of Crockford's base32 for `bytes`, 5 bits at a time from the most significant
/// (bytes.size() * 8 must be a multiple of 5).
std::string base32(std::span<const unsigned char> bytes) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out += kBase32[(acc >> bits) & 31];
        }
    }
    return out;
}

/// Canonical symbols of loosely typed base32 (case, spaces, dashes; O, I, L), or nullopt if a
/// character is not one.
std::optional<std::string> canonical_symbols(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        if (c == 'O')
            c = '0';
        if (c == 'I' || c == 'L')
            c = '1';
        if (std::string_view(kBase32).find(c) == std::string_view::npos)
            return std::nullopt;
        out += c;
    }
    return out;
}

/// The bytes of canonical symbols (symbols * 5 a multiple of 8).
std::vector<unsigned char> from_base32(std::string_view symbols) {
    std::vector<unsigned char> out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : symbols) {
        acc = (acc << 5) | static_cast<std::uint32_t>(std::string_view(kBase32).find(c));
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>(acc >> bits));
        }
    }
    return out;
}

std::array<unsigned char, 2> recovery_check(std::span<const unsigned char> secret) {
    // label || secret, with no lengths in front.
    std::vector<unsigned char> input(kRecoveryCheckLabel.begin(), kRecoveryCheckLabel.end());
    input.insert(input.end(), secret.begin(), secret.end());
    std::array<unsigned char, 32> h{};
    crypto_generichash(h.data(), h.size(), input.data(), input.size(), nullptr, 0);
    sodium_memzero(input.data(), input.size());
    return {h[0], h[1]};
}

/// Reads key_entry_plaintext() back, if it is one.
std::optional<KeyEntry> parse_entry(std::span<const unsigned char> p) {
    std::size_t at = 0;
    const auto number = [&]() -> std::optional<std::uint64_t> {
        if (p.size() - at < 8)
            return std::nullopt;
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | p[at++];
        return n;
    };
    const auto item = [&]() -> std::optional<std::span<const unsigned char>> {
        const auto n = number();
        if (!n || p.size() - at < *n)
            return std::nullopt;
        auto out = p.subspan(at, *n);
        at += *n;
        return out;
    };
    const auto label = item();
    if (!label ||
        !std::equal(label->begin(), label->end(), kKeyEntryLabel.begin(), kKeyEntryLabel.end()))
        return std::nullopt;
    const auto room = item();
    const auto seq = number();
    const auto hash = item();
    const auto key = item();
    if (!room || !seq || !hash || !key || hash->size() != 32 || key->size() != 32 ||
        at != p.size() || *seq > (std::uint64_t{1} << 53))
        return std::nullopt;
    KeyEntry e;
    e.room.assign(room->begin(), room->end());
    e.seq = static_cast<std::int64_t>(*seq);
    std::copy(hash->begin(), hash->end(), e.message_hash.begin());
    std::copy(key->begin(), key->end(), e.key.bytes.begin());
    return e;
}

/// The checked entry of an opened plaintext (wiped here), or `code`.
Expected<KeyEntry> checked_entry(std::vector<unsigned char>& plain, std::string_view room,
                                 std::int64_t seq, const char* code) {
    auto entry = parse_entry(plain);
    sodium_memzero(plain.data(), plain.size());
    if (!entry)
        return error(code, "the key entry is malformed");
    if (entry->room != room || entry->seq != seq)
        return error(code, "the key entry belongs to another message (room " + entry->room +
                               ", seq " + std::to_string(entry->seq) + ")");
    return std::move(*entry);
}

Signature sign_with(const DeviceKeys& keys, const std::vector<unsigned char>& transcript) {
    return keys.sign(transcript);
}

bool verify_with(const SignPublicKey& key, const std::vector<unsigned char>& transcript,
                 const Signature& sig) {
    init();
    return crypto_sign_verify_detached(sig.data(), transcript.data(), transcript.size(),
                                       key.data()) == 0;
}

}  // namespace

// ---- key entries
// ---------------------------------------------------------------------------------

std::vector<unsigned char> key_entry_plaintext(const KeyEntry& entry) {
    Encoder e;
    e.text(kKeyEntryLabel)
        .text(entry.room)
        .number(static_cast<std::uint64_t>(entry.seq))
        .bytes(entry.message_hash)
        .bytes(entry.key.bytes);
    return e.result();
}

std::vector<unsigned char> seal_key_entry(const KeyEntry& entry, const BoxPublicKey& to) {
    init();
    auto plain = key_entry_plaintext(entry);
    std::vector<unsigned char> out(plain.size() + crypto_box_SEALBYTES);
    const int rc = crypto_box_seal(out.data(), plain.data(), plain.size(), to.data());
    sodium_memzero(plain.data(), plain.size());
    if (rc != 0)
        throw std::invalid_argument("seal_key_entry: unusable public key");
    return out;
}

Expected<KeyEntry> open_shared_entry(const DeviceKeys& me, std::span<const unsigned char> sealed,
                                     std::string_view room, std::int64_t seq) {
    auto plain = open_sealed(me, sealed);
    if (!plain)
        return error("bad_share", "a shared key does not open for this device");
    return checked_entry(*plain, room, seq, "bad_share");
}

// ---- recovery key
// --------------------------------------------------------------------------------

RecoveryKey RecoveryKey::generate() {
    init();
    RecoveryKey k;
    randombytes_buf(k.secret_.data(), k.secret_.size());
    return k;
}

RecoveryKey RecoveryKey::from_secret(std::span<const unsigned char, kRecoverySecretBytes> secret) {
    RecoveryKey k;
    std::copy(secret.begin(), secret.end(), k.secret_.begin());
    return k;
}

RecoveryKey::~RecoveryKey() {
    sodium_memzero(secret_.data(), secret_.size());
}

Expected<RecoveryKey> RecoveryKey::parse(std::string_view text) {
    init();
    auto symbols = canonical_symbols(text);
    if (!symbols || symbols->size() != kRecoverySymbols)
        return error("bad_recovery_key",
                     "a recovery key is 48 letters and digits (12 groups of 4); check what you "
                     "typed");
    auto bytes = from_base32(*symbols);
    sodium_memzero(symbols->data(), symbols->size());
    RecoveryKey k;
    std::copy(bytes.begin(), bytes.begin() + kRecoverySecretBytes, k.secret_.begin());
    const auto check = recovery_check(k.secret_);
    const bool ok =
        bytes[kRecoverySecretBytes] == check[0] && bytes[kRecoverySecretBytes + 1] == check[1];
    sodium_memzero(bytes.data(), bytes.size());
    if (!ok)
        return error("bad_recovery_key",
                     "that is not a recovery key (a letter is wrong or two are swapped); check "
                     "what you typed");
    return k;
}

std::string RecoveryKey::text() const {
    std::array<unsigned char, kRecoverySecretBytes + 2> bytes{};
    std::copy(secret_.begin(), secret_.end(), bytes.begin());
    const auto check = recovery_check(secret_);
    bytes[kRecoverySecretBytes] = check[0];
    bytes[kRecoverySecretBytes + 1] = check[1];
    const auto symbols = base32(bytes);
    sodium_memzero(bytes.data(), bytes.size());
    std::string out;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (i > 0 && i % 4 == 0)
            out += ' ';
        out += symbols[i];
    }
    return out;
}

namespace {

/// The backup key pair's secret and public keys, from the recovery secret.
void backup_key_pair(std::span<const unsigned char, kRecoverySecretBytes> secret,
                     std::array<unsigned char, 32>& pk, std::array<unsigned char, 32>& sk) {
    init();
    std::array<unsigned char, 32> seed{};
    crypto_generichash(seed.data(), seed.size(),
                       reinterpret_cast<const unsigned char*>(kBackupKeyLabel.data()),
                       kBackupKeyLabel.size(), secret.data(), secret.size());
    crypto_box_seed_keypair(pk.data(), sk.data(), seed.data());
    sodium_memzero(seed.data(), seed.size());
}

}  // namespace

BoxPublicKey RecoveryKey::backup_public_key() const {
    std::array<unsigned char, 32> pk{}, sk{};
    backup_key_pair(secret_, pk, sk);
    sodium_memzero(sk.data(), sk.size());
    return BoxPublicKey(pk);
}

Expected<KeyEntry> RecoveryKey::open_entry(std::span<const unsigned char> sealed,
                                           std::string_view room, std::int64_t seq) const {
    std::array<unsigned char, 32> pk{}, sk{};
    backup_key_pair(secret_, pk, sk);
    if (sealed.size() < crypto_box_SEALBYTES) {
        sodium_memzero(sk.data(), sk.size());
        return error("bad_backup_entry", "the backup entry is too short");
    }
    std::vector<unsigned char> plain(sealed.size() - crypto_box_SEALBYTES);
    const int rc =
        crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), pk.data(), sk.data());
    sodium_memzero(sk.data(), sk.size());
    if (rc != 0)
        return error("bad_backup_entry", "the backup entry does not open with this recovery key");
    return checked_entry(plain, room, seq, "bad_backup_entry");
}

// ---- backup public key
// ----------------------------------------------------------------------------

std::vector<unsigned char> backup_key_transcript(const BackupKeyRecord& r) {
    Encoder e;
    e.text(kBackupPublicKeyLabel)
        .text(r.account)
        .number(static_cast<std::uint64_t>(r.version))
        .bytes(r.public_key.bytes())
        .text(r.device);
    return e.result();
}

void sign_backup_key(BackupKeyRecord& record, const DeviceKeys& keys) {
    record.signature = sign_with(keys, backup_key_transcript(record));
}

bool backup_key_valid(const BackupKeyRecord& record, const SignPublicKey& signer) {
    return record.version >= 1 &&
           verify_with(signer, backup_key_transcript(record), record.signature);
}

// ---- transfer
// -------------------------------------------------------------------------------------

std::string new_transfer_code() {
    const auto bytes = random_bytes(kTransferSymbols);
    std::string code;
    for (std::size_t i = 0; i < kTransferSymbols; ++i) {
        if (i == kTransferSymbols / 2)
            code += '-';
        code += kBase32[bytes[i] & 31];
    }
    return code;
}

std::optional<std::string> normalise_transfer_code(std::string_view text) {
    auto symbols = canonical_symbols(text);
    if (!symbols || symbols->size() != kTransferSymbols)
        return std::nullopt;
    return symbols;
}

namespace {

constexpr std::size_t kTransferSaltBytes = crypto_pwhash_SALTBYTES;

bool transfer_key(std::array<unsigned char, 32>& key, std::string_view code,
                  std::span<const unsigned char> salt) {
    const auto canonical = normalise_transfer_code(code);
    if (!canonical)
        return false;
    if (crypto_pwhash(key.data(), key.size(), canonical->data(), canonical->size(), salt.data(),
                      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("transfer: Argon2id ran out of memory");
    return true;
}

std::vector<unsigned char> transfer_payload(const TransferContents& c) {
    Encoder e;
    e.text(kTransferLabel).text(c.account).text(c.from_device).number(c.entries.size());
    for (const auto& entry : c.entries)
        e.text(entry.room)
            .number(static_cast<std::uint64_t>(entry.seq))
            .bytes(entry.message_hash)
            .bytes(entry.key.bytes);
    return e.result();
}

}  // namespace

std::string seal_transfer(const TransferContents& contents, const DeviceKeys& from,
                          std::string_view code) {
    init();
    auto plain = transfer_payload(contents);
    const auto sig = from.sign(plain);
    plain.insert(plain.end(), sig.bytes().begin(), sig.bytes().end());
    const auto salt = random_bytes(kTransferSaltBytes);
    const auto nonce = random_bytes(crypto_secretbox_NONCEBYTES);
    std::array<unsigned char, 32> key{};
    if (!transfer_key(key, code, salt))
        throw std::invalid_argument("seal_transfer: not a transfer code");
    std::vector<unsigned char> box(plain.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(box.data(), plain.data(), plain.size(), nonce.data(), key.data());
    sodium_memzero(key.data(), key.size());
    sodium_memzero(plain.data(), plain.size());
    json::object o{
        {"v", 1}, {"salt", to_base64(salt)}, {"nonce", to_base64(nonce)}, {"box", to_base64(box)}};
    return json::serialize(o);
}

Expected<TransferContents> open_transfer(
    std::string_view bundle, std::string_view code, std::string_view account,
    const std::function<std::optional<SignPublicKey>(std::string_view device)>& signer_of) {
    init();
    if (!normalise_transfer_code(code))
        return error("bad_transfer_code", "a transfer code is 10 letters and digits: XXXXX-XXXXX");
    boost::system::error_code ec;
    const auto doc = json::parse(bundle, ec);
    const auto* o = ec ? nullptr : doc.if_object();
    const auto field = [&](const char* name) -> std::optional<std::vector<unsigned char>> {
        const auto* v = o ? o->if_contains(name) : nullptr;
        if (!v || !v->is_string())
            return std::nullopt;
        return from_base64(v->get_string());
    };
    const auto salt = field("salt");
    const auto nonce = field("nonce");
    const auto box = field("box");
    if (!salt || !nonce || !box || salt->size() != kTransferSaltBytes ||
        nonce->size() != crypto_secretbox_NONCEBYTES ||
        box->size() < crypto_secretbox_MACBYTES + crypto_sign_BYTES)
        return error("bad_transfer", "the transfer bundle is malformed");
    std::array<unsigned char, 32> key{};
    transfer_key(key, code, *salt);
    std::vector<unsigned char> plain(box->size() - crypto_secretbox_MACBYTES);
    const int rc = crypto_secretbox_open_easy(plain.data(), box->data(), box->size(), nonce->data(),
                                              key.data());
    sodium_memzero(key.data(), key.size());
    if (rc != 0)
        return error("bad_transfer_code",
                     "the transfer does not open with that code; check the code the old device "
                     "shows");
    // payload || signature; read the payload as transfer_payload() wrote it.
    const std::span<const unsigned char> all(plain);
    const auto payload = all.first(all.size() - crypto_sign_BYTES);
    const Signature sig(all.last<crypto_sign_BYTES>());
    std::size_t at = 0;
    const auto number = [&]() -> std::optional<std::uint64_t> {
        if (payload.size() - at < 8)
            return std::nullopt;
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i)
            n = (n << 8) | payload[at++];
        return n;
    };
    const auto item = [&]() -> std::optional<std::string> {
        const auto n = number();
        if (!n || payload.size() - at < *n)
            return std::nullopt;
        std::string out(payload.begin() + static_cast<std::ptrdiff_t>(at),
                        payload.begin() + static_cast<std::ptrdiff_t>(at + *n));
        at += *n;
        return out;
    };
    const auto wipe_fail = [&](std::string why) {
        sodium_memzero(plain.data(), plain.size());
        return error("bad_transfer", std::move(why));
    };
    TransferContents out;
    const auto label = item();
    auto acct = item();
    auto from = item();
    const auto count = number();
    if (!label || *label != kTransferLabel || !acct || !from || !count ||
        *count > payload.size() / 64)
        return wipe_fail("the transfer bundle is malformed");
    out.account = std::move(*acct);
    out.from_device = std::move(*from);
    for (std::uint64_t i = 0; i < *count; ++i) {
        auto room = item();
        const auto seq = number();
        auto hash = item();
        auto k = item();
        if (!room || !seq || !hash || !k || hash->size() != 32 || k->size() != 32)
            return wipe_fail("the transfer bundle is malformed");
        KeyEntry e;
        e.room = std::move(*room);
        e.seq = static_cast<std::int64_t>(*seq);
        std::copy(hash->begin(), hash->end(), e.message_hash.begin());
        std::copy(k->begin(), k->end(), e.key.bytes.begin());
        sodium_memzero(k->data(), k->size());
        out.entries.push_back(std::move(e));
    }
    if (at != payload.size())
        return wipe_fail("the transfer bundle is malformed");
    if (out.account != account)
        return wipe_fail("the transfer is for another account (" + out.account + ")");
    const auto signer = signer_of(out.from_device);
    if (!signer || !verify_with(*signer, {payload.begin(), payload.end()}, sig))
        return wipe_fail("the transfer is not signed by a device of your account (device " +
                         out.from_device + ")");
    sodium_memzero(plain.data(), plain.size());
    return out;
}

// ---- history share
// --------------------------------------------------------------------------------

std::vector<unsigned char> share_transcript(const HistoryShare& s) {
    Encoder e;
    e.text(kShareLabel)
        .text(s.room)
        .text(s.from_user)
        .text(s.from_device)
        .text(s.to_user)
        .text(s.to_device)
        .number(static_cast<std::uint64_t>(s.since))
        .number(static_cast<std::uint64_t>(s.first_seq))
        .number(static_cast<std::uint64_t>(s.last_seq))
        .number(s.entries.size());
    for (const auto& entry : s.entries)
        e.number(static_cast<std::uint64_t>(entry.seq))
            .bytes(entry.message_hash)
            .bytes(entry.sealed);
    return e.result();
}

void sign_share(HistoryShare& share, const DeviceKeys& keys) {
    share.signature = sign_with(keys, share_transcript(share));
}

bool share_valid(const HistoryShare& s, const SignPublicKey& signer) {
    if (s.since < 0 || s.first_seq < 1 || s.last_seq < s.first_seq)
        return false;
    std::int64_t previous = 0;
    for (const auto& e : s.entries) {
        if (e.seq <= previous || e.seq < s.first_seq || e.seq > s.last_seq)
            return false;
        previous = e.seq;
    }
    return verify_with(signer, share_transcript(s), s.signature);
}

std::string share_to_json(const HistoryShare& s) {
    json::array entries;
    for (const auto& e : s.entries)
        entries.push_back(json::object{
            {"seq", e.seq}, {"hash", to_base64(e.message_hash)}, {"sealed", to_base64(e.sealed)}});
    json::object o{{"room", s.room},
                   {"from_user", s.from_user},
                   {"from_device", s.from_device},
                   {"to_user", s.to_user},
                   {"to_device", s.to_device},
                   {"since", s.since},
                   {"first_seq", s.first_seq},
                   {"last_seq", s.last_seq},
                   {"entries", std::move(entries)},
                   {"signature", s.signature.to_base64()}};
    return json::serialize(o);
}

Expected<HistoryShare> share_from_json(std::string_view text) {
    const auto bad = [] { return error("bad_share", "the history share is malformed"); };
    boost::system::error_code ec;
    const auto doc = json::parse(text, ec);
    if (ec || !doc.is_object())
        return bad();
    const auto& o = doc.get_object();
    HistoryShare s;
    const auto str = [&](const char* name, std::string& out) {
        const auto* v = o.if_contains(name);
        if (!v || !v->is_string() || v->get_string().empty() || v->get_string().size() > 128)
            return false;
        out = std::string(v->get_string());
        return true;
    };
    const auto num = [&](const json::object& from, const char* name, std::int64_t& out) {
        const auto* v = from.if_contains(name);
        if (!v || !v->is_int64() || v->get_int64() < 0)
            return false;
        out = v->get_int64();
        return true;
    };
    if (!str("room", s.room) || !str("from_user", s.from_user) ||
        !str("from_device", s.from_device) || !str("to_user", s.to_user) ||
        !str("to_device", s.to_device) || !num(o, "since", s.since) ||
        !num(o, "first_seq", s.first_seq) || !num(o, "last_seq", s.last_seq))
        return bad();
    const auto* sig = o.if_contains("signature");
    const auto* entries = o.if_contains("entries");
    if (!sig || !sig->is_string() || !entries || !entries->is_array() ||
        entries->get_array().size() > kMaxKeys)
        return bad();
    const auto signature = Signature::from_base64(sig->get_string());
    if (!signature)
        return bad();
    s.signature = *signature;
    for (const auto& v : entries->get_array()) {
        if (!v.is_object())
            return bad();
        const auto& eo = v.get_object();
        SharedEntry e;
        const auto* h = eo.if_contains("hash");
        const auto* sealed = eo.if_contains("sealed");
        if (!num(eo, "seq", e.seq) || !h || !h->is_string() || !sealed || !sealed->is_string())
            return bad();
        const auto hash = from_base64(h->get_string());
        auto sealed_bytes = from_base64(sealed->get_string());
        if (!hash || hash->size() != 32 || !sealed_bytes || sealed_bytes->size() > 1024)
            return bad();
        std::copy(hash->begin(), hash->end(), e.message_hash.begin());
        e.sealed = std::move(*sealed_bytes);
        s.entries.push_back(std::move(e));
    }
    return s;
}

}  // namespace liaise::crypto
