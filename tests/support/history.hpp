// For tests that seal envelopes by hand: version 3 history fields that a server accepts.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "liaise/protocol/crypto.hpp"

namespace liaise::test {

/// `sender`'s message number `counter`, with a fixed sending time and nothing seen before.
inline crypto::History test_history(std::string sender, std::uint64_t counter = 1) {
    crypto::History h;
    h.sender = std::move(sender);
    h.counter = counter;
    h.sent_at = 1'800'000'000'000;
    return h;
}

}  // namespace liaise::test
