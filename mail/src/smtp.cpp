#include "liaise/mail/smtp.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <ctime>
#include <vector>

#include "message_text.hpp"

namespace liaise::mail {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using base::Error;

/// One reply: its code and the text of its lines.
struct Reply {
    int code = 0;
    std::vector<std::string> lines;
    [[nodiscard]] std::string text() const {
        std::string out = std::to_string(code);
        for (const auto& l : lines)
            out += " " + l;
        return out;
    }
    [[nodiscard]] bool offers(std::string_view keyword) const {
        for (const auto& l : lines)
            if (l.size() >= keyword.size() &&
                std::equal(keyword.begin(), keyword.end(), l.begin(),
                           [](char a, char b) { return std::toupper(a) == std::toupper(b); }) &&
                (l.size() == keyword.size() || l[keyword.size()] == ' ' ||
                 l[keyword.size()] == '='))
                return true;
        return false;
    }
    /// The EHLO AUTH line's mechanisms include `mechanism` (upper case).
    [[nodiscard]] bool auth_offers(std::string_view mechanism) const {
        for (const auto& l : lines) {
            std::string upper = " ";
            for (char c : l)
                upper +=
                    c == '=' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            upper += " ";
            if (upper.starts_with(" AUTH ") &&
                upper.find(" " + std::string(mechanism) + " ") != std::string::npos)
                return true;
        }
        return false;
    }
};

bool loopback_host(std::string_view host) {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(std::string(host), ec);
    return (!ec && address.is_loopback()) || host == "localhost";
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

class Session {
  public:
    Session(const SmtpSettings& s, ssl::context& ctx)
        : settings_(s),
          stream_(ioc_, ctx),
          shown_("the mail relay " + s.host + ":" + std::to_string(s.port)) {}

    base::Expected<Accepted> send(const Message& message) {
        if (auto r = connect(); !r)
            return r.error();
        auto greeting = read_reply();
        if (!greeting)
            return greeting.error();
        if (greeting.value().code != 220)
            return refused("greeted with", greeting.value());
        auto ehlo = command("EHLO " + settings_.helo_name);
        if (!ehlo)
            return ehlo.error();
        if (ehlo.value().code != 250)
            return refused("refused EHLO", ehlo.value());
        if (!settings_.plain_loopback) {
            if (!ehlo.value().offers("STARTTLS"))
                return Error{"mail_tls", shown_ +
                                             " does not offer STARTTLS, and Liaise sends mail "
                                             "only over TLS"};
            auto start = command("STARTTLS");
            if (!start)
                return start.error();
            if (start.value().code != 220)
                return Error{"mail_tls", shown_ + " refused STARTTLS: " + start.value().text()};
            if (auto shaken = handshake(); !shaken)
                return shaken.error();
            ehlo = command("EHLO " + settings_.helo_name);
            if (!ehlo)
                return ehlo.error();
            if (ehlo.value().code != 250)
                return refused("refused EHLO after STARTTLS", ehlo.value());
        }
        if (!settings_.username.empty())
            if (auto authed = authenticate(ehlo.value()); !authed)
                return authed.error();
        if (auto r = expect("MAIL FROM:<" + settings_.from + ">", 250, "refused the sender"); !r)
            return r.error();
        if (auto r = expect("RCPT TO:<" + message.to + ">", 250, "refused the recipient"); !r)
            return r.error();
        if (auto r = expect("DATA", 354, "refused DATA"); !r)
            return r.error();
        if (auto w = write(message_text(settings_, message) + ".\r\n"); !w)
            return w.error();
        auto done = read_reply();
        if (!done)
            return done.error();
        if (done.value().code != 250)
            return refused("refused the message", done.value());
        (void)command("QUIT");  // the message is accepted; how QUIT goes does not matter
        return Accepted{done.value().text()};
    }

  private:
    base::Expected<bool> connect() {
        tcp::resolver resolver(ioc_);
        boost::system::error_code ec;
        const auto endpoints = resolver.resolve(settings_.host, std::to_string(settings_.port), ec);
        if (ec)
            return Error{"mail_connect", shown_ + " cannot be found (" + ec.message() + ")"};
        auto& tcp_stream = stream_.next_layer();
        tcp_stream.expires_after(settings_.timeout);
        bool done = false;
        tcp_stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
            ec = e;
            done = true;
        });
        run();
        if (ec == beast::error::timeout || !done)
            return Error{"mail_timeout", shown_ + " did not answer the connection in time"};
        if (ec)
            return Error{"mail_connect", shown_ + " cannot be reached (" + ec.message() + ")"};
        return true;
    }

    base::Expected<bool> handshake() {
        SSL* handle = stream_.native_handle();
        boost::system::error_code ec;
        const auto address = net::ip::make_address(settings_.host, ec);
        if (ec) {
            SSL_set_tlsext_host_name(handle, settings_.host.c_str());
            SSL_set1_host(handle, settings_.host.c_str());
        } else {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), address.to_string().c_str());
        }
        stream_.next_layer().expires_after(settings_.timeout);
        stream_.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
        run();
        if (ec == beast::error::timeout)
            return Error{"mail_timeout", shown_ + " did not finish the TLS handshake in time"};
        if (ec) {
            if (const long verdict = SSL_get_verify_result(handle); verdict != X509_V_OK)
                return Error{"mail_tls", "the certificate of " + shown_ + " is not trusted: " +
                                             X509_verify_cert_error_string(verdict)};
            return Error{"mail_tls",
                         "the TLS handshake with " + shown_ + " failed: " + ec.message()};
        }
        tls_ = true;
        return true;
    }

    base::Expected<bool> authenticate(const Reply& ehlo) {
        if (!tls_ && !settings_.plain_loopback)
            return Error{"mail_auth", "Liaise sends a password only over TLS"};
        if (ehlo.auth_offers("PLAIN")) {
            const std::string token = std::string(1, '\0') + settings_.username +
                                      std::string(1, '\0') + settings_.password;
            auto r = command("AUTH PLAIN " + base64(token));
            if (!r)
                return r.error();
            if (r.value().code != 235)
                return Error{"mail_auth",
                             shown_ + " refused the user name or password: " + r.value().text()};
            return true;
        }
        if (ehlo.auth_offers("LOGIN")) {
            for (const auto& [line, want] : {std::pair<std::string, int>{"AUTH LOGIN", 334},
                                             {base64(settings_.username), 334},
                                             {base64(settings_.password), 235}}) {
                auto r = command(line);
                if (!r)
                    return r.error();
                if (r.value().code != want)
                    return Error{"mail_auth", shown_ + " refused the user name or password: " +
                                                  r.value().text()};
            }
            return true;
        }
        return Error{"mail_auth", shown_ + " offers neither AUTH PLAIN nor AUTH LOGIN"};
    }

    base::Expected<bool> expect(const std::string& line, int code, std::string_view what) {
        auto r = command(line);
        if (!r)
            return r.error();
        if (r.value().code != code)
            return refused(what, r.value());
        return true;
    }

    Error refused(std::string_view what, const Reply& reply) const {
        return {"mail_refused", shown_ + " " + std::string(what) + ": " + reply.text()};
    }

    base::Expected<Reply> command(const std::string& line) {
        if (auto w = write(line + "\r\n"); !w)
            return w.error();
        return read_reply();
    }

    base::Expected<bool> write(const std::string& data) {
        boost::system::error_code ec;
        stream_.next_layer().expires_after(settings_.timeout);
        const auto done = [&](beast::error_code e, std::size_t) { ec = e; };
        if (tls_)
            net::async_write(stream_, net::buffer(data), done);
        else
            net::async_write(stream_.next_layer(), net::buffer(data), done);
        run();
        if (ec == beast::error::timeout)
            return Error{"mail_timeout", shown_ + " stopped reading in time"};
        if (ec)
            return Error{"mail_connect", shown_ + " closed the connection (" + ec.message() + ")"};
        return true;
    }

    base::Expected<std::string> read_line() {
        boost::system::error_code ec;
        std::size_t n = 0;
        stream_.next_layer().expires_after(settings_.timeout);
        auto buffer = net::dynamic_buffer(buffer_, 64 * 1024);
        const auto done = [&](beast::error_code e, std::size_t got) {
            ec = e;
            n = got;
        };
        if (tls_)
            net::async_read_until(stream_, buffer, "\r\n", done);
        else
            net::async_read_until(stream_.next_layer(), buffer, "\r\n", done);
        run();
        if (ec == beast::error::timeout)
            return Error{"mail_timeout", shown_ + " did not answer in time"};
        if (ec == net::error::not_found)
            return Error{"mail_protocol", shown_ + " sent a line longer than SMTP allows"};
        if (ec)
            return Error{"mail_connect", shown_ + " closed the connection (" + ec.message() + ")"};
        std::string line = buffer_.substr(0, n - 2);
        buffer_.erase(0, n);
        return line;
    }

    base::Expected<Reply> read_reply() {
        Reply reply;
        for (int i = 0; i < 100; ++i) {
            auto line = read_line();
            if (!line)
                return line.error();
            const auto& l = line.value();
            const bool digits = l.size() >= 3 && std::isdigit(static_cast<unsigned char>(l[0])) &&
                                std::isdigit(static_cast<unsigned char>(l[1])) &&
                                std::isdigit(static_cast<unsigned char>(l[2]));
            if (!digits || (l.size() > 3 && l[3] != ' ' && l[3] != '-'))
                return Error{"mail_protocol", shown_ + " does not speak SMTP"};
            const int code = std::stoi(l.substr(0, 3));
            if (reply.code != 0 && code != reply.code)
                return Error{"mail_protocol", shown_ + " sent a reply that does not hang together"};
            reply.code = code;
            reply.lines.push_back(l.size() > 4 ? l.substr(4) : std::string());
            if (l.size() == 3 || l[3] == ' ')
                return reply;
        }
        return Error{"mail_protocol", shown_ + " sent a reply of more than 100 lines"};
    }

    void run() {
        ioc_.run();
        ioc_.restart();
    }

    const SmtpSettings& settings_;
    net::io_context ioc_;
    beast::ssl_stream<beast::tcp_stream> stream_;
    std::string shown_;
    std::string buffer_;
    bool tls_ = false;
};

}  // namespace

bool plausible_address(std::string_view a) {
    const auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() || a.size() > 254 ||
        a.find('@', at + 1) != std::string_view::npos)
        return false;
    for (char c : a)
        if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' ||
            c == ';' || c == '(' || c == ')' || c == '\\' || c == 0x7f)
            return false;
    return a.find('.', at) != std::string_view::npos || loopback_host(a.substr(at + 1));
}

base::Expected<bool> check_settings(const SmtpSettings& s) {
    if (s.host.empty())
        return Error{"mail_config", "no mail relay host is set"};
    if (s.port == 0)
        return Error{"mail_config", "the mail relay port must be from 1 to 65535"};
    if (!plausible_address(s.from))
        return Error{"mail_config", "the sender address '" + s.from + "' is not an email address"};
    for (char c : s.from_name + s.helo_name)
        if (c == '\r' || c == '\n' || c == '"')
            return Error{"mail_config",
                         "the sender's name and the EHLO name must be one line "
                         "without quotes"};
    if (s.plain_loopback && !loopback_host(s.host))
        return Error{"mail_config",
                     "plain SMTP without STARTTLS is allowed only to a relay on this machine "
                     "(127.0.0.1, ::1 or localhost), not to " +
                         s.host};
    if (s.timeout.count() <= 0)
        return Error{"mail_config", "the mail timeout must be positive"};
    return true;
}

base::Expected<Accepted> send(const SmtpSettings& settings, const Message& message) {
    if (auto ok = check_settings(settings); !ok)
        return ok.error();
    if (!plausible_address(message.to))
        return Error{"mail_config", "the recipient '" + message.to + "' is not an email address"};
    if (!plain_subject(message.subject))
        return Error{"mail_config", "a subject must be one line of printable ASCII"};
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (settings.ca_file)
        ctx.load_verify_file(settings.ca_file->string(), ec);
    else
        ctx.set_default_verify_paths(ec);
    if (ec)
        return Error{"mail_config", "cannot load the certificate authority " +
                                        (settings.ca_file ? settings.ca_file->string()
                                                          : std::string("(system default)")) +
                                        ": " + ec.message()};
    ctx.set_verify_mode(ssl::verify_peer);
    Session session(settings, ctx);
    return session.send(message);
}

}  // namespace liaise::mail
