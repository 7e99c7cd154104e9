#include "net.hpp"

#include <spdlog/spdlog.h>

#include "metrics.hpp"

namespace liaise::server {
namespace {

/// Errors that mean the peer went away or we are shutting down: not worth a log line.
bool routine(beast::error_code ec) {
    return ec == net::error::operation_aborted || ec == websocket::error::closed ||
           ec == beast::error::timeout || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == http::error::end_of_stream;
}

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
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), shared_(shared) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void Listener::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
    if (ec) {
        spdlog::warn("accept: {}", ec.message());
    } else {
        std::make_shared<HttpSession>(std::move(socket), shared_)->run();
    }
    do_accept();
}

// ---- HTTP ------------------------------------------------------------------------------------

void HttpSession::run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(16 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        if (!routine(ec))
            spdlog::debug("http read: {}", ec.message());
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
    }
    auto& req = parser_->get();
    if (websocket::is_upgrade(req)) {
        if (req.target() != "/v1") {
            response_ = std::make_shared<http::response<http::string_body>>(http::status::not_found,
                                                                            req.version());
            response_->set(http::field::content_type, "text/plain");
            response_->body() = "the WebSocket endpoint is /v1\n";
            response_->keep_alive(false);
            response_->prepare_payload();
            http::async_write(
                stream_, *response_,
                beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), false));
            return;
        }
        stream_.expires_never();
        std::make_shared<WsSession>(stream_.release_socket(), shared_)->run(parser_->release());
        return;
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req.version());
    res->set(http::field::server, "liaise-server");
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    if (req.method() != http::verb::get) {
        res->result(http::status::method_not_allowed);
        res->body() = "only GET is served here\n";
    } else if (req.target() == "/healthz") {
        res->body() = "ok\n";
    } else if (req.target() == "/metrics") {
        res->set(http::field::content_type, "text/plain; version=0.0.4");
        res->body() = shared_.metrics.render();
    } else {
        res->result(http::status::not_found);
        res->body() = "not found: try /v1 (WebSocket), /healthz or /metrics\n";
    }
    res->keep_alive(req.keep_alive());
    res->prepare_payload();
    response_ = res;
    http::async_write(
        stream_, *response_,
        beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), res->keep_alive()));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec || !keep_alive) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
    }
    do_read();
}

// ---- WebSocket -------------------------------------------------------------------------------

WsSession::WsSession(tcp::socket&& socket, Shared& shared)
    : ws_(std::move(socket)), shared_(shared) {}

WsSession::~WsSession() {
    if (open_)
        shared_.metrics.connection_closed();
}

void WsSession::run(http::request<http::string_body> request) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "liaise-server"); }));
    ws_.read_message_max(shared_.max_frame_bytes);
    ws_.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
    if (ec) {
        if (!routine(ec))
            spdlog::debug("websocket accept: {}", ec.message());
        return;
    }
    open_ = true;
    shared_.metrics.connection_opened();
    shared_.add(shared_from_this());
    do_read();
}

void WsSession::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        if (ec == websocket::error::message_too_big) {
            spdlog::info("closing a connection that sent a frame over {} bytes",
                         shared_.max_frame_bytes);
        } else if (!routine(ec)) {
            spdlog::debug("websocket read: {}", ec.message());
        }
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
    std::weak_ptr<WsSession> weak = shared_from_this();
    shared_.service.handle(
        who_, frame,
        [weak](std::string reply) {
            if (auto self = weak.lock())
                self->deliver(std::make_shared<const std::string>(std::move(reply)));
        },
        shared_from_this());
    do_read();
}

void WsSession::deliver(std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(), beast::bind_front_handler(&WsSession::on_deliver,
                                                            shared_from_this(), std::move(frame)));
}

void WsSession::on_deliver(std::shared_ptr<const std::string> frame) {
    if (!open_ || closing_)
        return;
    // A reader that cannot keep up is cut off rather than allowed to grow without bound; it
    // resumes with sync from its last sequence number, so nothing it was sent is lost.
    if (queued_bytes_ + frame->size() > shared_.max_queue_bytes) {
        spdlog::info("closing a connection whose unsent queue passed {} bytes",
                     shared_.max_queue_bytes);
        close(websocket::close_code::policy_error);
        return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1)
        do_write();
}

void WsSession::do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
    if (ec || closing_) {
        if (!routine(ec))
            spdlog::debug("websocket write: {}", ec.message());
        queue_.clear();
        queued_bytes_ = 0;
        return;
    }
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (!queue_.empty())
        do_write();
}

void WsSession::go_away() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        // A client that does not answer the close within a second is dropped: shutdown must
        // not wait on idle peers.
        self->ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(1),
                                                             std::chrono::seconds(1), false});
        self->close(websocket::close_code::going_away);
    });
}

void WsSession::cut_off(std::string reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
        self->ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(1),
                                                             std::chrono::seconds(1), false});
        self->close(websocket::close_code::policy_error, reason);
    });
}

void WsSession::close(websocket::close_code code, std::string reason) {
    if (closing_ || !open_)
        return;
    closing_ = true;  // a write in flight finishes; on_write then drops the rest
    websocket::close_reason why(code);
    why.reason = std::move(reason);
    ws_.async_close(why, [self = shared_from_this()](beast::error_code) {});
}

}  // namespace liaise::server
