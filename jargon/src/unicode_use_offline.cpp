// The Unicode seam answered by the generated tables: linked instead of unicode_icu.cpp where
// there is no ICU (the WebAssembly build).
#include "unicode.hpp"
#include "unicode_offline.hpp"

namespace liaise::jargon::detail::unicode {

bool is_white_space(char32_t c) noexcept {
    return unicode_offline::is_white_space(c);
}
bool is_alnum(char32_t c) noexcept {
    return unicode_offline::is_alnum(c);
}
bool is_mark(char32_t c) noexcept {
    return unicode_offline::is_mark(c);
}
bool is_upper(char32_t c) noexcept {
    return unicode_offline::is_upper(c);
}
bool is_lower(char32_t c) noexcept {
    return unicode_offline::is_lower(c);
}
bool is_digit(char32_t c) noexcept {
    return unicode_offline::is_digit(c);
}
char32_t to_upper(char32_t c) noexcept {
    return unicode_offline::to_upper(c);
}
bool to_nfc(std::string_view text, std::string& out) {
    return unicode_offline::to_nfc(text, out);
}
void to_nfkc_casefold(std::string_view text, std::string& out) {
    unicode_offline::to_nfkc_casefold(text, out);
}

}  // namespace liaise::jargon::detail::unicode
