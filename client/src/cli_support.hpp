// Internal: what every `liaise` subcommand shares — logging in, reporting errors as one line,
// printing replies.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "liaise/client/client.hpp"
#include "liaise/protocol/expected.hpp"

namespace liaise::client::cli {

/// Prints "liaise: MESSAGE (CODE)" on standard error; returns exit status 1.
int report(const protocol::Error& e);

/// Logs in with this device's keys (passphrase from LIAISE_PASSPHRASE or the terminal), runs
/// `fn`, then shows any action reminders the server sent at login. Any error is one line.
int with_client(const Options& o, const std::function<int(Client&)>& fn);

/// Runs one request and prints the reply: JSON as is with --json, else via `human`. A
/// findings_unacknowledged error also prints the findings.
int simple(const Options& o, std::string_view type, boost::json::object fields,
           const std::function<void(const boost::json::object&)>& human);

/// Prints a plain-language check of minutes (meeting_check's reply) for people.
void print_check(std::ostream& out, const boost::json::object& check);

/// "2026-11-22 10:04" in local time, from milliseconds since the epoch.
[[nodiscard]] std::string clock_time(std::int64_t ms);

}  // namespace liaise::client::cli
