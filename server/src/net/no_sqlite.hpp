// Internal: included before every file of net/ and of the store interface (server/CMakeLists.txt).
// The transport never touches a database, and the store interface names none: this poisons the
// names SQLite's headers declare, so that such a file that reaches <sqlite3.h> or SQLiteCpp,
// directly or through any header, does not compile.
#pragma once

#pragma GCC poison sqlite3 SQLite
