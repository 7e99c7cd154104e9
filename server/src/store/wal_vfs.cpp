#include "store/wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

namespace liaise::server {
namespace {

constexpr char kName[] = "liaise-wal-gathering";
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;
// The most a buffer holds before it is written out, even mid-transaction (a schema migration
// writes far more). Allocated whole at a file's first write and kept: growing it a commit at a
// time had glibc map fresh pages for each large commit (10,000 page faults a second).
constexpr std::size_t kGatherBytes = std::size_t{8} << 20;
// The default (unix) VFS writes at most 0x1ffff bytes per call, taking the size modulo that
// (a write of exactly 128 KiB writes nothing and reports the disk full): hand it 31 pages
// at a time.
constexpr std::size_t kMaxWriteBytes = 31 * 4096;

std::atomic<std::uint64_t> asked{0};
std::atomic<std::uint64_t> made{0};

/// Writes waiting for one WAL file, contiguous from `at`.
struct Gathered {
    std::unique_ptr<unsigned char[]> bytes;  // kGatherBytes, from the first write on
    std::size_t size = 0;
    sqlite3_int64 at = 0;
    // Where the page of the commit frame whose header was the last write goes, else -1. Kept
    // across flushes: the header may fill the buffer and its page start the next one.
    sqlite3_int64 commit_page_at = -1;
};

/// What SQLite allocates for a WAL file opened through the VFS (szOsFile bytes): our part
/// first, the wrapped VFS's file after it. Standard layout, so `base` is at its address.
struct WalFile {
    sqlite3_file base;
    sqlite3_file* real;
    Gathered* gathered;
};
constexpr int kRealOffset = static_cast<int>((sizeof(WalFile) + alignof(std::max_align_t) - 1) /
                                             alignof(std::max_align_t) * alignof(std::max_align_t));

WalFile& wal(sqlite3_file* f) {
    return *reinterpret_cast<WalFile*>(f);
}
const sqlite3_io_methods& real_methods(const WalFile& w) {
    return *w.real->pMethods;
}

/// The VFS ours wraps.
sqlite3_vfs* wrapped(sqlite3_vfs* vfs) {
    return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

/// The frame header's second field: the database size in pages for a commit frame, else 0.
bool is_commit_frame_header(const void* data, int amount, sqlite3_int64 offset) {
    if (amount != kFrameHeaderBytes || offset < kWalHeaderBytes)
        return false;
    const auto* p = static_cast<const unsigned char*>(data) + 4;
    return (p[0] | p[1] | p[2] | p[3]) != 0;
}

/// Hands the buffer to the wrapped VFS. On failure the unwritten bytes are dropped and the
/// error is SQLITE_IOERR_WRITE whichever call made the buffer leave: SQLite rolls a transaction
/// back whole on an I/O error (for SQLITE_FULL it may roll back one statement and go on, over
/// frames that never reached the file).
int flush(WalFile& w) {
    auto& g = *w.gathered;
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < g.size && rc == SQLITE_OK;) {
        const auto chunk = std::min(g.size - done, kMaxWriteBytes);
        made.fetch_add(1, std::memory_order_relaxed);
        rc = real_methods(w).xWrite(w.real, g.bytes.get() + done, static_cast<int>(chunk),
                                    g.at + static_cast<sqlite3_int64>(done));
        done += chunk;
    }
    g.size = 0;
    return rc == SQLITE_OK ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

int wal_close(sqlite3_file* f) {
    auto& w = wal(f);
    const int flushed = flush(w);
    const int closed = real_methods(w).xClose(w.real);
    delete w.gathered;
    w.gathered = nullptr;
    return flushed != SQLITE_OK ? flushed : closed;
}

/// Sends what is gathered on, then calls `Method` of the wrapped file with `args`: every call
/// on the file but a write sees the file with SQLite's own writes in it.
template <auto Method, class... Args>
int after_flush(sqlite3_file* f, Args... args) {
    auto& w = wal(f);
    if (const int rc = flush(w); rc != SQLITE_OK)
        return rc;
    return (real_methods(w).*Method)(w.real, args...);
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    return after_flush<&sqlite3_io_methods::xRead>(f, out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    auto& w = wal(f);
    auto& g = *w.gathered;
    asked.fetch_add(1, std::memory_order_relaxed);
    const auto n = static_cast<std::size_t>(amount);
    // SQLite writes a frame as its header and then its page; a commit frame's page is the last
    // write of the commit, after which the commit leaves for the file.
    const bool commit_page = offset == g.commit_page_at;
    const bool commit_header = is_commit_frame_header(data, amount, offset);
    g.commit_page_at = commit_header ? offset + kFrameHeaderBytes : -1;
    if (g.size > 0 &&
        (offset != g.at + static_cast<sqlite3_int64>(g.size) || g.size + n > kGatherBytes)) {
        if (const int rc = flush(w); rc != SQLITE_OK)
            return rc;
    }
    if (!g.bytes && n <= kGatherBytes)
        g.bytes.reset(new (std::nothrow) unsigned char[kGatherBytes]);
    // Written straight through: a write too large to gather (SQLite writes a page or a header
    // at a time), any write if the buffer could not be had, and a commit frame's header that
    // starts a buffer. The last is either a frame on its own or SQLite rewriting the header of
    // a frame already in the file (new checksums at commit, after pages were spilled), when no
    // page follows it: buffered, it would wait for the next call on the file, after SQLite had
    // published the commit.
    if (n > kGatherBytes || !g.bytes || (commit_header && g.size == 0)) {
        made.fetch_add(1, std::memory_order_relaxed);
        return real_methods(w).xWrite(w.real, data, amount, offset);
    }
    if (g.size == 0)
        g.at = offset;
    std::memcpy(g.bytes.get() + g.size, data, n);
    g.size += n;
    return commit_page ? flush(w) : SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
    return after_flush<&sqlite3_io_methods::xTruncate>(f, size);
}

int wal_sync(sqlite3_file* f, int flags) {
    return after_flush<&sqlite3_io_methods::xSync>(f, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
    return after_flush<&sqlite3_io_methods::xFileSize>(f, size);
}

int wal_lock(sqlite3_file* f, int level) {
    auto& w = wal(f);
    return real_methods(w).xLock(w.real, level);
}

int wal_unlock(sqlite3_file* f, int level) {
    auto& w = wal(f);
    return real_methods(w).xUnlock(w.real, level);
}

int wal_check_reserved_lock(sqlite3_file* f, int* out) {
    auto& w = wal(f);
    return real_methods(w).xCheckReservedLock(w.real, out);
}

int wal_file_control(sqlite3_file* f, int op, void* arg) {
    return after_flush<&sqlite3_io_methods::xFileControl>(f, op, arg);
}

int wal_sector_size(sqlite3_file* f) {
    auto& w = wal(f);
    return real_methods(w).xSectorSize(w.real);
}

int wal_device_characteristics(sqlite3_file* f) {
    auto& w = wal(f);
    return real_methods(w).xDeviceCharacteristics(w.real);
}

// Version 1: SQLite maps shared memory and pages through the database file, never the WAL.
constexpr sqlite3_io_methods kWalMethods = {1,
                                            wal_close,
                                            wal_read,
                                            wal_write,
                                            wal_truncate,
                                            wal_sync,
                                            wal_file_size,
                                            wal_lock,
                                            wal_unlock,
                                            wal_check_reserved_lock,
                                            wal_file_control,
                                            wal_sector_size,
                                            wal_device_characteristics,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr};

int vfs_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    sqlite3_vfs* const root = wrapped(vfs);
    if ((flags & SQLITE_OPEN_WAL) == 0)  // the wrapped VFS's file, in the same memory
        return root->xOpen(root, name, f, flags, out_flags);
    // Without powersafe overwrite SQLite pads a commit to a sector boundary and may split the
    // last padding frame around a sync, leaving a tail that no rule above would send on before
    // SQLite publishes the commit. The unix VFS claims powersafe overwrite unless told
    // otherwise (?psow=0); if not, this WAL is the wrapped VFS's own too.
    if (sqlite3_file* db = sqlite3_database_file_object(name);
        db == nullptr || db->pMethods == nullptr ||
        (db->pMethods->xDeviceCharacteristics(db) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0)
        return root->xOpen(root, name, f, flags, out_flags);
    auto& w = wal(f);
    w.base.pMethods = nullptr;  // until opened: SQLite does not close a file that failed
    w.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
    w.gathered = nullptr;
    if (const int rc = root->xOpen(root, name, w.real, flags, out_flags); rc != SQLITE_OK)
        return rc;
    w.gathered = new (std::nothrow) Gathered;
    if (w.gathered == nullptr) {
        real_methods(w).xClose(w.real);
        return SQLITE_NOMEM;
    }
    w.base.pMethods = &kWalMethods;
    return SQLITE_OK;
}

// Everything but opening files is the wrapped VFS's.
int vfs_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
    return wrapped(vfs)->xDelete(wrapped(vfs), name, sync_dir);
}
int vfs_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
    return wrapped(vfs)->xAccess(wrapped(vfs), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
    return wrapped(vfs)->xFullPathname(wrapped(vfs), name, size, out);
}
void* vfs_dl_open(sqlite3_vfs* vfs, const char* name) {
    return wrapped(vfs)->xDlOpen(wrapped(vfs), name);
}
void vfs_dl_error(sqlite3_vfs* vfs, int size, char* out) {
    wrapped(vfs)->xDlError(wrapped(vfs), size, out);
}
void (*vfs_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
    return wrapped(vfs)->xDlSym(wrapped(vfs), handle, symbol);
}
void vfs_dl_close(sqlite3_vfs* vfs, void* handle) {
    wrapped(vfs)->xDlClose(wrapped(vfs), handle);
}
int vfs_randomness(sqlite3_vfs* vfs, int size, char* out) {
    return wrapped(vfs)->xRandomness(wrapped(vfs), size, out);
}
int vfs_sleep(sqlite3_vfs* vfs, int micros) {
    return wrapped(vfs)->xSleep(wrapped(vfs), micros);
}
int vfs_current_time(sqlite3_vfs* vfs, double* out) {
    return wrapped(vfs)->xCurrentTime(wrapped(vfs), out);
}
int vfs_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
    return wrapped(vfs)->xGetLastError(wrapped(vfs), size, out);
}
int vfs_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    return wrapped(vfs)->xCurrentTimeInt64(wrapped(vfs), out);
}

/// Our VFS over `root` (kept in pAppData), named `name`.
sqlite3_vfs make_vfs(sqlite3_vfs* root, const char* name) {
    sqlite3_vfs v{};
    v.iVersion = 2;
    v.szOsFile = kRealOffset + root->szOsFile;  // other files use the first szOsFile bytes
    v.mxPathname = root->mxPathname;
    v.pAppData = root;
    v.zName = name;
    v.xOpen = vfs_open;
    v.xDelete = vfs_delete;
    v.xAccess = vfs_access;
    v.xFullPathname = vfs_full_pathname;
    v.xDlOpen = vfs_dl_open;
    v.xDlError = vfs_dl_error;
    v.xDlSym = vfs_dl_sym;
    v.xDlClose = vfs_dl_close;
    v.xRandomness = vfs_randomness;
    v.xSleep = vfs_sleep;
    v.xCurrentTime = vfs_current_time;
    v.xGetLastError = vfs_get_last_error;
    v.xCurrentTimeInt64 = vfs_current_time_int64;
    return v;
}

}  // namespace

const char* wal_gathering_vfs() {
    static const char* const name = [] {
        if (sqlite3_initialize() != SQLITE_OK)
            throw std::runtime_error("SQLite failed to initialise");
        return register_wal_gathering_vfs(sqlite3_vfs_find(nullptr), kName);
    }();
    return name;
}

const char* register_wal_gathering_vfs(sqlite3_vfs* root, const char* name) {
    if (root == nullptr || root->iVersion < 2)
        throw std::runtime_error("no VFS to wrap, or one older than SQLite 3.7");
    auto* vfs = new sqlite3_vfs(make_vfs(root, name));  // registered for the process's life
    if (sqlite3_vfs_register(vfs, 0) != SQLITE_OK) {
        delete vfs;
        throw std::runtime_error(std::string("could not register the VFS ") + name);
    }
    return name;
}

WalWriteCounts wal_write_counts() noexcept {
    return {asked.load(std::memory_order_relaxed), made.load(std::memory_order_relaxed)};
}

}  // namespace liaise::server
