// Internal: a thin RAII layer over libpq (PostgreSQL 15's client library): one connection, its
// results, batches sent in libpq's pipeline mode (one round trip for a whole transaction), and
// LISTEN/NOTIFY. Nothing here knows Liaise's schema.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace liaise::server::pg {

/// A failed connection or statement. `sqlstate()` is PostgreSQL's five-character code (e.g.
/// "23505" for a unique violation), empty when the failure is the connection's own.
class Error : public std::runtime_error {
  public:
    Error(const std::string& what, std::string sqlstate)
        : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

  private:
    std::string sqlstate_;
};

/// True for "cached plan must not change result type" (SQLSTATE 0A000): a statement prepared
/// on a connection before a schema change (a migration another node ran during a rolling
/// upgrade) whose result columns the change altered. PostgreSQL fails the statement, and the
/// transaction with it; after Connection::forget_prepared() the same unit runs again.
[[nodiscard]] inline bool stale_plan(const Error& e) noexcept {
    return e.sqlstate() == "0A000";
}

/// Statement parameters in text form; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

/// One statement's result. Move-only; frees the libpq result.
class Result {
  public:
    Result() = default;
    explicit Result(pg_result* r) : r_(r) {}
    Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
    Result& operator=(Result&& o) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result();

    /// True for the null result that ends a statement's results (libpq's NULL).
    [[nodiscard]] bool empty() const noexcept { return r_ == nullptr; }
    /// True for a command or query that completed (not an error, not a skipped pipeline step).
    [[nodiscard]] bool ok() const noexcept;
    /// True when an earlier statement of the same pipeline failed, so this one never ran.
    [[nodiscard]] bool aborted() const noexcept;
    [[nodiscard]] int rows() const noexcept;
    [[nodiscard]] bool is_null(int row, int column) const noexcept;
    /// The value as text (empty for NULL). Precondition: row and column exist.
    [[nodiscard]] std::string_view text(int row, int column) const noexcept;
    /// The value as an integer. Throws Error if it is NULL or not an integer.
    [[nodiscard]] std::int64_t int64(int row, int column) const;
    [[nodiscard]] std::string sqlstate() const;
    [[nodiscard]] std::string message() const;
    /// Throws Error with the message and sqlstate unless ok(); returns *this otherwise.
    Result& check(std::string_view what) &;
    Result&& check(std::string_view what) &&;

  private:
    pg_result* r_ = nullptr;
};

/// One statement of a pipeline. A statement with a `name` is prepared on the connection the
/// first time it is used and executed by name afterwards (parsed and planned once).
struct Query {
    std::string sql;
    Params params;
    std::string name;
};

/// A NOTIFY received on a LISTENing connection.
struct Notification {
    std::string channel;
    std::string payload;
    int backend_pid = 0;
};

/// One connection. Not thread-safe: one thread uses it at a time. Non-blocking underneath, so
/// a pipeline cannot deadlock however large the batch.
class Connection {
  public:
    /// Connects to `url` (postgresql://user@host:port/dbname?...). Throws Error if it cannot.
    explicit Connection(const std::string& url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs `sql` (one or more statements, no parameters); throws Error on failure.
    Result exec(const std::string& sql);
    /// Runs one statement with parameters ($1, $2, ...); throws Error on failure.
    Result exec(const std::string& sql, const Params& params);

    /// Sends every query in one pipeline with a single sync at the end, and returns one result
    /// per query, in order, without throwing for a statement's error: after the first failure
    /// the rest are aborted() (PostgreSQL skips them). A failure inside a transaction block
    /// leaves it failed (in_failed_transaction()): the caller rolls it back, or back to a
    /// savepoint. Throws Error only if the connection itself fails (then nothing may be
    /// assumed about which statements committed).
    std::vector<Result> pipeline(const std::vector<Query>& queries);

    /// Deallocates every statement prepared on this connection (DEALLOCATE ALL) and forgets
    /// them, so each is prepared again on its next use. For recovering from a stale plan (see
    /// stale_plan()). Not inside a failed transaction: roll it back first. Throws Error.
    void forget_prepared();

    /// LISTEN on `channel` (an SQL identifier made of [a-z0-9_]; std::invalid_argument else).
    void listen(const std::string& channel);
    /// The notifications already received, then waits up to `timeout` for more (zero: only
    /// reads what the socket holds). Throws Error if the connection fails.
    std::vector<Notification> notifications(std::chrono::milliseconds timeout);

    /// The socket, for poll(). Valid while the connection is open.
    [[nodiscard]] int socket() const noexcept;
    /// The server process's id (a NOTIFY from this connection carries it).
    [[nodiscard]] int backend_pid() const noexcept;
    /// True inside a transaction block that a failed statement has aborted.
    [[nodiscard]] bool in_failed_transaction() const noexcept;
    /// False once the connection has broken (a restarted server, a killed backend).
    [[nodiscard]] bool healthy() const noexcept;

  private:
    void flush_all();
    void wait_socket(bool for_write, int timeout_ms);
    Result next_result();
    /// Reads the results of one statement up to its terminating null; returns the first
    /// failure, else the last result.
    Result statement_result();
    void prepare_once(const Query& q);
    [[noreturn]] void fail(std::string_view what);

    pg_conn* conn_ = nullptr;
    std::unordered_set<std::string> prepared_;
};

}  // namespace liaise::server::pg
