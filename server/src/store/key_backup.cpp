#include "store/key_backup.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <boost/json.hpp>

#include "store/db.hpp"

namespace liaise::server::key_backup {

namespace json = boost::json;

void create_schema(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS backup_keys(
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  version INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS backup_entries(
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  sealed TEXT NOT NULL,
  PRIMARY KEY(account_id, room_id, version, seq));
CREATE TABLE IF NOT EXISTS key_transfers(
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  from_device INTEGER NOT NULL REFERENCES devices(id),
  bundle TEXT NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS history_shares(
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  to_device INTEGER NOT NULL REFERENCES devices(id),
  from_device INTEGER NOT NULL REFERENCES devices(id),
  since INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  share TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS history_shares_by_device ON history_shares(to_device, room_id);
)sql");
}

std::optional<PublicKeyRecord> current_key(SQLite::Database& db, std::int64_t account) {
    SQLite::Statement q(db,
                        "SELECT version, public_key, device_id, signature FROM backup_keys WHERE "
                        "account_id = ?");
    q.bind(1, account);
    if (!q.executeStep())
        return std::nullopt;
    return PublicKeyRecord{q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                           q.getColumn(2).getInt64(), q.getColumn(3).getString()};
}

void set_key(SQLite::Database& db, std::int64_t account, const PublicKeyRecord& r) {
    exec(db,
         "INSERT INTO backup_keys(account_id, version, public_key, device_id, signature) "
         "VALUES(?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET version = excluded.version, "
         "public_key = excluded.public_key, device_id = excluded.device_id, signature = "
         "excluded.signature",
         account, r.version, r.public_key, r.device, r.signature);
}

int put_entries(SQLite::Database& db, std::int64_t account, std::int64_t room, std::int64_t version,
                const std::vector<std::pair<std::int64_t, std::string>>& list) {
    SQLite::Statement q(db,
                        "INSERT OR IGNORE INTO backup_entries(account_id, room_id, seq, version, "
                        "sealed) VALUES(?, ?, ?, ?, ?)");
    int stored = 0;
    for (const auto& [seq, sealed] : list) {
        SQLite::bind(q, account, room, seq, version, sealed);
        stored += q.exec();
        q.reset();
    }
    return stored;
}

std::vector<std::pair<std::int64_t, std::string>> entries(SQLite::Database& db,
                                                          std::int64_t account, std::int64_t room,
                                                          std::int64_t version, std::int64_t after,
                                                          std::int64_t limit) {
    SQLite::Statement q(db,
                        "SELECT seq, sealed FROM backup_entries WHERE account_id = ? AND room_id = "
                        "? AND version = ? AND seq > ? ORDER BY seq LIMIT ?");
    SQLite::bind(q, account, room, version, after, limit);
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (q.executeStep())
        out.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
    return out;
}

void put_transfer(SQLite::Database& db, std::int64_t account, std::int64_t from_device,
                  const std::string& bundle, std::int64_t expires_at) {
    exec(db, "DELETE FROM key_transfers WHERE account_id = ?", account);
    exec(db,
         "INSERT INTO key_transfers(account_id, from_device, bundle, expires_at) VALUES(?, ?, ?, "
         "?)",
         account, from_device, bundle, expires_at);
}

std::optional<Transfer> take_transfer(SQLite::Database& db, std::int64_t account,
                                      std::int64_t device, std::int64_t now) {
    SQLite::Statement q(db,
                        "SELECT from_device, bundle, expires_at FROM key_transfers WHERE "
                        "account_id = ?");
    q.bind(1, account);
    if (!q.executeStep())
        return std::nullopt;
    Transfer t{q.getColumn(0).getInt64(), q.getColumn(1).getString()};
    const bool expired = q.getColumn(2).getInt64() < now;
    q.reset();
    if (!expired && t.from_device == device)
        return std::nullopt;  // the old device cannot take back its own bundle
    exec(db, "DELETE FROM key_transfers WHERE account_id = ?", account);
    if (expired)
        return std::nullopt;
    return t;
}

void put_share(SQLite::Database& db, const Share& s) {
    exec(db,
         "INSERT INTO history_shares(room_id, to_device, from_device, since, first_seq, last_seq, "
         "share, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
         s.room, s.to_device, s.from_device, s.since, s.first_seq, s.last_seq, s.json, now_ms());
}

std::vector<std::string> shares_for(SQLite::Database& db, std::int64_t room, std::int64_t device) {
    SQLite::Statement q(db,
                        "SELECT share FROM history_shares WHERE room_id = ? AND to_device = ? "
                        "ORDER BY id");
    SQLite::bind(q, room, device);
    std::vector<std::string> out;
    while (q.executeStep())
        out.push_back(q.getColumn(0).getString());
    return out;
}

std::optional<std::int64_t> room_id(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(db, "SELECT id FROM rooms WHERE name = ?");
    q.bind(1, name);
    if (!q.executeStep())
        return std::nullopt;
    return q.getColumn(0).getInt64();
}

std::optional<std::int64_t> joined_seq(SQLite::Database& db, std::int64_t room,
                                       std::int64_t account) {
    SQLite::Statement q(db,
                        "SELECT joined_seq FROM room_members WHERE room_id = ? AND account_id = ?");
    SQLite::bind(q, room, account);
    if (!q.executeStep())
        return std::nullopt;
    return q.getColumn(0).getInt64();
}

bool is_message(SQLite::Database& db, std::int64_t room, std::int64_t seq) {
    SQLite::Statement q(db,
                        "SELECT 1 FROM messages WHERE room_id = ? AND seq = ? AND event IS NULL");
    SQLite::bind(q, room, seq);
    return q.executeStep();
}

namespace {

constexpr const char* kDeviceColumns =
    "SELECT id, name, sign_key, box_key, box_key_signature FROM devices WHERE account_id = ? AND "
    "revoked_at IS NULL ";

DeviceKeys device_from(SQLite::Statement& q) {
    return {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
            q.getColumn(3).getString(), q.getColumn(4).getString()};
}

}  // namespace

std::optional<DeviceKeys> current_device(SQLite::Database& db, std::int64_t account,
                                         std::int64_t device) {
    SQLite::Statement q(db, std::string(kDeviceColumns) + "AND id = ?");
    SQLite::bind(q, account, device);
    if (!q.executeStep())
        return std::nullopt;
    return device_from(q);
}

std::optional<DeviceKeys> any_device(SQLite::Database& db, std::int64_t account,
                                     std::int64_t device) {
    SQLite::Statement q(db,
                        "SELECT id, name, sign_key, box_key, box_key_signature FROM devices WHERE "
                        "account_id = ? AND id = ?");
    SQLite::bind(q, account, device);
    if (!q.executeStep())
        return std::nullopt;
    return device_from(q);
}

std::vector<DeviceKeys> current_devices(SQLite::Database& db, std::int64_t account) {
    SQLite::Statement q(db, std::string(kDeviceColumns) + "ORDER BY id");
    q.bind(1, account);
    std::vector<DeviceKeys> out;
    while (q.executeStep())
        out.push_back(device_from(q));
    return out;
}

std::optional<std::string> message_without_keys(SQLite::Database& db, std::int64_t room,
                                                const std::string& room_name, std::int64_t seq) {
    SQLite::Statement q(db,
                        "SELECT m.envelope, m.sent_at, d.id, a.username, d.sign_key, d.box_key, "
                        "d.box_key_signature FROM messages m JOIN devices d ON d.id = "
                        "m.sender_device JOIN accounts a ON a.id = d.account_id WHERE m.room_id = "
                        "? AND m.seq = ? AND m.event IS NULL");
    SQLite::bind(q, room, seq);
    if (!q.executeStep())
        return std::nullopt;
    boost::system::error_code ec;
    auto envelope = json::parse(q.getColumn(0).getString(), ec);
    if (ec || !envelope.is_object())
        return std::nullopt;
    const auto* version = envelope.as_object().if_contains("v");
    if (!(version && version->is_int64() && version->get_int64() == 1))
        envelope.as_object()["keys"] = json::array{};  // version 1 signs every wrapped key
    json::object m{{"room", room_name},
                   {"seq", seq},
                   {"sender", q.getColumn(3).getString()},
                   {"sender_device", std::to_string(q.getColumn(2).getInt64())},
                   {"sent_at", q.getColumn(1).getInt64()},
                   {"sender_keys", json::object{{"sign_key", q.getColumn(4).getString()},
                                                {"box_key", q.getColumn(5).getString()},
                                                {"box_key_signature", q.getColumn(6).getString()}}},
                   {"envelope", std::move(envelope)}};
    return json::serialize(m);
}

}  // namespace liaise::server::key_backup
