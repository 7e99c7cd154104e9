// The PostgreSQL store: store.hpp on a database that several server nodes share.
//
// Write units run on this node's group-commit writer (writer.hpp): in queue order, each under a
// savepoint of its own inside one transaction per batch, with `done` called on the writer thread
// after the COMMIT that holds the unit. Read units run on reader threads, each with its own
// connection, in a REPEATABLE READ READ ONLY transaction of their own (one consistent snapshot
// of everything committed when it starts, on any node), with `done` on that reader thread: no
// caller ever waits for PostgreSQL.
//
// Nothing is remembered between units of work (repos.hpp): membership, standing and a room's
// last seq are read in the unit that uses them, so a change committed by any node counts from
// the next unit on. The schema must be current (schema.hpp, migrate()) before units run.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/writer.hpp"
#include "store/store.hpp"

namespace liaise::server::pg {

class PgStore final : public store::Store {
  public:
    struct Options {
        Writer::Options writer;
        /// Reader threads (and connections); at least 1.
        std::size_t readers = 2;
    };

    /// Connects the writer and the readers to `url`. Throws Error if it cannot connect.
    explicit PgStore(const std::string& url);
    PgStore(const std::string& url, Options options);
    /// Completes every queued unit (reads and writes), then closes the connections.
    ~PgStore() override;
    PgStore(const PgStore&) = delete;
    PgStore& operator=(const PgStore&) = delete;

    void write(WriteJob job, Done done) override;
    /// Locks the named rooms before the batch holding `job` runs (writer.hpp).
    void write(WriteJob job, Done done, Locks locks) override;
    void read(ReadJob job, Done done) override;

  private:
    struct ReadUnit {
        ReadJob job;
        Done done;
    };
    void read_loop(std::unique_ptr<Connection> db);
    /// Runs one read unit on `db` (reconnected to url_ first if it broke); returns what it threw.
    std::exception_ptr run_read(std::unique_ptr<Connection>& db, const ReadJob& job);

    std::string url_;
    Writer writer_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<ReadUnit> reads_;  // GUARDED_BY(mutex_)
    bool stopping_ = false;       // GUARDED_BY(mutex_)
    std::vector<std::thread> readers_;
};

}  // namespace liaise::server::pg
