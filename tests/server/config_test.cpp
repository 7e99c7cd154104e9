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
        "durable = false\nclocks = \"/etc/liaise/clocks.toml\"\nretention_sweep_batch = 50\n");
    const auto c = load_config(p, {});
    REQUIRE(c.ok());
    CHECK(c.value().clocks == fs::path("/etc/liaise/clocks.toml"));
    CHECK(c.value().retention_sweep_batch == 50);
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
        {"clocks = 15\n", "clocks must be the name of a clock settings file"},
        {"clocks = \"\"\n", "clocks must be the name of a clock settings file"},
        {"retention_sweep_batch = 0\n", "retention_sweep_batch must be an integer from 1"},
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

TEST_CASE("a config file sets the limits and TLS files", "[config]") {
    const auto p = write(
        "rate_limit_per_second = 7\nrate_limit_burst = 70\nhandshake_timeout_ms = 250\n"
        "login_timeout_ms = 400\nidle_timeout_ms = 5000\nmax_connections = 50\n"
        "max_connections_per_address = 5\ntls_cert = \"/etc/liaise/cert.pem\"\n"
        "tls_key = \"/etc/liaise/key.pem\"\n");
    const auto c = load_config(p, {});
    REQUIRE(c.ok());
    CHECK(c.value().rate_limit_per_second == 7);
    CHECK(c.value().rate_limit_burst == 70);
    CHECK(c.value().handshake_timeout_ms == 250);
    CHECK(c.value().login_timeout_ms == 400);
    CHECK(c.value().idle_timeout_ms == 5000);
    CHECK(c.value().max_connections == 50);
    CHECK(c.value().max_connections_per_address == 5);
    CHECK(c.value().tls_cert == fs::path("/etc/liaise/cert.pem"));
    CHECK(c.value().tls_key == fs::path("/etc/liaise/key.pem"));
    fs::remove(p);
}

TEST_CASE("the limits have safe defaults", "[config]") {
    const Config c;
    CHECK(c.max_frame_bytes == 1 << 20);
    CHECK(c.max_queue_bytes == 16 << 20);
    CHECK(c.rate_limit_per_second == 100);
    CHECK(c.rate_limit_burst == 500);
    CHECK(c.handshake_timeout_ms == 10'000);
    CHECK(c.login_timeout_ms == 30'000);
    CHECK(c.idle_timeout_ms == 120'000);
    CHECK(c.max_connections == 10'000);
    CHECK(c.max_connections_per_address == 256);
    CHECK_FALSE(c.tls_cert);
    CHECK_FALSE(c.tls_key);
}

TEST_CASE("limits out of range are refused with the range", "[config]") {
    struct Row {
        const char* text;
        const char* reason;
    };
    const Row rows[] = {
        {"rate_limit_per_second = 0\n", "rate_limit_per_second must be an integer from 1 to"},
        {"rate_limit_per_second = -5\n", "rate_limit_per_second must be an integer from 1 to"},
        {"rate_limit_burst = 0\n", "rate_limit_burst must be an integer from 1 to"},
        {"rate_limit_burst = 1.5\n", "rate_limit_burst must be an integer"},
        {"handshake_timeout_ms = 10\n", "handshake_timeout_ms must be an integer from 100 to"},
        {"handshake_timeout_ms = 600001\n", "handshake_timeout_ms must be an integer from 100 to"},
        {"login_timeout_ms = 99\n", "login_timeout_ms must be an integer from 100 to"},
        {"idle_timeout_ms = 0\n", "idle_timeout_ms must be an integer from 100 to"},
        {"max_connections = 0\n", "max_connections must be an integer from 1 to"},
        {"max_connections_per_address = 0\n",
         "max_connections_per_address must be an integer from 1 to"},
        {"max_connections_per_address = 2000000\n",
         "max_connections_per_address must be an integer from 1 to"},
        {"tls_cert = 5\n", "tls_cert must be the name of a PEM file"},
        {"tls_key = \"\"\n", "tls_key must be the name of a PEM file"},
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
}

TEST_CASE("a config file sets the transport settings", "[config]") {
    const auto p = write(
        "trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n"
        "allowed_origins = [\"https://liaise.example.org\"]\n"
        "metrics_token = \"0123456789abcdef0123\"\n"
        "preauth_rate_per_second = 3\npreauth_rate_burst = 6\n");
    const auto c = load_config(p, {});
    REQUIRE(c.ok());
    CHECK(c.value().trusted_proxies == std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"});
    CHECK(c.value().allowed_origins == std::vector<std::string>{"https://liaise.example.org"});
    CHECK(c.value().metrics_token == "0123456789abcdef0123");
    CHECK(c.value().preauth_rate_per_second == 3);
    CHECK(c.value().preauth_rate_burst == 6);
    fs::remove(p);

    const auto defaults = Config{};
    CHECK(defaults.preauth_rate_per_second == 10);
    CHECK(defaults.preauth_rate_burst == 20);
    CHECK_FALSE(defaults.insecure_listen);

    struct Row {
        const char* text;
        const char* reason;
    };
    const Row rows[] = {
        {"trusted_proxies = \"10.0.0.0/8\"\n", "trusted_proxies must be a list of strings"},
        {"trusted_proxies = [\"10.0.0.0/33\"]\n", "'10.0.0.0/33' is not an address range"},
        {"trusted_proxies = [\"proxy.example.org\"]\n", "is not an address range"},
        {"allowed_origins = [\"liaise.example.org\"]\n", "is not an origin"},
        {"allowed_origins = [1]\n", "allowed_origins must be a list of strings"},
        {"metrics_token = \"short\"\n", "at least 16 characters"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        const auto bad = write(row.text);
        const auto refused = load_config(bad, {});
        REQUIRE_FALSE(refused.ok());
        CHECK_THAT(refused.error().message, Catch::Contains(row.reason));
        fs::remove(bad);
    }
    Config cli;
    CHECK(add_trusted_proxy("192.0.2.0/24", cli));
    CHECK_FALSE(add_trusted_proxy("192.0.2.0/24/1", cli));
    CHECK(cli.trusted_proxies == std::vector<std::string>{"192.0.2.0/24"});
}
