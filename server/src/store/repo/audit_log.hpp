// Repository: the audit log's rows and head (store/store.hpp). The chain (keyed hashes, MAC,
// signature, sealing) is computed by audit.hpp above the store; the store keeps what it is
// given, and appends only at the end.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

struct AuditRow {
    std::int64_t seq = 0;
    Millis at = 0;
    Id actor = 0;            ///< an account id, or audit::kOperator
    std::string actor_user;  ///< on reads: the actor's user name, "" if unknown
    std::string kind;
    Bytes body, prev, hash;  ///< sealed body; chain hashes
};

struct AuditHeadRow {
    std::int64_t count = 0, last_seq = 0;
    Bytes last_hash;
    Millis at = 0;
    Bytes mac, signature;
};

class AuditLogView {
  public:
    virtual ~AuditLogView() = default;
    /// The last record, if any.
    [[nodiscard]] virtual std::optional<AuditRow> last() const = 0;
    /// Records with seq >= `from_seq` and at >= `since`, ascending, at most `limit` (< 0: all).
    [[nodiscard]] virtual std::vector<AuditRow> records(std::int64_t from_seq, Millis since,
                                                        std::int64_t limit) const = 0;
    [[nodiscard]] virtual std::optional<AuditHeadRow> head() const = 0;
};

class AuditLog : public AuditLogView {
  public:
    /// Appends `r` (actor_user ignored); its seq must be greater than every stored one.
    virtual void append(const AuditRow& r) = 0;
    /// Replaces the head.
    virtual void set_head(const AuditHeadRow& h) = 0;
    /// Rewrites the chain fields or body of record `seq` (re-chaining and re-sealing only).
    virtual void rewrite(std::int64_t seq, const Bytes& body, const Bytes& prev,
                         const Bytes& hash) = 0;
};

}  // namespace liaise::server::store
