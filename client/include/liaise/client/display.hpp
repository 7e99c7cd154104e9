// Other people's words on a terminal. A message's text comes from another member's device and a
// name or a dictionary entry from the server: neither is trusted to be printable. Everything the
// CLI prints that someone else wrote goes through these functions first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace liaise::client {

/// What next_code_point() returns for an invalid sequence: not a code point.
inline constexpr char32_t kInvalidUtf8 = 0xFFFFFFFF;
/// The code point at `s[i]` (i < s.size()), advancing `i` past it; kInvalidUtf8, advancing one
/// byte, for an invalid, overlong, surrogate or truncated sequence.
[[nodiscard]] char32_t next_code_point(std::string_view s, std::size_t& i);
/// Appends `cp` (a code point up to U+10FFFF, not a surrogate) to `out` in UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// What begins every line of a message after its first, so that no line of a message can start
/// at column 0 and pass for a "#N time user:" header.
inline constexpr std::string_view kContinuation = "    ";

/// `text` as one line that is safe to print: invalid UTF-8 becomes U+FFFD, a tab becomes a
/// space, and every other control character (C0 including line breaks, DEL, C1), every
/// bidirectional override, isolate and mark (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
/// U+061C) and the line and paragraph separators U+2028/U+2029 become U+FFFD, visibly. The
/// result is valid UTF-8 with no character that moves the cursor or reorders what follows.
/// For names, terms and other one-line fields.
[[nodiscard]] std::string display_line(std::string_view text);

/// `text` as display_line() makes it, except that each line break (LF, CR LF, a lone CR,
/// U+2028, U+2029) starts a new line that begins with `indent`. With a non-empty `indent` no line
/// after the first starts at column 0. For messages, minutes and other multi-line text.
[[nodiscard]] std::string display_block(std::string_view text,
                                        std::string_view indent = kContinuation);

/// `shown` (display_line/display_block output: valid UTF-8, lines separated by '\n') broken
/// into rows of at most `width` terminal cells, each row a line is broken into starting with
/// `indent`, so that a terminal never wraps a row itself: a long run of spaces cannot push the
/// rest of a message to column 0. A character outside ASCII counts as two cells, so that a row
/// never overflows whatever a terminal makes of it (a row may end early). `width` 0, or one too
/// narrow for `indent` and some text, leaves `shown` as it is.
[[nodiscard]] std::string fit_width(std::string_view shown, std::size_t width,
                                    std::string_view indent = kContinuation);

}  // namespace liaise::client
