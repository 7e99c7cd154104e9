// Transport, against the real liaise-server and the real `liaise`: plain ws:// only on loopback
// (client and server), X-Forwarded-For believed only from trusted proxies, /metrics for loopback
// or a token, the Origin check at /v1, and the per-address budget for enrol and login.
//
// Everything goes to loopback. A client elsewhere on the network is played by a trusted proxy
// (127.0.0.1) forwarding its address; 127.0.0.2 is another address of this machine, which the
// server sees as a different client.
#include <arpa/inet.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// Restarts `server` with `toml` as its settings.
void restart_with(Server& server, const std::string& toml) {
    server.stop();
    server.set_config(toml);
    server.start();
}

/// A TCP connection from the local address `from` to the server on 127.0.0.1.
int connect_from(const std::string& from, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    REQUIRE(::inet_pton(AF_INET, from.c_str(), &local.sin_addr) == 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

/// GET `target` from `from` with `headers`: the status code and the body.
std::pair<int, std::string> get_from(const std::string& from, int port, const std::string& target,
                                     const Headers& headers = {}) {
    const int fd = connect_from(from, port);
    std::string get = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers)
        get += name + ": " + value + "\r\n";
    get += "\r\n";
    REQUIRE(::send(fd, get.data(), get.size(), 0) == static_cast<ssize_t>(get.size()));
    std::string reply;
    char buf[4096];
    while (true) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    REQUIRE(reply.starts_with("HTTP/1.1 "));
    const auto body = reply.find("\r\n\r\n");
    return {std::stoi(reply.substr(9, 3)),
            body == std::string::npos ? std::string() : reply.substr(body + 4)};
}

/// A WebSocket connection to /v1 from the local address `from`, with extra upgrade `headers`
/// (X-Forwarded-For, Origin): written with Beast directly, since our client sends neither.
class Ws {
  public:
    Ws(const std::string& from, int port, const Headers& headers = {}) : ws_(ioc_) {
        auto& socket = ws_.next_layer();
        socket.open(tcp::v4());
        socket.bind({asio::ip::make_address(from), 0});
        socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)});
        ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
            for (const auto& [name, value] : headers)
                r.set(name, value);
        }));
        websocket::response_type response;
        beast::error_code ec;
        ws_.handshake(response, "127.0.0.1:" + std::to_string(port), "/v1", ec);
        status_ = static_cast<int>(response.result_int());
        body_ = response.body();
    }

    /// 101 when upgraded; else the HTTP status the server answered.
    [[nodiscard]] int status() const { return status_; }
    [[nodiscard]] const std::string& body() const { return body_; }

    void send(const json::object& frame) { ws_.write(asio::buffer(json::serialize(frame))); }
    json::object receive() {
        beast::flat_buffer buffer;
        ws_.read(buffer);
        return json::parse(beast::buffers_to_string(buffer.data())).as_object();
    }
    json::object request(json::object frame) {
        send(frame);
        return receive();
    }
    json::object hello() { return request({{"type", "hello"}, {"id", "h"}, {"version", 1}}); }

  private:
    asio::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
    int status_ = 0;
    std::string body_;
};

/// An enrol request for a fresh device with `code`.
json::object enrol_request(const std::string& id, const std::string& code) {
    const auto keys = crypto::DeviceKeys::generate();
    const auto& me = keys.identity();
    return {{"type", "enrol"},
            {"id", id},
            {"code", code},
            {"sign_key", me.sign_key.to_base64()},
            {"box_key", me.box_key.to_base64()},
            {"box_key_signature", me.box_key_signature.to_base64()},
            {"device_name", "laptop"}};
}

std::string code_of(const json::object& reply) {
    const auto* code = reply.if_contains("code");
    return reply.at("type").as_string() == "ok" ? "ok" : std::string(code->as_string());
}

/// A counter from the metrics page (0 when absent).
double metric(const Server& server, const std::string& name) {
    const auto page = http_get(server.port(), "/metrics");
    const auto at = page.find("\n" + name + " ");
    return at == std::string::npos ? 0 : std::stod(page.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("the client refuses plain ws:// to a host that is not loopback, before looking it up",
          "[e2e][transport]") {
    // A name under .invalid never resolves: the refusal must come first.
    const auto refused = client::Connection::open("ws://liaise.invalid:7443", 5s);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "insecure_transport");
    CHECK_THAT(refused.error().message, Catch::Contains("wss://liaise.invalid:7443"));
    CHECK_THAT(refused.error().message, Catch::Contains("--insecure"));
    CHECK(client::Connection::open("ws://192.0.2.7:7443", 5s).error().code == "insecure_transport");

    Server server;
    Cli cli{server};
    // The command says so too, in plain words, and keeps nothing.
    const auto [status, out] =
        cli("bob", "enrol --server ws://liaise.invalid:7443 --code " + server.admin_code());
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("refusing to connect to liaise.invalid over plain ws://"));
    CHECK_THAT(out, Catch::Contains("(insecure_transport)"));

    // 0.0.0.0 is not a loopback address, but a connection to it reaches this machine: refused
    // without --insecure (nothing reaches the server), served with it.
    const auto url = "ws://0.0.0.0:" + std::to_string(server.port());
    const auto before = metric(server, "liaise_connections_total");
    CHECK(client::Connection::open(url, 5s).error().code == "insecure_transport");
    CHECK(metric(server, "liaise_connections_total") == before);
    CHECK(client::Connection::open(url, {5s, {}, client::PlainText::allowed}).ok());

    cli.ok("ann", "--insecure enrol --server " + url + " --code " + server.admin_code());
    // Each later command needs it again: the flag after the command, or LIAISE_INSECURE=1.
    const auto [whoami_status, whoami_out] = cli("ann", "whoami");
    CHECK(whoami_status == 1);
    CHECK_THAT(whoami_out, Catch::Contains("(insecure_transport)"));
    CHECK_THAT(cli.ok("ann", "whoami --insecure"), Catch::Contains("ann"));
    const auto with_env =
        run_any("LIAISE_INSECURE=1 LIAISE_HOME='" + (server.dir() / "cli-ann").string() +
                "' LIAISE_PASSPHRASE='" + kPassphrase + "' '" + LIAISE_BINARY + "' whoami 2>&1");
    CHECK(WEXITSTATUS(with_env.status) == 0);
    CHECK_THAT(with_env.out, Catch::Contains("ann"));
}

TEST_CASE("serve refuses plain ws:// on an address other than loopback unless --insecure-listen",
          "[e2e][transport]") {
    Server server;
    server.stop();
    const auto port = std::to_string(free_port());
    const auto serve = "timeout -s TERM 3 '" + std::string(LIAISE_SERVER_BINARY) +
                       "' serve --data '" + server.data().string() + "' --listen 0.0.0.0:" + port;
    const auto refused = run_any(serve + " 2>&1");
    CHECK(WEXITSTATUS(refused.status) == 2);
    CHECK_THAT(refused.out, Catch::Contains("refusing to serve plain ws:// on 0.0.0.0"));
    CHECK_THAT(refused.out, Catch::Contains("--insecure-listen"));
    CHECK_THAT(refused.out, Catch::Contains("--tls-cert"));

    const auto allowed = run_any(serve + " --insecure-listen 2>&1");
    CHECK(WEXITSTATUS(allowed.status) == 124);  // it served until `timeout` stopped it
    CHECK_THAT(allowed.out, Catch::Contains("listening on ws://0.0.0.0:" + port));
}

TEST_CASE(
    "connection limits are keyed by the forwarded address only for a trusted proxy's connections",
    "[e2e][transport]") {
    Server server;
    restart_with(server, "trusted_proxies = [\"127.0.0.1/32\"]\nmax_connections_per_address = 2\n");
    const int port = server.port();
    const auto via_proxy = [&](const std::string& client) {
        return std::make_unique<Ws>("127.0.0.1", port, Headers{{"X-Forwarded-For", client}});
    };
    // Two clients behind the proxy: each has its own two connections.
    auto a1 = via_proxy("198.51.100.7");
    auto a2 = via_proxy("198.51.100.7");
    CHECK(a1->status() == 101);
    CHECK(a2->status() == 101);
    CHECK(via_proxy("198.51.100.7")->status() == 503);
    // What the client itself wrote to the left is not believed: still 198.51.100.7.
    CHECK(via_proxy("203.0.113.1, 198.51.100.7")->status() == 503);
    auto b1 = via_proxy("198.51.100.8");
    auto b2 = via_proxy("203.0.113.1, 198.51.100.8");
    CHECK(b1->status() == 101);
    CHECK(b2->status() == 101);
    // The proxy's own connections (no header) are its own.
    auto own = std::make_unique<Ws>("127.0.0.1", port);
    CHECK(own->status() == 101);

    // 127.0.0.2 is not a trusted proxy: its header is ignored, all its connections are its own.
    auto u1 = std::make_unique<Ws>("127.0.0.2", port, Headers{{"X-Forwarded-For", "192.0.2.1"}});
    auto u2 = std::make_unique<Ws>("127.0.0.2", port, Headers{{"X-Forwarded-For", "192.0.2.2"}});
    CHECK(u1->status() == 101);
    CHECK(u2->status() == 101);
    CHECK(Ws("127.0.0.2", port, {{"X-Forwarded-For", "192.0.2.3"}}).status() == 503);

    // The forwarded address is the one logged.
    auto c = via_proxy("198.51.100.9");
    REQUIRE(c->status() == 101);
    c->hello();
    CHECK(code_of(c->request(enrol_request("e", server.admin_code()))) == "ok");
    CHECK_THAT(server.log(), Catch::Contains("enrolled ann (device 1) from 198.51.100.9"));
}

TEST_CASE("/metrics answers loopback clients and the bearer token, no one else",
          "[e2e][transport]") {
    Server server;
    const std::string token = "prometheus-scrape-token-0123";
    restart_with(server,
                 "trusted_proxies = [\"127.0.0.1/32\"]\nmetrics_token = \"" + token + "\"\n");
    const int port = server.port();
    const auto outside = Headers{{"X-Forwarded-For", "198.51.100.7"}};

    auto [status, body] = get_from("127.0.0.1", port, "/metrics");
    CHECK(status == 200);
    CHECK_THAT(body, Catch::Contains("liaise_connections_total"));
    // A client elsewhere, through the proxy: refused in plain words, and shown nothing.
    std::tie(status, body) = get_from("127.0.0.1", port, "/metrics", outside);
    CHECK(status == 403);
    CHECK_THAT(body, Catch::Contains("metrics are served only to this machine"));
    CHECK_THAT(body, Catch::Contains("bearer token"));
    CHECK_THAT(body, !Catch::Contains("liaise_"));
    // With the token it is served; a wrong token or another scheme is not.
    auto with = outside;
    with.emplace_back("Authorization", "Bearer " + token);
    std::tie(status, body) = get_from("127.0.0.1", port, "/metrics", with);
    CHECK(status == 200);
    CHECK_THAT(body, Catch::Contains("liaise_connections_total"));
    with.back().second = "bearer " + token;  // the scheme's name in any case
    CHECK(get_from("127.0.0.1", port, "/metrics", with).first == 200);
    auto wrong = token;
    wrong.back() = 'X';
    for (const auto& authorization :
         {"Bearer " + wrong, "Bearer " + token + "4", "Basic " + token, token}) {
        INFO(authorization);
        auto h = outside;
        h.emplace_back("Authorization", authorization);
        CHECK(get_from("127.0.0.1", port, "/metrics", h).first == 403);
    }
    // 127.0.0.2 is no trusted proxy: its header is ignored, and it is this machine.
    CHECK(get_from("127.0.0.2", port, "/metrics", outside).first == 200);
    // /healthz stays open to all.
    CHECK(get_from("127.0.0.1", port, "/healthz", outside).first == 200);
}

TEST_CASE("/metrics without a token is for loopback clients only", "[e2e][transport]") {
    Server server;
    restart_with(server, "trusted_proxies = [\"127.0.0.1/32\"]\n");
    CHECK(get_from("127.0.0.1", server.port(), "/metrics").first == 200);
    CHECK(get_from("127.0.0.1", server.port(), "/metrics",
                   {{"X-Forwarded-For", "198.51.100.7"},
                    {"Authorization", "Bearer anything-at-all-here"}})
              .first == 403);
}

TEST_CASE("the /v1 upgrade checks Origin: the server's own, or the allowed list, none is fine",
          "[e2e][transport]") {
    Server server;
    const int port = server.port();
    const auto own = "http://127.0.0.1:" + std::to_string(port);
    CHECK(Ws("127.0.0.1", port).status() == 101);  // not a browser
    CHECK(Ws("127.0.0.1", port, {{"Origin", own}}).status() == 101);
    CHECK(
        Ws("127.0.0.1", port, {{"Origin", "HTTP://127.0.0.1:" + std::to_string(port)}}).status() ==
        101);
    Ws foreign("127.0.0.1", port, {{"Origin", "https://evil.example"}});
    CHECK(foreign.status() == 403);
    CHECK_THAT(foreign.body(), Catch::Contains("origin may not open a Liaise connection"));
    CHECK(Ws("127.0.0.1", port, {{"Origin", "null"}}).status() == 403);
    // Another port is another origin.
    CHECK(Ws("127.0.0.1", port, {{"Origin", "http://127.0.0.1:1"}}).status() == 403);

    restart_with(server, "allowed_origins = [\"https://liaise.example.org\"]\n");
    CHECK(Ws("127.0.0.1", port, {{"Origin", "https://liaise.example.org"}}).status() == 101);
    CHECK(Ws("127.0.0.1", port, {{"Origin", own}}).status() == 403);
    CHECK(Ws("127.0.0.1", port).status() == 101);
}

TEST_CASE(
    "an enrol flood from one address is throttled and queues no writes, while another address "
    "enrols",
    "[e2e][transport][limits]") {
    Server server;  // the default budget: 10 a second, bursts of 20
    const int port = server.port();
    Ws flood("127.0.0.1", port);
    REQUIRE(flood.status() == 101);
    flood.hello();
    const auto jobs_before = metric(server, "liaise_committed_jobs_total");
    constexpr int kTries = 200;
    for (int i = 0; i < kTries; ++i)
        flood.send(enrol_request(std::to_string(i), "AAAA-BBBB-CCCC-DDDD-" + std::to_string(i)));
    std::map<std::string, int> answers;
    json::object limited;
    for (int i = 0; i < kTries; ++i) {
        auto reply = flood.receive();
        const auto code = code_of(reply);
        ++answers[code];
        if (code == "rate_limited")
            limited = reply;
    }
    INFO("invalid_code " << answers["invalid_code"] << ", rate_limited "
                         << answers["rate_limited"]);
    CHECK(answers["invalid_code"] + answers["rate_limited"] == kTries);
    CHECK(answers["invalid_code"] >= 20);
    CHECK(answers["invalid_code"] <= 40);
    REQUIRE(!limited.empty());
    CHECK(limited.at("retry_after_ms").as_int64() > 0);
    CHECK(limited.at("retry_after_ms").as_int64() <= 100);  // one token at ten a second
    CHECK_THAT(std::string(limited.at("message").as_string()),
               Catch::Contains("too many sign-in attempts from this address"));
    // Invalid codes were looked up, not written.
    CHECK(metric(server, "liaise_committed_jobs_total") == jobs_before);
    // login shares the budget.
    const auto login = flood.request(
        {{"type", "login"}, {"id", "l"}, {"user", "ann"}, {"device", "1"}, {"signature", "AA=="}});
    CHECK(code_of(login) == "rate_limited");

    // Meanwhile another address enrols at once.
    Ws other("127.0.0.2", port);
    REQUIRE(other.status() == 101);
    other.hello();
    const auto enrolled = other.request(enrol_request("e", server.admin_code()));
    CHECK(code_of(enrolled) == "ok");
    CHECK(enrolled.at("user").as_string() == "ann");
    // And the code, now used, is refused from a reader too.
    Ws again("127.0.0.2", port);
    again.hello();
    CHECK(code_of(again.request(enrol_request("e", server.admin_code()))) == "code_used");
}
