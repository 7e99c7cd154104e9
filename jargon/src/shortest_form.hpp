// Internal: a double in its shortest round-trip form, as std::to_chars writes it.
#pragma once

#include <string>

namespace liaise::jargon::detail {

/// What std::to_chars(first, last, d) writes for a finite `d`: the fewest significant digits
/// that read back as `d` (rounded to the nearest), set out as "%f" or "%e" would, whichever is
/// shorter ("%f" on a tie; a whole number in "%f" style with its exact digits), the exponent with
/// a sign and at least two digits ("1e+22"). For libc++ (the WebAssembly build), which has no
/// floating-point to_chars: the native and WebAssembly engines' JSON must be the same byte for
/// byte (tests/wasm). Uses the C locale's printf; nothing in Liaise changes the locale.
[[nodiscard]] std::string shortest_form(double d);

}  // namespace liaise::jargon::detail
