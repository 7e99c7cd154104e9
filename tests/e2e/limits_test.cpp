// The configurable limits, against the real liaise-server with sub-second settings: requests per
// second per account, the handshake, login and idle timeouts, and connections per address.
#include <arpa/inet.h>
#include <sys/time.h>

#include "liaise/protocol/messages.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

/// Restarts `server` with `toml` as its settings.
void restart_with(Server& server, const std::string& toml) {
    server.stop();
    server.set_config(toml);
    server.start();
}

/// Opens a connection, retrying for up to two seconds: the server frees a closed connection's
/// place when it notices the close, which may be a moment after the client let go.
std::unique_ptr<client::Connection> open_eventually(const Server& server) {
    for (int i = 0; i < 100; ++i) {
        if (auto c = client::Connection::open(server.url(), 1s))
            return std::move(c).value();
        std::this_thread::sleep_for(20ms);
    }
    FAIL("no connection to " << server.url());
    return nullptr;
}

bool says_hello(client::Connection& c) {
    return c.request("hello", {{"version", protocol::kVersion}}, 5s).ok();
}

}  // namespace

TEST_CASE(
    "an account over its request rate gets rate_limited with retry_after_ms, on every "
    "connection, and is served again after waiting",
    "[e2e][limits]") {
    Server server;
    restart_with(server, "rate_limit_per_second = 2\nrate_limit_burst = 6\n");
    Person ann(server, "ann", server.admin_code());
    Person bea(server, "bea", code_for(*ann, "bea", "Northshire Children's Services"));
    // A second connection of ann's account (another login from the same device).
    auto ann_again = client::Client::login(*ann.home, kPassphrase);
    REQUIRE(ann_again.ok());

    // Without patience the client shows each refusal; with it, it waits them out (below).
    ann->connection().set_rate_limit_patience(0ms);
    ann_again.value()->connection().set_rate_limit_patience(0ms);
    bea->connection().set_rate_limit_patience(0ms);
    const auto code_of = [](client::Client& c) { return error_code(c, "whoami"); };
    std::string code;
    int served = 0;
    while (served < 20 && (code = code_of(*ann)).empty())
        ++served;
    INFO(served << " requests served before the limit");
    REQUIRE(code == "rate_limited");
    CHECK(served <= 6);
    const auto& body = ann->connection().last_error_body();
    REQUIRE(body.contains("retry_after_ms"));
    const auto retry_after = body.at("retry_after_ms").to_number<std::int64_t>();
    CHECK(retry_after > 0);
    CHECK(retry_after <= 500);  // one token at two per second
    CHECK(body.at("re").is_string());
    CHECK_THAT(std::string(body.at("message").as_string()), Catch::Contains("too many requests"));

    // The bucket belongs to the account: its other connection is limited too, other accounts
    // are not.
    CHECK(code_of(*ann_again.value()) == "rate_limited");
    CHECK(code_of(*bea).empty());

    // Waiting as told is enough; the connection stayed open throughout.
    std::this_thread::sleep_for(std::chrono::milliseconds(retry_after + 20));
    CHECK(code_of(*ann).empty());

    // The client waits as told and sends again: a burst well over the limit is all served,
    // at the account's rate (two a second), each request refused about once on the way.
    ann->connection().set_rate_limit_patience(10s);
    const int refused_before = refusals(server, "rate_limited");
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i)
        CHECK(error_code(*ann, "whoami").empty());
    CHECK(std::chrono::steady_clock::now() - started >= 1s);
    CHECK(refusals(server, "rate_limited") - refused_before <= 20);  // waited, did not poll
}

TEST_CASE("the client returns rate_limited at once when the wait asked for exceeds its patience",
          "[e2e][limits]") {
    Server server;
    restart_with(server, "rate_limit_per_second = 1\nrate_limit_burst = 1\n");
    Person ann(server, "ann", server.admin_code());
    ann->connection().set_rate_limit_patience(300ms);  // less than the second a token takes
    std::this_thread::sleep_for(1100ms);               // login's requests spent the burst
    CHECK(error_code(*ann, "whoami").empty());
    const auto started = std::chrono::steady_clock::now();
    CHECK(error_code(*ann, "whoami") == "rate_limited");
    CHECK(std::chrono::steady_clock::now() - started < 300ms);  // it did not wait
}

TEST_CASE("a connection that does not log in in time is closed with 1008", "[e2e][limits]") {
    Server server;
    restart_with(server, "login_timeout_ms = 300\n");
    Person ann(server, "ann", server.admin_code());  // enrols and logs in well within the limit

    auto idle = client::Connection::open(server.url());
    REQUIRE(idle.ok());
    REQUIRE(says_hello(*idle.value()));  // hello is not a login
    const auto started = Clock::now();
    const auto closed = idle.value()->read_raw(5s);
    const auto waited = Clock::now() - started;
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.error().code == "connection_closed");
    CHECK_THAT(closed.error().message, Catch::Contains("code 1008: login timeout"));
    CHECK(waited < 3s);

    // A logged-in connection is not affected.
    std::this_thread::sleep_for(500ms);
    CHECK(error_code(*ann, "whoami").empty());
}

TEST_CASE("an unfinished handshake is closed after the handshake timeout", "[e2e][limits]") {
    Server server;
    restart_with(server, "handshake_timeout_ms = 300\n");
    const int fd = raw_connect(server.port());
    const char partial[] = "GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n";  // no end
    REQUIRE(::send(fd, partial, sizeof partial - 1, 0) == static_cast<ssize_t>(sizeof partial - 1));
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const auto started = Clock::now();
    char buf[256];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    const auto waited = Clock::now() - started;
    ::close(fd);
    CHECK(n == 0);  // closed by the server, not by our 5 s receive timeout
    CHECK(waited >= 200ms);
    CHECK(waited < 3s);
    // Finished handshakes still work.
    auto c = client::Connection::open(server.url());
    REQUIRE(c.ok());
    CHECK(says_hello(*c.value()));
}

TEST_CASE("a silent peer is pinged and dropped after the idle timeout, a reading one stays",
          "[e2e][limits]") {
    Server server;
    restart_with(server, "idle_timeout_ms = 400\n");
    Person ann(server, "ann", server.admin_code());
    // A second connection, opened right after ann's login, that never reads (so it never
    // answers a ping).
    auto silent = client::Connection::open(server.url());
    REQUIRE(silent.ok());
    REQUIRE(says_hello(*silent.value()));

    // ann keeps reading: the library answers pings while it reads.
    const auto until = Clock::now() + 1500ms;
    while (Clock::now() < until) {
        auto event = ann->connection().next_event(100ms);
        INFO((event ? "" : event.error().message));
        REQUIRE(event.ok());
    }
    CHECK(error_code(*ann, "whoami").empty());
    const auto dropped = silent.value()->read_raw(2s);
    REQUIRE_FALSE(dropped.ok());
    CHECK(dropped.error().code == "connection_closed");
}

TEST_CASE("connections over the per-address limit are refused with 503, the others keep working",
          "[e2e][limits]") {
    Server server;
    restart_with(server, "max_connections_per_address = 3\n");
    std::vector<std::unique_ptr<client::Connection>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(open_eventually(server));
        REQUIRE(says_hello(*open.back()));
    }
    const auto extra = client::Connection::open(server.url(), 2s);
    REQUIRE_FALSE(extra.ok());
    CHECK(extra.error().code == "connection_failed");
    CHECK_THAT(extra.error().message, Catch::Contains("too many connections"));
    CHECK_THAT(extra.error().message, Catch::Contains("503"));
    // Plain HTTP from the same address is refused the same way.
    const auto reply = http_get(server.port(), "/healthz");
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 503"));
    CHECK_THAT(reply, Catch::Contains("Retry-After"));
    for (auto& c : open)
        CHECK(says_hello(*c));

    // Closing one frees its place (and only one: the limit still holds afterwards).
    open.pop_back();
    open.push_back(open_eventually(server));
    CHECK(says_hello(*open.back()));
    CHECK_FALSE(client::Connection::open(server.url(), 2s).ok());
    for (auto& c : open)
        CHECK(says_hello(*c));

    // Operators see the refusals: at least the WebSocket, the HTTP request and the last
    // WebSocket (retries while a closed connection's place was being freed count too).
    open.pop_back();
    std::string metrics;
    for (int i = 0; i < 100 && !metrics.starts_with("HTTP/1.1 200"); ++i) {
        std::this_thread::sleep_for(20ms);
        metrics = http_get(server.port(), "/metrics");
    }
    const std::string key = "\nliaise_connections_refused_total ";
    const auto at = metrics.find(key);
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(metrics.substr(at + key.size())) >= 3);
}

TEST_CASE("a dictionaries folder is not loaded into a database that has its own, and says so",
          "[e2e][limits]") {
    Server server;  // init seeded the shipped dictionaries
    restart_with(server, "dictionaries = \"/nonexistent/dictionaries\"\n");
    CHECK_THAT(server.log(), Catch::Contains("dictionaries /nonexistent/dictionaries not loaded"));
    Person ann(server, "ann", server.admin_code());  // and the server serves as before
    CHECK(ok(*ann, "dict_versions").at("versions").as_array().size() == 1);
}

TEST_CASE("the --threads flag wins over threads in the settings file", "[e2e][limits]") {
    Server server;  // the fixture starts every server with --threads 2
    restart_with(server, "threads = 3\n");
    CHECK(server.log().find("with 2 threads") != std::string::npos);
    CHECK(server.log().find("with 3 threads") == std::string::npos);
}

TEST_CASE("a reader that stops reading is cut off at the queue limit, nothing it missed is lost",
          "[e2e][limits]") {
    Server server;
    restart_with(server,
                 "max_queue_bytes = 65536\nrate_limit_per_second = 10000\n"
                 "rate_limit_burst = 10000\n");
    Person ann(server, "ann", server.admin_code());
    Person bea(server, "bea", code_for(*ann, "bea", "Northshire Children's Services"));
    ok(*ann, "room_create", {{"room", "flood"}, {"members", {"bea"}}});
    // bea's connection is logged in and never reads again. Her socket buffers fill first
    // (megabytes on loopback), then the server's queue for her, which is cut off at 64 KiB.
    const std::string text(40000, 'x');
    int sent = 0;
    for (; sent < 600; ++sent) {
        REQUIRE(ann->send("flood", text + std::to_string(sent)).ok());
        if (sent % 50 == 49 &&
            server.log().find("unsent queue passed 65536 bytes") != std::string::npos)
            break;
    }
    INFO(sent << " messages sent");
    CHECK_THAT(server.log(), Catch::Contains("closing a connection whose unsent queue passed "
                                             "65536 bytes"));
    // Reading now, bea gets what was written before the cut-off and then the close.
    CHECK(cut_off_within(bea, 20s));
    // The sender was never held up, and nothing is lost: bea logs in again and reads it all.
    REQUIRE(ann->send("flood", "after the cut-off").ok());
    bea.login();
    auto messages = bea->read("flood", 0);
    REQUIRE(messages.ok());
    std::erase_if(messages.value(),
                  [](const client::ReadMessage& m) { return m.event.has_value(); });
    REQUIRE(messages.value().size() == static_cast<std::size_t>(sent + 2));
    for (int i = 0; i <= sent; ++i)
        CHECK(messages.value()[i].text == text + std::to_string(i));
    CHECK(messages.value().back().text == "after the cut-off");
}
