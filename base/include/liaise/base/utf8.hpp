// UTF-8 validation shared by the jargon engine, the protocol codec, the CLI and the server.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace liaise::base {

/// Byte offset of the first invalid UTF-8 sequence in `text` (overlong forms, surrogates and
/// code points above U+10FFFF are invalid), or nullopt when all of it is valid.
[[nodiscard]] std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

}  // namespace liaise::base
