// Internal: included before every file of net/ (server/CMakeLists.txt). The transport never
// touches the store: this poisons the names SQLite's headers declare, so that a file under net/
// that reaches <sqlite3.h> or SQLiteCpp, directly or through any header, does not compile.
#pragma once

#pragma GCC poison sqlite3 SQLite
