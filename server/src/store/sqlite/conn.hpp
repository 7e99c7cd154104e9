// Internal to the SQLite store: one unit of work's connection, with the helpers its
// repositories share.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/db.hpp"
#include "store/repo/accounts.hpp"
#include "store/repo/messages.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::store::sqlite {

/// What the writer remembers between units of work, so that a send costs the writer its
/// duplicate check and its two writes rather than eight queries. Writer thread only. Valid
/// while `epoch` equals the store's: every repository call that may change rooms, members,
/// accounts or devices moves it, and so do every failed unit and every failed commit.
/// Messages::append keeps `last_seq` up to date itself.
struct WriterMemory {
    struct Room {
        Id id = 0;
        std::int64_t last_seq = 0;
        std::vector<Id> accounts;       // members, ascending
        std::set<std::string> devices;  // every current device of every member not suspended
    };
    static constexpr std::size_t kMaxEntries = 10000;  // then start again: memory stays bounded

    std::uint64_t epoch = 0;
    std::unordered_map<std::string, Room> rooms;
    std::unordered_map<Id, SenderKeys> keys;
    std::unordered_map<Id, Standing> standing;

    /// Forgets everything unless still valid at `now`.
    void validate(std::uint64_t now) {
        if (epoch == now && rooms.size() < kMaxEntries && keys.size() < kMaxEntries &&
            standing.size() < kMaxEntries)
            return;
        rooms.clear();
        keys.clear();
        standing.clear();
        epoch = now;
    }
};

/// The connection a unit of work runs on. A write unit's has the writer's statement cache and
/// memory; a read unit's a cache of its own that ends with it, and no memory.
struct Conn {
    SQLite::Database& db;
    StatementCache& sql;
    WriterMemory* memory = nullptr;  ///< write units only
    /// Write units only: the store's epoch, moved by changed().
    std::uint64_t* epoch = nullptr;

    /// The current epoch; memory is refreshed against it.
    [[nodiscard]] WriterMemory* remembered() const {
        if (memory == nullptr)
            return nullptr;
        memory->validate(*epoch);
        return memory;
    }
    /// Called before anything that could change what WriterMemory keeps.
    void changed() const {
        if (epoch != nullptr)
            ++*epoch;
    }
};

/// A NULL parameter.
struct Null {};

inline void bind_one(SQLite::Statement& q, int at, std::int64_t v) {
    q.bind(at, v);
}
inline void bind_one(SQLite::Statement& q, int at, int v) {
    q.bind(at, v);
}
inline void bind_one(SQLite::Statement& q, int at, bool v) {
    q.bind(at, v ? 1 : 0);
}
inline void bind_one(SQLite::Statement& q, int at, std::string_view v) {
    q.bind(at, std::string(v));
}
inline void bind_one(SQLite::Statement& q, int at, const std::string& v) {
    q.bind(at, v);
}
inline void bind_one(SQLite::Statement& q, int at, const char* v) {
    q.bind(at, v);
}
/// Empty bytes bind as an empty blob (X''), never NULL: a row created before its body is sealed
/// (Meetings::create, add_action) has an empty body, and the column is NOT NULL.
inline void bind_one(SQLite::Statement& q, int at, const Bytes& v) {
    static const unsigned char kNone = 0;
    q.bind(at, v.empty() ? &kNone : v.data(), static_cast<int>(v.size()));
}
inline void bind_one(SQLite::Statement& q, int at, Null) {
    q.bind(at);
}
template <class T>
void bind_one(SQLite::Statement& q, int at, const std::optional<T>& v) {
    if (v)
        bind_one(q, at, *v);
    else
        q.bind(at);
}

/// Binds `args` to `q`'s parameters in order.
template <class... Args>
void bind_all(SQLite::Statement& q, const Args&... args) {
    int at = 1;
    (bind_one(q, at++, args), ...);
}

/// Runs `sql` with `args` (cached statement); returns the rows changed.
template <class... Args>
int run(const Conn& c, const std::string& sql, const Args&... args) {
    auto q = c.sql.use(sql);
    bind_all(*q, args...);
    return q->exec();
}

/// 0 for NULL.
[[nodiscard]] inline std::int64_t id_or_0(const SQLite::Column& col) {
    return col.isNull() ? 0 : col.getInt64();
}
[[nodiscard]] inline std::optional<std::int64_t> optional_int(const SQLite::Column& col) {
    if (col.isNull())
        return std::nullopt;
    return col.getInt64();
}
[[nodiscard]] inline Bytes bytes(const SQLite::Column& col) {
    const auto* p = static_cast<const unsigned char*>(col.getBlob());
    return Bytes(p, p + col.getBytes());
}
/// "" for NULL.
[[nodiscard]] inline std::string text(const SQLite::Column& col) {
    return col.isNull() ? std::string() : col.getString();
}

/// The current row of a stepped statement, read as store/sql/rows.hpp reads rows.
class Row {
  public:
    explicit Row(SQLite::Statement& q) : q_(&q) {}

    [[nodiscard]] std::int64_t int64(int col) const { return q_->getColumn(col).getInt64(); }
    [[nodiscard]] std::string text(int col) const { return sqlite::text(q_->getColumn(col)); }
    [[nodiscard]] bool is_null(int col) const { return q_->getColumn(col).isNull(); }
    [[nodiscard]] std::optional<std::int64_t> optional_int(int col) const {
        return sqlite::optional_int(q_->getColumn(col));
    }
    [[nodiscard]] std::int64_t id_or_0(int col) const {
        return sqlite::id_or_0(q_->getColumn(col));
    }
    [[nodiscard]] bool boolean(int col) const { return q_->getColumn(col).getInt() != 0; }
    [[nodiscard]] Bytes bytes(int col) const { return sqlite::bytes(q_->getColumn(col)); }

  private:
    SQLite::Statement* q_;
};

/// The rows of one use of a cached statement, stepped as they are read: an input range, read
/// once. The statement is reset when the Rows end (StatementCache::Use).
class Rows {
  public:
    template <class... Args>
    Rows(StatementCache& cache, const std::string& sql, const Args&... args) : q_(cache.use(sql)) {
        if constexpr (sizeof...(Args) > 0)
            bind_all(*q_, args...);
    }

    struct End {};
    class Iterator {
      public:
        explicit Iterator(SQLite::Statement& q) : q_(&q), more_(q.executeStep()) {}
        [[nodiscard]] Row operator*() const { return Row(*q_); }
        Iterator& operator++() {
            more_ = q_->executeStep();
            return *this;
        }
        [[nodiscard]] bool operator==(End) const { return !more_; }

      private:
        SQLite::Statement* q_;
        bool more_;
    };
    /// Steps to the first row: call once.
    [[nodiscard]] Iterator begin() { return Iterator(*q_); }
    [[nodiscard]] End end() const { return {}; }

  private:
    StatementCache::Use q_;
};

/// The rows of `sql` run with `args` (cached statement), for store/sql/.
template <class... Args>
[[nodiscard]] Rows query(const Conn& c, const std::string& sql, const Args&... args) {
    return Rows(c.sql, sql, args...);
}

/// An id as SQLite binds it: NULL for 0.
[[nodiscard]] inline std::optional<std::int64_t> nullable(Id id) {
    if (id == 0)
        return std::nullopt;
    return id;
}

}  // namespace liaise::server::store::sqlite
