#include "liaise/client/message_size.hpp"

#include <cstdio>

namespace liaise::client {
namespace {

constexpr std::size_t kAeadBytes = 16;  // XChaCha20-Poly1305's tag on the ciphertext

}  // namespace

std::size_t max_text_bytes(std::size_t overhead, std::size_t max_frame) {
    if (overhead >= max_frame)
        return 0;
    // Unpadded base64 of m bytes is ceil(4m/3) characters: m fits in L when m <= 3L/4.
    const std::size_t ciphertext = (max_frame - overhead) * 3 / 4;
    return ciphertext > kAeadBytes ? ciphertext - kAeadBytes : 0;
}

std::string size_words(std::size_t bytes) {
    if (bytes < 1000)
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    if (bytes < 1000 * 1000)
        return std::to_string(bytes / 1000) + " KB";
    char text[32];
    std::snprintf(text, sizeof text, "%.2f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

std::optional<protocol::Error> message_too_long(std::size_t text_bytes, std::size_t overhead,
                                                std::size_t max_frame) {
    const auto limit = max_text_bytes(overhead, max_frame);
    if (text_bytes <= limit)
        return std::nullopt;
    // The limit rounded down, so that a message of the size named always fits.
    return protocol::Error{
        "too_long", "the message is " + size_words(text_bytes) +
                        "; a message can be at most about " + size_words(limit) +
                        " of text: send it in parts, or share the document another way (nothing "
                        "was sent)"};
}

}  // namespace liaise::client
