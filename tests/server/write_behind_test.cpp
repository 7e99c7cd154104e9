#include "net/write_behind.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>

using namespace liaise::server;
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

/// A connected loopback pair: `ours` wrapped in WriteBehind (owning itself, as a session would
/// own it), `theirs` a plain blocking socket playing the peer.
struct Pair {
    net::io_context ioc;
    tcp::socket theirs{ioc};
    std::shared_ptr<WriteBehind<beast::tcp_stream>> ours;

    Pair() {
        tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
        theirs.connect(acceptor.local_endpoint());
        ours =
            std::make_shared<WriteBehind<beast::tcp_stream>>(beast::tcp_stream(acceptor.accept()));
        ours->set_owner(ours);
    }

    /// Reads until the peer has `n` bytes or the stream ends.
    std::string receive(std::size_t n) {
        std::string got(n, '\0');
        beast::error_code ec;
        const auto read = net::read(theirs, net::buffer(got), ec);
        got.resize(read);
        return got;
    }
};

}  // namespace

TEST_CASE("write-behind sends queued bytes in order, together, and completes writes after them",
          "[write_behind]") {
    Pair p;
    std::string expected;
    for (int i = 0; i < 200; ++i) {
        const std::string frame = "frame " + std::to_string(i) + ";";
        REQUIRE(p.ours->append({frame.substr(0, 3), frame.substr(3)}));
        expected += frame;
    }
    bool written = false;
    std::size_t written_bytes = 0;
    p.ours->async_write_some(net::buffer(std::string_view("tail")),
                             [&](beast::error_code ec, std::size_t n) {
                                 CHECK_FALSE(ec);
                                 written = true;
                                 written_bytes = n;
                             });
    expected += "tail";
    // Nothing is sent, and nothing completes, until the executor runs: everything queued in
    // the meantime goes out in one write.
    CHECK(p.ours->unsent_bytes() == expected.size());
    CHECK_FALSE(written);
    p.ioc.run();
    CHECK(written);
    CHECK(written_bytes == 4);
    CHECK(p.ours->unsent_bytes() == 0);
    CHECK(p.receive(expected.size()) == expected);
}

TEST_CASE("write-behind refuses more once a write has failed, and says so to writers",
          "[write_behind]") {
    Pair p;
    p.theirs.set_option(net::socket_base::linger(true, 0));
    p.theirs.close();  // the peer resets the connection
    const std::string chunk(64 * 1024, 'x');
    bool refused = false;
    for (int i = 0; i < 1000 && !refused; ++i) {
        refused = !p.ours->append({chunk});
        p.ioc.restart();
        p.ioc.poll();
    }
    REQUIRE(refused);
    beast::error_code got;
    p.ours->async_write_some(net::buffer(std::string_view("late")),
                             [&](beast::error_code ec, std::size_t n) {
                                 got = ec;
                                 CHECK(n == 0);
                             });
    p.ioc.restart();
    p.ioc.run();
    CHECK(got);
}

TEST_CASE("write-behind's teardown sends everything queued before closing", "[write_behind]") {
    Pair p;
    const std::string data(3 * 1024 * 1024, 'y');  // more than the socket buffers hold
    REQUIRE(p.ours->append({data, "end"}));
    std::string received;
    std::thread peer([&] {
        received = p.receive(data.size() + 3 + 1);  // one byte more: reads to the end
        p.theirs.close();
    });
    bool torn_down = false;
    async_teardown(beast::role_type::server, *p.ours, [&](beast::error_code) { torn_down = true; });
    p.ioc.run();
    peer.join();
    CHECK(torn_down);
    CHECK(received.size() == data.size() + 3);
    CHECK(received.substr(received.size() - 3) == "end");
}

TEST_CASE("write-behind lets its owner go when the executor is destroyed with writes waiting",
          "[write_behind]") {
    // A waiting write holds its owner, as Beast's operations hold the session: if the executor
    // is shut down before the flush runs, the writes are dropped and the owner freed, not kept
    // alive by itself.
    std::weak_ptr<WriteBehind<beast::tcp_stream>> gone;
    {
        Pair p;
        gone = p.ours;
        auto owner = p.ours;
        p.ours->async_write_some(net::buffer(std::string_view("close")),
                                 [owner](beast::error_code, std::size_t) {});
        (void)p.ours->append({"more"});
        owner.reset();
        p.ours.reset();
        CHECK_FALSE(gone.expired());  // the waiting write holds it
    }                                 // the io_context goes, with the flush still queued
    CHECK(gone.expired());
}
