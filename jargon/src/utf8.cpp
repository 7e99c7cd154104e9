#include "liaise/jargon/utf8.hpp"

#include "text.hpp"

namespace liaise::jargon {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        // Runs of ASCII are the common case; skip them a byte at a time without decoding.
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        const auto cp = detail::decode(text, i);
        if (!cp.valid)
            return i;
        i += cp.size;
    }
    return std::nullopt;
}

}  // namespace liaise::jargon
