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
