// Internal: the network layer (Boost.Beast over Asio), after Beast's chat-multi example: one
// class per object with its own lifetime, every async call bound to shared_from_this(), each
// connection on its own strand, handlers in do_x/on_x pairs. The sessions themselves are class
// templates over the stream (plain TCP, or TLS over TCP) and live in net.cpp.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/requests.hpp"
#include "net/client_address.hpp"
#include "net/limits.hpp"

namespace liaise::server {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class Metrics;

/// One open WebSocket connection, as shutdown sees it.
class WsSession : public Session {
  public:
    /// Closes the connection with "going away" (server shutdown). Thread-safe.
    virtual void go_away() = 0;
};

/// Who may reach what: Config's trusted_proxies, metrics_token and allowed_origins.
struct Access {
    TrustedProxies proxies;
    std::string metrics_token;  ///< empty: /metrics for loopback clients only
    /// Empty: the server's own origin (https://HOST, and http://HOST when serving plain ws://).
    std::vector<std::string> allowed_origins;
};

/// What every connection shares. Owned by serve(); outlives every session.
struct Shared {
    /// `tls`, when given, makes every connection TLS (wss://); it must outlive the Shared.
    Shared(Requests& service, Metrics& metrics, const Limits& limits, ssl::context* tls = nullptr,
           Access access = {})
        : service(service),
          metrics(metrics),
          limits(limits),
          tls(tls),
          access(std::move(access)),
          rate(limits.rate_per_second, limits.rate_burst),
          preauth(limits.preauth_rate_per_second, limits.preauth_rate_burst),
          connections(limits.max_connections, limits.max_connections_per_address) {}

    Requests& service;
    Metrics& metrics;
    const Limits limits;
    ssl::context* const tls;  ///< null: plain ws://
    const Access access;
    RateLimiter rate;               ///< requests per account, across its connections
    AddressRateLimiter preauth;     ///< enrol and login before login, per client address
    ConnectionLimiter connections;  ///< connections per client address and in total

    /// Open WebSocket sessions, so that shutdown can say "going away" to each. Thread-safe.
    void add(const std::shared_ptr<WsSession>& s);
    void remove(const WsSession* s);
    std::vector<std::shared_ptr<WsSession>> sessions();

  private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<WsSession>> sessions_;  // GUARDED_BY(mutex_)
};

/// Accepts TCP connections and hands each, on its own strand, to an HTTP session (which
/// upgrades to a WebSocket session at /v1), or refuses it when the connection limits are met.
class Listener : public std::enable_shared_from_this<Listener> {
  public:
    /// Throws boost::system::system_error if the address cannot be bound.
    Listener(net::io_context& ioc, tcp::endpoint endpoint, Shared& shared);
    void run() { do_accept(); }
    void stop();
    [[nodiscard]] tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  private:
    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket);

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;  ///< waits before accepting again when out of file descriptors
    Shared& shared_;
};

}  // namespace liaise::server
