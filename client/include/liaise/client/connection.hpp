// One WebSocket connection to a Liaise server, used from one thread. Requests block until their
// reply arrives; events that arrive meanwhile are kept for next_event().
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// Whether plain ws:// (no TLS) may be used to reach a server other than this machine.
enum class PlainText {
    loopback_only,  ///< ws:// only to 127.0.0.0/8, ::1 or "localhost"; wss:// anywhere
    allowed,        ///< ws:// anywhere (`--insecure`, LIAISE_INSECURE=1)
};

/// PlainText::allowed when the environment variable LIAISE_INSECURE is "1" (which the
/// command's --insecure flag sets), else loopback_only.
[[nodiscard]] PlainText plain_text_from_environment();

/// Whether Connection::open would even try `url` with `plain_text`: bad_url or
/// insecure_transport as open() gives them, decided from the text alone (no look-up). For
/// commands that check before asking a person for anything.
[[nodiscard]] protocol::Expected<bool> check_url(std::string_view url, PlainText plain_text);

/// How to reach a server.
struct ConnectOptions {
    /// For connecting and every handshake (TCP, TLS, WebSocket).
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
    /// wss:// only: a PEM file of the certificate authority that signed the server's
    /// certificate (a private authority). Empty: the system's trusted authorities.
    std::filesystem::path ca_file;
    PlainText plain_text = PlainText::loopback_only;
};

class Connection {
  public:
    /// Connects to `url` (ws://HOST:PORT or wss://HOST:PORT, path /v1 implied). With wss:// the
    /// server's certificate must chain to a trusted authority and name HOST. Errors:
    /// connection_failed (with the reason: a refused certificate says "certificate
    /// verification"; a server at its connection limit says "too many connections"), bad_url,
    /// insecure_transport (ws:// to a host that is not loopback without PlainText::allowed;
    /// refused before the name is looked up or anything is sent).
    [[nodiscard]] static protocol::Expected<std::unique_ptr<Connection>> open(
        std::string_view url, const ConnectOptions& options);
    [[nodiscard]] static protocol::Expected<std::unique_ptr<Connection>> open(
        std::string_view url, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        return open(url, ConnectOptions{timeout, {}, PlainText::loopback_only});
    }
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Sends {"type": type, "id": …, …fields} and waits for its reply. An `error` reply becomes
    /// an Error with the server's code and message (its other fields are in `last_error_body`).
    /// A request refused with `rate_limited` (nothing was done) is sent again after the wait
    /// the server asks for, while the waits for it add up to at most rate_limit_patience() and
    /// the reply is due within `timeout`; otherwise the `rate_limited` error is returned.
    [[nodiscard]] protocol::Expected<boost::json::object> request(
        std::string_view type, boost::json::object fields = {},
        std::chrono::milliseconds timeout = std::chrono::seconds(30));

    [[nodiscard]] std::chrono::milliseconds rate_limit_patience() const noexcept {
        return rate_limit_patience_;
    }
    /// 10 seconds unless set; zero returns every `rate_limited` at once.
    void set_rate_limit_patience(std::chrono::milliseconds patience) noexcept {
        rate_limit_patience_ = patience;
    }

    /// The whole body of the last error reply (e.g. the member list of stale_membership).
    [[nodiscard]] const boost::json::object& last_error_body() const noexcept {
        return last_error_;
    }

    /// The next server event, waiting up to `timeout`; nullopt on timeout. A closed connection
    /// is an error (connection_closed, whose message gives the server's close code and reason).
    [[nodiscard]] protocol::Expected<std::optional<boost::json::object>> next_event(
        std::chrono::milliseconds timeout);

    /// Sends a raw text frame (tests use it to send malformed requests).
    [[nodiscard]] protocol::Expected<bool> send_raw(std::string_view frame, bool binary = false);
    /// Waits for the next frame of any kind, raw.
    [[nodiscard]] protocol::Expected<std::string> read_raw(std::chrono::milliseconds timeout);

    /// Called with every text frame this connection sends (`sent` true) or receives, on the
    /// calling thread, before the frame is used. For tests that check every frame against the
    /// protocol's schemas; an observer must not call back into the connection. Frames hold
    /// ciphertext and names, never keys; whoever observes them must not log them.
    using FrameObserver = std::function<void(bool sent, std::string_view frame)>;
    void observe_frames(FrameObserver observer) { observer_ = std::move(observer); }

    /// The I/O behind a connection, over a plain or a TLS stream (connection.cpp only).
    struct Impl;

  private:
    explicit Connection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    /// impl_->read_frame, showing a frame read to the observer.
    protocol::Expected<std::optional<std::string>> read_observed(std::chrono::milliseconds timeout);
    /// One try of request(): sends the frame and waits until `deadline` for its reply.
    protocol::Expected<boost::json::object> request_once(
        std::string_view type, boost::json::object fields,
        std::chrono::steady_clock::time_point deadline);

    boost::json::object last_error_;
    FrameObserver observer_;
    std::uint64_t next_id_ = 1;
    std::chrono::milliseconds rate_limit_patience_{10000};
};

}  // namespace liaise::client
