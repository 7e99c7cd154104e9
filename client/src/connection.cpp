#include "liaise/client/connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio.hpp>

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <optional>
#include <thread>
#include <type_traits>

#include "liaise/protocol/messages.hpp"

namespace liaise::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = boost::asio::ssl;
namespace json = boost::json;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
};

std::optional<Url> parse_url(std::string_view url) {
    Url out;
    if (url.starts_with("wss://")) {
        out.tls = true;
        url.remove_prefix(6);
    } else if (url.starts_with("ws://")) {
        url.remove_prefix(5);
    } else {
        return std::nullopt;
    }
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        if (url.substr(slash) != "/" && url.substr(slash) != "/v1")
            return std::nullopt;
        url = url.substr(0, slash);
    }
    const auto colon = url.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) {
        out.host = std::string(url);
        out.port = "7443";
        return out;
    }
    out.host = std::string(url.substr(0, colon));
    if (out.host.size() > 2 && out.host.front() == '[')
        out.host = out.host.substr(1, out.host.size() - 2);
    out.port = std::string(url.substr(colon + 1));
    return out;
}

/// True for "localhost" and for addresses in 127.0.0.0/8 or ::1 (also as ::ffff:127.x.y.z),
/// decided from the text alone: nothing is looked up.
bool loopback_host(std::string_view host) {
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "localhost")
        return true;
    beast::error_code ec;
    const auto address = net::ip::make_address(lower, ec);
    if (ec)
        return false;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
    return address.is_loopback();
}

/// Why the server ended the connection, from its close frame.
std::string closed_message(const websocket::close_reason& why) {
    std::string out = "the server closed the connection";
    if (why.code != websocket::close_code::none) {
        out += " (code " + std::to_string(static_cast<unsigned>(why.code));
        if (!why.reason.empty())
            out += ": " + std::string(why.reason.data(), why.reason.size());
        out += ")";
    }
    return out;
}

}  // namespace

/// The connection's I/O, over a plain or a TLS stream. Used from one thread.
struct Connection::Impl {
    virtual ~Impl() = default;

    net::io_context ioc;
    beast::flat_buffer buffer;
    bool read_pending = false;
    bool read_done = false;
    beast::error_code read_error;
    std::deque<json::object> events;

    /// Starts reading one frame into `buffer`; completion sets read_done and read_error.
    virtual void start_read() = 0;
    virtual void write(std::string_view frame, bool binary, beast::error_code& ec) = 0;
    [[nodiscard]] virtual websocket::close_reason close_reason() const = 0;
    /// Drops the connection at once, without a closing handshake.
    virtual void drop() = 0;

    /// The next frame within `timeout`, or an empty optional on timeout. A read that times out
    /// stays pending, so the next call continues it and no frame is lost.
    protocol::Expected<std::optional<std::string>> read_frame(std::chrono::milliseconds timeout) {
        if (!read_pending) {
            read_pending = true;
            read_done = false;
            start_read();
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
                                                    ? closed_message(close_reason())
                                                    : "connection lost: " + read_error.message());
        }
        auto frame = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        return std::optional<std::string>(std::move(frame));
    }
};

namespace {

template <class Stream>
struct StreamImpl final : Connection::Impl {
    std::optional<ssl::context> tls;  // declared before the stream that uses it
    websocket::stream<Stream> ws;

    StreamImpl() requires std::is_same_v<Stream, PlainStream> : ws(ioc) {}
    explicit StreamImpl(ssl::context context) requires std::is_same_v<Stream, TlsStream>
        : tls(std::move(context)), ws(ioc, *tls) {}

    void start_read() override {
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            read_done = true;
            read_error = ec;
        });
    }
    void write(std::string_view frame, bool binary, beast::error_code& ec) override {
        ws.binary(binary);
        ws.write(net::buffer(frame.data(), frame.size()), ec);
    }
    websocket::close_reason close_reason() const override { return ws.reason(); }
    void drop() override {
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(ws).socket().close(ignored);
    }
};

/// Runs the io_context until it is out of work, then readies it for the next operation.
void run_until_done(net::io_context& ioc) {
    ioc.run();
    ioc.restart();
}

/// A client TLS context that trusts `ca_file` (or the system's authorities when empty).
protocol::Expected<ssl::context> client_tls(const std::filesystem::path& ca_file) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (ca_file.empty())
        ctx.set_default_verify_paths(ec);
    else
        ctx.load_verify_file(ca_file.string(), ec);
    if (ec)
        return failure("connection_failed",
                       "cannot load the certificate authority " +
                           (ca_file.empty() ? std::string("(system default)") : ca_file.string()) +
                           ": " + ec.message());
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

/// The TLS handshake: the certificate must chain to a trusted authority and name `host`.
protocol::Expected<bool> tls_handshake(StreamImpl<TlsStream>& impl, const Url& url,
                                       std::string_view shown, std::chrono::milliseconds timeout) {
    auto& tls = impl.ws.next_layer();
    SSL* ssl_handle = tls.native_handle();
    beast::error_code ec;
    const auto address = net::ip::make_address(url.host, ec);
    if (ec) {
        // A host name: send it (SNI) and check the certificate names it.
        SSL_set_tlsext_host_name(ssl_handle, url.host.c_str());
        SSL_set1_host(ssl_handle, url.host.c_str());
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), address.to_string().c_str());
    }
    beast::get_lowest_layer(impl.ws).expires_after(timeout);
    ec = {};
    tls.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run_until_done(impl.ioc);
    if (!ec)
        return true;
    if (const long verdict = SSL_get_verify_result(ssl_handle); verdict != X509_V_OK)
        return failure("connection_failed",
                       "certificate verification failed for " + std::string(shown) + ": " +
                           X509_verify_cert_error_string(verdict) +
                           " (if the server uses a private certificate authority, give its "
                           "certificate with --ca FILE)");
    return failure("connection_failed",
                   "TLS handshake with " + std::string(shown) + " failed: " + ec.message());
}

/// Connects `impl` to `url`: TCP, then TLS for wss://, then the WebSocket upgrade at /v1.
template <class Stream>
protocol::Expected<bool> connect(StreamImpl<Stream>& impl, const Url& url, std::string_view shown,
                                 std::chrono::milliseconds timeout) {
    beast::error_code ec;
    tcp::resolver resolver(impl.ioc);
    const auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec)
        return failure("connection_failed", "the server " + std::string(shown) +
                                                " cannot be reached: its name " + url.host +
                                                " was not found (" + ec.message() +
                                                "); this computer may be offline");
    auto& stream = beast::get_lowest_layer(impl.ws);
    stream.expires_after(timeout);
    bool done = false;
    stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    run_until_done(impl.ioc);
    if (!done || ec)
        return failure("connection_failed",
                       "the server " + std::string(shown) + " cannot be reached (" +
                           (done ? ec.message() : std::string("no answer")) +
                           "): it may be down, or this computer may be offline");
    beast::error_code ignored;  // requests are small and wanted at once: no Nagle delay
    stream.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        if (auto shaken = tls_handshake(impl, url, shown, timeout); !shaken)
            return shaken.error();
    }
    stream.expires_after(timeout);
    websocket::response_type response;
    impl.ws.async_handshake(response, url.host + ":" + url.port, "/v1",
                            [&](beast::error_code e) { ec = e; });
    run_until_done(impl.ioc);
    if (ec && response.result() == beast::http::status::service_unavailable)
        return failure("connection_failed",
                       std::string(shown) +
                           " refused the connection: too many connections (HTTP 503); try "
                           "again later");
    if (ec && !std::is_same_v<Stream, TlsStream> && ec == beast::http::error::end_of_stream)
        return failure("connection_failed", "WebSocket handshake with " + std::string(shown) +
                                                " failed: the server closed the connection "
                                                "without answering; if it serves TLS, use "
                                                "wss:// instead of ws://");
    if (ec)
        return failure("connection_failed", "WebSocket handshake with " + std::string(shown) +
                                                " failed: " + ec.message());
    stream.expires_never();
    impl.ws.read_message_max(64 << 20);
    // One frame per message, masked through a buffer large enough for most in one write.
    impl.ws.auto_fragment(false);
    impl.ws.write_buffer_bytes(64 * 1024);
    return true;
}

}  // namespace

PlainText plain_text_from_environment() {
    const char* value = std::getenv("LIAISE_INSECURE");
    return value != nullptr && std::string_view(value) == "1" ? PlainText::allowed
                                                              : PlainText::loopback_only;
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() {
    if (impl_)
        impl_->drop();
}

protocol::Expected<bool> check_url(std::string_view url, PlainText plain_text) {
    const auto parsed = parse_url(url);
    if (!parsed)
        return failure("bad_url",
                       "server address must look like ws://HOST:PORT or wss://HOST:PORT");
    // Decided before any look-up or connection: nothing about the person leaves this machine
    // in the clear, not even the name of the server they use.
    if (!parsed->tls && plain_text != PlainText::allowed && !loopback_host(parsed->host))
        return failure(std::string(protocol::errc::insecure_transport),
                       "refusing to connect to " + parsed->host +
                           " over plain ws://, which anyone on the network could read and "
                           "change: use wss://" +
                           parsed->host + ":" + parsed->port +
                           " (or, on a network you trust, --insecure or LIAISE_INSECURE=1)");
    return true;
}

protocol::Expected<std::unique_ptr<Connection>> Connection::open(std::string_view url,
                                                                 const ConnectOptions& options) {
    if (auto allowed = check_url(url, options.plain_text); !allowed)
        return allowed.error();
    const auto parsed = parse_url(url);
    std::unique_ptr<Impl> impl;
    protocol::Expected<bool> connected = true;
    if (parsed->tls) {
        auto ctx = client_tls(options.ca_file);
        if (!ctx)
            return ctx.error();
        auto tls = std::make_unique<StreamImpl<TlsStream>>(std::move(ctx).value());
        connected = connect(*tls, *parsed, url, options.timeout);
        impl = std::move(tls);
    } else {
        auto plain = std::make_unique<StreamImpl<PlainStream>>();
        connected = connect(*plain, *parsed, url, options.timeout);
        impl = std::move(plain);
    }
    if (!connected)
        return connected.error();
    return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

protocol::Expected<bool> Connection::send_raw(std::string_view frame, bool binary) {
    if (observer_ && !binary)
        observer_(true, frame);
    beast::error_code ec;
    impl_->write(frame, binary, ec);
    if (ec)
        return failure("connection_closed", "cannot send: " + ec.message());
    return true;
}

protocol::Expected<std::optional<std::string>> Connection::read_observed(
    std::chrono::milliseconds timeout) {
    auto frame = impl_->read_frame(timeout);
    if (observer_ && frame && frame.value())
        observer_(false, *frame.value());
    return frame;
}

protocol::Expected<std::string> Connection::read_raw(std::chrono::milliseconds timeout) {
    auto frame = read_observed(timeout);
    if (!frame)
        return frame.error();
    if (!frame.value())
        return failure("timeout", "no frame from the server in time");
    return std::move(*frame.value());
}

protocol::Expected<json::object> Connection::request(std::string_view type, json::object fields,
                                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::chrono::milliseconds waited{0};
    while (true) {
        auto reply = request_once(type, fields, deadline);
        if (reply || reply.error().code != protocol::errc::rate_limited)
            return reply;
        // Nothing was done: the same request may be sent again once the server's wait is over.
        const auto* after = last_error_.if_contains("retry_after_ms");
        const auto asked = after != nullptr && after->is_int64() ? after->get_int64() : 0;
        const std::chrono::milliseconds wait{std::clamp<std::int64_t>(asked, 10, 5000)};
        if (waited + wait > rate_limit_patience_ ||
            std::chrono::steady_clock::now() + wait >= deadline)
            return reply;
        std::this_thread::sleep_for(wait);
        waited += wait;
    }
}

protocol::Expected<json::object> Connection::request_once(
    std::string_view type, json::object fields, std::chrono::steady_clock::time_point deadline) {
    const auto id = std::to_string(next_id_++);
    fields["type"] = type;
    fields["id"] = id;
    if (auto sent = send_raw(json::serialize(fields)); !sent)
        return sent.error();
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return failure("timeout", "no reply from the server to '" + std::string(type) + "'");
        auto frame = read_observed(left);
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
        auto frame = read_observed(left);
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
