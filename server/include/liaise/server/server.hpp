// liaise-server: initialise a data directory and serve the WebSocket protocol.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "liaise/protocol/expected.hpp"

namespace liaise::server {

/// Everything `serve` needs. Defaults are the documented safe values.
struct Config {
    std::filesystem::path data_dir;
    std::string host = "127.0.0.1";
    std::uint16_t port = 7443;
    int threads = 0;                         ///< 0: one per core
    std::size_t max_frame_bytes = 1 << 20;   ///< larger frames close the connection (1009)
    std::size_t max_queue_bytes = 16 << 20;  ///< bytes queued for one slow reader
    int enrolment_code_hours = 72;
    int sync_page_max = 500;
    bool durable = true;  ///< synchronous=FULL; false only for benchmarks
    std::optional<std::filesystem::path> dictionaries;  ///< default: the shipped ones
};

/// Reads a TOML file over `base` (PROTOCOL.md and the README list the keys). Unknown keys and
/// wrong types are errors, so a typo never silently leaves a default in place.
[[nodiscard]] protocol::Expected<Config> load_config(const std::filesystem::path& file,
                                                     Config base);

/// Parses "HOST:PORT" into `config`.
[[nodiscard]] bool parse_listen(std::string_view text, Config& config);

struct InitOptions {
    std::filesystem::path data_dir;
    std::string admin;       ///< the first admin's account name
    std::string agency;      ///< the first agency
    std::string discipline;  ///< its discipline
    std::optional<std::filesystem::path> dictionaries;
};

struct InitResult {
    std::string admin;
    std::string code;  ///< the admin's one-time enrolment code
};

/// Creates the data directory, its database and its at-rest key file (mode 0600), the first
/// agency and an enrolment code for the first admin. Refuses an existing, non-empty directory.
[[nodiscard]] protocol::Expected<InitResult> init_data_dir(const InitOptions& options);

/// Serves until SIGINT or SIGTERM; returns the process exit status.
[[nodiscard]] int serve(const Config& config);

}  // namespace liaise::server
