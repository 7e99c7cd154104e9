// Internal: `liaise admin account|dict|questions|answer|dismiss|audit`, `liaise admin agency
// rename` and `liaise questions` (PROTOCOL.md, "Administration").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands.hpp"

namespace liaise::client::cli {

/// Adds the administration subcommands to `admin` (the `liaise admin` command, which must
/// already have an `agency` subcommand) and `questions` to `app`. A parsed subcommand sets
/// `action` to the function that runs it; it returns the exit status (0 success, 1 failure,
/// 2 usage error). `o` must outlive `action`.
void add_admin_commands(CLI::App& app, CLI::App& admin, Options& o, std::function<int()>& action);

}  // namespace liaise::client::cli
