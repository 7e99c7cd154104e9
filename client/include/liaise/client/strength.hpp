// How hard a new passphrase is to guess, judged when it is chosen (enrolment, a change of
// passphrase). The keystore's key derivation slows a thief down; only the passphrase stops one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// The least estimated strength, in bits (log2 of the guesses zxcvbn expects an attacker to
/// need), that a new passphrase must have: four unrelated common words score about 70,
/// "Tr0ub4dor&3" about 47, "password123" under 4.
inline constexpr double kMinPassphraseBits = 50.0;

/// zxcvbn's estimate of `passphrase`'s strength in bits, with `own_words` (the person's user
/// name, display name, agency: split into words here) counted as words an attacker tries first.
[[nodiscard]] double passphrase_bits(std::string_view passphrase,
                                     const std::vector<std::string>& own_words);

/// true if `passphrase` is strong enough for a new keystore; else `weak_passphrase` with advice
/// in plain words: what makes it easy to guess (your name, a common password or word, a
/// keyboard pattern or repeats, too short) and what to do instead.
[[nodiscard]] protocol::Expected<bool> check_new_passphrase(
    std::string_view passphrase, const std::vector<std::string>& own_words);

}  // namespace liaise::client
