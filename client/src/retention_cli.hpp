// Internal: `liaise admin retention show|set|run` and `liaise admin hold place|lift|list`
// (PROTOCOL.md, "Retention and legal hold"; docs/admin.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands.hpp"

namespace liaise::client::cli {

/// Adds `retention` and `hold` to `admin` (the `liaise admin` command). A parsed subcommand sets
/// `action` to the function that runs it; it returns the exit status (0 success, 1 failure,
/// 2 usage error). `o` must outlive `action`.
void add_retention_commands(CLI::App& admin, Options& o, std::function<int()>& action);

}  // namespace liaise::client::cli
