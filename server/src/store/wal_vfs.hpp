// Internal: a SQLite VFS that gathers each transaction's WAL writes into one write.
//
// SQLite appends a transaction to the WAL one frame at a time, and each frame as two writes
// (its 24-byte header, then the page), so a commit of 200 pages costs 400 `pwrite` calls, each
// touching one or two page-cache pages (a 4,120-byte frame straddles them). This VFS wraps the
// default one. For WAL files only, it keeps writes that follow on from each other in a buffer
// and hands the buffer to the default VFS in a few large writes:
//  - right after the page of a commit frame (a frame header that gives the database size), so a
//    commit is in the file before SQLite publishes it to other connections, whether or not it
//    then syncs (with synchronous=OFF it does not). A commit frame's header that would start a
//    buffer is written at once: it may be SQLite rewriting a header with no page to follow;
//  - before any other call on the same file (read, sync, size, truncate, file control, close),
//    so nothing SQLite does on the file sees it without SQLite's own writes;
//  - before a write that does not follow on from the buffer, and when the buffer is full.
// A failed write reaches SQLite as SQLITE_IOERR_WRITE from the call that made the buffer leave
// (the commit frame's write, a sync, a read, ...), so SQLite rolls the whole transaction back,
// as it would had its own write failed. Every other file (the database, journals, temporary
// files) is the default VFS's own, untouched, and so is a WAL whose database does not have
// powersafe overwrite (SQLite then pads commits to sector boundaries, splitting frames around
// syncs in ways the rules above do not follow).
//
// Single writer: a buffer left by a rolled-back transaction is written out at the connection's
// next call on the file. That is harmless when only this connection writes the WAL, as in
// liaise-server (Storage holds a lock on the database for its whole life); another process
// writing the same database could have its frames overwritten.
#pragma once

#include <sqlite3.h>

#include <cstdint>

namespace liaise::server {

/// Registers the VFS with SQLite on first use (thread-safe; never the default VFS) and returns
/// its name, to pass to sqlite3_open_v2 or SQLite::Database.
[[nodiscard]] const char* wal_gathering_vfs();

/// Registers the same VFS over `base` (which must outlive the process's use of it), named
/// `name`, and returns `name`. For tests that put a VFS failing on purpose under it; call at
/// most once per name.
[[nodiscard]] const char* register_wal_gathering_vfs(sqlite3_vfs* base, const char* name);

/// Writes SQLite made to WAL files opened through the VFS (`asked`) and the writes the VFS
/// made to the files for them (`made`), since the process started. For tests and benchmarks.
struct WalWriteCounts {
    std::uint64_t asked = 0;
    std::uint64_t made = 0;
};
[[nodiscard]] WalWriteCounts wal_write_counts() noexcept;

}  // namespace liaise::server
