// Sending one email through the operator's SMTP relay (RFC 5321): STARTTLS required, the relay's
// certificate and name verified, AUTH PLAIN or LOGIN when a user is configured, every step under
// a timeout. Blocking: call it from a thread of its own (the server's outbox), never from one
// that answers requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "liaise/base/expected.hpp"

namespace liaise::mail {

struct SmtpSettings {
    std::string host;          ///< the relay's name (checked against its certificate) or address
    std::uint16_t port = 587;  ///< submission
    /// Address for MAIL FROM and the From header: "liaise@council.example.org".
    std::string from;
    /// Display name in the From header; empty for none.
    std::string from_name = "Liaise";
    /// AUTH with these when `username` is not empty (only ever over TLS).
    std::string username;
    std::string password;
    /// Trust this CA file (PEM) for the relay's certificate, instead of the system's.
    std::optional<std::filesystem::path> ca_file;
    /// Plain SMTP without STARTTLS. Only allowed when `host` is a loopback address (a relay on
    /// the same machine, or a test); refused otherwise.
    bool plain_loopback = false;
    /// Each step (connect, one command and its reply, the handshake) must finish within this.
    std::chrono::milliseconds timeout{30'000};
    /// Our name in EHLO.
    std::string helo_name = "liaise.invalid";
};

/// One plain-text message to one person.
struct Message {
    std::string to;       ///< an address; no display name
    std::string subject;  ///< ASCII, one line
    std::string body;     ///< UTF-8 text; line ends are sent as CRLF
};

/// What the relay said when it took the message ("250 2.0.0 Ok: queued as 1234").
struct Accepted {
    std::string reply;
};

/// Checks `settings` without connecting: "mail_config" with a plain message for a missing host
/// or sender, a bad address, or plain SMTP to a host that is not loopback.
[[nodiscard]] base::Expected<bool> check_settings(const SmtpSettings& settings);

/// Sends `message`. Errors, each with a plain message naming the relay and never the body:
/// "mail_config" (as check_settings, or a bad recipient or subject), "mail_connect" (cannot
/// resolve or connect), "mail_timeout", "mail_tls" (no STARTTLS offered, handshake or certificate
/// failed), "mail_auth" (AUTH refused or not offered), "mail_refused" (the relay refused the
/// sender, the recipient or the message: its reply is in the message), "mail_protocol" (a reply
/// that is not SMTP).
[[nodiscard]] base::Expected<Accepted> send(const SmtpSettings& settings, const Message& message);

/// True when `address` looks like local@domain with no spaces, angle brackets or line breaks
/// (what may go inside MAIL FROM:<...> and a header safely); not a full RFC 5322 parser.
[[nodiscard]] bool plausible_address(std::string_view address);

}  // namespace liaise::mail
