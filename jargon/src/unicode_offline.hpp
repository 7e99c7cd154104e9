// Internal: the Unicode seam (unicode.hpp) answered from tables generated from ICU at build
// time (unicode/gen_tables.cpp), for builds without ICU: the WebAssembly engine. The same
// functions with the same contracts as in unicode.hpp; unicode_use_offline.cpp makes them the
// engine's. They are separate so that a native test can compare the two answer for answer.
#pragma once

#include <string>
#include <string_view>

namespace liaise::jargon::detail::unicode_offline {

[[nodiscard]] bool is_white_space(char32_t c) noexcept;
[[nodiscard]] bool is_alnum(char32_t c) noexcept;
[[nodiscard]] bool is_mark(char32_t c) noexcept;
[[nodiscard]] bool is_upper(char32_t c) noexcept;
[[nodiscard]] bool is_lower(char32_t c) noexcept;
[[nodiscard]] bool is_digit(char32_t c) noexcept;
[[nodiscard]] char32_t to_upper(char32_t c) noexcept;
[[nodiscard]] bool to_nfc(std::string_view text, std::string& out);
void to_nfkc_casefold(std::string_view text, std::string& out);

/// The Unicode version the tables were generated from ("15.0").
[[nodiscard]] const char* unicode_version() noexcept;

}  // namespace liaise::jargon::detail::unicode_offline
