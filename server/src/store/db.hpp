// Internal: the small SQL helpers every request handler uses.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "clock.hpp"

namespace liaise::server {

/// Prepares `sql`, binds `args` to its parameters in order, and runs it; returns the number of
/// rows changed.
template <class... Args>
int exec(SQLite::Database& db, const std::string& sql, const Args&... args) {
    SQLite::Statement q(db, sql);
    SQLite::bind(q, args...);
    return q.exec();
}

/// Steps `q` to the end and returns its first column, as integers.
[[nodiscard]] inline std::vector<std::int64_t> int64_column(SQLite::Statement& q) {
    std::vector<std::int64_t> out;
    while (q.executeStep())
        out.push_back(q.getColumn(0).getInt64());
    return out;
}

/// Prepared statements kept across uses, keyed by their SQL text, so that a hot path pays for
/// parsing and planning once per connection rather than once per request. Owned by one
/// connection and touched only by the thread that uses that connection (the writer's cache is
/// used only from inside write jobs). SQLite re-prepares a cached statement by itself when the
/// schema changes.
class StatementCache {
  public:
    explicit StatementCache(SQLite::Database& db) : db_(db) {}
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    /// One use of a statement: ready to bind and step. When it ends, the statement is reset
    /// and its bindings cleared, so that no read stays open across a job or a savepoint.
    class Use {
      public:
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;
        ~Use() {
            if (own_)
                return;         // a fresh statement, finalised by its destructor
            stmt_->tryReset();  // also resets SQLiteCpp's own row and done flags
            try {
                stmt_->clearBindings();  // sqlite3_clear_bindings() cannot fail
            } catch (...) {
            }
            *busy_ = false;
        }
        SQLite::Statement& operator*() const { return *stmt_; }
        SQLite::Statement* operator->() const { return stmt_; }

      private:
        friend class StatementCache;
        Use(SQLite::Statement& stmt, bool& busy) : stmt_(&stmt), busy_(&busy) { busy = true; }
        Use(SQLite::Database& db, const std::string& sql) : own_(std::in_place, db, sql) {
            stmt_ = &*own_;
        }

        SQLite::Statement* stmt_ = nullptr;
        bool* busy_ = nullptr;
        std::optional<SQLite::Statement> own_;  ///< set when the cached one was in use
    };

    /// The statement for `sql`, prepared on first use. A statement still in use (a nested
    /// use of the same SQL) is not shared: the nested use gets a fresh one. Throws
    /// SQLite::Exception if `sql` does not prepare.
    [[nodiscard]] Use use(const std::string& sql) {
        if (const auto it = entries_.find(sql); it != entries_.end()) {
            if (it->second.busy)
                return Use(db_, sql);
            return Use(*it->second.stmt, it->second.busy);
        }
        auto stmt = std::make_unique<SQLite::Statement>(db_, sql);  // throws before caching
        auto& entry = entries_[sql];
        entry.stmt = std::move(stmt);
        return Use(*entry.stmt, entry.busy);
    }

    /// Like exec() above, with the cached statement for `sql`.
    template <class... Args>
    int exec(const std::string& sql, const Args&... args) {
        auto q = use(sql);
        SQLite::bind(*q, args...);
        return q->exec();
    }

    [[nodiscard]] std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::unique_ptr<SQLite::Statement> stmt;
        bool busy = false;
    };
    SQLite::Database& db_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace liaise::server
