// A minimal WebSocket echo server on Boost.Beast: the floor any WebSocket server's relay
// throughput can be compared with. One io_context thread, one strand per connection.
//   echo-peer PORT
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket&& s) : ws_(std::move(s)) {}
    void run() {
        ws_.auto_fragment(false);  // one frame per message, as liaise-server
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->do_read();
        });
    }

  private:
    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->ws_.text(self->ws_.got_text());
            self->ws_.async_write(self->buffer_.data(), [self](beast::error_code ec2, std::size_t) {
                if (ec2)
                    return;
                self->buffer_.consume(self->buffer_.size());
                self->do_read();
            });
        });
    }
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

void accept(tcp::acceptor& a, net::io_context& ioc) {
    a.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            s.set_option(tcp::no_delay(true), ec);  // as liaise-server and Node's ws do
            std::make_shared<Session>(std::move(s))->run();
        }
        accept(a, ioc);
    });
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: echo-peer PORT\n";
        return 2;
    }
    net::io_context ioc(1);
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                       static_cast<unsigned short>(std::atoi(argv[1]))));
    accept(a, ioc);
    ioc.run();
}
