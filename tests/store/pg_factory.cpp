// The PostgreSQL store under the conformance suite: a fresh database per case in the throwaway
// cluster of the ctest fixture `pg_cluster` (tests/pg/fixture.sh), schema migrated, with a
// PgStore of its own. Without the fixture (LIAISE_TEST_PG_URL_FILE unset, say the binary run by
// hand) the factory makes nothing and the PostgreSQL sections skip.
#include <cstdlib>
#include <memory>

#include "../pg/pg_test_db.hpp"
#include "conformance.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/schema.hpp"

namespace liaise::server::store::conformance {
namespace {

class PgFixture final : public Fixture {
  public:
    PgFixture() : store_(migrated(db_.url)) {}
    Store& store() override { return store_; }

  private:
    static const std::string& migrated(const std::string& url) {
        pg::Connection c(url);
        pg::migrate(c);
        return url;
    }

    testing::PgTestDb db_;  // dropped after the store has closed its connections
    pg::PgStore store_;
};

const Registered pg_store{{"postgres", []() -> std::unique_ptr<Fixture> {
                               if (std::getenv("LIAISE_TEST_PG_URL_FILE") == nullptr)
                                   return nullptr;
                               return std::make_unique<PgFixture>();
                           }}};

}  // namespace
}  // namespace liaise::server::store::conformance
