// The protocol's names for base::Expected and base::Error, which every library's results use.
// New code may include "liaise/base/expected.hpp" directly.
#pragma once

#include "liaise/base/expected.hpp"

namespace liaise::protocol {

using base::Error;
using base::Expected;

}  // namespace liaise::protocol
