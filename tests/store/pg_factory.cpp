// The PostgreSQL store under the conformance suite: each case on a scratch schema of its own
// (pg_scratch.hpp) with a PgStore over it. Without the pg_cluster fixture (say, the binary run
// by hand) the factory makes nothing and the PostgreSQL sections skip.
#include <memory>

#include "conformance.hpp"
#include "pg_scratch.hpp"
#include "store/postgres/pg_store.hpp"

namespace liaise::server::store::conformance {
namespace {

class PgFixture final : public Fixture {
  public:
    PgFixture() : store_(std::make_unique<pg::PgStore>(scratch_.url())) {}
    ~PgFixture() override {
        store_.reset();  // completes its units and closes its connections before the drop
    }
    PgFixture(const PgFixture&) = delete;
    PgFixture& operator=(const PgFixture&) = delete;
    Store& store() override { return *store_; }

  private:
    testing::PgScratch scratch_;
    std::unique_ptr<pg::PgStore> store_;
};

const Registered pg_store{{"postgres", []() -> std::unique_ptr<Fixture> {
                               if (!testing::pg_fixture_available())
                                   return nullptr;
                               return std::make_unique<PgFixture>();
                           }}};

}  // namespace
}  // namespace liaise::server::store::conformance
