// The jargon engine's name for base::find_invalid_utf8 (the validator lives in base/ so that the
// protocol codec needs no part of the engine). New code may include "liaise/base/utf8.hpp".
#pragma once

#include "liaise/base/utf8.hpp"

namespace liaise::jargon {

using base::find_invalid_utf8;

}  // namespace liaise::jargon
