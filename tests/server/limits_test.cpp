#include "net/limits.hpp"

#include <catch2/catch.hpp>

using namespace liaise::server;
using namespace std::chrono_literals;

TEST_CASE("the rate limiter allows a burst, then one request per refill", "[limits]") {
    RateLimiter rate(10, 3);  // ten a second, bursts of three
    const auto t0 = RateLimiter::Clock::now();
    CHECK(rate.take(1, t0) == 0ms);
    CHECK(rate.take(1, t0) == 0ms);
    CHECK(rate.take(1, t0) == 0ms);
    CHECK(rate.take(1, t0) == 100ms);  // a token every 100 ms
    CHECK(rate.take(1, t0 + 40ms) == 60ms);
    CHECK(rate.take(1, t0 + 100ms) == 0ms);
    CHECK(rate.take(1, t0 + 100ms) > 0ms);
    // Another account has its own bucket.
    CHECK(rate.take(2, t0 + 100ms) == 0ms);
    // A long pause refills to the burst, no further.
    const auto later = t0 + 10s;
    for (int i = 0; i < 3; ++i)
        CHECK(rate.take(1, later) == 0ms);
    CHECK(rate.take(1, later) > 0ms);
}

TEST_CASE("the connection limiter counts per address and in total, and releases", "[limits]") {
    const auto a = boost::asio::ip::make_address("192.0.2.1");
    const auto b = boost::asio::ip::make_address("192.0.2.2");
    const auto c = boost::asio::ip::make_address("2001:db8::1");
    ConnectionLimiter limiter(3, 2);
    auto a1 = limiter.acquire(a);
    auto a2 = limiter.acquire(a);
    REQUIRE((a1 && a2));
    CHECK(a1->admitted());
    CHECK(a2->admitted());
    {
        auto a3 = limiter.acquire(a);  // over the per-address limit: refused politely
        REQUIRE(a3);
        CHECK_FALSE(a3->admitted());
        CHECK(limiter.total() == 2);
    }
    auto b1 = limiter.acquire(b);
    REQUIRE(b1);
    CHECK(b1->admitted());
    auto c1 = limiter.acquire(c);  // over the total
    REQUIRE(c1);
    CHECK_FALSE(c1->admitted());
    CHECK(limiter.total() == 3);

    a1.reset();  // a slot's destruction gives its place back
    CHECK(limiter.total() == 2);
    auto c2 = limiter.acquire(c);
    REQUIRE(c2);
    CHECK(c2->admitted());

    // Moving a slot moves its place; it is released once.
    ConnectionLimiter::Slot moved = std::move(*c2);
    c2.reset();
    CHECK(limiter.total() == 3);
    { ConnectionLimiter::Slot gone = std::move(moved); }
    CHECK(limiter.total() == 2);
}

TEST_CASE("connections being refused are bounded too", "[limits]") {
    const auto a = boost::asio::ip::make_address("192.0.2.1");
    ConnectionLimiter limiter(1, 1);
    auto admitted = limiter.acquire(a);
    REQUIRE(admitted);
    std::vector<ConnectionLimiter::Slot> refusing;
    for (std::size_t i = 0; i < ConnectionLimiter::kMaxRefusing; ++i) {
        auto s = limiter.acquire(a);
        REQUIRE(s);
        CHECK_FALSE(s->admitted());
        refusing.push_back(std::move(*s));
    }
    CHECK_FALSE(limiter.acquire(a));  // closed at once
    refusing.pop_back();
    CHECK(limiter.acquire(a));
}
