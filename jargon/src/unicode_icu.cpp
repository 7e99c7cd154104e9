// The Unicode seam answered by ICU: the native build.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "unicode.hpp"

namespace liaise::jargon::detail::unicode {
namespace {

UChar32 u(char32_t c) noexcept {
    return static_cast<UChar32>(c);
}

}  // namespace

bool is_white_space(char32_t c) noexcept {
    return u_isUWhiteSpace(u(c));
}
bool is_alnum(char32_t c) noexcept {
    return u_isalnum(u(c));
}
bool is_mark(char32_t c) noexcept {
    const auto type = u_charType(u(c));
    return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
           type == U_ENCLOSING_MARK;
}
bool is_upper(char32_t c) noexcept {
    return u_isupper(u(c));
}
bool is_lower(char32_t c) noexcept {
    return u_islower(u(c));
}
bool is_digit(char32_t c) noexcept {
    return u_isdigit(u(c));
}
char32_t to_upper(char32_t c) noexcept {
    return static_cast<char32_t>(u_toupper(u(c)));
}

bool to_nfc(std::string_view text, std::string& out) {
    UErrorCode status = U_ZERO_ERROR;
    const auto* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        return false;
    const auto in = icu::UnicodeString::fromUTF8(text);
    if (nfc->isNormalized(in, status) && U_SUCCESS(status))
        return false;
    status = U_ZERO_ERROR;
    const auto normalised = nfc->normalize(in, status);
    if (U_FAILURE(status))
        return false;
    out.clear();
    normalised.toUTF8String(out);
    return true;
}

void to_nfkc_casefold(std::string_view text, std::string& out) {
    UErrorCode status = U_ZERO_ERROR;
    const auto* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) {
        out.assign(text);
        return;
    }
    const auto folded = fold->normalize(icu::UnicodeString::fromUTF8(text), status);
    out.clear();
    if (U_FAILURE(status)) {
        out.assign(text);
        return;
    }
    folded.toUTF8String(out);
}

}  // namespace liaise::jargon::detail::unicode
