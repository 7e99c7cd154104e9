// What a mistake on the command line is called in plain words, with the usage line of the
// command it was made in, in place of the parser's own messages ("Could not convert: meeting =
// Item 1").
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace liaise::client::cli {

/// "liaise meeting agenda MEETING TITLE [--discussion TEXT] [--json]": `cmd`'s arguments in
/// order (optional ones in brackets, a repeatable one with "..."), then its options; a value
/// that must be a whole number is NUMBER. Hidden options and --help are left out.
[[nodiscard]] std::string usage_line(const CLI::App& cmd);

/// The lines to print for `error`, thrown by parsing `app`, each ending in "\n":
/// "liaise meeting agenda: missing MEETING (the meeting number)", "...: MEETING must be a
/// number (the meeting number), not 'abc'", "...: --due needs a value (Due date, YYYY-MM-DD)",
/// else the parser's message (each after "liaise COMMAND: "); then "Usage: " and usage_line() of
/// the command being given, and where its help is.
[[nodiscard]] std::string parse_error_text(const CLI::App& app, const CLI::ParseError& error);

}  // namespace liaise::client::cli
