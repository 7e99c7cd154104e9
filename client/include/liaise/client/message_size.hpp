// How long a message may be: a sealed message travels in one WebSocket frame, and the server
// closes the connection on a frame longer than its max_frame_bytes. The client refuses such a
// message before sending it, saying how long one may be.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "liaise/protocol/expected.hpp"

namespace liaise::client {

/// The server's default max_frame_bytes (PROTOCOL.md, "Limits"): the largest request it reads.
inline constexpr std::size_t kMaxFrameBytes = std::size_t{1} << 20;

/// What a send request adds to the encrypted text in a room of a few dozen devices: the
/// envelope's fixed fields, one wrapped key and recipient entry per device, the request's own
/// fields. For checking a message before its room is known; send() measures the real envelope.
inline constexpr std::size_t kTypicalOverhead = 16 * 1024;

/// The most bytes of text that fit in a frame of `max_frame` bytes next to `overhead` bytes of
/// envelope and request (the text is sent as base64 of its ciphertext, 16 bytes longer).
[[nodiscard]] std::size_t max_text_bytes(std::size_t overhead = kTypicalOverhead,
                                         std::size_t max_frame = kMaxFrameBytes);

/// A size for people: "840 bytes", "700 KB", "1.25 MB" (1 KB = 1000 bytes).
[[nodiscard]] std::string size_words(std::size_t bytes);

/// too_long ("the message is 1.25 MB; a message can be at most about 774 KB of text: ...")
/// when `text_bytes` of text exceed max_text_bytes(overhead, max_frame); else nullopt.
[[nodiscard]] std::optional<protocol::Error> message_too_long(
    std::size_t text_bytes, std::size_t overhead = kTypicalOverhead,
    std::size_t max_frame = kMaxFrameBytes);

}  // namespace liaise::client
