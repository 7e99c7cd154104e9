// Repository: claims with a lease (store/store.hpp), so that of several server nodes on one
// store exactly one does a piece of work at a time: each email of the outbox (its contract is in
// store/repo/outbox.hpp) and the retention sweep (app/retention.cpp). A claim names the node that
// holds it and when it runs out; a node that dies holding one holds it only until then.
//
// The contract, for every store: claims are decided by what is committed, never by anything a
// node remembers. Of two units on different nodes that claim the same key at once, exactly one
// gets true (on PostgreSQL the second waits for the first's unit to end, then sees its claim).
// On a store with one writer (SQLite) the same holds trivially.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/repo/types.hpp"

namespace liaise::server::store {

class Claims {
  public:
    virtual ~Claims() = default;
    /// Claims `key` ("mail:action_assigned:12:3", "retention_sweep") for `node` until `until`.
    /// True when `node` now holds it: nobody held it, the holder's claim ran out before `now`,
    /// or `node` held it already (its claim is then extended to `until`). False, changing
    /// nothing, while another node's claim runs.
    [[nodiscard]] virtual bool claim(std::string_view key, std::string_view node, Millis now,
                                     Millis until) = 0;
    /// Drops `node`'s claim on `key`; false, changing nothing, when `node` does not hold it
    /// (another node took it over after it ran out, or it was never claimed).
    virtual bool release(std::string_view key, std::string_view node) = 0;
    /// Deletes claims that ran out before `before` (their `until` is earlier), the oldest first,
    /// at most `limit`; returns how many. A claim that ran out holds nothing (claim() takes it
    /// over), so only its row is gone; one taken over or extended meanwhile is not deleted. For
    /// the hourly sweep (app/retention.cpp), with `before` a day ago, so that claims left by
    /// nodes that died do not stay in the table for ever.
    virtual int purge(Millis before, int limit) = 0;
    /// Who holds `key` at `now`, if anyone: for tests and operators.
    [[nodiscard]] virtual std::optional<std::string> holder(std::string_view key,
                                                            Millis now) const = 0;
};

}  // namespace liaise::server::store
