// Internal: SQLite storage with grouped commits.
//
// One writer thread owns the only read-write connection. Mutations are queued as jobs; the
// writer takes every job waiting, runs each inside its own SAVEPOINT within one transaction,
// commits once (one WAL flush for the whole batch, with synchronous=FULL), and only then calls
// each job's completion. So an "ok" sent from a completion is always durable, and throughput
// does not pay one disk flush per message. Reads run on a small pool of read-only connections
// and never wait for the writer (WAL). Checkpoints (copying the WAL back into the database
// file) run on a thread of their own, so the writer does not stop for them.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/db.hpp"

namespace liaise::server {

class Metrics;

/// Durability of commits. `full` is the default and the only setting for production; `off`
/// exists so the benchmarks can measure what durability costs.
enum class Durability { full, off };

class Storage {
  public:
    /// Opens (creating if needed) the database at `path`, applies the schema, and starts the
    /// writer. Throws SQLite::Exception if the database cannot be opened, std::runtime_error if
    /// another process (or another Storage in this one) has it open.
    Storage(const std::filesystem::path& path, Metrics* metrics,
            Durability durability = Durability::full, int readers = 4);
    /// Finishes every queued job (each is committed and completed), then stops the writer.
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    /// A job runs on the writer thread inside the batch transaction. It may throw: its own
    /// changes are then rolled back (the rest of the batch is unaffected) and `done` receives
    /// the exception. If SQLite itself rolled the whole transaction back (disk full, I/O error,
    /// out of memory), the jobs before it in the batch fail with its error too, and those after
    /// it run in the next batch. `done` runs on the writer thread after the commit; it must not
    /// block, and what it throws is logged and dropped.
    using Job = std::function<void(SQLite::Database&)>;
    using Done = std::function<void(std::exception_ptr)>;
    /// What a job may change, as far as writer_epoch() is concerned.
    enum class Changes {
        anything,
        /// Only rows of `messages`: state derived from everything else stays valid across the
        /// job.
        only_messages,
    };
    void write(Job job, Done done, Changes changes = Changes::anything);

    /// Writer thread only. Moves on before every job that may change anything, after every job
    /// that throws and after every batch whose commit fails. A job may keep what it read from
    /// the database for later jobs while the epoch has not moved (the SQLite store keeps each
    /// room's members and devices so, store/sqlite/conn.hpp); what `only_messages` jobs change
    /// it must track itself (the SQLite store queues every unit so and counts its changes).
    [[nodiscard]] std::uint64_t writer_epoch() const noexcept { return epoch_; }

    /// The writer connection's prepared statements. Only for use inside a job (on the writer
    /// thread), where hot paths use it instead of preparing their SQL per job.
    [[nodiscard]] StatementCache& writer_statements() { return *writer_statements_; }

    /// Runs `job` as a write and waits for its commit; rethrows what the job threw.
    void write_and_wait(Job job);

    /// Runs `fn` on a read-only connection and returns what it returns. Safe from any thread;
    /// sees every commit whose completion has run. Every statement `fn` runs sees the same
    /// snapshot: the database as it was when the first of them began, whatever commits while
    /// `fn` runs. `fn` must not keep a statement past its return.
    template <class Fn>
    auto read(Fn&& fn) {
        auto lease = lease_reader();
        // A read's transaction is rolled back (nothing to undo) when it returns; should that
        // ever have failed, end it now rather than read from a snapshot left behind.
        if (sqlite3_get_autocommit(lease.db->getHandle()) == 0)
            lease.db->exec("ROLLBACK");
        SQLite::Transaction snapshot(*lease.db);
        return fn(*lease.db);
    }

    /// Creates the schema in a new database file (used by `liaise-server init`).
    static void create_schema(SQLite::Database& db);

  private:
    struct Pending {
        Job job;
        Done done;
        Changes changes;
    };
    struct Reader {
        std::mutex mutex;
        std::unique_ptr<SQLite::Database> db;
    };
    struct Lease {
        std::unique_lock<std::mutex> lock;
        SQLite::Database* db;
    };
    Lease lease_reader();
    void run_writer();
    void run_checkpointer();
    /// SQLite's WAL hook: called on the writer thread after each commit with the WAL's size.
    static int on_wal_commit(void* self, sqlite3* db, const char* schema, int pages);

    /// An exclusive flock on "<database>.lock", held from before the database is opened until
    /// after every connection to it has closed: one process writes a database at a time (the
    /// send path remembers room state between commits, and wal_vfs.hpp assumes one writer).
    class ProcessLock {
      public:
        /// Throws std::runtime_error if another process (or another Storage) holds it.
        explicit ProcessLock(const std::filesystem::path& database);
        ~ProcessLock();
        ProcessLock(const ProcessLock&) = delete;
        ProcessLock& operator=(const ProcessLock&) = delete;

      private:
        int fd_ = -1;
    };

    ProcessLock lock_;  // first: destroyed last
    Metrics* metrics_;
    std::unique_ptr<SQLite::Database> writer_db_;
    std::unique_ptr<StatementCache> writer_statements_;  // writer thread only
    std::uint64_t epoch_ = 1;                            // writer thread only
    std::vector<std::unique_ptr<Reader>> readers_;
    std::atomic<std::size_t> next_reader_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;  // GUARDED_BY(mutex_)
    bool stopping_ = false;      // GUARDED_BY(mutex_)
    std::thread writer_;

    std::unique_ptr<SQLite::Database> checkpoint_db_;  // checkpointer thread only
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_wake_;
    bool checkpoint_wanted_ = false;    // GUARDED_BY(checkpoint_mutex_)
    bool checkpoint_stopping_ = false;  // GUARDED_BY(checkpoint_mutex_)
    std::thread checkpointer_;
};

}  // namespace liaise::server
