// Internal: the small SQL helpers every request handler uses.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace liaise::server {

/// Milliseconds since the epoch: how every timestamp is stored.
[[nodiscard]] inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Prepares `sql`, binds `args` to its parameters in order, and runs it; returns the number of
/// rows changed.
template <class... Args>
int exec(SQLite::Database& db, const std::string& sql, const Args&... args) {
    SQLite::Statement q(db, sql);
    SQLite::bind(q, args...);
    return q.exec();
}

}  // namespace liaise::server
