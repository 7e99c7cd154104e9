// Internal: flat open-addressing hash tables for the matcher's hot path. Built once when an
// Engine is compiled, then only read; no allocation on lookup.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace liaise::jargon::detail {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;

[[nodiscard]] inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    // FNV-1a, then a final mix so that the low bits used for the slot index are well spread.
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

[[nodiscard]] inline std::uint64_t mix64(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/// Word -> dense id.
class WordIds {
  public:
    /// Returns the id of `word`, adding it if new. Invalidates nothing but is not thread-safe.
    std::uint32_t intern(std::string_view word);
    /// The id of `word`, or kNone. A filter on (first byte, length) turns most misses away
    /// before hashing.
    [[nodiscard]] std::uint32_t find(std::string_view word) const noexcept {
        if (word.empty() || !(shapes_[shape(word)] & shape_bit(word)))
            return kNone;
        return find_hashed(word);
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
    [[nodiscard]] std::uint32_t find_hashed(std::string_view word) const noexcept;
    static std::size_t shape(std::string_view w) noexcept {
        return static_cast<unsigned char>(w[0]);
    }
    static std::uint32_t shape_bit(std::string_view w) noexcept {
        return 1u << (w.size() < 31 ? w.size() : 31);
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
