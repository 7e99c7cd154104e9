#pragma once
// Noisy-entry figures, counted on the device and reported at most once a UTC day.
//
// What people do with findings (fix them, or send as written) tells admins which dictionary
// entries are noisy. Reporting it per send would tell the server which terms an encrypted
// message held, and when. So the client only adds up (entry, outcome) counts in the file
// `feedback.json` in its home (mode 0600), and sends the totals with `dict_feedback` on a later
// UTC day than any of them was counted: no room, no message, no time finer than the day.
//
// Not thread-safe: a home is used by one command at a time.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/client/home.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client {

class Connection;

namespace feedback {

/// The file in the home that holds the counts:
/// {"counted": "YYYY-MM-DD", "reported": "YYYY-MM-DD",
///  "counts": {"DISCIPLINE:TERM": {"fixed": n, "sent_anyway": m}}}
/// `counted` is the UTC day of the latest count, `reported` that of the last report (or of the
/// first count, so that a new device waits a day too).
inline constexpr std::string_view kFile = "feedback.json";
/// Each count stops here: no entry says more than this in one report.
inline constexpr std::int64_t kMaxCount = 1000;

/// "YYYY-MM-DD", the UTC day of `t`.
[[nodiscard]] std::string utc_day(std::chrono::system_clock::time_point t);

/// Adds one to `outcome` ("fixed" or "sent_anyway") of every dictionary entry of `findings`
/// (each of its disciplines), and saves. With "fixed", findings the rewrite leaves as written
/// are counted as sent anyway. Unknown acronyms, which belong to no dictionary, are left out.
/// Returns how many entries were counted. Errors: Home::write_file's.
[[nodiscard]] protocol::Expected<std::size_t> record(const Home& home, std::string_view outcome,
                                                     const std::vector<jargon::Finding>& findings,
                                                     std::string_view today);

/// Sends the counts with `dict_feedback` when there are some, none of them was counted `today`
/// and the last report was before `today`. Returns true when a report was sent and accepted
/// (the counts are then cleared, and the next report is due tomorrow). A server that refuses
/// the report's content (`bad_request`, e.g. an entry an admin has since removed) will never
/// take it: the counts are dropped. `already_reported` (another device of the account reported
/// today) keeps them for tomorrow; any other failure (a lost connection) keeps them for the
/// next command that logs in.
[[nodiscard]] protocol::Expected<bool> report_if_due(const Home& home, Connection& connection,
                                                     std::string_view today);

}  // namespace feedback
}  // namespace liaise::client
