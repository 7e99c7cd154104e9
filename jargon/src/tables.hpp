// Internal: flat open-addressing hash tables for the matcher's hot path. Built once when an
// Engine is compiled, then only read; no allocation on lookup.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace liaise::jargon::detail {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

/// A bijection on 64-bit values that spreads every input bit over the low bits.
[[nodiscard]] inline std::uint64_t mix64(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

[[nodiscard]] inline std::uint32_t load32(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);  // a fixed size: one load, no library call
    return v;
}

// pack() builds its value from native loads, and the engine copies packed words back to bytes.
static_assert(std::endian::native == std::endian::little, "packed words assume little-endian");

/// The bytes of a word of 1 to 8 bytes in one integer, first byte lowest, zeros above: equal
/// words of equal length, and only they, give equal values (words hold no NUL). Reads only
/// inside `w`, with overlapping loads rather than a variable-length copy.
[[nodiscard]] inline std::uint64_t pack(std::string_view w) noexcept {
    const auto n = w.size();
    const char* p = w.data();
    if (n >= 4) {
        const std::uint64_t lo = load32(p), hi = load32(p + n - 4);
        return lo | (hi << (8 * (n - 4)));
    }
    const auto byte = [&](std::size_t k) {
        return static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    };
    return byte(0) | byte(n / 2) | byte(n - 1);
}

/// ASCII letters A-Z made lowercase in a packed word of ASCII bytes (no byte above 0x7F).
[[nodiscard]] inline std::uint64_t ascii_lower(std::uint64_t packed) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    // Per byte: the top bit of (b + 0x80 - 'A') is set for b >= 'A', of (b + 0x80 - 'Z' - 1) for
    // b > 'Z'; neither sum carries into the next byte since b < 0x80.
    const auto at_least_a = packed + ones * (0x80 - 'A');
    const auto above_z = packed + ones * (0x80 - 'Z' - 1);
    const auto upper = at_least_a & ~above_z & (ones * 0x80);
    return packed | (upper >> 2);  // 0x80 >> 2 == 0x20, the case bit
}

/// Hash of a word: for up to 8 bytes a bijection of pack(), so that equal hashes (with equal
/// lengths) mean equal words; longer words are mixed 8 bytes at a time.
[[nodiscard]] inline std::uint64_t hash_word(std::string_view s) noexcept {
    if (s.size() <= 8)
        return mix64(s.empty() ? 0 : pack(s));
    std::uint64_t h = s.size() * 0x9e3779b97f4a7c15ull;
    std::size_t k = 0;
    for (; k + 8 <= s.size(); k += 8) {
        std::uint64_t v;
        std::memcpy(&v, s.data() + k, 8);
        h = mix64((h ^ v) * 0x9e3779b97f4a7c15ull);
    }
    if (k < s.size())
        h = mix64((h ^ pack(s.substr(k))) * 0x9e3779b97f4a7c15ull);
    return h;
}

/// Word -> dense id.
class WordIds {
  public:
    /// Returns the id of `word`, adding it if new. Invalidates nothing but is not thread-safe.
    std::uint32_t intern(std::string_view word);
    /// The id of `word`, or kNone. A filter on (first byte, length) turns many misses away
    /// before hashing.
    [[nodiscard]] std::uint32_t find(std::string_view word) const noexcept {
        if (word.empty() || !(shapes_[shape(word)] & shape_bit(word.size())))
            return kNone;
        if (word.size() <= 8)
            return find_short(mix64(pack(word)), word.size());
        return find_long(hash_word(word), word);
    }
    /// find() for a word of 1 to 8 bytes given as `pack(word)`.
    [[nodiscard]] std::uint32_t find_packed(std::uint64_t packed, std::size_t size) const noexcept {
        if (!(shapes_[packed & 0xFF] & shape_bit(size)))
            return kNone;
        return find_short(mix64(packed), size);
    }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] std::size_t longest() const noexcept { return longest_; }

  private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        std::uint32_t id = kNone;
    };
    void grow();
    /// Words of up to 8 bytes: their hash identifies them, so no bytes are compared.
    [[nodiscard]] std::uint32_t find_short(std::uint64_t h, std::size_t size) const noexcept {
        const auto mask = slots_.size() - 1;
        for (auto i = h & mask;; i = (i + 1) & mask) {
            const auto& s = slots_[i];
            if (s.id == kNone)
                return kNone;
            if (s.hash == h && s.length == size)
                return s.id;
        }
    }
    [[nodiscard]] std::uint32_t find_long(std::uint64_t h, std::string_view word) const noexcept;
    static std::size_t shape(std::string_view w) noexcept {
        return static_cast<unsigned char>(w[0]);
    }
    static std::uint32_t shape_bit(std::size_t size) noexcept {
        return 1u << (size < 31 ? size : 31);
    }

    std::uint32_t shapes_[256] = {};  // per first byte: bit per length (31 = longer)
    std::vector<Slot> slots_ = std::vector<Slot>(64);
    std::string arena_;
    std::size_t count_ = 0;
    std::size_t longest_ = 0;
};

/// (trie node, word id) -> child node.
class Edges {
  public:
    void insert(std::uint32_t node, std::uint32_t word, std::uint32_t child);
    [[nodiscard]] std::uint32_t find(std::uint32_t node, std::uint32_t word) const noexcept;

  private:
    struct Slot {
        std::uint64_t key = ~0ull;
        std::uint32_t child = kNone;
    };
    void grow();
    static std::uint64_t key(std::uint32_t node, std::uint32_t word) noexcept {
        return (static_cast<std::uint64_t>(node) << 32) | word;
    }

    std::vector<Slot> slots_ = std::vector<Slot>(64);
    std::size_t count_ = 0;
};

}  // namespace liaise::jargon::detail
