// Who a connection is from: address ranges, and X-Forwarded-For believed only from trusted
// proxies.
#include <catch2/catch.hpp>

#include "net/client_address.hpp"
#include "net/limits.hpp"

using namespace liaise::server;
namespace ip = boost::asio::ip;

namespace {
ip::address addr(const char* text) {
    return ip::make_address(text);
}
TrustedProxies trusting(std::initializer_list<const char*> ranges) {
    std::vector<Cidr> out;
    for (const auto* r : ranges) {
        auto c = Cidr::parse(r);
        REQUIRE(c);
        out.push_back(*c);
    }
    return TrustedProxies(std::move(out));
}
}  // namespace

TEST_CASE("address ranges", "[client_address]") {
    const auto ten = Cidr::parse("10.0.0.0/8");
    REQUIRE(ten);
    CHECK(ten->contains(addr("10.200.3.4")));
    CHECK(ten->contains(addr("::ffff:10.1.1.1")));  // IPv4-mapped: the IPv4 address
    CHECK_FALSE(ten->contains(addr("11.0.0.1")));
    CHECK_FALSE(ten->contains(addr("::1")));
    const auto odd = Cidr::parse("192.0.2.128/25");
    REQUIRE(odd);
    CHECK(odd->contains(addr("192.0.2.200")));
    CHECK_FALSE(odd->contains(addr("192.0.2.127")));
    const auto one = Cidr::parse("192.0.2.7");
    REQUIRE(one);
    CHECK(one->contains(addr("192.0.2.7")));
    CHECK_FALSE(one->contains(addr("192.0.2.8")));
    const auto v6 = Cidr::parse("fd00::/8");
    REQUIRE(v6);
    CHECK(v6->contains(addr("fd12:3456::1")));
    CHECK_FALSE(v6->contains(addr("fe80::1")));
    CHECK(Cidr::parse("0.0.0.0/0")->contains(addr("203.0.113.1")));

    for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "host/8",
                            "10.0.0.0/8x", "10.0.0.0/-1"}) {
        INFO(bad);
        CHECK_FALSE(Cidr::parse(bad));
    }
}

TEST_CASE("loopback is 127.0.0.0/8 and ::1", "[client_address]") {
    CHECK(is_loopback(addr("127.0.0.1")));
    CHECK(is_loopback(addr("127.0.0.2")));
    CHECK(is_loopback(addr("::1")));
    CHECK(is_loopback(addr("::ffff:127.0.0.1")));
    CHECK_FALSE(is_loopback(addr("0.0.0.0")));
    CHECK_FALSE(is_loopback(addr("198.51.100.7")));
}

TEST_CASE("an IPv6 client's budget is its /64's", "[client_address]") {
    CHECK(budget_key(addr("198.51.100.7")) == addr("198.51.100.7"));
    CHECK(budget_key(addr("::ffff:198.51.100.7")) == addr("198.51.100.7"));
    CHECK(budget_key(addr("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == addr("2001:db8:1:2::"));
    CHECK(budget_key(addr("2001:db8:1:2::1")) == budget_key(addr("2001:db8:1:2::2")));
    CHECK(budget_key(addr("2001:db8:1:3::1")) != budget_key(addr("2001:db8:1:2::1")));
}

TEST_CASE("X-Forwarded-For is believed only from a trusted proxy, from the right",
          "[client_address]") {
    const auto proxies = trusting({"127.0.0.1/32", "10.0.0.0/8"});
    const auto peer = addr("127.0.0.1");
    // No header, or an untrusted peer: the peer.
    CHECK(proxies.client_of(peer, "") == peer);
    CHECK(proxies.client_of(addr("127.0.0.2"), "198.51.100.7") == addr("127.0.0.2"));
    CHECK(proxies.client_of(addr("::ffff:127.0.0.2"), "198.51.100.7") == addr("127.0.0.2"));
    // The right-most address that is not a trusted proxy: what the client wrote on the left
    // of it is its own claim and is not believed.
    CHECK(proxies.client_of(peer, "198.51.100.7") == addr("198.51.100.7"));
    CHECK(proxies.client_of(peer, "6.6.6.6, 198.51.100.7") == addr("198.51.100.7"));
    CHECK(proxies.client_of(peer, "6.6.6.6,198.51.100.7, 10.1.2.3") == addr("198.51.100.7"));
    CHECK(proxies.client_of(peer, "2001:db8::5") == addr("2001:db8::5"));
    CHECK(proxies.client_of(peer, "[2001:db8::5]:4711") == addr("2001:db8::5"));
    CHECK(proxies.client_of(peer, "198.51.100.7:4711") == addr("198.51.100.7"));
    // Only trusted proxies in the list: the left-most of them.
    CHECK(proxies.client_of(peer, "10.9.9.9, 10.1.1.1") == addr("10.9.9.9"));
    // Something that is not an address stops the walk at the last hop vouched for.
    CHECK(proxies.client_of(peer, "198.51.100.7, unknown") == peer);
    CHECK(proxies.client_of(peer, "garbage, 10.1.2.3") == addr("10.1.2.3"));
    // No proxies configured: nobody is believed.
    CHECK(TrustedProxies().client_of(peer, "198.51.100.7") == peer);
}

TEST_CASE("a trusted proxy's connection is counted against the client it forwards",
          "[limits][client_address]") {
    ConnectionLimiter limiter(10, 2);
    const auto a = addr("198.51.100.7");
    const auto b = addr("198.51.100.8");
    auto s1 = limiter.acquire(std::nullopt);  // from the proxy, client not known yet
    auto s2 = limiter.acquire(std::nullopt);
    auto s3 = limiter.acquire(std::nullopt);
    REQUIRE((s1 && s2 && s3));
    CHECK(s1->admitted());
    CHECK(limiter.rekey(*s1, a));
    CHECK(limiter.rekey(*s2, a));
    CHECK_FALSE(limiter.rekey(*s3, a));  // a has two already
    CHECK(limiter.rekey(*s3, b));
    CHECK(limiter.rekey(*s3, b));  // same address again: nothing changes
    // A direct connection from a is over its limit too.
    auto direct = limiter.acquire(a);
    REQUIRE(direct);
    CHECK_FALSE(direct->admitted());
    // Moving a slot frees its place at the old address.
    CHECK(limiter.rekey(*s2, b));
    auto again = limiter.acquire(a);
    REQUIRE(again);
    CHECK(again->admitted());
    CHECK(limiter.total() == 4);
    s1.reset();
    CHECK(limiter.total() == 3);
}

TEST_CASE("sign-in attempts are budgeted per address", "[limits][client_address]") {
    AddressRateLimiter rate(10, 3);
    const auto t0 = AddressRateLimiter::Clock::now();
    const auto a = addr("127.0.0.1");
    const auto b = addr("127.0.0.2");
    for (int i = 0; i < 3; ++i)
        CHECK(rate.take(a, t0).count() == 0);
    CHECK(rate.take(a, t0).count() == 100);  // a tenth of a second to the next token
    CHECK(rate.take(b, t0).count() == 0);    // another address has its own bucket
    CHECK(rate.take(a, t0 + std::chrono::milliseconds(100)).count() == 0);
}

TEST_CASE("full buckets of many addresses are forgotten", "[limits][client_address]") {
    AddressRateLimiter rate(1000, 1);
    auto t = AddressRateLimiter::Clock::now();
    for (unsigned i = 0; i < 3 * AddressRateLimiter::kForgetAbove; ++i) {
        const auto a = ip::make_address_v4(0x0A000000u + i);
        REQUIRE(rate.take(a, t).count() == 0);
        t += std::chrono::milliseconds(1);  // each bucket is full again a millisecond later
    }
    // An address whose bucket was forgotten starts full, which is what it had anyway.
    CHECK(rate.take(ip::make_address_v4(0x0A000000u), t).count() == 0);
}
