// Internal: `liaise chat ROOM`, the interactive terminal chat (ncursesw).
#pragma once

#include <string>

#include "commands.hpp"

namespace liaise::client::cli {

/// Logs in (passphrase from $LIAISE_PASSPHRASE or the terminal, asked before the screen is
/// taken over), shows ROOM's history and live messages above an input line, checks each draft
/// against the room's audience before sending, and returns 0 when the person quits (Ctrl-C,
/// Ctrl-D on an empty line, or /quit). A login, room or terminal failure before the chat starts
/// is one line on stderr and 1; errors while chatting are shown in the chat and never end it.
int chat(const Options& o, const std::string& room);

}  // namespace liaise::client::cli
