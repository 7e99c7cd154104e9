// Internal: `liaise meeting …`, `liaise action …` and `liaise actions`: meetings, minutes and
// actions held by the server (PROTOCOL.md, "Meetings and minutes").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands.hpp"

namespace liaise::client::cli {

/// Adds the `meeting`, `action` and `actions` subcommands to `app`. A parsed subcommand sets
/// `action` to the function that runs it; that function returns the exit status: 0 success,
/// 1 failure (one line on stderr, or the findings that stopped a circulation), 2 usage error.
/// `o` and every option variable must outlive `action` (they are captured by reference).
void add_minutes_commands(CLI::App& app, Options& o, std::function<int()>& action);

/// Adds what follows circulation (followup_cli.cpp): `meeting acknowledge`, `meeting comment`,
/// `meeting comments`, `meeting resolve` under `meeting`, and `meetings due` to `app`. As
/// add_minutes_commands().
void add_followup_commands(CLI::App& app, CLI::App& meeting, Options& o,
                           std::function<int()>& action);

}  // namespace liaise::client::cli
