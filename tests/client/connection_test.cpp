// Plain ws:// only to this machine: which hosts count as loopback, decided from the URL alone.
#include <catch2/catch.hpp>

#include "liaise/client/connection.hpp"
#include "liaise/protocol/messages.hpp"

using liaise::client::Connection;
using liaise::client::ConnectOptions;
using liaise::client::PlainText;
using namespace std::chrono_literals;

namespace {
/// The error code of opening `url` (port 1 on loopback: nothing listens, so a connection that
/// is tried is refused at once, as connection_failed).
std::string opening(const std::string& url, PlainText plain = PlainText::loopback_only) {
    const auto c = Connection::open(url, ConnectOptions{2s, {}, plain});
    return c ? "connected" : c.error().code;
}
}  // namespace

TEST_CASE("plain ws:// is tried only to loopback hosts", "[connection]") {
    for (const char* url : {"ws://127.0.0.1:1", "ws://127.9.8.7:1", "ws://localhost:1",
                            "ws://LocalHost:1", "ws://[::1]:1", "ws://[::ffff:127.0.0.1]:1"}) {
        INFO(url);
        CHECK(opening(url) == "connection_failed");  // tried, and nobody listens there
    }
    // Refused before any look-up: names that only look local, other addresses, and numeric
    // spellings a resolver might turn into loopback but the URL does not say plainly.
    for (const char* url :
         {"ws://liaise.invalid:7443", "ws://localhost.invalid:1", "ws://127.0.0.1.invalid:1",
          "ws://0.0.0.0:1", "ws://[::]:1", "ws://192.0.2.7:7443", "ws://[2001:db8::1]:7443",
          "ws://0x7f000001:1", "ws://2130706433:1"}) {
        INFO(url);
        CHECK(opening(url) == liaise::protocol::errc::insecure_transport);
    }
    // wss:// is never refused for this reason (here the certificate is never reached).
    CHECK(opening("wss://127.0.0.1:1") == "connection_failed");
    CHECK(opening("ws://0.0.0.0:1", PlainText::allowed) == "connection_failed");
}

TEST_CASE("LIAISE_INSECURE=1, and nothing else, allows plain ws:// anywhere", "[connection]") {
    ::unsetenv("LIAISE_INSECURE");
    CHECK(liaise::client::plain_text_from_environment() == PlainText::loopback_only);
    for (const char* value : {"0", "", "yes", "true"}) {
        ::setenv("LIAISE_INSECURE", value, 1);
        CHECK(liaise::client::plain_text_from_environment() == PlainText::loopback_only);
    }
    ::setenv("LIAISE_INSECURE", "1", 1);
    CHECK(liaise::client::plain_text_from_environment() == PlainText::allowed);
    ::unsetenv("LIAISE_INSECURE");
}
