// The SMTP client against a real SMTP server (aiosmtpd) on loopback: STARTTLS with a throwaway
// certificate, AUTH, refusals, and the ways a relay can fail.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "../support/smtp_sink.hpp"
#include "liaise/mail/smtp.hpp"

using namespace liaise::mail;
using namespace liaise::test::smtp;

namespace {

SmtpSettings settings_for(const Sink& sink) {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = sink.port();
    s.from = "liaise@council.example.org";
    s.timeout = std::chrono::milliseconds(5000);
    return s;
}

SinkOptions with_tls(const Certificate& cert, const std::string& auth = "") {
    SinkOptions o;
    o.tls = cert;
    o.auth = auth;
    return o;
}

Message hello() {
    return {"bea@school.example.org", "A test notice",
            "First line.\n.A line that starts with a dot.\n..and two.\nLast line, caf\xC3\xA9"};
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("mail goes over STARTTLS to a relay whose certificate is trusted", "[mail]") {
    TempDir dir("smtp-certs");
    const auto cert = make_certificate(dir.path(), "relay", "IP:127.0.0.1");
    Sink sink(with_tls(cert));
    auto s = settings_for(sink);
    s.ca_file = cert.cert;
    const auto sent = send(s, hello());
    REQUIRE(sent.ok());
    CHECK(sent.value().reply.starts_with("250"));
    const auto got = sink.wait_for(1);
    REQUIRE(got.size() == 1);
    const auto& m = got[0];
    CHECK(has(m, "X-Sink-Tls: yes\r\n"));
    CHECK(has(m, "X-Sink-From: liaise@council.example.org\r\n"));
    CHECK(has(m, "X-Sink-Rcpt: bea@school.example.org\r\n"));
    CHECK(has(m, "From: \"Liaise\" <liaise@council.example.org>\r\n"));
    CHECK(has(m, "To: bea@school.example.org\r\n"));
    CHECK(has(m, "Subject: A test notice\r\n"));
    CHECK(has(m, "Content-Type: text/plain; charset=utf-8\r\n"));
    CHECK(has(m, "Auto-Submitted: auto-generated\r\n"));
    // Dot-stuffing undone by the server: the body arrives as it was written.
    CHECK(has(m,
              "\r\n\r\nFirst line.\r\n.A line that starts with a dot.\r\n..and two.\r\n"
              "Last line, caf\xC3\xA9\r\n"));
}

TEST_CASE("a relay whose certificate is not trusted gets nothing", "[mail]") {
    TempDir dir("smtp-certs");
    const auto cert = make_certificate(dir.path(), "relay", "IP:127.0.0.1");
    const auto other = make_certificate(dir.path(), "other", "IP:127.0.0.1");
    Sink sink(with_tls(cert));
    auto s = settings_for(sink);
    s.ca_file = other.cert;  // trusts a different certificate
    const auto sent = send(s, hello());
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_tls");
    CHECK(has(sent.error().message, "not trusted"));
    CHECK(sink.received().empty());
}

TEST_CASE("a relay certificate for another name is refused", "[mail]") {
    TempDir dir("smtp-certs");
    const auto cert = make_certificate(dir.path(), "relay", "DNS:mail.elsewhere.example");
    Sink sink(with_tls(cert));
    auto s = settings_for(sink);
    s.ca_file = cert.cert;
    const auto sent = send(s, hello());
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_tls");
    CHECK(sink.received().empty());
}

TEST_CASE("a relay that does not offer STARTTLS gets nothing", "[mail]") {
    Sink sink;  // plain SMTP only
    const auto sent = send(settings_for(sink), hello());
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_tls");
    CHECK(has(sent.error().message, "does not offer STARTTLS"));
    CHECK(sink.received().empty());
}

TEST_CASE("plain SMTP is allowed to a loopback relay only when configured", "[mail]") {
    Sink sink;
    auto s = settings_for(sink);
    s.plain_loopback = true;
    REQUIRE(send(s, hello()).ok());
    const auto got = sink.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(has(got[0], "X-Sink-Tls: no\r\n"));

    s.host = "mail.council.example.org";
    const auto refused = send(s, hello());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "mail_config");
    CHECK(has(refused.error().message, "only to a relay on this machine"));
}

TEST_CASE("AUTH with the right password sends, with the wrong one does not", "[mail]") {
    TempDir dir("smtp-certs");
    const auto cert = make_certificate(dir.path(), "relay", "IP:127.0.0.1");
    Sink sink(with_tls(cert, "liaise:s3cret-relay-pass"));
    auto s = settings_for(sink);
    s.ca_file = cert.cert;
    s.username = "liaise";
    s.password = "wrong";
    const auto refused = send(s, hello());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "mail_auth");
    CHECK_FALSE(has(refused.error().message, "wrong"));  // never the password
    s.password = "s3cret-relay-pass";
    REQUIRE(send(s, hello()).ok());
    const auto got = sink.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(has(got[0], "X-Sink-Auth: liaise\r\n"));
    // Without credentials the relay refuses the sender.
    s.username.clear();
    const auto anonymous = send(s, hello());
    REQUIRE_FALSE(anonymous.ok());
    CHECK(anonymous.error().code == "mail_refused");
}

TEST_CASE("a recipient the relay refuses is reported with its reply", "[mail]") {
    SinkOptions options;
    options.reject_rcpt = "nobody@school.example.org";
    Sink sink(options);
    auto s = settings_for(sink);
    s.plain_loopback = true;
    auto m = hello();
    m.to = "nobody@school.example.org";
    const auto sent = send(s, m);
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_refused");
    CHECK(has(sent.error().message, "refused the recipient: 550"));
    CHECK_FALSE(has(sent.error().message, "First line"));  // never the body
    CHECK(sink.received().empty());
}

TEST_CASE("a refused connection is a plain error", "[mail]") {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = static_cast<std::uint16_t>(unused_port());
    s.from = "liaise@council.example.org";
    const auto sent = send(s, hello());
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_connect");
    CHECK(has(sent.error().message, "cannot be reached"));
}

TEST_CASE("a relay that accepts the connection but never speaks times out", "[mail]") {
    // A listening socket whose connections the kernel accepts and nobody answers.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = ntohs(addr.sin_port);
    s.from = "liaise@council.example.org";
    s.timeout = std::chrono::milliseconds(300);
    const auto start = std::chrono::steady_clock::now();
    const auto sent = send(s, hello());
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "mail_timeout");
    CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("addresses and subjects that could smuggle headers are refused", "[mail]") {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.port = 25;
    s.from = "liaise@council.example.org";
    auto m = hello();
    m.to = "bea@school.example.org\r\nBcc: eve@elsewhere.example";
    CHECK(send(s, m).error().code == "mail_config");
    m.to = "Bea <bea@school.example.org>";
    CHECK(send(s, m).error().code == "mail_config");
    m = hello();
    m.subject = "Hello\r\nBcc: eve@elsewhere.example";
    CHECK(send(s, m).error().code == "mail_config");
    m.subject = "";
    CHECK(send(s, m).error().code == "mail_config");
    CHECK(plausible_address("a.b@c.example"));
    CHECK_FALSE(plausible_address("a@b@c.example"));
    CHECK_FALSE(plausible_address("@c.example"));
    CHECK_FALSE(plausible_address("a@nodot"));
    CHECK_FALSE(plausible_address("a b@c.example"));
}

TEST_CASE("settings without a host or sender are refused before connecting", "[mail]") {
    SmtpSettings s;
    CHECK(check_settings(s).error().message == "no mail relay host is set");
    s.host = "127.0.0.1";
    s.from = "not an address";
    CHECK(check_settings(s).error().code == "mail_config");
    s.from = "liaise@council.example.org";
    CHECK(check_settings(s).ok());
}
