// A PostgreSQL database of its own for one test, dropped at scope exit. The cluster is the ctest
// fixture's (LIAISE_TEST_PG_URL_FILE, set by tests/CMakeLists.txt); a test binary run by hand
// starts a throwaway cluster of its own (tests/pg/throwaway.sh) and stops it at exit.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "store/postgres/pq.hpp"

namespace liaise::server::testing {

/// The cluster's URL (to its `postgres` database), started on first use when no fixture runs.
inline const std::string& pg_cluster_url() {
    struct Own {
        std::string dir;
        std::string url;
        ~Own() {
            if (!dir.empty())
                std::system(("'" LIAISE_PG_THROWAWAY "' stop '" + dir + "'").c_str());
        }
    };
    static Own own;
    static const std::string url = [] {
        if (const char* file = std::getenv("LIAISE_TEST_PG_URL_FILE")) {
            std::ifstream in(file);
            std::string u;
            if (!std::getline(in, u) || u.empty())
                throw std::runtime_error(std::string("no PostgreSQL URL in ") + file +
                                         ": did the pg_cluster fixture fail to start? "
                                         "(PostgreSQL 15 is installed by scripts/test)");
            return u;
        }
        char tmpl[] = "/tmp/liaise-pg.XXXXXX";
        if (!::mkdtemp(tmpl))
            throw std::runtime_error("cannot make a temporary directory");
        own.dir = tmpl;
        const std::string cmd = "'" LIAISE_PG_THROWAWAY "' start '" + own.dir + "'";
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p)
            throw std::runtime_error("cannot run " LIAISE_PG_THROWAWAY);
        char buf[512] = {};
        std::string u;
        while (std::fgets(buf, sizeof buf, p))
            u += buf;
        const int rc = ::pclose(p);
        while (!u.empty() && u.back() == '\n')
            u.pop_back();
        if (rc != 0 || u.empty())
            throw std::runtime_error(
                "could not start a throwaway PostgreSQL cluster (see the messages above; "
                "PostgreSQL 15 is installed by scripts/test)");
        own.url = u;
        return u;
    }();
    return url;
}

/// The URL of `database` in the same cluster.
inline std::string pg_url_of(const std::string& database) {
    auto u = pg_cluster_url();
    const auto slash = u.rfind('/');
    return u.substr(0, slash + 1) + database;
}

/// A new, empty database; dropped (connections and all) when this goes.
struct PgTestDb {
    std::string name;
    std::string url;
    PgTestDb() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 100000) + "_" +
               std::to_string(counter++);
        pg::Connection admin(pg_cluster_url());
        admin.exec("CREATE DATABASE " + name);
        url = pg_url_of(name);
    }
    PgTestDb(const PgTestDb&) = delete;
    PgTestDb& operator=(const PgTestDb&) = delete;
    ~PgTestDb() {
        try {
            pg::Connection admin(pg_cluster_url());
            admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (...) {
            // The cluster is removed after the run anyway.
        }
    }
};

}  // namespace liaise::server::testing
