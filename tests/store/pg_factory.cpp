// The PostgreSQL store under the conformance suite, in the throwaway cluster of the ctest
// fixture `pg_cluster` (tests/pg/fixture.sh). Each case gets a fresh, empty store of its own: a
// schema of its own (first on the connections' search_path) in one database the cases share,
// migrated, with a PgStore over it; the schema is dropped afterwards. A schema costs a fraction
// of a database (CREATE DATABASE copies and syncs the template). Without the fixture
// (LIAISE_TEST_PG_URL_FILE unset, say the binary run by hand) the factory makes nothing and the
// PostgreSQL sections skip.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "../pg/pg_test_db.hpp"
#include "conformance.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/postgres/schema.hpp"

namespace liaise::server::store::conformance {
namespace {

/// The database the cases share, made by the first case of the cluster to need it.
std::string shared_database_url() {
    constexpr const char* name = "liaise_conformance";
    pg::Connection admin(testing::pg_cluster_url());
    try {
        admin.exec(std::string("CREATE DATABASE ") + name);
    } catch (const pg::Error& e) {
        // 42P04: another case made it first. 23505: both tried at once and this one lost.
        if (e.sqlstate() != "42P04" && e.sqlstate() != "23505")
            throw;
    }
    return testing::pg_url_of(name);
}

/// A new schema's name: unique across the processes a ctest run starts.
std::string new_schema_name() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    return "s_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 100000) + "_" +
           std::to_string(counter++);
}

class PgFixture final : public Fixture {
  public:
    PgFixture()
        : schema_(new_schema_name()),
          url_(prepare(schema_)),
          store_(std::make_unique<pg::PgStore>(url_)) {}
    ~PgFixture() override {
        store_.reset();  // completes its units and closes its connections first
        try {
            pg::Connection c(shared_);
            c.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        } catch (...) {
            // The cluster is removed after the run anyway.
        }
    }
    PgFixture(const PgFixture&) = delete;
    PgFixture& operator=(const PgFixture&) = delete;
    Store& store() override { return *store_; }

  private:
    /// Makes the schema, migrates it, and returns a URL whose connections use it.
    std::string prepare(const std::string& schema) {
        shared_ = shared_database_url();
        const auto url = shared_ + (shared_.find('?') == std::string::npos ? "?" : "&") +
                         "options=-csearch_path%3D" + schema;
        pg::Connection c(url);
        c.exec("CREATE SCHEMA " + schema);
        pg::migrate(c);
        return url;
    }

    std::string schema_;
    std::string shared_;
    std::string url_;
    std::unique_ptr<pg::PgStore> store_;
};

const Registered pg_store{{"postgres", []() -> std::unique_ptr<Fixture> {
                               if (std::getenv("LIAISE_TEST_PG_URL_FILE") == nullptr)
                                   return nullptr;
                               return std::make_unique<PgFixture>();
                           }}};

}  // namespace
}  // namespace liaise::server::store::conformance
