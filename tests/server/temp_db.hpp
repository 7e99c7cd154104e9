// A database path for one test, removed with its WAL, shared-memory and lock files at scope
// exit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace liaise::server::testing {

struct TempDb {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("liaise-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".db");
    TempDb() = default;
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;
    ~TempDb() {
        for (const char* suffix : {"", "-wal", "-shm", ".lock"})
            std::filesystem::remove(path.string() + suffix);
    }
};

}  // namespace liaise::server::testing
