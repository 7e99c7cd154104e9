#include "store/storage.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "metrics.hpp"
#include "temp_db.hpp"

using namespace liaise::server;
using liaise::server::testing::TempDb;
namespace fs = std::filesystem;

namespace {

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

/// Holds the writer on a job of its own, so that the jobs added next land in one batch; run()
/// lets them go and gives each one's error message ("" for success).
class HeldBatch {
  public:
    explicit HeldBatch(Storage& storage) : storage_(storage) {
        std::promise<void> holding;
        storage_.write(
            [&holding, opened = gate_.get_future().share()](SQLite::Database&) {
                holding.set_value();  // the writer has taken this job, and nothing after it
                opened.wait();
            },
            nullptr);
        holding.get_future().wait();
    }
    void add(Storage::Job job) {
        auto p = std::make_shared<std::promise<std::string>>();
        results_.push_back(p->get_future());
        storage_.write(std::move(job), [p](std::exception_ptr e) {
            if (!e)
                return p->set_value("");
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& failed) {
                p->set_value(failed.what());
            }
        });
    }
    std::vector<std::string> run() {
        gate_.set_value();
        std::vector<std::string> errors;
        for (auto& r : results_)
            errors.push_back(r.get());
        return errors;
    }

  private:
    Storage& storage_;
    std::promise<void> gate_;
    std::vector<std::future<std::string>> results_;
};

/// What a crash of the process would leave now: the database and its WAL as they are in the
/// files, copied while `storage` stays open.
void copy_as_crashed(const fs::path& from, const fs::path& to) {
    for (const char* suffix : {"", "-wal"})
        fs::copy_file(from.string() + suffix, to.string() + suffix,
                      fs::copy_options::overwrite_existing);
    fs::remove(to.string() + "-shm");
}

void create_bulk(Storage& storage) {
    storage.write_and_wait([](SQLite::Database& db) {
        db.exec("CREATE TABLE bulk(id INTEGER PRIMARY KEY, body TEXT)");
    });
}

void insert_bulk(SQLite::Database& db, int rows, std::size_t bytes) {
    SQLite::Statement q(db, "INSERT INTO bulk(body) VALUES(?)");
    for (int i = 0; i < rows; ++i) {
        q.bind(1, std::string(bytes, static_cast<char>('a' + i % 26)));
        q.exec();
        q.reset();
    }
}

}  // namespace

TEST_CASE("a write is visible to reads once its completion runs", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "A"); });
    CHECK(count_agencies(storage) == 1);
}

TEST_CASE("a read sees one snapshot, whatever commits while it runs", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "A"); });
    const auto [first, second] = storage.read([&](SQLite::Database& db) {
        const auto before = db.execAndGet("SELECT COUNT(*) FROM agencies").getInt64();
        storage.write_and_wait([](SQLite::Database& w) { add_agency(w, "B"); });
        return std::pair{before, db.execAndGet("SELECT COUNT(*) FROM agencies").getInt64()};
    });
    CHECK(first == 1);
    CHECK(second == 1);
    CHECK(count_agencies(storage) == 2);  // the next read sees the commit
}

TEST_CASE("a failing job is rolled back alone, the rest of its batch commits", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    HeldBatch batch(storage);
    batch.add([](SQLite::Database& db) { add_agency(db, "first"); });
    batch.add([](SQLite::Database& db) {
        add_agency(db, "doomed");
        throw std::runtime_error("refused");  // its insert must not survive
    });
    batch.add([](SQLite::Database& db) { add_agency(db, "third"); });
    CHECK(batch.run() == std::vector<std::string>{"", "refused", ""});
    CHECK(count_agencies(storage) == 2);
    CHECK(storage.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT COUNT(*) FROM agencies WHERE name = 'doomed'").getInt64();
    }) == 0);
}

TEST_CASE("a completion that throws stops neither the writer nor the completions after it",
          "[storage]") {
    TempDb tmp;
    Storage storage(tmp.path, nullptr);
    HeldBatch batch(storage);
    storage.write([](SQLite::Database& db) { add_agency(db, "first"); },
                  [](std::exception_ptr) { throw std::runtime_error("completion"); });
    batch.add([](SQLite::Database& db) { add_agency(db, "second"); });
    CHECK(batch.run() == std::vector<std::string>{""});
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "third"); });
    CHECK(count_agencies(storage) == 3);
}

TEST_CASE("a transaction left open between batches is rolled back, and writes go on", "[storage]") {
    // Stands in for a rollback that failed after a failed commit, which cannot be provoked:
    // a completion (on the writer thread, after the commit) leaves a transaction open.
    TempDb tmp;
    Storage storage(tmp.path, nullptr);
    SQLite::Database* writer = nullptr;
    std::promise<void> left_open;
    storage.write(
        [&](SQLite::Database& db) {
            writer = &db;
            add_agency(db, "first");
        },
        [&](std::exception_ptr) {
            writer->exec("BEGIN");
            add_agency(*writer, "never committed");
            left_open.set_value();
        });
    left_open.get_future().wait();
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "after"); });
    CHECK(count_agencies(storage) == 2);
    CHECK(storage.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT COUNT(*) FROM agencies WHERE name = 'never committed'")
            .getInt64();
    }) == 0);
}

TEST_CASE("a large job that fails leaves its batch and later commits to survive a crash",
          "[storage]") {
    // The failing job changes more than the page cache holds and then changes all of it again:
    // had SQLite spilled pages to the WAL and rewritten them in place, rolling back to the job's
    // savepoint would leave the frames written after it without checksums, and recovery would
    // drop this commit and every later one.
    TempDb tmp;
    TempDb crashed;
    Storage storage(tmp.path, nullptr);
    create_bulk(storage);
    HeldBatch batch(storage);
    batch.add([](SQLite::Database& db) { add_agency(db, "before"); });
    batch.add([](SQLite::Database& db) {
        insert_bulk(db, 3000, 2000);  // ~6 MB, three times the default page cache
        db.exec("UPDATE bulk SET body = body || 'again'");  // every page again
        throw std::runtime_error("refused");
    });
    batch.add([](SQLite::Database& db) { add_agency(db, "after"); });
    CHECK(batch.run() == std::vector<std::string>{"", "refused", ""});
    storage.write_and_wait([](SQLite::Database& db) { add_agency(db, "later"); });

    copy_as_crashed(tmp.path, crashed.path);
    SQLite::Database db(crashed.path.string(), SQLite::OPEN_READWRITE);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    CHECK(db.execAndGet("SELECT group_concat(name, ',') FROM (SELECT name FROM agencies ORDER BY "
                        "id)")
              .getString() == "before,after,later");
    CHECK(db.execAndGet("SELECT COUNT(*) FROM bulk").getInt64() == 0);
}

TEST_CASE("a job during which SQLite rolls the whole batch back fails it with the real error",
          "[storage]") {
    // Disk full (here: the page limit) in a statement with no journal of its own makes SQLite
    // roll back the whole transaction, savepoints and all. The jobs before that one are undone
    // too; the jobs after it have not run, and run in the next batch.
    TempDb tmp;
    Storage storage(tmp.path, nullptr);
    create_bulk(storage);
    HeldBatch batch(storage);
    batch.add([](SQLite::Database& db) { add_agency(db, "undone"); });
    batch.add([](SQLite::Database& db) {
        db.exec("PRAGMA max_page_count = " +
                std::to_string(db.execAndGet("PRAGMA page_count").getInt()));
        insert_bulk(db, 1, 100000);
    });
    batch.add([](SQLite::Database& db) {
        db.exec("PRAGMA max_page_count = 1073741823");
        add_agency(db, "next batch");
    });
    const auto errors = batch.run();
    REQUIRE(errors.size() == 3);
    CHECK_THAT(errors[0], Catch::Contains("full"));
    CHECK_THAT(errors[1], Catch::Contains("full"));
    CHECK(errors[2].empty());
    CHECK(storage.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT group_concat(name) FROM agencies").getString();
    }) == "next batch");
}

TEST_CASE("a batch takes no more jobs once its page cache holds 32 MiB", "[storage]") {
    TempDb tmp;
    Metrics metrics;
    Storage storage(tmp.path, &metrics);
    create_bulk(storage);
    HeldBatch batch(storage);
    for (int job = 0; job < 4; ++job)
        batch.add([](SQLite::Database& db) { insert_bulk(db, 3000, 4000); });  // ~12 MB each
    CHECK(batch.run() == std::vector<std::string>(4, ""));
    // The first three pass 32 MiB, so the fourth waits for a commit of its own: the table's, the
    // held job's, then two.
    CHECK(metric(metrics, "liaise_commit_seconds_count") == 4);
    CHECK(storage.read([](SQLite::Database& db) {
        return db.execAndGet("SELECT COUNT(*) FROM bulk").getInt64();
    }) == 4 * 3000);
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

TEST_CASE("older databases' messages are carried over to the current table", "[storage]") {
    // Version 2: WITHOUT ROWID, keyed by room and seq. Version 3: a rowid table whose retry
    // index leads with room_id. Version 4 keeps version 3's row ids.
    const int version = GENERATE(2, 3);
    CAPTURE(version);
    TempDb tmp;
    { Storage fresh(tmp.path, nullptr); }
    {
        // Rebuild the older messages table and fill it, parents included, as that version's
        // server would have.
        SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE messages");
        if (version == 2) {
            db.exec(
                "CREATE TABLE messages(room_id INTEGER NOT NULL REFERENCES rooms(id), seq INTEGER "
                "NOT NULL, sender_device INTEGER NOT NULL REFERENCES devices(id), client_msg_id "
                "TEXT NOT NULL, envelope TEXT NOT NULL, sent_at INTEGER NOT NULL, PRIMARY "
                "KEY(room_id, seq), UNIQUE(room_id, sender_device, client_msg_id)) WITHOUT ROWID");
        } else {
            db.exec(
                "CREATE TABLE messages(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL "
                "REFERENCES rooms(id), seq INTEGER NOT NULL, sender_device INTEGER NOT NULL "
                "REFERENCES devices(id), client_msg_id TEXT NOT NULL, envelope TEXT NOT NULL, "
                "sent_at INTEGER NOT NULL, UNIQUE(room_id, seq), UNIQUE(room_id, sender_device, "
                "client_msg_id))");
        }
        add_agency(db, "Ward 4");
        db.exec(
            "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
            "VALUES(1, 'ann', 'Ann', 1, 'admin', 0)");
        db.exec(
            "INSERT INTO devices(id, account_id, name, sign_key, box_key, box_key_signature, "
            "created_at) VALUES(7, 1, 'laptop', 's', 'b', 'g', 0)");
        db.exec(
            "INSERT INTO rooms(id, name, created_by, created_at, last_seq) VALUES(1, 'r', 1, 0, "
            "2)");
        db.exec(
            "INSERT INTO rooms(id, name, created_by, created_at, last_seq) VALUES(2, 'q', 1, 0, "
            "1)");
        if (version == 2)
            db.exec(
                "INSERT INTO messages VALUES(2, 1, 7, 'c', '{\"x\":3}', 30), (1, 2, 7, 'b', "
                "'{\"x\":2}', 20), (1, 1, 7, 'a', '{\"x\":1}', 10)");
        else
            db.exec(
                "INSERT INTO messages VALUES(5, 2, 1, 7, 'c', '{\"x\":3}', 30), (3, 1, 1, 7, 'a', "
                "'{\"x\":1}', 10), (4, 1, 2, 7, 'b', '{\"x\":2}', 20)");
        db.exec("UPDATE meta SET value = '" + std::to_string(version) +
                "' WHERE key = 'schema_version'");
    }
    Storage upgraded(tmp.path, nullptr);
    upgraded.read([&](SQLite::Database& db) {
        CHECK(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString() ==
              "6");
        CHECK(db.execAndGet("SELECT COUNT(*) FROM messages WHERE event IS NOT NULL").getInt() == 0);
        CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'messages_%'")
                  .getInt() == 0);
        SQLite::Statement q(db,
                            "SELECT id, room_id, seq, sender_device, client_msg_id, envelope, "
                            "sent_at FROM messages ORDER BY id");
        std::vector<std::string> rows;
        while (q.executeStep()) {
            std::string row;
            for (int c = 0; c < 7; ++c)
                row += (c == 0 ? "" : "/") + q.getColumn(c).getString();
            rows.push_back(row);
        }
        if (version == 2)
            CHECK(rows == std::vector<std::string>{"1/1/1/7/a/{\"x\":1}/10",
                                                   "2/1/2/7/b/{\"x\":2}/20",
                                                   "3/2/1/7/c/{\"x\":3}/30"});
        else
            CHECK(rows == std::vector<std::string>{"3/1/1/7/a/{\"x\":1}/10",
                                                   "4/1/2/7/b/{\"x\":2}/20",
                                                   "5/2/1/7/c/{\"x\":3}/30"});
        // The unique indexes, each as its columns in order.
        std::set<std::string> unique;
        SQLite::Statement indexes(
            db, "SELECT name FROM pragma_index_list('messages') WHERE \"unique\" = 1");
        while (indexes.executeStep()) {
            SQLite::Statement columns(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno");
            columns.bind(1, indexes.getColumn(0).getString());
            std::string list;
            while (columns.executeStep())
                list += (list.empty() ? "" : ",") + columns.getColumn(0).getString();
            unique.insert(list);
        }
        CHECK(unique ==
              std::set<std::string>{"client_msg_id,room_id,sender_device", "room_id,seq"});
    });
    // Both uniqueness rules hold in the new table.
    for (const char* again :
         {"INSERT INTO messages(room_id, seq, sender_device, client_msg_id, envelope, sent_at) "
          "VALUES(1, 2, 7, 'new', '{}', 40)",
          "INSERT INTO messages(room_id, seq, sender_device, client_msg_id, envelope, sent_at) "
          "VALUES(1, 3, 7, 'a', '{}', 40)"}) {
        std::promise<bool> refused;
        upgraded.write([again](SQLite::Database& db) { db.exec(again); },
                       [&](std::exception_ptr e) { refused.set_value(e != nullptr); });
        CHECK(refused.get_future().get());
    }
}

TEST_CASE("a version 4 database gains membership events and replacement-device columns",
          "[storage]") {
    TempDb tmp;
    { Storage fresh(tmp.path, nullptr); }
    {
        // Version 4's messages and devices tables, with a row in each.
        SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE messages");
        db.exec(
            "CREATE TABLE messages(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES "
            "rooms(id), seq INTEGER NOT NULL, sender_device INTEGER NOT NULL REFERENCES "
            "devices(id), client_msg_id TEXT NOT NULL, envelope TEXT NOT NULL, sent_at INTEGER "
            "NOT NULL, UNIQUE(room_id, seq), UNIQUE(client_msg_id, room_id, sender_device))");
        db.exec("DROP TABLE devices");
        db.exec(
            "CREATE TABLE devices(id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES "
            "accounts(id), name TEXT NOT NULL, sign_key TEXT NOT NULL, box_key TEXT NOT NULL, "
            "box_key_signature TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)");
        add_agency(db, "Ward 4");
        db.exec(
            "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
            "VALUES(1, 'ann', 'Ann', 1, 'admin', 0)");
        db.exec("INSERT INTO devices VALUES(7, 1, 'laptop', 's', 'b', 'g', 0, NULL)");
        db.exec("INSERT INTO rooms(id, name, created_by, created_at) VALUES(1, 'r', 1, 0)");
        db.exec("INSERT INTO messages VALUES(3, 1, 1, 7, 'a', '{\"x\":1}', 10)");
        db.exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }
    Storage upgraded(tmp.path, nullptr);
    upgraded.read([&](SQLite::Database& db) {
        CHECK(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString() ==
              "6");
        CHECK(db.execAndGet("SELECT id || '/' || envelope || '/' || (event IS NULL) FROM messages")
                  .getString() == "3/{\"x\":1}/1");
        // Version 6: logins are recorded.
        CHECK(
            db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sessions'").getInt() ==
            1);
        CHECK(db.execAndGet("SELECT (issued_by IS NULL) + (issued_at IS NULL) + (replaces IS NULL) "
                            "FROM devices WHERE id = 7")
                  .getInt() == 3);
    });
}

TEST_CASE("a database from a newer server, or with an unreadable version, is refused as it is",
          "[storage]") {
    const auto [version, says] = GENERATE(table<std::string, std::string>(
        {{"999", "written by a newer liaise-server (schema version 999"},
         {"4x", "schema version '4x' is not a number"}}));
    CAPTURE(version);
    TempDb tmp;
    { Storage fresh(tmp.path, nullptr); }
    {
        SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE meta SET value = '" + version + "' WHERE key = 'schema_version'");
    }
    CHECK_THROWS_WITH(Storage(tmp.path, nullptr), Catch::Contains(says));
    SQLite::Database db(tmp.path.string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString() ==
          version);
}

TEST_CASE("the writer's epoch moves for every job except message-only ones that succeed",
          "[storage]") {
    TempDb tmp;
    Storage s(tmp.path, nullptr);
    // The epoch a job saw while it ran, returned once the job's commit completed.
    const auto epoch_during = [&s](Storage::Changes changes, bool fail) {
        auto seen = std::make_shared<std::uint64_t>(0);
        std::promise<void> done;
        s.write(
            [&s, seen, fail](SQLite::Database&) {
                *seen = s.writer_epoch();
                if (fail)
                    throw std::runtime_error("refused");
            },
            [&done](std::exception_ptr) { done.set_value(); }, changes);
        done.get_future().get();
        return *seen;
    };
    const auto after = [&] { return epoch_during(Storage::Changes::only_messages, false); };
    const auto e0 = epoch_during(Storage::Changes::only_messages, false);
    CHECK(after() == e0);  // a message-only job leaves it
    const auto e1 = epoch_during(Storage::Changes::anything, false);
    CHECK(e1 > e0);  // any other job moves it before it runs
    CHECK(after() == e1);
    const auto e2 = epoch_during(Storage::Changes::only_messages, true);
    CHECK(e2 == e1);
    CHECK(after() > e2);  // a failed job moves it
}

TEST_CASE("a database is written by one Storage at a time", "[storage]") {
    TempDb tmp;
    {
        Storage first(tmp.path, nullptr);
        try {
            Storage second(tmp.path, nullptr);
            FAIL("a second Storage opened a database in use");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).find("in use by another process") != std::string::npos);
        }
        first.write_and_wait([](SQLite::Database& db) { add_agency(db, "still writable"); });
        CHECK(count_agencies(first) == 1);
    }
    Storage again(tmp.path, nullptr);  // the lock went with the first
    CHECK(count_agencies(again) == 1);
}

TEST_CASE("version 4's noisy-entry times are dropped, its messages stay where they are",
          "[storage]") {
    TempDb tmp;
    { Storage fresh(tmp.path, nullptr); }
    {
        // Version 4's table: totals per entry with the millisecond time of the last report.
        SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE dictionary_feedback");
        db.exec(
            "CREATE TABLE dictionary_feedback(discipline TEXT NOT NULL, term TEXT NOT NULL, "
            "fixed INTEGER NOT NULL DEFAULT 0, sent_anyway INTEGER NOT NULL DEFAULT 0, last_at "
            "INTEGER NOT NULL, PRIMARY KEY(discipline, term))");
        db.exec(
            "INSERT INTO dictionary_feedback VALUES('social-care', 'CSE', 0, 1, 1796564822357)");
        add_agency(db, "Ward 4");
        db.exec(
            "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
            "VALUES(1, 'ann', 'Ann', 1, 'admin', 0)");
        db.exec(
            "INSERT INTO devices(id, account_id, name, sign_key, box_key, box_key_signature, "
            "created_at) VALUES(7, 1, 'laptop', 's', 'b', 'g', 0)");
        db.exec(
            "INSERT INTO rooms(id, name, created_by, created_at, last_seq) VALUES(1, 'r', 1, 0, "
            "1)");
        db.exec(
            "INSERT INTO messages(id, room_id, seq, sender_device, client_msg_id, envelope, "
            "sent_at) VALUES(9, 1, 1, 7, 'a', '{}', 10)");
        db.exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }
    Storage upgraded(tmp.path, nullptr);
    upgraded.read([&](SQLite::Database& db) {
        CHECK(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getString() ==
              "6");
        CHECK(db.execAndGet("SELECT COUNT(*) FROM dictionary_feedback").getInt() == 0);
        std::set<std::string> columns;
        SQLite::Statement q(db, "SELECT name FROM pragma_table_info('dictionary_feedback')");
        while (q.executeStep())
            columns.insert(q.getColumn(0).getString());
        CHECK(columns ==
              std::set<std::string>{"discipline", "term", "day", "fixed", "sent_anyway"});
        CHECK(db.execAndGet("SELECT id || '/' || client_msg_id FROM messages").getString() ==
              "9/a");
    });
}
