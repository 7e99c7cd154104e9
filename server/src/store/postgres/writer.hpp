// Internal: a node's group-commit writer on PostgreSQL: the write side of a PostgreSQL Store.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pq.hpp"

namespace liaise::server::pg {

/// One thread, one connection. Jobs queued from any thread run in queue order inside one
/// transaction per batch (each under a savepoint of its own), and each job's `done` runs after
/// the COMMIT that holds it, on the writer thread: so a reply sent from `done` is durable.
///
/// - A job that throws has its own changes rolled back; `done` gets what it threw and the rest
///   of the batch carries on.
/// - A batch that fails as a whole (deadlock 40P01, serialisation failure 40001, a broken
///   connection, a failed COMMIT) is rolled back and run again from its first job on a fresh
///   connection, up to `attempts` times; then every job of it gets the error. Jobs must
///   therefore be safe to run more than once (store.hpp asks that of every write unit).
/// - Two nodes whose batches lock rows in different orders would deadlock, and PostgreSQL finds
///   a deadlock only after deadlock_timeout (a second). So a job names the rooms it will lock
///   (write()'s `rooms`), and each batch transaction first locks the union of its jobs' rooms in
///   ascending id order, in one statement, waiting as long as it takes: batches that lock only
///   what they named cannot deadlock with each other, whichever nodes run them.
/// - The safety net, for jobs that lock rows they did not name (a membership event, a device's
///   rows): after the named rooms, a batch waits at most `lock_wait_ms` for any other row lock,
///   and a batch that met a lock timeout or a deadlock is run again one job per transaction, in
///   queue order, without that limit, each job answered once its own transaction commits. A job
///   alone that loses a deadlock is tried again after a random 5-60 ms, up to ten times
///   `attempts`.
class Writer {
  public:
    using Job = std::function<void(Connection&)>;
    using Done = std::function<void(std::exception_ptr)>;

    struct Options {
        std::size_t max_batch = 64;
        int attempts = 5;
        int lock_wait_ms = 50;  ///< a batch's longest wait for a row lock (lock_timeout)
    };

    /// Connects to `url` and starts the writer thread. Throws Error if it cannot connect.
    Writer(std::string url, Options options);
    /// Runs and completes every queued job, then stops.
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// Queues `job`. `rooms`: the names of the rooms whose rows (`rooms` table) the job will
    /// lock, locked for it before any job of its batch runs. A name with no room is ignored; a
    /// room the job locks without naming it falls to the safety net (class comment).
    void write(Job job, Done done, std::vector<std::string> rooms = {});

    /// Transactions committed, and batches run again after a batch-level failure (a batch run
    /// again job by job after a lock conflict counts once; tests, metrics).
    [[nodiscard]] std::size_t commits() const;
    [[nodiscard]] std::size_t retries() const;

  private:
    struct Pending {
        Job job;
        Done done;
        std::vector<std::string> rooms;
    };
    void run();
    /// Runs `batch` in one transaction; fills `errors` per job. Throws Error if the batch as a
    /// whole failed. `alone`: a single job, with no limit on lock waits.
    void run_batch(std::deque<Pending>& batch, std::vector<std::exception_ptr>& errors, bool alone);
    /// run_batch() again after batch-level failures, up to `attempts` times: null once it
    /// committed, else the last failure.
    std::exception_ptr run_with_retries(std::deque<Pending>& batch,
                                        std::vector<std::exception_ptr>& errors, bool alone);
    /// Calls `pending.done(error)`, dropping what it throws.
    static void finish(Pending& pending, std::exception_ptr error);

    std::string url_;
    Options options_;
    std::unique_ptr<Connection> db_;  // writer thread only (after construction)
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;  // GUARDED_BY(mutex_)
    bool stopping_ = false;      // GUARDED_BY(mutex_)
    std::size_t commits_ = 0;    // GUARDED_BY(mutex_)
    std::size_t retries_ = 0;    // GUARDED_BY(mutex_)
    std::thread thread_;
};

}  // namespace liaise::server::pg
