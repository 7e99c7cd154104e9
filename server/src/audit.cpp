#include "audit.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

#include "at_rest.hpp"
#include "db.hpp"

namespace liaise::server::audit {
namespace {

namespace json = boost::json;

constexpr std::string_view kPurpose = "auditlog";
constexpr std::string_view kTable = "audit";
using Hash = std::array<unsigned char, 32>;

std::string_view view(const void* data, std::size_t size) {
    return {static_cast<const char*>(data), size};
}

Hash chain_hash(const AtRestKey& key, const Hash& prev, std::int64_t seq, std::int64_t at,
                std::int64_t actor, std::string_view kind, std::string_view body) {
    const auto seq_text = std::to_string(seq);
    const auto at_text = std::to_string(at);
    const auto actor_text = std::to_string(actor);
    const std::array<std::string_view, 6> parts = {
        view(prev.data(), prev.size()), seq_text, at_text, actor_text, kind, body};
    return key.keyed_hash(kPurpose, parts);
}

Hash hash_from(const SQLite::Column& column) {
    Hash h{};
    if (column.getBytes() == static_cast<int>(h.size()))
        std::copy_n(static_cast<const unsigned char*>(column.getBlob()), h.size(), h.begin());
    return h;
}

std::int64_t head(SQLite::Database& db) {
    return std::stoll(
        db.execAndGet("SELECT COALESCE((SELECT value FROM meta WHERE key = 'audit_head'), '0')")
            .getString());
}

}  // namespace

void append(SQLite::Database& db, const AtRestKey& key, std::int64_t actor, std::string_view kind,
            const json::object& details) {
    Hash prev{};
    std::int64_t seq = 1;
    {
        SQLite::Statement last(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
        if (last.executeStep()) {
            seq = last.getColumn(0).getInt64() + 1;
            prev = hash_from(last.getColumn(1));
        }
    }
    const auto at = now_ms();
    const auto sealed = key.seal(json::serialize(details), {kTable, seq, 0});
    const auto body = view(sealed.data(), sealed.size());
    const auto hash = chain_hash(key, prev, seq, at, actor, kind, body);
    SQLite::Statement q(
        db,
        "INSERT INTO audit(seq, at, actor, kind, body, prev, hash) VALUES(?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, seq);
    q.bind(2, at);
    q.bind(3, actor);
    q.bind(4, std::string(kind));
    q.bind(5, sealed.data(), static_cast<int>(sealed.size()));
    q.bind(6, prev.data(), static_cast<int>(prev.size()));
    q.bind(7, hash.data(), static_cast<int>(hash.size()));
    q.exec();
    exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('audit_head', ?)",
         std::to_string(seq));
}

std::vector<Record> list(SQLite::Database& db, const AtRestKey& key, std::int64_t since,
                         std::int64_t limit) {
    SQLite::Statement q(db,
                        "SELECT l.seq, l.at, l.actor, a.username, l.kind, l.body FROM audit l "
                        "LEFT JOIN accounts a ON a.id = l.actor "
                        "WHERE l.at >= ? ORDER BY l.seq LIMIT ?");
    q.bind(1, since);
    q.bind(2, limit);
    std::vector<Record> out;
    while (q.executeStep()) {
        Record r;
        r.seq = q.getColumn(0).getInt64();
        r.at = q.getColumn(1).getInt64();
        r.actor = q.getColumn(2).getInt64() == kOperator ? "operator" : q.getColumn(3).getString();
        r.kind = q.getColumn(4).getString();
        const auto body = q.getColumn(5);
        const auto opened = key.open({static_cast<const unsigned char*>(body.getBlob()),
                                      static_cast<std::size_t>(body.getBytes())},
                                     {kTable, r.seq, 0});
        json::value details;
        if (opened) {
            boost::system::error_code ec;
            details = json::parse(opened.value(), ec);
        }
        r.details = details.is_object() ? details.as_object() : json::object{{"unreadable", true}};
        out.push_back(std::move(r));
    }
    return out;
}

Verdict verify(SQLite::Database& db, const AtRestKey& key) {
    Verdict v;
    Hash prev{};
    std::int64_t expected = 1;
    SQLite::Statement q(db,
                        "SELECT seq, at, actor, kind, body, prev, hash FROM audit ORDER BY seq");
    const auto bad = [&v](std::int64_t seq, std::string reason) {
        v.first_bad = seq;
        v.reason = std::move(reason);
        return v;
    };
    while (q.executeStep()) {
        const auto seq = q.getColumn(0).getInt64();
        if (seq != expected)
            return bad(expected, "record " + std::to_string(expected) + " is missing");
        const auto body = q.getColumn(4);
        const auto body_view = view(body.getBlob(), static_cast<std::size_t>(body.getBytes()));
        if (hash_from(q.getColumn(5)) != prev)
            return bad(seq, "it does not follow the record before it");
        const auto hash =
            chain_hash(key, prev, seq, q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getString(), body_view);
        if (q.getColumn(6).getBytes() != static_cast<int>(hash.size()) ||
            hash_from(q.getColumn(6)) != hash)
            return bad(seq, "its contents do not match its hash");
        const auto opened =
            key.open({reinterpret_cast<const unsigned char*>(body_view.data()), body_view.size()},
                     {kTable, seq, 0});
        if (!opened)
            return bad(seq, "its body does not open with this server's key");
        prev = hash;
        ++v.records;
        ++expected;
    }
    const auto newest = head(db);
    if (newest > v.records)
        return bad(v.records + 1, "records " + std::to_string(v.records + 1) + " to " +
                                      std::to_string(newest) + " are missing from the end");
    return v;
}

void reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to) {
    const auto verdict = verify(db, from);
    if (verdict.first_bad)
        throw std::runtime_error("the audit log does not verify at record " +
                                 std::to_string(*verdict.first_bad) + " (" + verdict.reason +
                                 "); nothing was re-sealed");
    struct Row {
        std::int64_t seq, at, actor;
        std::string kind;
        std::vector<unsigned char> body;
    };
    // Read first, then write: no row changes under an open scan of its table.
    std::vector<Row> rows;
    {
        SQLite::Statement q(db, "SELECT seq, at, actor, kind, body FROM audit ORDER BY seq");
        while (q.executeStep()) {
            const auto body = q.getColumn(4);
            const auto* data = static_cast<const unsigned char*>(body.getBlob());
            rows.push_back({q.getColumn(0).getInt64(),
                            q.getColumn(1).getInt64(),
                            q.getColumn(2).getInt64(),
                            q.getColumn(3).getString(),
                            {data, data + body.getBytes()}});
        }
    }
    SQLite::Statement update(db, "UPDATE audit SET body = ?, prev = ?, hash = ? WHERE seq = ?");
    Hash prev{};
    for (const auto& row : rows) {
        const auto opened = from.open(row.body, {kTable, row.seq, 0});
        if (!opened)  // verify() opened it a moment ago, in the same transaction
            throw std::runtime_error("audit record " + std::to_string(row.seq) + " does not open");
        const auto sealed = to.seal(opened.value(), {kTable, row.seq, 0});
        const auto hash = chain_hash(to, prev, row.seq, row.at, row.actor, row.kind,
                                     view(sealed.data(), sealed.size()));
        update.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        update.bind(2, prev.data(), static_cast<int>(prev.size()));
        update.bind(3, hash.data(), static_cast<int>(hash.size()));
        update.bind(4, row.seq);
        update.exec();
        update.reset();
        prev = hash;
    }
    // The head is the newest seq, which re-sealing does not change; written again so that a
    // version of the head that depends on the key is rewritten here too.
    exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('audit_head', ?)",
         std::to_string(verdict.records));
}

}  // namespace liaise::server::audit
