// The SQLite store under the conformance suite: a temporary database file per case.
#include <optional>

#include "../server/temp_db.hpp"
#include "conformance.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace liaise::server::store::conformance {
namespace {

class SqliteFixture final : public Fixture {
  public:
    SqliteFixture() : storage_(tmp_.path, nullptr), store_(storage_) {}
    Store& store() override { return store_; }

  private:
    testing::TempDb tmp_;
    Storage storage_;
    sqlite::SqliteStore store_;
};

const Registered sqlite_store{{"sqlite", [] { return std::make_unique<SqliteFixture>(); }}};

}  // namespace
}  // namespace liaise::server::store::conformance
