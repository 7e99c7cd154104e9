#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "liaise/server/server.hpp"

using namespace liaise::server;
namespace fs = std::filesystem;

namespace {
fs::path write(const std::string& text) {
    const auto p =
        fs::temp_directory_path() / ("liaise-config-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(p) << text;
    return p;
}
}  // namespace

TEST_CASE("a config file sets the documented settings", "[config]") {
    const auto p = write(
        "listen = \"0.0.0.0:9000\"\nthreads = 3\nmax_frame_bytes = 65536\n"
        "max_queue_bytes = 1048576\nenrolment_code_hours = 24\nsync_page_max = 50\n"
        "durable = false\n");
    const auto c = load_config(p, {});
    REQUIRE(c.ok());
    CHECK(c.value().host == "0.0.0.0");
    CHECK(c.value().port == 9000);
    CHECK(c.value().threads == 3);
    CHECK(c.value().max_frame_bytes == 65536);
    CHECK(c.value().max_queue_bytes == 1048576);
    CHECK(c.value().enrolment_code_hours == 24);
    CHECK(c.value().sync_page_max == 50);
    CHECK_FALSE(c.value().durable);
    fs::remove(p);
}

TEST_CASE("a config file with a mistake is refused with the reason", "[config]") {
    struct Row {
        const char* text;
        const char* reason;
    };
    const Row rows[] = {
        {"thread = 3\n", "unknown setting 'thread'"},
        {"threads = \"many\"\n", "threads must be an integer"},
        {"max_frame_bytes = 10\n", "max_frame_bytes must be an integer from 1024"},
        {"listen = \"nowhere\"\n", "listen must be"},
        {"listen = [\n", ""},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        const auto p = write(row.text);
        const auto c = load_config(p, {});
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == "bad_config");
        CHECK_THAT(c.error().message, Catch::Contains(row.reason));
        fs::remove(p);
    }
    CHECK_FALSE(load_config("/no/such/file.toml", {}).ok());
}

TEST_CASE("the listen setting takes HOST:PORT", "[config]") {
    Config c;
    CHECK(parse_listen("127.0.0.1:7443", c));
    CHECK(c.port == 7443);
    CHECK(parse_listen("[::1]:8000", c));
    CHECK(c.host == "::1");
    CHECK_FALSE(parse_listen("7443", c));
    CHECK_FALSE(parse_listen("localhost:99999", c));
    CHECK_FALSE(parse_listen("not an address:80", c));
}
