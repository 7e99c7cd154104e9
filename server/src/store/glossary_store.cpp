#include "store/glossary_store.hpp"

#include <boost/json.hpp>

#include "liaise/jargon/glossary.hpp"
#include "store/db.hpp"

namespace liaise::server::glossary_store {
namespace {

namespace json = boost::json;

constexpr const char* kChangeNames[] = {"none", "added", "changed", "removed"};

std::int64_t next_version(SQLite::Database& db, std::int64_t room) {
    return version(db, room) + 1;
}

void log_change(SQLite::Database& db, std::int64_t room, std::int64_t v, Change change,
                const std::string& term, const std::string* meaning, std::int64_t actor,
                std::int64_t now) {
    SQLite::Statement q(db,
                        "INSERT INTO room_glossary_versions(room_id, version, change, term, "
                        "meaning, changed_by, changed_at) VALUES(?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, room);
    q.bind(2, v);
    q.bind(3, kChangeNames[static_cast<int>(change)]);
    q.bind(4, term);
    if (meaning)
        q.bind(5, *meaning);
    else
        q.bind(5);
    q.bind(6, actor);
    q.bind(7, now);
    q.exec();
}

}  // namespace

void create_tables(SQLite::Database& db) {
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS room_glossary(
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  term_key TEXT NOT NULL,  -- jargon::agreed_key(term): one row per term whatever its case
  term TEXT NOT NULL,
  meaning TEXT NOT NULL,
  agreed_by INTEGER NOT NULL REFERENCES accounts(id),
  agreed_at INTEGER NOT NULL,
  PRIMARY KEY(room_id, term_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_glossary_versions(
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  version INTEGER NOT NULL,
  change TEXT NOT NULL,  -- 'added', 'changed' or 'removed'
  term TEXT NOT NULL,
  meaning TEXT,          -- NULL for 'removed'
  changed_by INTEGER NOT NULL REFERENCES accounts(id),
  changed_at INTEGER NOT NULL,
  PRIMARY KEY(room_id, version)) WITHOUT ROWID;
)sql");
}

std::int64_t version(SQLite::Database& db, std::int64_t room) {
    SQLite::Statement q(db,
                        "SELECT COALESCE(MAX(version), 0) FROM room_glossary_versions WHERE "
                        "room_id = ?");
    q.bind(1, room);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

std::int64_t count(SQLite::Database& db, std::int64_t room) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM room_glossary WHERE room_id = ?");
    q.bind(1, room);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

bool has(SQLite::Database& db, std::int64_t room, const std::string& term) {
    SQLite::Statement q(db, "SELECT 1 FROM room_glossary WHERE room_id = ? AND term_key = ?");
    q.bind(1, room);
    q.bind(2, jargon::agreed_key(term));
    return q.executeStep();
}

json::object to_json(SQLite::Database& db, std::int64_t room) {
    json::array list;
    for (const auto& t : terms(db, room))
        list.push_back(json::object{
            {"term", t.term}, {"meaning", t.meaning}, {"by", t.agreed_by}, {"at", t.agreed_at}});
    return {{"version", version(db, room)}, {"terms", std::move(list)}};
}

std::vector<Term> terms(SQLite::Database& db, std::int64_t room) {
    SQLite::Statement q(db,
                        "SELECT g.term, g.meaning, a.username, g.agreed_at FROM room_glossary g "
                        "JOIN accounts a ON a.id = g.agreed_by WHERE g.room_id = ? "
                        "ORDER BY g.term_key");
    q.bind(1, room);
    std::vector<Term> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                       q.getColumn(2).getString(), q.getColumn(3).getInt64()});
    return out;
}

Written agree(SQLite::Database& db, std::int64_t room, const std::string& term,
              const std::string& meaning, std::int64_t actor, std::int64_t now) {
    const auto key = jargon::agreed_key(term);
    SQLite::Statement q(db,
                        "SELECT term, meaning FROM room_glossary WHERE room_id = ? AND "
                        "term_key = ?");
    q.bind(1, room);
    q.bind(2, key);
    const bool exists = q.executeStep();
    if (exists && q.getColumn(0).getString() == term && q.getColumn(1).getString() == meaning)
        return {Change::none, version(db, room), term};
    const auto change = exists ? Change::changed : Change::added;
    exec(db,
         "INSERT INTO room_glossary(room_id, term_key, term, meaning, agreed_by, agreed_at) "
         "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(room_id, term_key) DO UPDATE SET "
         "term = excluded.term, meaning = excluded.meaning, agreed_by = excluded.agreed_by, "
         "agreed_at = excluded.agreed_at",
         room, key, term, meaning, actor, now);
    const auto v = next_version(db, room);
    log_change(db, room, v, change, term, &meaning, actor, now);
    return {change, v, term};
}

Written withdraw(SQLite::Database& db, std::int64_t room, const std::string& term,
                 std::int64_t actor, std::int64_t now) {
    const auto key = jargon::agreed_key(term);
    SQLite::Statement q(db, "SELECT term FROM room_glossary WHERE room_id = ? AND term_key = ?");
    q.bind(1, room);
    q.bind(2, key);
    if (!q.executeStep())
        return {Change::none, version(db, room), term};
    const auto stored = q.getColumn(0).getString();
    exec(db, "DELETE FROM room_glossary WHERE room_id = ? AND term_key = ?", room, key);
    const auto v = next_version(db, room);
    log_change(db, room, v, Change::removed, stored, nullptr, actor, now);
    return {Change::removed, v, stored};
}

json::array history(SQLite::Database& db, std::int64_t room, std::int64_t limit) {
    SQLite::Statement q(
        db,
        "SELECT v.version, v.change, v.term, v.meaning, a.username, v.changed_at FROM "
        "room_glossary_versions v JOIN accounts a ON a.id = v.changed_by WHERE "
        "v.room_id = ? ORDER BY v.version DESC LIMIT ?");
    q.bind(1, room);
    q.bind(2, limit);
    json::array out;
    while (q.executeStep()) {
        json::object o{{"version", q.getColumn(0).getInt64()},
                       {"change", q.getColumn(1).getString()},
                       {"term", q.getColumn(2).getString()}};
        if (!q.getColumn(3).isNull())
            o["meaning"] = q.getColumn(3).getString();
        o["by"] = q.getColumn(4).getString();
        o["at"] = q.getColumn(5).getInt64();
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace liaise::server::glossary_store
