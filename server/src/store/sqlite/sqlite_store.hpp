// The SQLite store: store.hpp over Storage (store/storage.hpp), with its group commit, wal_vfs
// and the writer's statement cache. One process writes a database at a time (Storage's process
// lock), so what the writer remembers between units of work (WriterMemory, conn.hpp) is
// invalidated by its own repositories: every call that could change it moves the epoch.
#pragma once

#include <cstdint>
#include <functional>

#include "store/storage.hpp"
#include "store/store.hpp"

namespace liaise::server::store::sqlite {

class SqliteStore final : public Store {
  public:
    /// `storage` must outlive the store and every unit queued on it.
    explicit SqliteStore(Storage& storage);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    void write(WriteJob job, Done done) override;
    /// Runs on the calling thread, on one of Storage's read-only connections (which never wait
    /// for the writer), and calls `done` before returning.
    void read(ReadJob job, Done done) override;

    [[nodiscard]] Storage& storage() { return storage_; }

  private:
    struct Writer;
    Storage& storage_;
    std::unique_ptr<Writer> writer_;  // writer thread only
};

/// A bridge for the write jobs not yet moved onto the store (Service::write, which hands them
/// the writer's connection): runs `job` over the repositories on `db`, inside that job's
/// transaction, so that a job that must still use `db` for something the store does not offer
/// yet (the audit chain, audit.hpp) reads and writes everything else as the moved handlers do.
/// Writer thread only. Such a job is a legacy write to Storage, which forgets what the writer
/// remembers (WriterMemory) afterwards, so nothing here needs to.
void run_units(SQLite::Database& db, const std::function<void(Tx&)>& job);

}  // namespace liaise::server::store::sqlite
