#include "history_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <array>
#include <boost/json.hpp>
#include <ctime>
#include <optional>
#include <span>

#include "liaise/protocol/fields.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using protocol::num;
using protocol::str;

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kPadBlock = 256;  // sealed sizes say little about the text's length
constexpr std::size_t kRoomIdBytes = 16;
constexpr const char* kCheckText = "liaise-history-check-v1";

/// The two keys of this device's store, in guarded memory, wiped when freed.
struct Secrets {
    unsigned char seal[kKeyBytes];     // rows and the check value
    unsigned char room_id[kKeyBytes];  // the keyed hash that files rows under a room
};
struct SecretsFree {
    void operator()(Secrets* s) const noexcept { sodium_free(s); }
};
using SecretsPtr = std::unique_ptr<Secrets, SecretsFree>;

/// The store's keys from the device's secret box key, which only the keystore holds: a keyed
/// BLAKE2b with this purpose gives the store's master key, from which crypto_kdf derives one
/// key per use. Another device (or this one after its keys are replaced) gets other keys.
SecretsPtr derive_secrets(const crypto::DeviceKeys& keys) {
    SecretsPtr out(static_cast<Secrets*>(sodium_malloc(sizeof(Secrets))));
    if (!out)
        throw std::bad_alloc();
    auto* raw = static_cast<unsigned char*>(sodium_malloc(crypto::kDeviceKeysBytes));
    auto* master = static_cast<unsigned char*>(sodium_malloc(crypto_kdf_KEYBYTES));
    if (!raw || !master) {
        sodium_free(raw);
        sodium_free(master);
        throw std::bad_alloc();
    }
    crypto::export_device_keys(
        keys, std::span<unsigned char, crypto::kDeviceKeysBytes>(raw, crypto::kDeviceKeysBytes));
    // export_device_keys' layout: sign_sk (64) || box_sk (32) || public parts.
    const unsigned char* box_secret = raw + crypto_sign_SECRETKEYBYTES;
    static constexpr char kPurpose[] = "liaise-history-store-v1";
    crypto_generichash(master, crypto_kdf_KEYBYTES,
                       reinterpret_cast<const unsigned char*>(kPurpose), sizeof kPurpose - 1,
                       box_secret, crypto_box_SECRETKEYBYTES);
    crypto_kdf_derive_from_key(out->seal, kKeyBytes, 1, "lhistory", master);
    crypto_kdf_derive_from_key(out->room_id, kKeyBytes, 2, "lhistory", master);
    sodium_free(raw);  // sodium_free wipes before freeing
    sodium_free(master);
    return out;
}

void put_u64(std::string& out, std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i, u >>= 8)
        out.push_back(static_cast<char>(u & 0xff));
}

/// What a row is bound to besides its content: its room, its seq and the seq of the row before
/// it in that room (0 for the first), so that no row opens in another place.
std::string row_ad(const std::string& owner, const std::string& room, std::int64_t seq,
                   std::int64_t prev) {
    std::string ad = "liaise-history-row-v1";
    ad.push_back('\0');
    ad += owner;
    ad.push_back('\0');
    ad += room;
    ad.push_back('\0');
    put_u64(ad, seq);
    put_u64(ad, prev);
    return ad;
}

std::vector<unsigned char> seal(const Secrets& s, std::string_view plain, std::string_view ad) {
    std::vector<unsigned char> padded(plain.begin(), plain.end());
    padded.resize(plain.size() + kPadBlock);
    std::size_t padded_len = 0;
    (void)sodium_pad(&padded_len, padded.data(), plain.size(), kPadBlock, padded.size());
    std::vector<unsigned char> out(kNonceBytes + padded_len +
                                   crypto_aead_xchacha20poly1305_ietf_ABYTES);
    randombytes_buf(out.data(), kNonceBytes);
    unsigned long long len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.data() + kNonceBytes, &len, padded.data(), padded_len,
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, out.data(), s.seal);
    out.resize(kNonceBytes + len);
    sodium_memzero(padded.data(), padded.size());
    return out;
}

std::optional<std::string> open_sealed(const Secrets& s, std::span<const unsigned char> sealed,
                                       std::string_view ad) {
    if (sealed.size() < kNonceBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return std::nullopt;
    std::vector<unsigned char> plain(sealed.size());
    unsigned long long len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain.data(), &len, nullptr, sealed.data() + kNonceBytes, sealed.size() - kNonceBytes,
            reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), sealed.data(),
            s.seal) != 0)
        return std::nullopt;
    std::size_t unpadded = 0;
    if (sodium_unpad(&unpadded, plain.data(), len, kPadBlock) != 0)
        return std::nullopt;
    std::string out(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(unpadded));
    sodium_memzero(plain.data(), plain.size());
    return out;
}

json::array warnings_json(const std::vector<Warning>& warnings) {
    json::array out;
    for (const auto& w : warnings)
        out.push_back(json::object{{"code", w.code}, {"message", w.message}});
    return out;
}

/// A row's sealed content: everything of `m` but its room and seq (the associated data).
std::string row_plaintext(const ReadMessage& m) {
    json::object o{{"sent_at", m.sent_at}, {"warnings", warnings_json(m.warnings)}};
    if (!m.hash.empty())
        o["hash"] = m.hash;
    if (m.event) {
        o["event"] = *m.event;
    } else {
        o["sender"] = m.sender;
        o["sender_device"] = m.sender_device;
        if (m.text)
            o["text"] = *m.text;
        else
            o["error"] = json::object{{"code", m.error.code}, {"message", m.error.message}};
    }
    return json::serialize(o);
}

std::optional<ReadMessage> row_message(const std::string& room, std::int64_t seq,
                                       std::string_view plain) {
    boost::system::error_code ec;
    const auto v = json::parse(plain, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const auto& o = v.get_object();
    ReadMessage m;
    m.room = room;
    m.seq = seq;
    m.sent_at = num(o, "sent_at");
    if (const auto* ws = o.if_contains("warnings"); ws && ws->is_array())
        for (const auto& w : ws->get_array())
            if (w.is_object())
                m.warnings.push_back({str(w.get_object(), "code"), str(w.get_object(), "message")});
    if (const auto* e = o.if_contains("event"); e && e->is_object()) {
        m.event = e->get_object();
        return m;
    }
    m.hash = str(o, "hash");
    m.sender = str(o, "sender");
    m.sender_device = str(o, "sender_device");
    if (const auto* t = o.if_contains("text"); t && t->is_string())
        m.text = std::string(t->get_string());
    else if (const auto* e = o.if_contains("error"); e && e->is_object())
        m.error = {str(e->get_object(), "code"), str(e->get_object(), "message")};
    else
        return std::nullopt;
    return m;
}

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

}  // namespace

struct HistoryStore::Impl {
    fs::path path;
    std::string owner;  // "user/device"
    std::string user;
    SecretsPtr secrets;
    std::unique_ptr<SQLite::Database> db;
    std::map<std::string, std::int64_t> tails;  // room -> highest seq kept, once looked up
    std::vector<std::string> notes;

    std::vector<unsigned char> room_id(const std::string& room) const {
        std::vector<unsigned char> id(kRoomIdBytes);
        crypto_generichash(id.data(), id.size(),
                           reinterpret_cast<const unsigned char*>(room.data()), room.size(),
                           secrets->room_id, kKeyBytes);
        return id;
    }

    std::string check_ad() const { return std::string("check") + '\0' + owner; }

    /// Opens the file, creating it (mode 0600) and its tables; throws SQLite::Exception.
    void connect() {
        tails.clear();
        db.reset();
        // Created here with 0600 before SQLite sees it; SQLite gives its journal the same mode.
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            (void)::fchmod(fd, 0600);
            ::close(fd);
        }
        db = std::make_unique<SQLite::Database>(path.string(),
                                                SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
        // A withdrawn message's row is sealed again in place (replace()): its old bytes are
        // zeroed in the file, not left in free space.
        db->exec("PRAGMA secure_delete=ON");
        db->exec(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS rows (room BLOB NOT NULL, seq INTEGER NOT NULL, "
            "sealed BLOB NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID;");
        SQLite::Statement check(*db, "SELECT value FROM meta WHERE name = 'check'");
        std::optional<std::vector<unsigned char>> value;
        if (check.executeStep()) {
            const auto* b = static_cast<const unsigned char*>(check.getColumn(0).getBlob());
            value.emplace(b, b + check.getColumn(0).getBytes());
        }
        check.reset();
        if (value &&
            open_sealed(*secrets, *value, check_ad()) == std::optional<std::string>(kCheckText))
            return;
        // Not this device's (another device's home copied here, or keys replaced), or damaged:
        // nothing in it can be shown, and all of it can be fetched again.
        SQLite::Statement any(*db, "SELECT 1 FROM rows LIMIT 1");
        const bool had_rows = any.executeStep();
        any.reset();
        SQLite::Transaction t(*db);
        db->exec("DELETE FROM rows");
        const auto sealed = seal(*secrets, kCheckText, check_ad());
        SQLite::Statement put(*db, "INSERT OR REPLACE INTO meta (name, value) VALUES ('check', ?)");
        put.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        put.exec();
        t.commit();
        if (value || had_rows)
            notes.push_back(
                "the history kept on this device was written by another device or is damaged; "
                "it was emptied, and messages are fetched from the server again");
    }

    /// After SQLite could not read the file: removes it and starts again. False if even that
    /// fails (the store is then not used).
    bool restart(const std::string& why) {
        db.reset();
        std::error_code ec;
        for (const char* suffix : {"", "-journal", "-wal", "-shm"})
            fs::remove(path.string() + suffix, ec);
        notes.push_back("the history kept on this device could not be read (" + why +
                        "); it was started again, and messages are fetched from the server again");
        try {
            connect();
            return true;
        } catch (const std::exception& e) {
            notes.push_back("the history cannot be kept on this device: " + std::string(e.what()));
            db.reset();
            return false;
        }
    }
};

HistoryStore::HistoryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HistoryStore::~HistoryStore() = default;

protocol::Expected<std::unique_ptr<HistoryStore>> HistoryStore::open(
    const Home& home, const std::string& user, const std::string& device,
    const crypto::DeviceKeys& keys) {
    std::error_code ec;
    fs::create_directories(home.dir(), ec);
    return open_file(home.dir() / kHistoryFile, user, device, keys);
}

protocol::Expected<std::unique_ptr<HistoryStore>> HistoryStore::open_file(
    const fs::path& path, const std::string& user, const std::string& device,
    const crypto::DeviceKeys& keys) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->user = user;
    impl->owner = user + "/" + device;
    impl->secrets = derive_secrets(keys);
    try {
        impl->connect();
    } catch (const std::exception& e) {
        if (!impl->restart(e.what()))
            return failure("history_unavailable",
                           "the history cannot be kept on this device (" + path.string() + ")");
    }
    return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(impl)));
}

KeptRoom HistoryStore::load(const std::string& room) {
    KeptRoom out;
    if (!impl_->db)
        return out;
    try {
        SQLite::Statement q(*impl_->db, "SELECT seq, sealed FROM rows WHERE room = ? ORDER BY seq");
        const auto id = impl_->room_id(room);
        q.bind(1, id.data(), static_cast<int>(id.size()));
        std::int64_t prev = 0;
        bool broken = false;  // the history after this point must come from the server again
        while (q.executeStep()) {
            const auto seq = q.getColumn(0).getInt64();
            const auto* b = static_cast<const unsigned char*>(q.getColumn(1).getBlob());
            const std::span<const unsigned char> sealed(
                b, static_cast<std::size_t>(q.getColumn(1).getBytes()));
            const auto plain =
                open_sealed(*impl_->secrets, sealed, row_ad(impl_->owner, room, seq, prev));
            prev = seq;
            auto m = plain ? row_message(room, seq, *plain) : std::nullopt;
            if (!m) {
                out.refused.push_back(seq);
                broken = true;
                continue;
            }
            if (!broken) {
                // A hole is a message the server left out (or a row taken out of this file),
                // unless this account was out of the room and has just been added again.
                const bool rejoined = m->event && str(*m->event, "kind") == "member_added" &&
                                      str(*m->event, "user") == impl_->user;
                if (out.resume_after != 0 && seq != out.resume_after + 1 && !rejoined)
                    broken = true;
                else if (!m->text && !m->event && m->error.code == "key_changed")
                    broken = true;  // readable once the person verifies the new key
                else
                    out.resume_after = seq;
            }
            out.messages.push_back(std::move(*m));
        }
        impl_->tails[room] = prev;
    } catch (const std::exception& e) {
        impl_->restart(e.what());
        return {};
    }
    return out;
}

std::int64_t HistoryStore::tail(const std::string& room) {
    if (!impl_->db)
        return 0;
    if (const auto it = impl_->tails.find(room); it != impl_->tails.end())
        return it->second;
    try {
        SQLite::Statement q(*impl_->db, "SELECT COALESCE(MAX(seq), 0) FROM rows WHERE room = ?");
        const auto id = impl_->room_id(room);
        q.bind(1, id.data(), static_cast<int>(id.size()));
        q.executeStep();
        return impl_->tails[room] = q.getColumn(0).getInt64();
    } catch (const std::exception& e) {
        impl_->restart(e.what());
        return 0;
    }
}

bool HistoryStore::keep(const std::string& room, std::int64_t after,
                        const std::vector<ReadMessage>& messages, Replace replace) {
    if (!impl_->db)
        return false;
    try {
        const auto id = impl_->room_id(room);
        // IMMEDIATE: another process of this home (a chat beside a read) waits its turn rather
        // than failing when both read the room's last row and then write after it.
        SQLite::Transaction t(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement drop(*impl_->db, "DELETE FROM rows WHERE room = ? AND seq > ?");
        drop.bind(1, id.data(), static_cast<int>(id.size()));
        drop.bind(2, after);
        if (replace == Replace::yes)
            drop.exec();
        SQLite::Statement last(*impl_->db, "SELECT COALESCE(MAX(seq), 0) FROM rows WHERE room = ?");
        last.bind(1, id.data(), static_cast<int>(id.size()));
        last.executeStep();
        std::int64_t prev = last.getColumn(0).getInt64();
        last.reset();
        SQLite::Statement put(*impl_->db, "INSERT INTO rows (room, seq, sealed) VALUES (?, ?, ?)");
        for (const auto& m : messages) {
            if (m.seq <= prev || m.room != room)
                continue;
            const auto sealed =
                seal(*impl_->secrets, row_plaintext(m), row_ad(impl_->owner, room, m.seq, prev));
            put.bind(1, id.data(), static_cast<int>(id.size()));
            put.bind(2, m.seq);
            put.bind(3, sealed.data(), static_cast<int>(sealed.size()));
            put.exec();
            put.reset();
            prev = m.seq;
        }
        t.commit();
        impl_->tails[room] = prev;
        return true;
    } catch (const std::exception& e) {
        impl_->tails.erase(room);
        impl_->notes.push_back("new messages could not be kept on this device (" +
                               std::string(e.what()) + ")");
        return false;
    }
}

bool HistoryStore::append(const ReadMessage& message) {
    if (!impl_->db || message.seq <= tail(message.room))
        return false;
    // Placed after the room's last row as the file has it now, which another process of this
    // home may have moved on since tail() was cached: never replaces what is there.
    return keep(message.room, message.seq - 1, {message}, Replace::no);
}

bool HistoryStore::replace(const ReadMessage& tombstone) {
    if (!impl_->db)
        return false;
    try {
        const auto id = impl_->room_id(tombstone.room);
        SQLite::Transaction t(*impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement prev(*impl_->db,
                               "SELECT COALESCE(MAX(seq), 0) FROM rows WHERE room = ? AND seq < ?");
        prev.bind(1, id.data(), static_cast<int>(id.size()));
        prev.bind(2, tombstone.seq);
        prev.executeStep();
        const auto before = prev.getColumn(0).getInt64();
        prev.reset();
        const auto sealed = seal(*impl_->secrets, row_plaintext(tombstone),
                                 row_ad(impl_->owner, tombstone.room, tombstone.seq, before));
        SQLite::Statement put(*impl_->db, "UPDATE rows SET sealed = ? WHERE room = ? AND seq = ?");
        put.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        put.bind(2, id.data(), static_cast<int>(id.size()));
        put.bind(3, tombstone.seq);
        const bool changed = put.exec() > 0;
        t.commit();
        return changed;
    } catch (const std::exception& e) {
        impl_->notes.push_back("a withdrawn message could not be deleted from this device (" +
                               std::string(e.what()) + ")");
        return false;
    }
}

std::vector<std::string> HistoryStore::take_notes() {
    return std::exchange(impl_->notes, {});
}

std::string kept_summary(const std::vector<ReadMessage>& messages) {
    std::size_t count = 0;
    for (const auto& m : messages)
        if (!m.event)
            ++count;
    std::string out = count == 1 ? "the 1 message kept on this device"
                                 : "the " + std::to_string(count) + " messages kept on this device";
    if (messages.empty())
        return out;
    const std::time_t t = static_cast<std::time_t>(messages.back().sent_at / 1000);
    std::tm local{};
    char when[64] = {};
    if (::localtime_r(&t, &local) != nullptr &&
        std::strftime(when, sizeof when, "%e %b %Y %H:%M", &local) > 0)
        out += std::string(", up to ") + (when[0] == ' ' ? when + 1 : when);  // "6 Dec", not " 6"
    return out;
}

}  // namespace liaise::client
