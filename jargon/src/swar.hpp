// Internal: eight bytes at a time in one 64-bit integer ("SIMD within a register"), for the loops
// that see every byte of a checked text. Portable C++: no intrinsics, no target flags. Lane k is
// byte k of the text (little-endian loads; tables.hpp asserts the byte order).
#pragma once

#include <cstdint>
#include <cstring>

namespace liaise::jargon::detail::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ull;  // the top bit of every lane

/// The 8 bytes at `p`. Precondition: all 8 are inside one object.
[[nodiscard]] inline std::uint64_t load64(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // a fixed size: one load, no library call
    return v;
}

/// Top bit of each lane set where that lane of `v` is in [lo, hi]; other bits clear. Lanes of 0x80
/// and above (non-ASCII) never match. Precondition: lo <= hi <= 0x7F.
[[nodiscard]] inline std::uint64_t in_range(std::uint64_t v, unsigned char lo,
                                            unsigned char hi) noexcept {
    const auto low7 = v & ~kHigh;  // sums below cannot carry into the next lane
    const auto at_least_lo = low7 + kOnes * (0x80u - lo);
    const auto above_hi = low7 + kOnes * (0x7Fu - hi);
    return at_least_lo & ~above_hi & ~v & kHigh;
}

/// Top bit of each lane set where that lane of `v` equals `c`; other bits clear. Exact per lane
/// (no false positives next to a match).
[[nodiscard]] inline std::uint64_t equal(std::uint64_t v, unsigned char c) noexcept {
    const auto x = v ^ (kOnes * c);  // zero lanes where v == c
    return ~(((x & ~kHigh) + ~kHigh) | x) & kHigh;
}

/// Number of lanes whose top bit is set in `mask` (a result of the functions above), without
/// needing a popcount instruction.
[[nodiscard]] inline unsigned count(std::uint64_t mask) noexcept {
    return static_cast<unsigned>(((mask >> 7) * kOnes) >> 56);
}

}  // namespace liaise::jargon::detail::swar
