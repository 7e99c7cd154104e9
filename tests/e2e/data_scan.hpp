// Scanning what the server left on disk, as someone holding a copy of its data directory would:
// whether any of its files holds some bytes (a key, a ciphertext, a code).
#pragma once

#include <filesystem>
#include <string>

#include "server_fixture.hpp"

namespace liaise::test {

/// True if any file under `dir` holds `needle`.
[[nodiscard]] inline bool any_file_holds(const std::filesystem::path& dir,
                                         const std::string& needle) {
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir))
        if (f.is_regular_file() && slurp(f.path()).find(needle) != std::string::npos)
            return true;
    return false;
}

}  // namespace liaise::test
