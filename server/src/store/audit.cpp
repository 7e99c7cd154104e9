#include "store/audit.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <limits>
#include <stdexcept>

#include "store/at_rest.hpp"
#include "store/db.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::audit {
namespace {

namespace json = boost::json;

constexpr std::string_view kChainPurpose = "auditlog";
constexpr std::string_view kHeadPurpose = "auditmac";
constexpr std::string_view kHeadMacDomain = "liaise-audit-head-mac-v1";
constexpr std::string_view kTable = "audit";
using Hash = std::array<unsigned char, 32>;

std::string_view view(const void* data, std::size_t size) {
    return {static_cast<const char*>(data), size};
}

std::span<const unsigned char> blob(const SQLite::Column& column) {
    return {static_cast<const unsigned char*>(column.getBlob()),
            static_cast<std::size_t>(column.getBytes())};
}

Hash hash_from(const SQLite::Column& column) {
    Hash h{};
    if (column.getBytes() == static_cast<int>(h.size()))
        std::copy_n(static_cast<const unsigned char*>(column.getBlob()), h.size(), h.begin());
    return h;
}

/// BLAKE2b-256 of a body's plaintext: what the chain covers instead of the sealed bytes.
Hash body_hash(std::string_view plaintext) {
    Hash h{};
    crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(plaintext.data()),
                       plaintext.size(), nullptr, 0);
    return h;
}

Hash chain_hash(const ServerKeys& keys, const Hash& prev, std::int64_t seq, std::int64_t at,
                std::int64_t actor, std::string_view kind, const Hash& body) {
    const auto seq_text = std::to_string(seq);
    const auto at_text = std::to_string(at);
    const auto actor_text = std::to_string(actor);
    const std::array<std::string_view, 6> parts = {
        view(prev.data(), prev.size()), seq_text, at_text, actor_text, kind,
        view(body.data(), body.size())};
    return keys.chain_hash(kChainPurpose, parts);
}

Hash head_mac(const ServerKeys& keys, const protocol::AuditHead& h, std::int64_t last_seq) {
    const auto count = std::to_string(h.count);
    const auto seq = std::to_string(last_seq);
    const auto at = std::to_string(h.at);
    const std::array<std::string_view, 5> parts = {
        kHeadMacDomain, count, seq, view(h.last_hash.data(), h.last_hash.size()), at};
    return keys.chain_hash(kHeadPurpose, parts);
}

store::Bytes to_bytes(const Hash& h) {
    return store::Bytes(h.begin(), h.end());
}

Hash hash_from(const store::Bytes& b) {
    Hash h{};
    if (b.size() == h.size())
        std::copy(b.begin(), b.end(), h.begin());
    return h;
}

void write_head(store::AuditLog& log, const ServerKeys& keys, std::int64_t count,
                std::int64_t last_seq, const Hash& last_hash, std::int64_t at) {
    const protocol::AuditHead h{count, last_hash, at};
    const auto mac = head_mac(keys, h, last_seq);
    const auto signature = keys.sign(protocol::audit_head_message(keys.public_key(), h));
    log.set_head({count, last_seq, to_bytes(last_hash), at, to_bytes(mac),
                  store::Bytes(signature.data(), signature.data() + signature.size())});
}

/// Every record, oldest first.
std::vector<store::AuditRow> all_records(const store::AuditLogView& log) {
    return log.records(0, std::numeric_limits<std::int64_t>::min(), -1);
}

/// The chain before version 6: keyed with the at-rest key over the sealed body, the newest seq
/// in the setting 'audit_head'. Used once, to say in the conversion record whether it verified.
std::string legacy_problem(const store::Secrets& secrets, const std::vector<store::AuditRow>& rows,
                           const AtRestKey& key) {
    Hash prev{};
    std::int64_t expected = 1;
    for (const auto& row : rows) {
        const auto seq = row.seq;
        if (seq != expected)
            return "record " + std::to_string(expected) + " was missing";
        const auto seq_text = std::to_string(seq);
        const auto at_text = std::to_string(row.at);
        const auto actor_text = std::to_string(row.actor);
        const std::array<std::string_view, 6> parts = {
            view(prev.data(), prev.size()),        seq_text, at_text, actor_text, row.kind,
            view(row.body.data(), row.body.size())};
        const auto hash = key.keyed_hash(kChainPurpose, parts);
        if (hash_from(row.prev) != prev || hash_from(row.hash) != hash)
            return "record " + seq_text + " did not fit the chain";
        prev = hash;
        ++expected;
    }
    const auto stored = secrets.setting("audit_head");
    const auto newest = stored ? std::stoll(*stored) : 0;
    if (newest >= expected)
        return "records " + std::to_string(expected) + " to " + std::to_string(newest) +
               " were missing from the end";
    return "";
}

/// Re-chains every record under `keys` and writes the head; returns how many there were.
std::int64_t rechain(store::AuditLog& log, const std::vector<store::AuditRow>& rows,
                     const AtRestKey& at_rest, const ServerKeys& keys) {
    Hash prev{};
    std::int64_t last_seq = 0;
    std::int64_t last_at = now_ms();
    for (const auto& row : rows) {
        const auto opened = at_rest.open(row.body, {kTable, row.seq, 0});
        // A body that does not open keeps failing verify(): it is hashed as empty.
        const auto body = body_hash(opened ? opened.value() : std::string());
        const auto hash = chain_hash(keys, prev, row.seq, row.at, row.actor, row.kind, body);
        log.rewrite(row.seq, row.body, to_bytes(prev), to_bytes(hash));
        prev = hash;
        last_seq = row.seq;
        last_at = row.at;
    }
    write_head(log, keys, static_cast<std::int64_t>(rows.size()), last_seq, prev, last_at);
    return static_cast<std::int64_t>(rows.size());
}

/// Why the stored head cannot be trusted, or "" when its MAC holds.
std::string head_problem(const std::optional<store::AuditHeadRow>& row, const ServerKeys& keys,
                         Head* out) {
    if (!row)
        return "the log's head is missing";
    Head h;
    h.signed_part.count = row->count;
    h.last_seq = row->last_seq;
    if (row->last_hash.size() == h.signed_part.last_hash.size())
        std::copy(row->last_hash.begin(), row->last_hash.end(), h.signed_part.last_hash.begin());
    h.signed_part.at = row->at;
    const auto mac = head_mac(keys, h.signed_part, h.last_seq);
    if (row->last_hash.size() != 32 || row->mac.size() != 32 ||
        sodium_memcmp(row->mac.data(), mac.data(), mac.size()) != 0)
        return "the log's head was not written by this server (its MAC does not verify)";
    if (row->signature.size() == crypto::Signature::size())
        h.signature =
            crypto::Signature(std::span<const unsigned char, 64>(row->signature.data(), 64));
    if (!protocol::verify_audit_head(keys.public_key(), h.signed_part, h.signature))
        return "the log's head is not signed by this server's key";
    if (out != nullptr)
        *out = h;
    return "";
}

/// Appends record `seq` after `prev` and makes it the head (of `count` records); returns its
/// hash.
Hash append_one(store::AuditLog& log, const AtRestKey& at_rest, const ServerKeys& keys,
                std::int64_t seq, const Hash& prev, std::int64_t count, std::int64_t actor,
                std::string_view kind, const json::object& details) {
    const auto at = now_ms();
    const auto plaintext = json::serialize(details);
    const auto hash = chain_hash(keys, prev, seq, at, actor, kind, body_hash(plaintext));
    store::AuditRow row;
    row.seq = seq;
    row.at = at;
    row.actor = actor;
    row.kind = std::string(kind);
    row.body = at_rest.seal(plaintext, {kTable, seq, 0});
    row.prev = to_bytes(prev);
    row.hash = to_bytes(hash);
    log.append(row);
    const protocol::AuditHead h{count, hash, at};
    const auto mac = head_mac(keys, h, seq);
    const auto signature = keys.sign(protocol::audit_head_message(keys.public_key(), h));
    log.set_head({count, seq, to_bytes(hash), at, to_bytes(mac),
                  store::Bytes(signature.data(), signature.data() + signature.size())});
    return hash;
}

}  // namespace

ServerKeys setup(SQLite::Database& db, const AtRestKey& at_rest) {
    StatementCache statements(db);
    const store::sqlite::Conn conn{db, statements};
    const auto secrets = store::sqlite::make_secrets(conn);
    const auto log = store::sqlite::make_audit(conn);
    return setup(*secrets, *log, at_rest);
}

ServerKeys setup(store::Secrets& secrets, store::AuditLog& log, const AtRestKey& at_rest) {
    ServerKeys::Created created = ServerKeys::Created::no;
    auto keys = ServerKeys::open_or_create(secrets, at_rest, &created);
    // Only while the chain key is new may the log be re-chained: later, a log that looks old
    // (no head) is one whose head was removed, and re-chaining it would hide what was cut.
    if (created != ServerKeys::Created::chain_key)
        return keys;
    const auto rows = all_records(log);
    const bool had_records = !rows.empty();
    const auto earlier = had_records ? legacy_problem(secrets, rows, at_rest) : std::string();
    const auto converted = rechain(log, rows, at_rest, keys);
    // The old head's setting has served its purpose (nothing reads it once the chain key
    // exists).
    secrets.erase_setting("audit_head");
    if (had_records) {
        json::object details{{"records", converted}, {"earlier_chain_verified", earlier.empty()}};
        if (!earlier.empty())
            details["earlier_chain_problem"] = earlier;
        append(log, at_rest, keys, kOperator, "audit_log_converted", details);
    }
    return keys;
}

void append(store::AuditLog& log, const AtRestKey& at_rest, const ServerKeys& keys,
            std::int64_t actor, std::string_view kind, const json::object& details) {
    std::int64_t last_seq = 0;
    Hash last_hash{};
    if (const auto last = log.last()) {
        last_seq = last->seq;
        last_hash = hash_from(last->hash);
    }
    Head h;
    const auto problem = head_problem(log.head(), keys, &h);
    if (problem.empty() && h.last_seq == last_seq && h.signed_part.last_hash == last_hash &&
        h.signed_part.count == last_seq) {
        append_one(log, at_rest, keys, last_seq + 1, last_hash, last_seq + 1, actor, kind, details);
        return;
    }
    // The head and the records disagree. A head whose MAC holds and that is ahead of the records
    // is the truth: continue from it, so the records missing from the end stay a visible gap.
    // Either way, say so in the log.
    json::object note{{"records_found", last_seq}};
    if (problem.empty()) {
        note["head_count"] = h.signed_part.count;
        if (h.last_seq > last_seq) {
            last_seq = h.last_seq;
            last_hash = h.signed_part.last_hash;
        }
    } else {
        note["problem"] = problem;
    }
    const auto noted = append_one(log, at_rest, keys, last_seq + 1, last_hash, last_seq + 1,
                                  kOperator, "audit_head_mismatch", note);
    append_one(log, at_rest, keys, last_seq + 2, noted, last_seq + 2, actor, kind, details);
}

void append(SQLite::Database& db, const AtRestKey& at_rest, const ServerKeys& keys,
            std::int64_t actor, std::string_view kind, const json::object& details) {
    StatementCache statements(db);
    const auto log = store::sqlite::make_audit(store::sqlite::Conn{db, statements});
    append(*log, at_rest, keys, actor, kind, details);
}

std::vector<Record> list(SQLite::Database& db, const AtRestKey& key, std::int64_t since,
                         std::int64_t limit) {
    StatementCache statements(db);
    return list(*store::sqlite::make_audit(store::sqlite::Conn{db, statements}), key, since, limit);
}

std::vector<Record> list(const store::AuditLogView& log, const AtRestKey& key, std::int64_t since,
                         std::int64_t limit) {
    std::vector<Record> out;
    for (auto& row : log.records(0, since, limit)) {
        Record r;
        r.seq = row.seq;
        r.at = row.at;
        r.actor = row.actor == kOperator ? "operator" : std::move(row.actor_user);
        r.kind = std::move(row.kind);
        const auto opened = key.open(row.body, {kTable, r.seq, 0});
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

void reset_head(SQLite::Database& db, const ServerKeys& keys) {
    SQLite::Statement q(db,
                        "SELECT COUNT(*), COALESCE(MAX(seq), 0), (SELECT hash FROM audit ORDER BY "
                        "seq DESC LIMIT 1), (SELECT at FROM audit ORDER BY seq DESC LIMIT 1) FROM "
                        "audit");
    q.executeStep();
    const auto last_hash = q.getColumn(2).isNull() ? Hash{} : hash_from(q.getColumn(2));
    const auto at = q.getColumn(3).isNull() ? now_ms() : q.getColumn(3).getInt64();
    StatementCache statements(db);
    const auto log = store::sqlite::make_audit(store::sqlite::Conn{db, statements});
    write_head(*log, keys, q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), last_hash, at);
}

std::optional<Head> head(SQLite::Database& db) {
    StatementCache statements(db);
    return head(*store::sqlite::make_audit(store::sqlite::Conn{db, statements}));
}

std::optional<Head> head(const store::AuditLogView& log) {
    const auto row = log.head();
    if (!row)
        return std::nullopt;
    Head h;
    h.signed_part.count = row->count;
    h.last_seq = row->last_seq;
    h.signed_part.last_hash = hash_from(row->last_hash);
    h.signed_part.at = row->at;
    if (row->signature.size() == crypto::Signature::size())
        h.signature =
            crypto::Signature(std::span<const unsigned char, 64>(row->signature.data(), 64));
    return h;
}

std::optional<std::array<unsigned char, 32>> hash_of(SQLite::Database& db, std::int64_t seq) {
    StatementCache statements(db);
    return hash_of(*store::sqlite::make_audit(store::sqlite::Conn{db, statements}), seq);
}

std::optional<std::array<unsigned char, 32>> hash_of(const store::AuditLogView& log,
                                                     std::int64_t seq) {
    const auto rows = log.records(seq, std::numeric_limits<std::int64_t>::min(), 1);
    if (rows.empty() || rows.front().seq != seq)
        return std::nullopt;
    return hash_from(rows.front().hash);
}

Verdict verify(SQLite::Database& db, const AtRestKey& at_rest, const ServerKeys& keys) {
    StatementCache statements(db);
    return verify(*store::sqlite::make_audit(store::sqlite::Conn{db, statements}), at_rest, keys);
}

Verdict verify(const store::AuditLogView& log, const AtRestKey& at_rest, const ServerKeys& keys) {
    Verdict v;
    Hash prev{};
    std::int64_t expected = 1;
    const auto bad = [&v](std::int64_t seq, std::string reason) {
        v.first_bad = seq;
        v.reason = std::move(reason);
        return v;
    };
    // A page at a time, so that a long log is never all in memory at once.
    constexpr std::int64_t kPage = 1000;
    std::int64_t from = 0;
    while (true) {
        const auto page = log.records(from, std::numeric_limits<std::int64_t>::min(), kPage);
        for (const auto& row : page) {
            const auto seq = row.seq;
            if (seq != expected)
                return bad(expected, "record " + std::to_string(expected) + " is missing");
            if (hash_from(row.prev) != prev)
                return bad(seq, "it does not follow the record before it");
            const auto opened = at_rest.open(row.body, {kTable, seq, 0});
            if (!opened)
                return bad(seq, "its body does not open with this server's key");
            const auto hash =
                chain_hash(keys, prev, seq, row.at, row.actor, row.kind, body_hash(opened.value()));
            if (row.hash.size() != hash.size() || hash_from(row.hash) != hash)
                return bad(seq, "its contents do not match its hash");
            prev = hash;
            ++v.records;
            ++expected;
        }
        if (static_cast<std::int64_t>(page.size()) < kPage)
            break;
        from = page.back().seq + 1;
    }
    const auto next = v.records + 1;
    Head h;
    if (const auto problem = head_problem(log.head(), keys, &h); !problem.empty())
        return bad(next, problem + ": records may have been removed from the end");
    const auto count = h.signed_part.count;
    if (count > v.records)
        return bad(next, "records " + std::to_string(next) + " to " + std::to_string(count) +
                             " are missing from the end");
    if (count < v.records)
        return bad(count + 1, "the log's head covers only " + std::to_string(count) +
                                  " record(s): it was moved back");
    if (h.last_seq != v.records || h.signed_part.last_hash != prev)
        return bad(next, "the log's head does not match its last record");
    return v;
}

void reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to) {
    // A rotation never launders a broken chain: the log must verify under `from` first.
    const auto verdict = verify(db, from, setup(db, from));
    if (verdict.first_bad)
        throw std::runtime_error("the audit log does not verify at record " +
                                 std::to_string(*verdict.first_bad) + " (" + verdict.reason +
                                 "); nothing was re-sealed");
    std::vector<std::pair<std::int64_t, std::vector<unsigned char>>> resealed;
    {
        SQLite::Statement q(db, "SELECT seq, body FROM audit ORDER BY seq");
        while (q.executeStep()) {
            const auto seq = q.getColumn(0).getInt64();
            const auto sealed = blob(q.getColumn(1));
            auto opened = from.open(sealed, {kTable, seq, 0});
            if (!opened) {
                if (to.open(sealed, {kTable, seq, 0}))
                    continue;  // done by an earlier run
                throw std::runtime_error("audit record " + std::to_string(seq) +
                                         " opens with neither the old nor the new key");
            }
            resealed.emplace_back(seq, to.seal(opened.value(), {kTable, seq, 0}));
        }
    }
    for (const auto& [seq, sealed] : resealed) {
        SQLite::Statement u(db, "UPDATE audit SET body = ? WHERE seq = ?");
        u.bind(1, sealed.data(), static_cast<int>(sealed.size()));
        u.bind(2, seq);
        u.exec();
    }
    ServerKeys::reseal(db, from, to);
}

}  // namespace liaise::server::audit
