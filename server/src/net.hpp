// Internal: the network layer (Boost.Beast over Asio), after Beast's chat-multi example: one
// class per object with its own lifetime, every async call bound to shared_from_this(), each
// connection on its own strand, handlers in do_x/on_x pairs.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "service.hpp"

namespace liaise::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class Metrics;
class WsSession;

/// What every connection shares. Owned by serve(); outlives every session.
struct Shared {
    Shared(Service& service, Metrics& metrics, std::size_t max_frame_bytes,
           std::size_t max_queue_bytes)
        : service(service),
          metrics(metrics),
          max_frame_bytes(max_frame_bytes),
          max_queue_bytes(max_queue_bytes) {}

    Service& service;
    Metrics& metrics;
    std::size_t max_frame_bytes;
    std::size_t max_queue_bytes;

    /// Open WebSocket sessions, so that shutdown can say "going away" to each. Thread-safe.
    void add(const std::shared_ptr<WsSession>& s);
    void remove(const WsSession* s);
    std::vector<std::shared_ptr<WsSession>> sessions();

  private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<WsSession>> sessions_;  // GUARDED_BY(mutex_)
};

/// Accepts TCP connections and hands each to an HttpSession on its own strand.
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
    Shared& shared_;
};

/// One connection until it upgrades to WebSocket at /v1; also answers GET /healthz and
/// GET /metrics.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(tcp::socket&& socket, Shared& shared)
        : stream_(std::move(socket)), shared_(shared) {}
    void run();

  private:
    void do_read();
    void on_read(beast::error_code ec, std::size_t);
    void on_write(bool keep_alive, beast::error_code ec, std::size_t);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> response_;
    Shared& shared_;
};

/// One WebSocket connection: reads frames, hands them to the Service, writes replies and
/// events. Touched only on its strand, except deliver(), which posts to it.
class WsSession : public Sink, public std::enable_shared_from_this<WsSession> {
  public:
    WsSession(tcp::socket&& socket, Shared& shared);
    ~WsSession() override;
    void run(http::request<http::string_body> request);
    void deliver(std::shared_ptr<const std::string> frame) override;
    void cut_off(std::string reason) override;
    /// Closes the connection with "going away" (server shutdown).
    void go_away();

  private:
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t);
    void on_deliver(std::shared_ptr<const std::string> frame);
    void do_write();
    void on_write(beast::error_code ec, std::size_t);
    void close(websocket::close_code code, std::string reason = {});

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    Shared& shared_;
    Identity who_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool open_ = false;
    bool closing_ = false;
};

}  // namespace liaise::server
