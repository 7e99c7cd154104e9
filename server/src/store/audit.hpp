// Internal: the audit log. Append-only and hash-chained: record N stores the hash of record N-1
// (`prev`) and its own `hash`, a keyed BLAKE2b under the audit chain key (server_keys.hpp, not
// the at-rest key) over prev, seq, time, actor, kind and a BLAKE2b hash of the body's plaintext.
// Bodies (what changed, as JSON) are sealed with the at-rest key for ("audit", seq, 0); since the
// chain covers the plaintext, re-sealing them under another at-rest key (reseal()) leaves every
// hash as it was.
//
// The head — count, last seq, last hash and the time it was written — is kept in `audit_head`
// with a MAC under the chain key and the server's Ed25519 signature over
// protocol::audit_head_message(): records cut off the end, or a head moved back, show in
// verify() unless the chain key is known, and an admin's client that saw a longer signed head
// notices even then (PROTOCOL.md, "Signed audit heads"). Nothing in the log is message text,
// minutes text or a key.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/audit_head.hpp"
#include "store/repo/audit_log.hpp"
#include "store/repo/secrets.hpp"
#include "store/server_keys.hpp"

namespace SQLite {
class Database;
}

namespace liaise::server {

class AtRestKey;

namespace audit {

/// Who did it when no account did: `liaise-server init`, acting for the operator.
inline constexpr std::int64_t kOperator = -1;

/// Opens (creating if missing) the server's secrets and, the first time (the chain key is new),
/// converts a log written by an earlier version: every record is re-chained under the chain
/// key and a record `audit_log_converted` notes how many there were and whether their old
/// chain verified. Run it in a write job before serving. Throws std::runtime_error as
/// ServerKeys::open_or_create does.
[[nodiscard]] ServerKeys setup(SQLite::Database& db, const AtRestKey& at_rest);
/// The same through the secrets and audit repositories of one write unit of work, on any store
/// (serve and init use it). A PostgreSQL database never holds a log from before the chain key,
/// so there the conversion finds nothing to do.
[[nodiscard]] ServerKeys setup(store::Secrets& secrets, store::AuditLog& log,
                               const AtRestKey& at_rest);

/// Appends one record and moves the head on (MAC and signature). Call it from inside the write
/// job that makes the change, so that the record commits (or rolls back) with it. It continues
/// from the head when the head's MAC holds (so records removed from the end leave a gap that
/// stays visible); if the head is missing, forged or disagrees with the records, a record
/// `audit_head_mismatch` saying so goes in first.
void append(SQLite::Database& db, const AtRestKey& at_rest, const ServerKeys& keys,
            std::int64_t actor, std::string_view kind, const boost::json::object& details);
/// The same on the audit repository of the current write unit of work (store/repo/audit_log.hpp).
void append(store::AuditLog& log, const AtRestKey& at_rest, const ServerKeys& keys,
            std::int64_t actor, std::string_view kind, const boost::json::object& details);

struct Record {
    std::int64_t seq = 0;
    std::int64_t at = 0;  ///< milliseconds since the epoch
    std::string actor;    ///< user name; "operator" for kOperator; "" if the account is gone
    std::string kind;
    boost::json::object details;  ///< {"unreadable": true} when the body does not open
};

/// Records at or after `since` (ms), oldest first, at most `limit`.
[[nodiscard]] std::vector<Record> list(SQLite::Database& db, const AtRestKey& key,
                                       std::int64_t since, std::int64_t limit);

/// Rewrites the head from the records as they stand (count, last seq, last hash, the last
/// record's time), with a fresh MAC and signature, whatever the head said before. setup() uses it
/// after re-chaining; tests use it to play an attacker who holds both keys. Nothing else should.
void reset_head(SQLite::Database& db, const ServerKeys& keys);

/// The stored head as it is, unchecked (verify() checks it).
struct Head {
    protocol::AuditHead signed_part;  ///< count, last hash, time
    std::int64_t last_seq = 0;
    crypto::Signature signature;
};
[[nodiscard]] std::optional<Head> head(SQLite::Database& db);

/// The stored chain hash of record `seq`, if there is such a record.
[[nodiscard]] std::optional<std::array<unsigned char, 32>> hash_of(SQLite::Database& db,
                                                                   std::int64_t seq);

struct Verdict {
    std::int64_t records = 0;               ///< how many records were checked
    std::optional<std::int64_t> first_bad;  ///< seq of the first record that does not fit
    std::string reason;                     ///< why it does not fit, in plain words
};

/// Walks the whole chain from the first record and names the first that does not fit: a gap in
/// the sequence, a `prev` that is not the hash before it, a hash that does not match its
/// contents, a body that does not open; then checks the head: missing, a MAC that does not
/// verify, a signature that does not verify with the server's key, or a head that disagrees
/// with the records (records missing from the end, or a head moved back).
[[nodiscard]] Verdict verify(SQLite::Database& db, const AtRestKey& at_rest,
                             const ServerKeys& keys);

/// list(), head(), hash_of() and verify() as they read a unit of work's audit repository
/// (store/repo/audit_log.hpp): the same answers, from any store.
[[nodiscard]] std::vector<Record> list(const store::AuditLogView& log, const AtRestKey& key,
                                       std::int64_t since, std::int64_t limit);
[[nodiscard]] std::optional<Head> head(const store::AuditLogView& log);
[[nodiscard]] std::optional<std::array<unsigned char, 32>> hash_of(const store::AuditLogView& log,
                                                                   std::int64_t seq);
[[nodiscard]] Verdict verify(const store::AuditLogView& log, const AtRestKey& at_rest,
                             const ServerKeys& keys);

/// Re-seals every value of the audit log and the server's secrets from the at-rest key `from`
/// to `to`. Chain hashes, the head, its MAC and its signature stay exactly as they were, so
/// verify() with `to` passes if it passed with `from`. A log that does not verify under `from`
/// (including one already re-sealed) throws std::runtime_error: a rotation never launders a
/// broken chain. Run it inside one transaction: a throw changes
/// nothing the caller commits.
void reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to);

}  // namespace audit
}  // namespace liaise::server
