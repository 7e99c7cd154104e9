#include "liaise/client/connection.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <deque>

#include "liaise/protocol/messages.hpp"

namespace liaise::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

struct Url {
    std::string host;
    std::string port;
};

std::optional<Url> parse_url(std::string_view url) {
    if (!url.starts_with("ws://"))
        return std::nullopt;
    url.remove_prefix(5);
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        if (url.substr(slash) != "/" && url.substr(slash) != "/v1")
            return std::nullopt;
        url = url.substr(0, slash);
    }
    const auto colon = url.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size())
        return Url{std::string(url), "7443"};
    auto host = std::string(url.substr(0, colon));
    if (host.size() > 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    return Url{host, std::string(url.substr(colon + 1))};
}

}  // namespace

struct Connection::Impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    bool read_pending = false;
    bool read_done = false;
    beast::error_code read_error;
    std::deque<json::object> events;

    /// The next frame within `timeout`, or an empty optional on timeout. A read that times out
    /// stays pending, so the next call continues it and no frame is lost.
    protocol::Expected<std::optional<std::string>> read_frame(std::chrono::milliseconds timeout) {
        if (!read_pending) {
            read_pending = true;
            read_done = false;
            ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
                read_done = true;
                read_error = ec;
            });
        }
        ioc.restart();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!read_done && std::chrono::steady_clock::now() < deadline) {
            ioc.run_one_until(deadline);
            if (ioc.stopped())
                ioc.restart();
        }
        if (!read_done)
            return std::optional<std::string>{};
        read_pending = false;
        if (read_error) {
            return failure("connection_closed", read_error == websocket::error::closed
                                                    ? "the server closed the connection"
                                                    : "connection lost: " + read_error.message());
        }
        auto frame = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        return std::optional<std::string>(std::move(frame));
    }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() {
    if (!impl_)
        return;
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

protocol::Expected<std::unique_ptr<Connection>> Connection::open(
    std::string_view url, std::chrono::milliseconds timeout) {
    const auto parsed = parse_url(url);
    if (!parsed)
        return failure("bad_url", "server address must look like ws://HOST:PORT");
    auto impl = std::make_unique<Impl>();
    beast::error_code ec;
    tcp::resolver resolver(impl->ioc);
    const auto endpoints = resolver.resolve(parsed->host, parsed->port, ec);
    if (ec)
        return failure("connection_failed", "cannot resolve " + parsed->host + ": " + ec.message());
    auto& stream = beast::get_lowest_layer(impl->ws);
    stream.expires_after(timeout);
    bool done = false;
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    impl->ioc.run();
    if (!done || ec)
        return failure("connection_failed",
                       "cannot connect to " + std::string(url) + ": " + ec.message());
    impl->ioc.restart();
    stream.expires_after(timeout);
    impl->ws.async_handshake(parsed->host + ":" + parsed->port, "/v1",
                             [&](beast::error_code e) { ec = e; });
    impl->ioc.run();
    if (ec)
        return failure("connection_failed",
                       "WebSocket handshake with " + std::string(url) + " failed: " + ec.message());
    stream.expires_never();
    impl->ws.read_message_max(64 << 20);
    return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

protocol::Expected<bool> Connection::send_raw(std::string_view frame, bool binary) {
    beast::error_code ec;
    impl_->ws.binary(binary);
    impl_->ws.write(net::buffer(frame.data(), frame.size()), ec);
    if (ec)
        return failure("connection_closed", "cannot send: " + ec.message());
    return true;
}

protocol::Expected<std::string> Connection::read_raw(std::chrono::milliseconds timeout) {
    auto frame = impl_->read_frame(timeout);
    if (!frame)
        return frame.error();
    if (!frame.value())
        return failure("timeout", "no frame from the server in time");
    return std::move(*frame.value());
}

protocol::Expected<json::object> Connection::request(std::string_view type, json::object fields,
                                                     std::chrono::milliseconds timeout) {
    const auto id = std::to_string(next_id_++);
    fields["type"] = type;
    fields["id"] = id;
    if (auto sent = send_raw(json::serialize(fields)); !sent)
        return sent.error();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return failure("timeout", "no reply from the server to '" + std::string(type) + "'");
        auto frame = impl_->read_frame(left);
        if (!frame)
            return frame.error();
        if (!frame.value())
            continue;
        auto decoded = protocol::decode_server_frame(*frame.value());
        if (!decoded)
            return decoded.error();
        auto& f = decoded.value();
        if (!f.is_reply) {
            impl_->events.push_back(std::move(f.body));
            continue;
        }
        if (f.re != id)
            continue;  // a late reply to a request that timed out
        if (f.type == "ok") {
            f.body.erase("re");
            f.body.erase("type");
            return std::move(f.body);
        }
        last_error_ = f.body;
        const auto* code = f.body.if_contains("code");
        const auto* message = f.body.if_contains("message");
        return failure(code && code->is_string() ? std::string(code->get_string()) : "error",
                       message && message->is_string() ? std::string(message->get_string())
                                                       : "the server refused");
    }
}

protocol::Expected<std::optional<json::object>> Connection::next_event(
    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (impl_->events.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::optional<json::object>{};
        auto frame = impl_->read_frame(left);
        if (!frame)
            return frame.error();
        if (!frame.value())
            return std::optional<json::object>{};
        auto decoded = protocol::decode_server_frame(*frame.value());
        if (decoded && !decoded.value().is_reply)
            impl_->events.push_back(std::move(decoded.value().body));
    }
    auto event = std::move(impl_->events.front());
    impl_->events.pop_front();
    return std::optional<json::object>(std::move(event));
}

}  // namespace liaise::client
