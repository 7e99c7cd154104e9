// The registry of store factories the conformance cases run against.
#include "conformance.hpp"

namespace liaise::server::store::conformance {

std::vector<Factory>& factories() {
    static std::vector<Factory> all;
    return all;
}

}  // namespace liaise::server::store::conformance
