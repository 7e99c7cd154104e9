// Internal: what every `liaise` subcommand shares — logging in, reporting errors as one line,
// printing replies.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "liaise/client/client.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client::cli {

/// A phrase of the wire protocol in a server's error message, and what the `liaise` command
/// calls it: {"(acknowledge: true)", "(--acknowledge)"}.
struct Rewording {
    std::string_view wire;
    std::string_view cli;
};

/// Prints "liaise: MESSAGE (CODE)" on standard error, each `words` phrase in MESSAGE replaced
/// by the command's own words (the code is kept as sent); returns exit status 1.
int report(const protocol::Error& e, std::span<const Rewording> words = {});

/// report(), and after a not_found for `room` whose name differs from one of the person's own
/// rooms only in capitals or by at most two letters (edit distance), "; did you mean
/// 'case-2041'?". Only rooms the person is in are named (it asks the server for `rooms`).
int report_room(Client& c, const protocol::Error& e, std::string_view room,
                std::span<const Rewording> words = {});

/// The room of `rooms` nearest `typed`: equal but for capitals, else at most two letters
/// added, removed or changed; nullopt if none is (or `typed` is one of them).
[[nodiscard]] std::optional<std::string> nearest_room(std::string_view typed,
                                                      const std::vector<std::string>& rooms);

/// Logs in with this device's keys (passphrase from LIAISE_PASSPHRASE or the terminal), runs
/// `fn`, then shows the action reminder the server sent at login, if a person will see it:
/// not with --json, not when standard error is not a terminal, and not again within
/// kReminderQuiet of showing the same reminder from this home. Any error is one line.
int with_client(const Options& o, const std::function<int(Client&)>& fn);

/// Logs in again as with_client() did (same home and passphrase): for a command that outlives a
/// lost connection.
using Relogin = std::function<protocol::Expected<std::unique_ptr<Client>>()>;
/// with_client(), for `fn` that may log in again with `relogin`.
int with_client(const Options& o, const std::function<int(Client&, const Relogin& relogin)>& fn);

/// What a command still does when the server cannot be reached (the login failed with
/// connection_failed, timeout or connection_closed), with this device's unlocked keys; returns
/// the exit status. It reports `why` itself.
using Offline = std::function<int(const Home& home, const crypto::DeviceKeys& keys,
                                  const protocol::Error& why)>;
/// with_client(), calling `offline` instead of failing when the server cannot be reached.
int with_client(const Options& o, const Offline& offline,
                const std::function<int(Client&, const Relogin& relogin)>& fn);

/// After "the server ... cannot be reached": what a person can still do meanwhile.
extern const char* const kOfflineHint;

/// The first words of an `action_reminder` event for people: "Reminder: you have 1 overdue
/// action(s) and 0 due within two days".
[[nodiscard]] std::string reminder_heading(const boost::json::object& reminder);

/// How long the same action reminder stays quiet after it was shown (a changed list of actions
/// is shown at once). The time is kept in $LIAISE_HOME/reminded.
inline constexpr std::chrono::hours kReminderQuiet{4};

/// Runs one request and prints the reply: JSON as is with --json, else via `human`. A
/// findings_unacknowledged error also prints the findings. An error is reported with `words`.
int simple(const Options& o, std::string_view type, boost::json::object fields,
           const std::function<void(const boost::json::object&)>& human,
           std::span<const Rewording> words = {});

/// The string `key` of a reply (of the server's, or another person's words), as display_line()
/// makes it safe for a terminal: "" when absent. For what is printed, never for what is sent.
[[nodiscard]] std::string shown(const boost::json::object& o, std::string_view key);

/// One finding of a draft for people: "CIN (social-care) -> child needing extra council help:
/// A child the council must help …"; several meanings say so instead of an alternative.
[[nodiscard]] std::string finding_line(const jargon::Finding& f);

/// What --fix (or [f]ix in the chat) leaves as written in `text` — the findings it can neither
/// replace nor explain, because their meanings differ — as one sentence naming them; empty when
/// it fixes them all.
[[nodiscard]] std::string left_as_written(std::string_view text,
                                          const std::vector<jargon::Finding>& findings);

/// "The earlier code for USER no longer works.\n" when issuing a code (enrol_code,
/// device_replace) withdrew an unused one; else empty.
[[nodiscard]] std::string withdrawn_note(const boost::json::object& code_reply);

/// Prints a plain-language check of minutes (meeting_check's reply) for people.
void print_check(std::ostream& out, const boost::json::object& check);

/// After a refused request: when it was refused as findings_unacknowledged, prints the findings
/// from the error's `body` (as JSON on standard output with `as_json`, else for people on standard
/// error). Anything else prints nothing.
void print_unacknowledged(bool as_json, std::string_view code, const boost::json::object& body);

/// Writes `what` and then `question` (" [y/N] " is added) on the controlling terminal
/// (/dev/tty, not standard output, so a pipe or a script cannot answer) and reads one line there.
/// True for "y" or "yes" in any case, false for anything else; nullopt when there is no terminal.
[[nodiscard]] std::optional<bool> confirm(std::string_view what, std::string_view question);

/// "22 Nov 2026 10:04" in local time, from milliseconds since the epoch (local_time.hpp).
[[nodiscard]] std::string clock_time(std::int64_t ms);

/// "2026-11-22 10:04 UTC", from milliseconds since the epoch: for times another person reads
/// (an enrolment code's expiry), like the server's own ("sent 2026-11-22 16:02 UTC").
[[nodiscard]] std::string utc_time(std::int64_t ms);

}  // namespace liaise::client::cli
