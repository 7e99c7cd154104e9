#include "tables.hpp"

namespace liaise::jargon::detail {

std::uint32_t WordIds::intern(std::string_view word) {
    if (const auto id = find(word); id != kNone)
        return id;
    if ((count_ + 1) * 2 > slots_.size())
        grow();
    const auto h = hash_word(word);
    const auto mask = slots_.size() - 1;
    auto i = h & mask;
    while (slots_[i].id != kNone)
        i = (i + 1) & mask;
    slots_[i] = {h, static_cast<std::uint32_t>(arena_.size()),
                 static_cast<std::uint32_t>(word.size()), static_cast<std::uint32_t>(count_)};
    arena_.append(word);
    if (!word.empty())
        shapes_[shape(word)] |= shape_bit(word.size());
    if (word.size() > longest_)
        longest_ = word.size();
    return static_cast<std::uint32_t>(count_++);
}

std::uint32_t WordIds::find_long(std::uint64_t h, std::string_view word) const noexcept {
    const auto mask = slots_.size() - 1;
    for (auto i = h & mask;; i = (i + 1) & mask) {
        const auto& s = slots_[i];
        if (s.id == kNone)
            return kNone;
        if (s.hash == h && s.length == word.size() &&
            std::string_view(arena_).substr(s.offset, s.length) == word)
            return s.id;
    }
}

void WordIds::grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const auto mask = slots_.size() - 1;
    for (const auto& s : old) {
        if (s.id == kNone)
            continue;
        auto i = s.hash & mask;
        while (slots_[i].id != kNone)
            i = (i + 1) & mask;
        slots_[i] = s;
    }
}

void Edges::insert(std::uint32_t node, std::uint32_t word, std::uint32_t child) {
    if ((count_ + 1) * 2 > slots_.size())
        grow();
    const auto k = key(node, word);
    const auto mask = slots_.size() - 1;
    auto i = mix64(k) & mask;
    while (slots_[i].child != kNone && slots_[i].key != k)
        i = (i + 1) & mask;
    if (slots_[i].child == kNone)
        ++count_;
    slots_[i] = {k, child};
}

std::uint32_t Edges::find(std::uint32_t node, std::uint32_t word) const noexcept {
    const auto k = key(node, word);
    const auto mask = slots_.size() - 1;
    for (auto i = mix64(k) & mask;; i = (i + 1) & mask) {
        const auto& s = slots_[i];
        if (s.child == kNone)
            return kNone;
        if (s.key == k)
            return s.child;
    }
}

void Edges::grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const auto mask = slots_.size() - 1;
    for (const auto& s : old) {
        if (s.child == kNone)
            continue;
        auto i = mix64(s.key) & mask;
        while (slots_[i].child != kNone)
            i = (i + 1) & mask;
        slots_[i] = s;
    }
}

}  // namespace liaise::jargon::detail
