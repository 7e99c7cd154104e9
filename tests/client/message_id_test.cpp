// Unit tests of the client library's message ids: unique, and ordered by the time they were
// made (the server's retry index relies on that order to stay compact, not to be correct).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "liaise/client/client.hpp"

using liaise::client::Client;

TEST_CASE("message ids are unique, 28 characters, and start with the time in hex", "[client]") {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) {
        const auto id = Client::new_message_id();
        REQUIRE(id.size() == 28);
        CHECK(std::all_of(id.begin(), id.begin() + 12,
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
        CHECK(seen.insert(id).second);
    }
    // The hex prefix is the time in milliseconds: within a minute of now.
    const auto id = Client::new_message_id();
    const auto made = std::stoll(id.substr(0, 12), nullptr, 16);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    CHECK(made <= now);
    CHECK(now - made < 60000);
}

TEST_CASE("message ids made later sort later", "[client]") {
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        ids.push_back(Client::new_message_id());
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    CHECK(std::is_sorted(ids.begin(), ids.end()));
}
