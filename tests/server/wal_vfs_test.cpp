#include "store/wal_vfs.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "temp_db.hpp"

using namespace liaise::server;
using liaise::server::testing::TempDb;
namespace fs = std::filesystem;

namespace {

SQLite::Database open_gathering(const fs::path& path, const char* synchronous) {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 0,
                        wal_gathering_vfs());
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(std::string("PRAGMA synchronous=") + synchronous);
    db.exec("PRAGMA wal_autocheckpoint=0");  // keep every frame in the WAL for the readers
    db.exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)");
    return db;
}

void insert_rows(SQLite::Database& db, int first, int count, std::size_t body_bytes) {
    SQLite::Statement q(db, "INSERT INTO t(id, k, body) VALUES(?, ?, ?)");
    for (int i = first; i < first + count; ++i) {
        q.bind(1, i);
        // Scattered index entries, as message ids are.
        q.bind(2, std::to_string(std::int64_t{i} * 7919 % 100003) + "-" + std::to_string(i));
        q.bind(3, std::string(body_bytes, static_cast<char>('a' + i % 26)));
        q.exec();
        q.reset();
    }
}

std::int64_t count_with_default_vfs(const fs::path& path) {
    SQLite::Database other(path.string(), SQLite::OPEN_READONLY);
    return other.execAndGet("SELECT COUNT(*) FROM t").getInt64();
}

}  // namespace

TEST_CASE(
    "The WAL-gathering VFS writes a transaction's frames in a few writes, before SQLite "
    "publishes the commit",
    "[wal_vfs]") {
    // With synchronous=OFF nothing syncs the WAL, so the commit frame itself must make the
    // gathered writes leave; a connection through the default VFS reads the file to check.
    for (const char* synchronous : {"OFF", "FULL"}) {
        INFO("synchronous=" << synchronous);
        TempDb tmp;
        auto db = open_gathering(tmp.path, synchronous);
        const auto before = wal_write_counts();
        {
            SQLite::Transaction tx(db);
            insert_rows(db, 1, 300, 1000);  // ~100 pages of rows, plus index pages
            tx.commit();
        }
        const auto after = wal_write_counts();
        const auto asked = after.asked - before.asked;
        const auto made = after.made - before.made;
        CHECK(asked >= 150);  // a header and a page per frame, ~80 frames
        CHECK(made <= 6);     // ~0.5 MB in 124 KiB writes
        CHECK(count_with_default_vfs(tmp.path) == 300);

        // Later transactions append after the first, and each is in the file once committed.
        for (int round = 0; round < 5; ++round) {
            SQLite::Transaction tx(db);
            insert_rows(db, 1000 + round * 10, 10, 200);
            tx.commit();
            CHECK(count_with_default_vfs(tmp.path) == 300 + (round + 1) * 10);
        }
        CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }
}

TEST_CASE(
    "The WAL-gathering VFS keeps a spilling, rolled-back transaction and a checkpoint "
    "correct",
    "[wal_vfs]") {
    TempDb tmp;
    {
        auto db = open_gathering(tmp.path, "FULL");
        db.exec("PRAGMA cache_size=8");  // pages: the transaction spills frames to the WAL
        {
            SQLite::Transaction tx(db);
            insert_rows(db, 1, 3000, 500);
            // Reading what was spilled reads the WAL back, which must hold the gathered writes.
            CHECK(db.execAndGet("SELECT SUM(LENGTH(body)) FROM t").getInt64() == 3000 * 500);
            CHECK(db.execAndGet("SELECT body FROM t WHERE id = 1234").getString() ==
                  std::string(500, static_cast<char>('a' + 1234 % 26)));
        }  // rolled back
        CHECK(count_with_default_vfs(tmp.path) == 0);
        {
            SQLite::Transaction tx(db);
            insert_rows(db, 1, 1000, 500);
            tx.commit();
        }
        CHECK(count_with_default_vfs(tmp.path) == 1000);
        {  // ~12 MB, all written at the commit: more than one buffer's worth
            db.exec("PRAGMA cache_size=-65536");
            SQLite::Transaction tx(db);
            insert_rows(db, 10000, 20000, 600);
            tx.commit();
        }
        CHECK(count_with_default_vfs(tmp.path) == 21000);
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        CHECK(fs::file_size(tmp.path.string() + "-wal") == 0);
        {
            SQLite::Transaction tx(db);
            insert_rows(db, 5000, 10, 500);
            tx.commit();
        }
        CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }
    // Reopened through the default VFS: every committed row, nothing of the rolled-back ones.
    CHECK(count_with_default_vfs(tmp.path) == 21010);
    SQLite::Database again(tmp.path.string(), SQLite::OPEN_READWRITE);
    CHECK(again.execAndGet("PRAGMA integrity_check").getString() == "ok");
    CHECK(again.execAndGet("SELECT COUNT(*) FROM t WHERE id BETWEEN 5000 AND 5009").getInt64() ==
          10);
    CHECK(again.execAndGet("SELECT SUM(LENGTH(body)) FROM t WHERE id >= 10000").getInt64() ==
          20000 * 600);
}

TEST_CASE("A writer killed mid-transaction through the WAL-gathering VFS loses no commit",
          "[wal_vfs]") {
    // Every third transaction spills pages to the WAL and then changes them again, so that
    // SQLite rewrites frames in place and, at the commit, rewrites their headers with new
    // checksums (the commit frame's last of all, with no page after it). A process crash loses
    // nothing committed even with synchronous=OFF: the writes are in the OS by then.
    for (const char* synchronous : {"FULL", "OFF"}) {
        INFO("synchronous=" << synchronous);
        TempDb tmp;
        { auto db = open_gathering(tmp.path, synchronous); }
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            try {
                auto db = open_gathering(tmp.path, synchronous);
                db.exec("PRAGMA cache_size=10");
                for (int i = 1;; ++i) {
                    SQLite::Transaction tx(db);
                    if (i % 3 == 0) {
                        insert_rows(db, i * 1000, 200, 300);
                        SQLite::Statement u(
                            db, "UPDATE t SET body = 'changed' WHERE id >= ? AND id < ?");
                        u.bind(1, i * 1000);
                        u.bind(2, i * 1000 + 20);
                        u.exec();
                    } else {
                        insert_rows(db, i * 1000, 1 + i % 50, 300);
                    }
                    tx.commit();
                    // Reported only once committed: the parent expects every reported one.
                    if (::write(fds[1], &i, sizeof i) != sizeof i)
                        ::_exit(2);
                }
            } catch (...) {
                ::_exit(3);
            }
        }
        ::close(fds[1]);
        int last = 0;
        // At least 400 ms and ten commits (a slow or busy machine, a sanitizer build), at most
        // half a minute.
        const auto started = std::chrono::steady_clock::now();
        const auto running = [&] {
            const auto ran = std::chrono::steady_clock::now() - started;
            return ran < std::chrono::seconds(30) &&
                   (ran < std::chrono::milliseconds(400) || last <= 10);
        };
        while (running()) {
            int i = 0;
            if (::read(fds[0], &i, sizeof i) != sizeof i)
                break;
            last = i;
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status));
        // Whatever the child had sent before it died.
        for (int i = 0; ::read(fds[0], &i, sizeof i) == sizeof i;)
            last = i;
        ::close(fds[0]);
        REQUIRE(last > 10);

        SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE);
        CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
        for (int i = 1; i <= last; ++i) {
            SQLite::Statement q(db,
                                "SELECT COUNT(*), SUM(body = 'changed') FROM t WHERE id >= ? AND "
                                "id < ?");
            q.bind(1, i * 1000);
            q.bind(2, i * 1000 + 1000);
            REQUIRE(q.executeStep());
            INFO("transaction " << i << " of " << last << " reported committed");
            REQUIRE(q.getColumn(0).getInt() == (i % 3 == 0 ? 200 : 1 + i % 50));
            REQUIRE(q.getColumn(1).getInt() == (i % 3 == 0 ? 20 : 0));
        }
    }
}

TEST_CASE("The WAL-gathering VFS leaves the WAL of a database without powersafe overwrite alone",
          "[wal_vfs]") {
    // With psow=0 SQLite pads commits to sector boundaries and may split frames around syncs.
    TempDb tmp;
    SQLite::Database db("file:" + tmp.path.string() + "?psow=0",
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_URI, 0,
                        wal_gathering_vfs());
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)");
    const auto before = wal_write_counts();
    {
        SQLite::Transaction tx(db);
        insert_rows(db, 1, 100, 500);
        tx.commit();
    }
    const auto after = wal_write_counts();
    CHECK(after.asked == before.asked);
    CHECK(count_with_default_vfs(tmp.path) == 100);
}

namespace {

/// Counts the commits SQLite published before the WAL file held all their frames.
struct PublishedAhead {
    fs::path wal;
    int commits = 0;
    int short_of_file = 0;
};

int check_wal_holds_published(void* arg, sqlite3*, const char*, int frames) {
    auto& p = *static_cast<PublishedAhead*>(arg);
    ++p.commits;
    const auto needed = std::uintmax_t{32} + std::uintmax_t(frames) * (4096 + 24);
    if (fs::file_size(p.wal) < needed)
        ++p.short_of_file;
    return SQLITE_OK;
}

}  // namespace

TEST_CASE(
    "A commit frame whose header fills the WAL-gathering buffer is in the file once published",
    "[wal_vfs]") {
    // The buffer holds 2,036 frames of a 4 KiB page and the header of one more: in a commit of
    // 2,037 frames, the commit frame's page makes the full buffer leave and starts the next
    // one, and must leave too before SQLite publishes the commit (with synchronous=OFF nothing
    // else calls the file first). Commits of 2,025 to 2,045 frames, one row each.
    TempDb tmp;
    auto db = open_gathering(tmp.path, "OFF");
    db.exec("PRAGMA cache_size=-100000");  // no spills: each commit's frames go in one run
    PublishedAhead published{tmp.path.string() + "-wal"};
    sqlite3_wal_hook(db.getHandle(), check_wal_holds_published, &published);
    SQLite::Statement insert(db, "INSERT INTO t(id, body) VALUES(?, CAST(zeroblob(?) AS TEXT))");
    for (int pages = 2025; pages <= 2045; ++pages) {
        insert.bind(1, pages);
        insert.bind(2, std::int64_t{pages} * 4092 - 2000);  // about `pages` overflow pages
        insert.exec();
        insert.reset();
    }
    sqlite3_wal_hook(db.getHandle(), nullptr, nullptr);
    CHECK(published.commits == 21);
    CHECK(published.short_of_file == 0);
    CHECK(count_with_default_vfs(tmp.path) == 21);
}

TEST_CASE("What the WAL-gathering VFS leaves in the files right after a commit holds the commit",
          "[wal_vfs]") {
    // A copy of the files taken while the connection stays open is what a crash of the process
    // at that moment would leave. With synchronous=OFF nothing syncs, and a transaction that
    // spilled and changed pages again ends with SQLite rewriting frame headers in place.
    TempDb tmp;
    TempDb copy;
    auto db = open_gathering(tmp.path, "OFF");
    db.exec("PRAGMA cache_size=10");
    for (int round = 0; round < 3; ++round) {
        {
            SQLite::Transaction tx(db);
            insert_rows(db, round * 1000, 200, 300);
            SQLite::Statement u(db, "UPDATE t SET body = 'changed' WHERE id >= ? AND id < ?");
            u.bind(1, round * 1000);
            u.bind(2, round * 1000 + 20);
            u.exec();
            tx.commit();
        }
        for (const char* suffix : {"", "-wal"})
            fs::copy_file(tmp.path.string() + suffix, copy.path.string() + suffix,
                          fs::copy_options::overwrite_existing);
        fs::remove(copy.path.string() + "-shm");
        SQLite::Database crashed(copy.path.string(), SQLite::OPEN_READWRITE);
        CHECK(crashed.execAndGet("PRAGMA integrity_check").getString() == "ok");
        CHECK(crashed.execAndGet("SELECT COUNT(*) FROM t").getInt64() == (round + 1) * 200);
        CHECK(crashed.execAndGet("SELECT SUM(body = 'changed') FROM t").getInt64() ==
              (round + 1) * 20);
    }
}

namespace {

// A VFS over the default one whose WAL writes fail while `fail_wal_writes` is set, reporting a
// full disk as the default VFS does; the gathering VFS is registered over it.
std::atomic<bool> fail_wal_writes{false};
sqlite3_vfs* unix_vfs = nullptr;
const sqlite3_io_methods* unix_wal_methods = nullptr;
sqlite3_io_methods failing_wal_methods;

int failing_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    if (fail_wal_writes)
        return SQLITE_FULL;
    return unix_wal_methods->xWrite(f, data, amount, offset);
}

int failing_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out) {
    const int rc = unix_vfs->xOpen(unix_vfs, name, f, flags, out);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0 && f->pMethods != nullptr) {
        unix_wal_methods = f->pMethods;
        failing_wal_methods = *f->pMethods;
        failing_wal_methods.xWrite = failing_write;
        f->pMethods = &failing_wal_methods;
    }
    return rc;
}

const char* gathering_over_failing_vfs() {
    static const char* const name = [] {
        REQUIRE(sqlite3_initialize() == SQLITE_OK);
        unix_vfs = sqlite3_vfs_find(nullptr);
        static sqlite3_vfs failing = *unix_vfs;  // the rest is the default VFS's, pAppData too
        failing.zName = "liaise-test-failing-wal";
        failing.xOpen = failing_open;
        REQUIRE(sqlite3_vfs_register(&failing, 0) == SQLITE_OK);
        return register_wal_gathering_vfs(&failing, "liaise-test-gathering-over-failing");
    }();
    return name;
}

}  // namespace

TEST_CASE("A WAL write that fails under the WAL-gathering VFS rolls its transaction back whole",
          "[wal_vfs]") {
    TempDb tmp;
    SQLite::Database db(tmp.path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 0,
                        gathering_over_failing_vfs());
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT)");
    insert_rows(db, 1, 10, 100);
    const auto rows = [&] { return count_with_default_vfs(tmp.path); };
    REQUIRE(rows() == 10);

    SECTION("the commit's own write") {
        SQLite::Transaction tx(db);
        insert_rows(db, 100, 100, 300);
        fail_wal_writes = true;
        CHECK_THROWS_AS(tx.commit(), SQLite::Exception);
        fail_wal_writes = false;
    }
    SECTION("a read that makes spilled pages leave first") {
        // The read fails with an I/O error rather than a full disk: SQLite rolls the whole
        // transaction back instead of one statement, so nothing goes on over the lost frames.
        db.exec("PRAGMA cache_size=8");
        SQLite::Transaction tx(db);
        insert_rows(db, 100, 2000, 300);
        fail_wal_writes = true;
        try {
            (void)db.execAndGet("SELECT SUM(LENGTH(body)) FROM t").getInt64();
            FAIL("the read succeeded: nothing was waiting to be written");
        } catch (const SQLite::Exception& e) {
            CHECK(e.getExtendedErrorCode() == SQLITE_IOERR_WRITE);
        }
        fail_wal_writes = false;
        CHECK(sqlite3_get_autocommit(db.getHandle()) != 0);  // the transaction is gone
    }
    CHECK(rows() == 10);
    insert_rows(db, 5000, 5, 100);  // and the database goes on
    CHECK(rows() == 15);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
