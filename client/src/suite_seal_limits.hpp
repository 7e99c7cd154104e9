// Internal: the test suites' switch for cheaper keystores. Set to "1", keystores the `liaise`
// command seals use libsodium's interactive limits (2 passes over 64 MiB) instead of moderate
// (3 over 256 MiB), a sixth of the time: the suites enrol hundreds of devices through the command.
// Never for people; the command warns at enrolment, and a keystore sealed so is sealed again
// with moderate limits the first time it is opened without the switch (Home::open_keys).
#pragma once

#include <cstdlib>
#include <string_view>

namespace liaise::client {

inline constexpr const char* kWeakKeystoreVariable = "LIAISE_TEST_INTERACTIVE_KEYSTORE";

/// Whether the environment asks for the test suites' cheaper keystores.
[[nodiscard]] inline bool weak_keystore_requested() {
    const char* value = std::getenv(kWeakKeystoreVariable);
    return value != nullptr && std::string_view(value) == "1";
}

}  // namespace liaise::client
