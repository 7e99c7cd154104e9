// Internal: the audit log. Append-only and hash-chained: record N stores the hash of record N-1
// (`prev`) and its own `hash`, a keyed hash (AtRestKey::keyed_hash) over prev, seq, time, actor,
// kind and the sealed body. Bodies (what changed, as JSON) are sealed with the at-rest key for
// ("audit", seq, 0). The newest seq is also kept in meta('audit_head'), so records cut off the
// end show too. Nothing in the log is message text, minutes text or a key.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace liaise::server {

class AtRestKey;

namespace audit {

/// Who did it when no account did: `liaise-server init`, acting for the operator.
inline constexpr std::int64_t kOperator = -1;

/// Appends one record. Call it from inside the write job that makes the change, so that the
/// record commits (or rolls back) with it.
void append(SQLite::Database& db, const AtRestKey& key, std::int64_t actor, std::string_view kind,
            const boost::json::object& details);

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

struct Verdict {
    std::int64_t records = 0;               ///< how many records were checked
    std::optional<std::int64_t> first_bad;  ///< seq of the first record that does not fit
    std::string reason;                     ///< why it does not fit
};

/// Walks the whole chain from the first record and names the first that does not fit: a gap in
/// the sequence, a `prev` that is not the hash before it, a hash that does not match its
/// contents, a body that does not open, or records missing from the end.
[[nodiscard]] Verdict verify(SQLite::Database& db, const AtRestKey& key);

/// For `liaise-server rotate-key`: re-seals every record's body from `from` to `to` and
/// recomputes the chain (and the head) under `to`, inside the caller's transaction. Refuses
/// (throws std::runtime_error, changing nothing the caller commits) a log that does not verify
/// under `from`, so a rotation never launders a broken chain.
void reseal(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to);

}  // namespace audit
}  // namespace liaise::server
