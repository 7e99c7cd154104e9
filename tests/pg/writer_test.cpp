#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <string>
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
