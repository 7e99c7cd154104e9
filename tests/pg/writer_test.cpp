#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_db.hpp"
#include "store/postgres/writer.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;

namespace {

void make_table(const std::string& url) {
    pg::Connection db(url);
    db.exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
}

pg::Writer::Job insert(std::string k) {
    return [k](pg::Connection& db) { db.exec("INSERT INTO t VALUES ($1, 1)", {k}); };
}

}  // namespace

TEST_CASE("PostgreSQL writer completes each job only after the commit that holds it", "[pg]") {
    PgTestDb t;
    make_table(t.url);
    pg::Connection reader(t.url);
    std::vector<std::future<bool>> seen;
    {
        pg::Writer w(t.url, {});
        for (int i = 0; i < 50; ++i) {
            auto p = std::make_shared<std::promise<bool>>();
            seen.push_back(p->get_future());
            const auto k = std::to_string(i);
            w.write(insert(k), [p, k, &t](std::exception_ptr e) {
                if (e) {
                    p->set_value(false);
                    return;
                }
                // Another connection sees the row once done runs: it committed.
                pg::Connection other(t.url);
                p->set_value(other.exec("SELECT count(*) FROM t WHERE k = $1", {k}).int64(0, 0) ==
                             1);
            });
        }
    }
    for (auto& f : seen)
        CHECK(f.get());
}

TEST_CASE("PostgreSQL writer rolls back only the job that failed", "[pg]") {
    PgTestDb t;
    make_table(t.url);
    std::vector<std::string> outcome(3);
    {
        pg::Writer w(t.url, {});
        auto record = [&](int i) {
            return [&outcome, i](std::exception_ptr e) {
                try {
                    if (e)
                        std::rethrow_exception(e);
                    outcome[i] = "ok";
                } catch (const pg::Error& err) {
                    outcome[i] = err.sqlstate();
                } catch (const std::exception& err) {
                    outcome[i] = err.what();
                }
            };
        };
        w.write(insert("a"), record(0));
        // Inserts a row, then hits the primary key: its first row must go too.
        w.write(
            [](pg::Connection& db) {
                db.exec("INSERT INTO t VALUES ('b', 1)");
                db.exec("INSERT INTO t VALUES ('a', 2)");
            },
            record(1));
        w.write(
            [](pg::Connection& db) {
                db.exec("INSERT INTO t VALUES ('c', 1)");
                throw std::runtime_error("refused by a rule");
            },
            record(2));
        w.write(insert("d"), [](std::exception_ptr) {});
    }
    CHECK(outcome[0] == "ok");
    CHECK(outcome[1] == "23505");
    CHECK(outcome[2] == "refused by a rule");
    pg::Connection db(t.url);
    CHECK(db.exec("SELECT string_agg(k, ',' ORDER BY k) FROM t").text(0, 0) == "a,d");
}

TEST_CASE("PostgreSQL writer runs a batch again on a new connection when its backend is killed",
          "[pg]") {
    PgTestDb t;
    make_table(t.url);
    std::atomic<int> ok{0}, failed{0}, runs{0};
    {
        pg::Writer w(t.url, {});
        // The first run of this job kills its own backend mid-batch, as a crashed database
        // connection would; the writer must reconnect and run the whole batch again.
        w.write(
            [&](pg::Connection& db) {
                db.exec("INSERT INTO t VALUES ('first', 1)");
                if (runs++ == 0)
                    db.exec("SELECT pg_terminate_backend(pg_backend_pid())");
            },
            [&](std::exception_ptr e) { (e ? failed : ok)++; });
        for (int i = 0; i < 20; ++i)
            w.write(insert("k" + std::to_string(i)),
                    [&](std::exception_ptr e) { (e ? failed : ok)++; });
    }
    CHECK(runs >= 2);
    CHECK(ok == 21);
    CHECK(failed == 0);
    pg::Connection db(t.url);
    CHECK(db.exec("SELECT count(*) FROM t").int64(0, 0) == 21);
}

// ---- lock conflicts between nodes (issue #28) -------------------------------------------------

namespace {

/// Rooms a..d (ids 1..4, in name order), a message table, and two plain rows to fight over.
void make_rooms(const std::string& url) {
    pg::Connection db(url);
    db.exec(
        "CREATE TABLE rooms(id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, last_seq BIGINT "
        "NOT NULL DEFAULT 0);"
        "INSERT INTO rooms(id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');"
        "CREATE TABLE msgs(room TEXT NOT NULL, seq BIGINT NOT NULL, k TEXT NOT NULL);"
        "CREATE TABLE other(id BIGINT PRIMARY KEY, v BIGINT NOT NULL);"
        "INSERT INTO other VALUES (1, 0), (2, 0)");
}

/// Holds a writer's thread in its first job until open() (or a timeout), so that the jobs
/// queued meanwhile make up the next batch, whole.
class Gate {
  public:
    pg::Writer::Job job() {
        return [this](pg::Connection&) { opened_.wait_for(std::chrono::seconds(10)); };
    }
    void open() { promise_.set_value(); }

  private:
    std::promise<void> promise_;
    std::shared_future<void> opened_ = promise_.get_future().share();
};

/// Two parties meet: each says it is here and waits (up to a limit) for the other.
class Rendezvous {
  public:
    /// True if the other party arrived before `limit` passed.
    bool meet(int party, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        here_[party] = true;
        cv_.notify_all();
        return cv_.wait_for(lock, limit, [&] { return here_[1 - party]; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool here_[2] = {false, false};
};

/// What became of a job: how often it ran, and its outcome (empty: ok; unset: not yet done).
struct Tally {
    std::atomic<int> runs{0};
    std::atomic<bool> done{false};
    std::string error;  // written before `done` is set
    pg::Writer::Done record() {
        return [this](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& err) {
                    error = err.what();
                    if (error.empty())
                        error = "?";
                }
            }
            done = true;
        };
    }
};

/// Waits until `pred` holds or `limit` passes; returns pred().
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return pred();
}

/// PostgreSQL's count of deadlocks in `url`'s database, once every other backend on it has
/// gone (a backend's counts reach the statistics by the time it exits).
std::int64_t deadlocks(const std::string& url) {
    pg::Connection db(url);
    eventually([&] {
        return db.exec(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid()")
                   .int64(0, 0) == 0;
    });
    db.exec("SELECT pg_stat_clear_snapshot()");
    return db.exec("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        .int64(0, 0);
}

}  // namespace

TEST_CASE(
    "PostgreSQL writer: a batch that meets a lock timeout runs again job by job, and each "
    "job commits exactly once",
    "[pg]") {
    PgTestDb t;
    make_rooms(t.url);
    // A third connection (another node's long transaction) holds row 1 of `other`.
    pg::Connection holder(t.url);
    holder.exec("BEGIN");
    holder.exec("SELECT v FROM other WHERE id = 1 FOR UPDATE");
    std::vector<Tally> jobs(10);
    pg::Writer::Options options;
    options.lock_wait_ms = 50;
    std::size_t retries = 0, commits = 0;
    {
        pg::Writer w(t.url, options);
        Gate gate;
        w.write(gate.job(), [](std::exception_ptr) {});
        for (int i = 0; i < 10; ++i) {
            w.write(
                [&jobs, i](pg::Connection& db) {
                    ++jobs[i].runs;
                    db.exec("INSERT INTO msgs VALUES ('x', $1, $2)",
                            {std::to_string(i), "k" + std::to_string(i)});
                    if (i == 5)  // waits for the holder's row: over the batch's 50 ms
                        db.exec("UPDATE other SET v = v + 1 WHERE id = 1");
                },
                jobs[i].record());
        }
        gate.open();
        // Run alone, the jobs before the blocked one commit while the holder still holds its
        // row; the blocked one waits for it now without a limit.
        CHECK(eventually([&] {
            return std::all_of(jobs.begin(), jobs.begin() + 5,
                               [](auto& j) { return j.done.load(); });
        }));
        CHECK_FALSE(jobs[5].done);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        CHECK_FALSE(jobs[5].done);
        holder.exec("COMMIT");
        CHECK(eventually([&] { return jobs[9].done.load(); }));
        retries = w.retries();
        commits = w.commits();
    }
    for (int i = 0; i < 10; ++i) {
        INFO("job " << i);
        CHECK(jobs[i].done);
        CHECK(jobs[i].error.empty());
        // Up to the blocked one, once in the failed batch and once alone; after it, alone.
        CHECK(jobs[i].runs == (i <= 5 ? 2 : 1));
    }
    CHECK(retries == 1);
    CHECK(commits == 11);  // the gate's, then each job's own
    pg::Connection db(t.url);
    CHECK(db.exec("SELECT count(*), count(DISTINCT k) FROM msgs").int64(0, 0) == 10);
    CHECK(db.exec("SELECT count(DISTINCT k) FROM msgs").int64(0, 0) == 10);
    CHECK(db.exec("SELECT v FROM other WHERE id = 1").int64(0, 0) == 1);
}

TEST_CASE(
    "PostgreSQL writer: two writers whose batches lock the same rows in opposite orders "
    "both finish, each job once",
    "[pg]") {
    PgTestDb t;
    make_rooms(t.url);
    pg::Writer::Options options;
    options.lock_wait_ms = 50;
    Rendezvous meet;
    std::vector<Tally> jobs(4);  // writer 0: rows 1 then 2; writer 1: rows 2 then 1
    std::size_t retries = 0;
    {
        pg::Writer w0(t.url, options), w1(t.url, options);
        Gate g0, g1;
        w0.write(g0.job(), [](std::exception_ptr) {});
        w1.write(g1.job(), [](std::exception_ptr) {});
        for (int party = 0; party < 2; ++party) {
            auto& w = party == 0 ? w0 : w1;
            const int first = party == 0 ? 1 : 2, second = party == 0 ? 2 : 1;
            w.write(
                [&, party, first](pg::Connection& db) {
                    db.exec("UPDATE other SET v = v + 1 WHERE id = $1", {std::to_string(first)});
                    // Both hold their first row before either asks for its second.
                    if (jobs[2 * party].runs++ == 0)
                        meet.meet(party, std::chrono::milliseconds(2000));
                },
                jobs[2 * party].record());
            w.write(
                [&, party, second](pg::Connection& db) {
                    ++jobs[2 * party + 1].runs;
                    db.exec("UPDATE other SET v = v + 1 WHERE id = $1", {std::to_string(second)});
                },
                jobs[2 * party + 1].record());
        }
        g0.open();
        g1.open();
        CHECK(eventually([&] { return jobs[1].done && jobs[3].done; }));
        retries = w0.retries() + w1.retries();
    }
    for (auto& j : jobs) {
        CHECK(j.done);
        CHECK(j.error.empty());
    }
    CHECK(retries >= 1);  // at least one of them met the other's lock and ran again
    pg::Connection db(t.url);
    CHECK(db.exec("SELECT v FROM other WHERE id = 1").int64(0, 0) == 2);
    CHECK(db.exec("SELECT v FROM other WHERE id = 2").int64(0, 0) == 2);
}

TEST_CASE(
    "PostgreSQL writer: batches that name their rooms lock them in ascending order, so two "
    "writers sending in opposite room orders never deadlock",
    "[pg]") {
    // Each writer's batch sends into rooms a, b, c, d (writer 1: d, c, b, a); the first job of
    // each waits for the other writer's first job (up to 300 ms). With the rooms named, the
    // second writer cannot start its batch while the first holds any of them, so there is no
    // conflict to resolve. Without (the control), both start, each holds a room the other needs,
    // and PostgreSQL finds a deadlock.
    const auto run = [](bool named, std::size_t& retries, std::int64_t& deadlocks_seen, int& met) {
        PgTestDb t;
        make_rooms(t.url);
        {
            pg::Connection admin(t.url);
            admin.exec("ALTER DATABASE " + t.name + " SET deadlock_timeout = '100ms'");
        }
        const auto before = deadlocks(t.url);
        pg::Writer::Options options;
        options.lock_wait_ms = 60000;  // leave conflicts to PostgreSQL's deadlock detector
        Rendezvous meet;
        std::atomic<int> rendezvous_met{0};
        std::vector<Tally> jobs(8);
        {
            pg::Writer w0(t.url, options), w1(t.url, options);
            Gate g0, g1;
            w0.write(g0.job(), [](std::exception_ptr) {});
            w1.write(g1.job(), [](std::exception_ptr) {});
            for (int party = 0; party < 2; ++party) {
                auto& w = party == 0 ? w0 : w1;
                for (int n = 0; n < 4; ++n) {
                    const std::string room(1, static_cast<char>(party == 0 ? 'a' + n : 'd' - n));
                    auto& tally = jobs[static_cast<std::size_t>(4 * party + n)];
                    w.write(
                        [&, party, n, room](pg::Connection& db) {
                            const auto seq =
                                db.exec(
                                      "UPDATE rooms SET last_seq = last_seq + 1 WHERE name = "
                                      "$1 RETURNING last_seq",
                                      {room})
                                    .int64(0, 0);
                            db.exec("INSERT INTO msgs VALUES ($1, $2, $3)",
                                    {room, std::to_string(seq), std::to_string(party)});
                            if (tally.runs++ == 0 && n == 0 &&
                                meet.meet(party, std::chrono::milliseconds(300)))
                                ++rendezvous_met;
                        },
                        tally.record(),
                        named ? std::vector<std::string>{room} : std::vector<std::string>{});
                }
            }
            g0.open();
            g1.open();
            CHECK(eventually([&] { return jobs[3].done && jobs[7].done; },
                             std::chrono::milliseconds(20000)));
            retries = w0.retries() + w1.retries();
        }
        for (auto& j : jobs) {
            CHECK(j.done);
            CHECK(j.error.empty());
        }
        deadlocks_seen = deadlocks(t.url) - before;
        met = rendezvous_met;
        // Every room got one message from each writer, at seqs 1 and 2.
        pg::Connection db(t.url);
        CHECK(db.exec("SELECT string_agg(room || seq, ',' ORDER BY room, seq) FROM msgs")
                  .text(0, 0) == "a1,a2,b1,b2,c1,c2,d1,d2");
        CHECK(db.exec("SELECT count(DISTINCT (room, k)) FROM msgs").int64(0, 0) == 8);
    };
    SECTION("rooms named: no conflict at all") {
        std::size_t retries = 99;
        std::int64_t deadlocks_seen = 99;
        int met = 99;
        run(true, retries, deadlocks_seen, met);
        CHECK(retries == 0);
        CHECK(deadlocks_seen == 0);
        CHECK(met <= 1);  // the second writer's batch started only after the first's committed
    }
    SECTION("control: rooms not named, the same batches deadlock") {
        std::size_t retries = 0;
        std::int64_t deadlocks_seen = 0;
        int met = 0;
        run(false, retries, deadlocks_seen, met);
        CHECK(met == 2);
        CHECK(retries >= 1);
        CHECK(deadlocks_seen >= 1);
    }
}
