#include "net/net.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "liaise/protocol/messages.hpp"
#include "metrics.hpp"
#include "net/web_assets.hpp"
#include "net/write_behind.hpp"

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
    /// `client`: the client's address, as the connection limits and logs know it (forwarded
    /// by a trusted proxy, or the peer's).
    WsSessionImpl(Stream&& stream, Shared& shared, ConnectionLimiter::Slot slot,
                  net::ip::address client)
        : ws_(std::move(stream)),
          login_timer_(ws_.get_executor()),
          shared_(shared),
          slot_(std::move(slot)),
          client_(client) {
        who_.address = client_.to_string();
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

    void with_identity(std::function<void(Identity&)> fn) override {
        net::post(ws_.get_executor(), [self = this->shared_from_this(), fn = std::move(fn)] {
            const bool was_authenticated = self->who_.authenticated();
            fn(self->who_);
            if (!was_authenticated && self->who_.authenticated())
                self->login_timer_.cancel();
        });
    }

    void resume() override {
        net::post(ws_.get_executor(), [self = this->shared_from_this()] {
            if (!self->held_)
                return;  // never expected: a resume without a hold
            self->held_ = false;
            self->do_read();
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
                refuse_rate_limited(frame, wait, "too many requests from this account");
                do_read();
                return;
            }
        } else if (signs_in(frame)) {
            // Before login the account is not known: enrol and login are held to a budget per
            // address, so that guessing codes cannot crowd out everyone else's writes.
            if (const auto wait = shared_.preauth.take(budget_key(client_)); wait.count() > 0) {
                refuse_rate_limited(frame, wait, "too many sign-in attempts from this address");
                do_read();
                return;
            }
        }
        const bool was_authenticated = who_.authenticated();
        std::weak_ptr<WsSessionImpl> weak = this->shared_from_this();
        const auto handling = shared_.service.handle(
            who_, frame,
            [weak](std::string reply) {
                if (auto self = weak.lock())
                    self->deliver(std::make_shared<const Frame>(std::move(reply)));
            },
            this->shared_from_this());
        if (!was_authenticated && who_.authenticated())
            login_timer_.cancel();
        if (handling == Requests::Handling::held) {
            // The next frame waits (in the socket, not read) until the Service resumes us:
            // requests keep their order per session.
            held_ = true;
            return;
        }
        do_read();
    }

    /// True for an `enrol` or `login` request (parsed here only before login, where frames
    /// are few and small).
    static bool signs_in(const std::string& frame) {
        const auto decoded = protocol::decode_request(frame);
        return decoded.request &&
               (decoded.request->type() == "enrol" || decoded.request->type() == "login");
    }

    /// Answers a request over its rate with `rate_limited`, saying `whose` rate it was. Only
    /// refused frames are parsed here, for their id; the Service never sees them.
    void refuse_rate_limited(const std::string& frame, std::chrono::milliseconds wait,
                             std::string_view whose) {
        const auto decoded = protocol::decode_request(frame);
        shared_.metrics.error(protocol::errc::rate_limited);
        on_deliver(std::make_shared<const Frame>(protocol::encode_error(
            decoded.id,
            {std::string(protocol::errc::rate_limited),
             std::string(whose) + ": try again in " + std::to_string(wait.count()) + " ms"},
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
    const net::ip::address client_;
    Identity who_;
    bool open_ = false;
    bool closing_ = false;
    bool held_ = false;  ///< a request is held (Requests::Handling::held): no read is pending
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
    /// `peer`: the address the connection comes from.
    HttpSession(Stream&& stream, Shared& shared, ConnectionLimiter::Slot slot,
                net::ip::address peer)
        : stream_(std::move(stream)),
          shared_(shared),
          slot_(std::move(slot)),
          peer_(unmapped(peer)),
          client_(peer_) {}

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
        const auto& proxies = shared_.access.proxies;
        client_ = proxies.client_of(peer_, forwarded_for(req));
        // A trusted proxy's connection counts against the client it forwards, once known.
        if (proxies.trusts(peer_) && !shared_.connections.rekey(slot_, client_)) {
            shared_.metrics.connection_refused();
            respond(http::status::service_unavailable, "too many connections: try again later\n",
                    false);
            return;
        }
        if (websocket::is_upgrade(req)) {
            if (req.target() != "/v1") {
                respond(http::status::not_found, "the WebSocket endpoint is /v1\n", false);
                return;
            }
            if (!origin_allowed(req)) {
                spdlog::info("refusing a WebSocket upgrade from a web page at another origin");
                respond(http::status::forbidden,
                        "this web page's origin may not open a Liaise connection (the server's "
                        "allowed_origins setting lists those that may)\n",
                        false);
                return;
            }
            const auto left = left_until(deadline_);
            std::make_shared<WsSessionImpl<Stream>>(std::move(stream_), shared_, std::move(slot_),
                                                    client_)
                ->run(parser_->release(), left);
            return;
        }
        if (auto page = web::respond(req, kTls<Stream>)) {  // the browser client's files
            write(std::move(*page));
            return;
        }
        if (req.method() != http::verb::get) {
            respond(http::status::method_not_allowed, "only GET is served here\n",
                    req.keep_alive());
        } else if (req.target() == "/healthz") {
            respond(http::status::ok, "ok\n", req.keep_alive());
        } else if (req.target() == "/metrics") {
            if (may_see_metrics(req))
                respond(http::status::ok, shared_.metrics.render(), req.keep_alive(),
                        "text/plain; version=0.0.4");
            else
                respond(http::status::forbidden,
                        "metrics are served only to this machine (loopback), or with the "
                        "configured bearer token\n",
                        req.keep_alive());
        } else {
            respond(http::status::not_found,
                    "not found: try /v1 (WebSocket), /healthz or /metrics\n", req.keep_alive());
        }
    }

    /// Every X-Forwarded-For header's value, in order, joined with ",".
    static std::string forwarded_for(const http::request<http::string_body>& req) {
        std::string out;
        for (auto [at, end] = req.equal_range("X-Forwarded-For"); at != end; ++at) {
            if (!out.empty())
                out += ',';
            out.append(at->value().data(), at->value().size());
        }
        return out;
    }

    /// A loopback client (both the peer and, through a trusted proxy, the client it forwards:
    /// a proxy on this machine passes on the whole world), or the configured bearer token,
    /// compared in constant time.
    bool may_see_metrics(const http::request<http::string_body>& req) const {
        if (is_loopback(peer_) && is_loopback(client_))
            return true;
        const auto& token = shared_.access.metrics_token;
        if (token.empty())
            return false;
        // "Bearer TOKEN"; the scheme's name is case-insensitive (RFC 9110, section 11.1).
        constexpr std::string_view kScheme = "bearer ";
        const auto given = req[http::field::authorization];
        if (given.size() != kScheme.size() + token.size() ||
            !beast::iequals(given.substr(0, kScheme.size()), kScheme))
            return false;
        return CRYPTO_memcmp(given.data() + kScheme.size(), token.data(), token.size()) == 0;
    }

    /// No Origin (not a browser), or one allowed: listed in allowed_origins, or, when none are
    /// listed, the server's own (https://HOST, also http://HOST on plain ws://). Compared
    /// without regard to case.
    bool origin_allowed(const http::request<http::string_body>& req) const {
        const auto found = req.find(http::field::origin);
        if (found == req.end())
            return true;
        const auto lower = [](std::string_view text) {
            std::string out(text);
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return out;
        };
        const auto origin = lower(found->value());
        const auto& allowed = shared_.access.allowed_origins;
        if (!allowed.empty())
            return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
                auto want = lower(a);
                if (want.ends_with('/'))
                    want.pop_back();
                return want == origin;
            });
        const auto host = lower(req[http::field::host]);
        if (host.empty())
            return false;
        return origin == "https://" + host || (!kTls<Stream> && origin == "http://" + host);
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
        write_response();
    }

    /// Writes `response`, complete with its headers.
    void write(http::response<http::string_body> response) {
        response_.emplace(std::move(response));
        write_response();
    }

    void write_response() {
        http::async_write(
            stream_, *response_,
            beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(),
                                      response_->keep_alive()));
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
    const net::ip::address peer_;  ///< where the connection comes from
    net::ip::address client_;      ///< whom it is for: peer_, or forwarded by a trusted proxy
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
    // A trusted proxy's connection is counted against its client once its request names it.
    const auto address = peer_ec ? net::ip::address() : unmapped(peer.address());
    auto slot = peer_ec
                    ? std::nullopt
                    : shared_.connections.acquire(shared_.access.proxies.trusts(address)
                                                      ? std::nullopt
                                                      : std::optional<net::ip::address>(address));
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
                                                     shared_, std::move(*slot), address)
                ->run();
        } else {
            std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)), shared_,
                                                       std::move(*slot), address)
                ->run();
        }
    }
    do_accept();
}

}  // namespace liaise::server
