// A fresh, empty, migrated PostgreSQL store location for one test: a schema of its own (first on
// its connections' search_path) in one database that every case of the run shares, in the
// cluster of the ctest fixture `pg_cluster` (tests/pg/fixture.sh). A schema costs a fraction of a
// database (CREATE DATABASE copies and syncs the template). Dropped when this goes; close every
// connection to it first.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>

#include "../pg/pg_test_db.hpp"
#include "store/postgres/schema.hpp"

namespace liaise::server::testing {

/// Whether the pg_cluster fixture runs (LIAISE_TEST_PG_URL_FILE set); without it the PostgreSQL
/// cases skip.
[[nodiscard]] inline bool pg_fixture_available() {
    return std::getenv("LIAISE_TEST_PG_URL_FILE") != nullptr;
}

class PgScratch {
  public:
    PgScratch() : schema_(new_schema_name()), shared_(shared_database_url()) {
        url_ = shared_ + (shared_.find('?') == std::string::npos ? "?" : "&") +
               "options=-csearch_path%3D" + schema_;
        pg::Connection c(url_);
        c.exec("CREATE SCHEMA " + schema_);
        pg::migrate(c);
    }
    ~PgScratch() {
        try {
            pg::Connection c(shared_);
            c.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        } catch (...) {
            // The cluster is removed after the run anyway.
        }
    }
    PgScratch(const PgScratch&) = delete;
    PgScratch& operator=(const PgScratch&) = delete;

    /// Connections made with this URL see the scratch schema only.
    [[nodiscard]] const std::string& url() const { return url_; }

  private:
    /// The database the cases share, made by the first case of the run to need it.
    static std::string shared_database_url() {
        constexpr const char* name = "liaise_conformance";
        pg::Connection admin(pg_cluster_url());
        try {
            admin.exec(std::string("CREATE DATABASE ") + name);
        } catch (const pg::Error& e) {
            // 42P04: another case made it first. 23505: both tried at once and this one lost.
            if (e.sqlstate() != "42P04" && e.sqlstate() != "23505")
                throw;
        }
        return pg_url_of(name);
    }
    /// Unique across the processes a ctest run starts.
    static std::string new_schema_name() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        return "s_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 100000) + "_" +
               std::to_string(counter++);
    }

    std::string schema_, shared_, url_;
};

}  // namespace liaise::server::testing
