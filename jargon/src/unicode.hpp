// Internal: the few Unicode facts the engine needs, behind one seam. The native build answers
// them with ICU (unicode_icu.cpp); the WebAssembly build, where ICU is not available offline,
// with tables generated from the same ICU at build time (unicode_offline.cpp, unicode/README.md).
// Both give the same answers for every code point (tests/jargon/unicode_test.cpp checks).
#pragma once

#include <string>
#include <string_view>

namespace liaise::jargon::detail::unicode {

/// The White_Space property (u_isUWhiteSpace): includes NBSP and the line separators.
[[nodiscard]] bool is_white_space(char32_t c) noexcept;
/// A letter (general category L*) or a decimal digit (Nd) (u_isalnum).
[[nodiscard]] bool is_alnum(char32_t c) noexcept;
/// A combining mark: general category Mn, Mc or Me.
[[nodiscard]] bool is_mark(char32_t c) noexcept;
/// General category Lu (u_isupper).
[[nodiscard]] bool is_upper(char32_t c) noexcept;
/// General category Ll (u_islower).
[[nodiscard]] bool is_lower(char32_t c) noexcept;
/// General category Nd (u_isdigit).
[[nodiscard]] bool is_digit(char32_t c) noexcept;
/// The simple (one code point) uppercase mapping; `c` itself when there is none (u_toupper).
[[nodiscard]] char32_t to_upper(char32_t c) noexcept;

/// `text` (UTF-8) in Normalization Form C, into `out`. Returns false, leaving `out` as it was,
/// when `text` is already in NFC. An invalid UTF-8 sequence counts as U+FFFD.
[[nodiscard]] bool to_nfc(std::string_view text, std::string& out);
/// `text` (UTF-8) mapped by NFKC_Casefold (Unicode case folding with compatibility forms, and
/// default-ignorable code points removed), into `out`, which is replaced. An invalid UTF-8
/// sequence counts as U+FFFD.
void to_nfkc_casefold(std::string_view text, std::string& out);

}  // namespace liaise::jargon::detail::unicode
