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

}  // namespace liaise::server::store::sqlite
