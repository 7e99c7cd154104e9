#include "storage.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <regex>
#include <thread>

#include "metrics.hpp"

using namespace liaise::server;
namespace fs = std::filesystem;

namespace {

struct TempDb {
    fs::path path = fs::temp_directory_path() / ("liaise-storage-" + std::to_string(::getpid()) +
                                                 "-" + std::to_string(std::rand()) + ".db");
    ~TempDb() {
        for (const char* suffix : {"", "-wal", "-shm"})
            fs::remove(path.string() + suffix);
    }
};

std::int64_t count_agencies(Storage& s) {
    return s.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT COUNT(*) FROM agencies").getInt64();
    });
}

void add_agency(SQLite::Database& db, const std::string& name) {
    SQLite::Statement q(
        db, "INSERT INTO agencies(name, discipline, created_at) VALUES(?, 'health', 0)");
    q.bind(1, name);
    q.exec();
}

std::uint64_t metric(const Metrics& m, const std::string& name) {
    const std::regex line("\n" + name + " ([0-9]+)");
    std::smatch match;
    const auto text = "\n" + m.render();
    REQUIRE(std::regex_search(text, match, line));
    return std::stoull(match[1]);
}

}  // namespace

TEST_CASE("a write is visible to reads once its completion runs", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "A"); });
    CHECK(count_agencies(storage) == 1);
}

TEST_CASE("a failing job is rolled back alone; the rest of its batch commits", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    // Hold the writer so that the next three jobs land in one batch.
    storage.write([opened](SQLite::Database&) { opened.wait(); }, nullptr);
    std::vector<std::future<bool>> results;
    const auto job = [&](std::function<void(SQLite::Database&)> fn) {
        auto p = std::make_shared<std::promise<bool>>();
        results.push_back(p->get_future());
        storage.write(std::move(fn), [p](std::exception_ptr e) { p->set_value(e == nullptr); });
    };
    job([](SQLite::Database& db) { add_agency(db, "first"); });
    job([](SQLite::Database& db) {
        add_agency(db, "doomed");
        throw std::runtime_error("refused");  // its insert must not survive
    });
    job([](SQLite::Database& db) { add_agency(db, "third"); });
    gate.set_value();
    CHECK(results[0].get());
    CHECK_FALSE(results[1].get());
    CHECK(results[2].get());
    CHECK(count_agencies(storage) == 2);
    CHECK(storage.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT COUNT(*) FROM agencies WHERE name = 'doomed'").getInt64();
    }) == 0);
}

TEST_CASE("writes waiting together share one commit", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    {
        Storage storage(tmp.path, &metrics);
        std::promise<void> gate;
        auto opened = gate.get_future().share();
        storage.write([opened](SQLite::Database&) { opened.wait(); }, nullptr);
        std::vector<std::thread> writers;
        std::atomic<int> done{0};
        for (int t = 0; t < 4; ++t) {
            writers.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i)
                    storage.write(
                        [t, i](SQLite::Database& db) {
                            add_agency(db, std::to_string(t) + "-" + std::to_string(i));
                        },
                        [&](std::exception_ptr) { ++done; });
            });
        }
        for (auto& w : writers)
            w.join();
        gate.set_value();
        storage.write_and_wait([](SQLite::Database&) {});
        CHECK(done == 200);
        CHECK(count_agencies(storage) == 200);
    }
    CHECK(metric(metrics, "liaise_committed_jobs_total") == 202);
    CHECK(metric(metrics, "liaise_commit_seconds_count") <= 4);  // not one flush per write
}

TEST_CASE("stopping storage completes every queued write", "[storage]") {
    TempDb tmp;
    std::atomic<int> done{0};
    {
        Metrics metrics;
        Storage storage(tmp.path, &metrics);
        for (int i = 0; i < 100; ++i)
            storage.write([i](SQLite::Database& db) { add_agency(db, std::to_string(i)); },
                          [&](std::exception_ptr e) {
                              if (!e)
                                  ++done;
                          });
    }
    CHECK(done == 100);
    SQLite::Database db(tmp.path.string());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM agencies").getInt64() == 100);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
}

TEST_CASE("cached statements are reused, reset and safe to nest", "[storage]") {
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
    StatementCache cache(db);
    for (int i = 1; i <= 3; ++i)
        CHECK(cache.exec("INSERT INTO t(k, v) VALUES(?, ?)", i, "v" + std::to_string(i)) == 1);
    CHECK(cache.size() == 1);

    const std::string select = "SELECT v FROM t WHERE k >= ? ORDER BY k";
    {
        auto q = cache.use(select);
        q->bind(1, 1);
        REQUIRE(q->executeStep());  // left mid-result: the end of the use resets it
        CHECK(q->getColumn(0).getString() == "v1");
        // The same SQL while it is in use gets a statement of its own.
        auto nested = cache.use(select);
        nested->bind(1, 3);
        REQUIRE(nested->executeStep());
        CHECK(nested->getColumn(0).getString() == "v3");
        REQUIRE(q->executeStep());
        CHECK(q->getColumn(0).getString() == "v2");
    }
    {
        auto q = cache.use(select);  // reset, bindings cleared: k >= NULL matches nothing
        CHECK_FALSE(q->executeStep());
    }
    {
        auto q = cache.use(select);
        q->bind(1, 2);
        int rows = 0;
        while (q->executeStep())
            ++rows;
        CHECK(rows == 2);
    }
    CHECK(cache.size() == 2);  // the INSERT and the SELECT
    CHECK_THROWS_AS(cache.use("SELECT nonsense FROM"), SQLite::Exception);
    CHECK(cache.size() == 2);
}

TEST_CASE("a job that fails rolls back what its cached statements did", "[storage]") {
    TempDb tmp;
    Storage storage(tmp.path, nullptr);
    CHECK_THROWS(storage.write_and_wait([&](SQLite::Database&) {
        storage.writer_statements().exec(
            "INSERT INTO agencies(name, discipline, created_at) VALUES(?, 'health', 0)", "A");
        throw std::runtime_error("job failed");
    }));
    storage.write_and_wait([&](SQLite::Database&) {
        storage.writer_statements().exec(
            "INSERT INTO agencies(name, discipline, created_at) VALUES(?, 'health', 0)", "B");
    });
    CHECK(count_agencies(storage) == 1);
}

TEST_CASE("the WAL is copied back into the database by the checkpointer, not left to grow",
          "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    const auto db_bytes = [&] { return fs::file_size(tmp.path); };
    const auto before = db_bytes();
    // About 6 MiB in 4 KiB rows, in commits of 64 rows: well past the 1,000-page threshold.
    const std::string row(4000, 'x');
    for (int batch = 0; batch < 24; ++batch) {
        storage.write_and_wait([&](SQLite::Database& db) {
            for (int i = 0; i < 64; ++i)
                add_agency(db, row + std::to_string(batch * 64 + i));
        });
    }
    // No write is waiting, so only the checkpointer thread can be copying pages back.
    auto waited = std::chrono::milliseconds(0);
    while (db_bytes() < before + 4 * 1024 * 1024 && waited < std::chrono::seconds(10)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        waited += std::chrono::milliseconds(20);
    }
    CHECK(db_bytes() >= before + 4 * 1024 * 1024);
    CHECK(count_agencies(storage) == 24 * 64);
}
