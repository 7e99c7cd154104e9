// Internal: `liaise recovery create|status|restore`, `liaise device transfer` and `liaise room
// share-history` (PROTOCOL.md, "Continuity"; docs/staff.md, "A new laptop").
#pragma once

#include <optional>
#include <string>

#include "commands.hpp"

namespace liaise::client::cli {

/// Shows a new recovery key once (`{"recovery_key": …}` with --json).
int recovery_create(const Options& o);
int recovery_status(const Options& o);
/// `key`: as typed; asked on the terminal when absent.
int recovery_restore(const Options& o, const std::optional<std::string>& key);
/// Without `receive`: the old device offers its keys and shows a code. With it: the new device
/// takes them with `code` (asked when absent).
int device_transfer(const Options& o, bool receive, const std::optional<std::string>& code);
/// `since`: YYYY-MM-DD, midnight local time.
int share_history(const Options& o, const std::string& room, const std::string& user,
                  const std::string& since);

}  // namespace liaise::client::cli
