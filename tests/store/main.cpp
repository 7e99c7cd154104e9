#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "conformance.hpp"

namespace liaise::server::store::conformance {

std::vector<Factory>& factories() {
    static std::vector<Factory> all;
    return all;
}

}  // namespace liaise::server::store::conformance
