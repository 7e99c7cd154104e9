// Internal: `liaise admin governance` and `liaise admin sar` (PROTOCOL.md, "Subject access
// requests").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "commands.hpp"

namespace liaise::client::cli {

/// Adds `governance` (admins give or withdraw the information-governance permission, or list
/// who holds it) and `sar` (an IG officer's subject access request, written as bundle.json,
/// bundle.md and bundle.html) to `admin`. A parsed subcommand sets `action` as
/// add_admin_commands() does; `o` must outlive it.
void add_governance_commands(CLI::App& admin, Options& o, std::function<int()>& action);

}  // namespace liaise::client::cli
