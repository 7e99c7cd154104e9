#include "net.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "liaise/protocol/messages.hpp"
#include "metrics.hpp"
#include "write_behind.hpp"

namespace liaise::server {
namespace {

using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

/// Errors that mean the peer went away or we are shutting down: not worth a log line.
bool routine(beast::error_code ec) {
    return ec == net::error::operation_aborted || ec == websocket::error::closed ||
           ec == beast::error::timeout || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == http::error::end_of_stream ||
           ec == ssl::error::stream_truncated;
}

/// The header of an unfragmented, unmasked WebSocket text frame (RFC 6455 section 5.2) of
/// `size` payload bytes, as a server sends it. The server never negotiates permessage-deflate,
/// so a frame is exactly this header and the payload.
std::string_view text_frame_header(std::size_t size, std::array<char, 10>& out) {
    out[0] = static_cast<char>(0x81);  // FIN, opcode 1 (text)
    if (size < 126) {
        out[1] = static_cast<char>(size);
        return {out.data(), 2};
    }
    if (size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<char>(size >> 8);
        out[3] = static_cast<char>(size);
        return {out.data(), 4};
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<char>(static_cast<std::uint64_t>(size) >> (56 - 8 * i));
    return {out.data(), 10};
}

/// The time left until `deadline`, at least a millisecond (Beast treats zero as "none").
std::chrono::milliseconds left_until(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(1));
}

// ---- WebSocket -------------------------------------------------------------------------------

/// One WebSocket connection: reads frames, hands them to the Service, writes replies and
/// events. Touched only on its strand, except deliver(), cut_off() and go_away(), which post to
/// it. Holds its connection slot until it is destroyed.
///
/// Replies and events are framed here and queued on the WriteBehind layer under Beast, not
/// written with Beast's async_write (one message, one system call): everything queued for a
/// connection while its last write is on its way leaves in one write.
template <class Stream>
class WsSessionImpl final : public WsSession,
                            public std::enable_shared_from_this<WsSessionImpl<Stream>> {
  public:
    WsSessionImpl(Stream&& stream, Shared& shared, ConnectionLimiter::Slot slot)
        : ws_(std::move(stream)),
          login_timer_(ws_.get_executor()),
          shared_(shared),
          slot_(std::move(slot)) {
        who_.address = slot_.address().to_string();
    }
    ~WsSessionImpl() override {
        if (open_)
            shared_.metrics.connection_closed();
    }

    /// Answers the upgrade `request`; the answer must go out within `time_left`.
    void run(http::request<http::string_body> request, std::chrono::milliseconds time_left) {
        ws_.next_layer().set_owner(this->weak_from_this());
        beast::get_lowest_layer(ws_).expires_never();  // the WebSocket timeouts take over
        ws_.set_option(
            websocket::stream_base::timeout{time_left, shared_.limits.idle_timeout, true});
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "liaise-server"); }));
        ws_.read_message_max(shared_.limits.max_frame_bytes);
        ws_.async_accept(request, beast::bind_front_handler(&WsSessionImpl::on_accept,
                                                            this->shared_from_this()));
    }

    void deliver(std::shared_ptr<const Frame> frame) override {
        net::post(ws_.get_executor(),
                  beast::bind_front_handler(&WsSessionImpl::on_deliver, this->shared_from_this(),
                                            std::move(frame)));
    }

    void cut_off(std::string reason) override {
        net::post(ws_.get_executor(),
                  [self = this->shared_from_this(), reason = std::move(reason)] {
                      self->close_soon(websocket::close_code::policy_error, reason);
                  });
    }

    void go_away() override {
        net::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->close_soon(websocket::close_code::going_away, {});
        });
    }

  private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            if (!routine(ec))
                spdlog::debug("websocket accept: {}", ec.message());
            return;
        }
        open_ = true;
        shared_.metrics.connection_opened();
        shared_.add(this->shared_from_this());
        // From now on the handshake limit bounds the closing handshake; a peer silent for the
        // idle timeout is pinged half way through and dropped at the end.
        ws_.set_option(websocket::stream_base::timeout{shared_.limits.handshake_timeout,
                                                       shared_.limits.idle_timeout, true});
        login_timer_.expires_after(shared_.limits.login_timeout);
        login_timer_.async_wait(
            beast::bind_front_handler(&WsSessionImpl::on_login_timeout, this->shared_from_this()));
        do_read();
    }

    void on_login_timeout(beast::error_code ec) {
        if (ec || who_.authenticated())
            return;
        spdlog::info("closing a connection that did not log in within {} ms",
                     shared_.limits.login_timeout.count());
        close(websocket::close_code::policy_error, "login timeout");
    }

    void do_read() {
        ws_.async_read(
            buffer_, beast::bind_front_handler(&WsSessionImpl::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            if (ec == websocket::error::message_too_big) {
                spdlog::info("closing a connection that sent a frame over {} bytes",
                             shared_.limits.max_frame_bytes);
            } else if (!routine(ec)) {
                spdlog::debug("websocket read: {}", ec.message());
            }
            login_timer_.cancel();
            shared_.service.disconnected(who_, this);
            shared_.remove(this);
            return;
        }
        const auto frame = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (closing_) {  // cut off or going away: what arrives now is not handled
            do_read();
            return;
        }
        if (who_.authenticated()) {
            if (const auto wait = shared_.rate.take(who_.account); wait.count() > 0) {
                refuse_rate_limited(frame, wait);
                do_read();
                return;
            }
        }
        const bool was_authenticated = who_.authenticated();
        std::weak_ptr<WsSessionImpl> weak = this->shared_from_this();
        shared_.service.handle(
            who_, frame,
            [weak](std::string reply) {
                if (auto self = weak.lock())
                    self->deliver(std::make_shared<const Frame>(std::move(reply)));
            },
            this->shared_from_this());
        if (!was_authenticated && who_.authenticated())
            login_timer_.cancel();
        do_read();
    }

    /// Answers a request over the account's rate with `rate_limited`. Only refused frames are
    /// parsed here, for their id; the Service never sees them.
    void refuse_rate_limited(const std::string& frame, std::chrono::milliseconds wait) {
        const auto decoded = protocol::decode_request(frame);
        shared_.metrics.error(protocol::errc::rate_limited);
        on_deliver(std::make_shared<const Frame>(
            protocol::encode_error(decoded.id,
                                   {std::string(protocol::errc::rate_limited),
                                    "too many requests from this account: try again in " +
                                        std::to_string(wait.count()) + " ms"},
                                   {{"retry_after_ms", wait.count()}})));
    }

    void on_deliver(std::shared_ptr<const Frame> frame) {
        // Not after a close frame, ours or the peer's (Beast is then no longer open).
        if (!open_ || closing_ || !ws_.is_open())
            return;
        auto& out = ws_.next_layer();
        // A reader that cannot keep up is cut off rather than allowed to grow without bound; it
        // resumes with sync from its last sequence number, so nothing it was sent is lost. One
        // frame on its own always goes, whatever its size (the dictionaries reply can be larger
        // than a small limit).
        const auto unsent = out.unsent_bytes();
        const auto size = frame->size_for(who_.device);
        if (unsent > 0 && unsent + size > shared_.limits.max_queue_bytes) {
            spdlog::info("closing a connection whose unsent queue passed {} bytes",
                         shared_.limits.max_queue_bytes);
            close(websocket::close_code::policy_error);
            return;
        }
        std::array<char, 10> header;
        const auto [before, entry, after] = frame->pieces_for(who_.device);
        // False only after a write failed; the read then fails too and ends the session.
        (void)out.append({text_frame_header(size, header), before, entry, after});
    }

    /// Closes with `code`, dropping a peer that does not answer the close within a second:
    /// shutdown and cut-offs must not wait on idle peers.
    void close_soon(websocket::close_code code, std::string reason) {
        ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(1),
                                                       std::chrono::seconds(1), false});
        close(code, std::move(reason));
    }

    void close(websocket::close_code code, std::string reason = {}) {
        if (closing_ || !open_)
            return;
        closing_ = true;  // nothing more is queued; what was queued goes out before the close
        login_timer_.cancel();
        websocket::close_reason why(code);
        why.reason = std::move(reason);
        ws_.async_close(why, [self = this->shared_from_this()](beast::error_code) {});
    }

    websocket::stream<WriteBehind<Stream>> ws_;
    net::steady_timer login_timer_;
    beast::flat_buffer buffer_;
    Shared& shared_;
    ConnectionLimiter::Slot slot_;
    Identity who_;
    bool open_ = false;
    bool closing_ = false;
};

// ---- HTTP ------------------------------------------------------------------------------------

/// One connection until it upgrades to WebSocket at /v1; also answers GET /healthz and
/// GET /metrics. With TLS it first completes the TLS handshake. The TLS handshake and the first
/// request must arrive within the handshake limit (each later request on a kept-alive connection
/// gets the same time again). A connection over the connection limits is answered 503 and
/// closed. Touched only on its strand.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  public:
    HttpSession(Stream&& stream, Shared& shared, ConnectionLimiter::Slot slot)
        : stream_(std::move(stream)), shared_(shared), slot_(std::move(slot)) {}

    void run() {
        restart_clock();
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&HttpSession::start, this->shared_from_this()));
    }

  private:
    void restart_clock() {
        deadline_ = Clock::now() + shared_.limits.handshake_timeout;
        beast::get_lowest_layer(stream_).expires_at(deadline_);
    }

    void start() {
        if constexpr (kTls<Stream>) {
            stream_.async_handshake(
                ssl::stream_base::server,
                beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
        } else {
            do_read();
        }
    }

    void on_handshake(beast::error_code ec) {
        if (ec) {
            // Scanners and clients that do not trust our certificate end up here.
            if (!routine(ec))
                spdlog::debug("tls handshake: {}", ec.message());
            return;
        }
        do_read();
    }

    void do_read() {
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(16 * 1024);
        http::async_read(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            if (!routine(ec))
                spdlog::debug("http read: {}", ec.message());
            do_close();
            return;
        }
        auto& req = parser_->get();
        if (!slot_.admitted()) {
            respond(http::status::service_unavailable, "too many connections: try again later\n",
                    false);
            return;
        }
        if (websocket::is_upgrade(req)) {
            if (req.target() != "/v1") {
                respond(http::status::not_found, "the WebSocket endpoint is /v1\n", false);
                return;
            }
            const auto left = left_until(deadline_);
            std::make_shared<WsSessionImpl<Stream>>(std::move(stream_), shared_, std::move(slot_))
                ->run(parser_->release(), left);
            return;
        }
        if (req.method() != http::verb::get) {
            respond(http::status::method_not_allowed, "only GET is served here\n",
                    req.keep_alive());
        } else if (req.target() == "/healthz") {
            respond(http::status::ok, "ok\n", req.keep_alive());
        } else if (req.target() == "/metrics") {
            respond(http::status::ok, shared_.metrics.render(), req.keep_alive(),
                    "text/plain; version=0.0.4");
        } else {
            respond(http::status::not_found,
                    "not found: try /v1 (WebSocket), /healthz or /metrics\n", req.keep_alive());
        }
    }

    void respond(http::status status, std::string body, bool keep_alive,
                 const char* content_type = "text/plain; charset=utf-8") {
        response_.emplace(status, parser_->get().version());
        response_->set(http::field::server, "liaise-server");
        response_->set(http::field::content_type, content_type);
        if (status == http::status::service_unavailable)
            response_->set(http::field::retry_after, "5");
        response_->body() = std::move(body);
        response_->keep_alive(keep_alive);
        response_->prepare_payload();
        http::async_write(stream_, *response_,
                          beast::bind_front_handler(&HttpSession::on_write,
                                                    this->shared_from_this(), keep_alive));
    }

    void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
        response_.reset();
        if (ec || !keep_alive) {
            do_close();
            return;
        }
        restart_clock();
        do_read();
    }

    void do_close() {
        if constexpr (kTls<Stream>) {
            beast::get_lowest_layer(stream_).expires_after(shared_.limits.handshake_timeout);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    Stream stream_;
    beast::flat_buffer buffer_;
    Clock::time_point deadline_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> response_;
    Shared& shared_;
    ConnectionLimiter::Slot slot_;
};

}  // namespace

void Shared::add(const std::shared_ptr<WsSession>& s) {
    std::lock_guard lock(mutex_);
    sessions_.push_back(s);
}

void Shared::remove(const WsSession* s) {
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [&](const std::weak_ptr<WsSession>& w) {
        const auto p = w.lock();
        return !p || p.get() == s;
    });
}

std::vector<std::shared_ptr<WsSession>> Shared::sessions() {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<WsSession>> out;
    for (const auto& w : sessions_)
        if (auto p = w.lock())
            out.push_back(std::move(p));
    return out;
}

// ---- listener --------------------------------------------------------------------------------

Listener::Listener(net::io_context& ioc, tcp::endpoint endpoint, Shared& shared)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      backoff_(acceptor_.get_executor()),
      shared_(shared) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->backoff_.cancel();
    });
}

void Listener::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
    if (ec == net::error::no_descriptors) {
        // Accepting again at once would spin: wait for connections to close.
        spdlog::warn("accept: {}; pausing for 100 ms", ec.message());
        backoff_.expires_after(std::chrono::milliseconds(100));
        backoff_.async_wait([self = shared_from_this()](beast::error_code e) {
            if (!e)
                self->do_accept();
        });
        return;
    }
    if (ec) {
        spdlog::warn("accept: {}", ec.message());
        do_accept();
        return;
    }
    beast::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    // Replies and events are small and wanted at once: do not hold them back for Nagle's
    // algorithm (which, with the peer's delayed acknowledgements, adds tens of milliseconds).
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto slot = peer_ec ? std::nullopt : shared_.connections.acquire(peer.address());
    if (!slot) {
        if (!peer_ec)
            shared_.metrics.connection_refused();
        socket.close(peer_ec);  // gone already, or too many being refused to answer each
    } else {
        if (!slot->admitted()) {
            shared_.metrics.connection_refused();
            spdlog::info("refusing a connection: limits are {} connections, {} per address",
                         shared_.limits.max_connections,
                         shared_.limits.max_connections_per_address);
        }
        if (shared_.tls != nullptr) {
            std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *shared_.tls),
                                                     shared_, std::move(*slot))
                ->run();
        } else {
            std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), shared_,
                                                       std::move(*slot))
                ->run();
        }
    }
    do_accept();
}

}  // namespace liaise::server
