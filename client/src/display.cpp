#include "liaise/client/display.hpp"

namespace liaise::client {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_line_break(char32_t cp) {
    return cp == U'\n' || cp == U'\r' || cp == 0x2028 || cp == 0x2029;
}

/// Characters that move the cursor, change the terminal's state or reorder the text after them.
bool is_unsafe(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
           cp == 0x2028 || cp == 0x2029;
}

/// The shared loop: with `indent` null, line breaks are unsafe like any other control.
std::string sanitise(std::string_view text, const std::string_view* indent) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char32_t cp = next_code_point(text, i);
        if (indent != nullptr && is_line_break(cp)) {
            if (cp == U'\r' && i < text.size() && text[i] == '\n')
                ++i;  // CR LF is one break
            out += '\n';
            out += *indent;
        } else if (cp == U'\t') {
            out += ' ';
        } else if (cp == kInvalidUtf8 || is_unsafe(cp)) {
            append_utf8(out, kReplacement);
        } else {
            append_utf8(out, cp);
        }
    }
    return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    if (b < 0x80)
        len = 1, cp = b;
    else if ((b & 0xE0) == 0xC0)
        len = 2, cp = b & 0x1F;
    else if ((b & 0xF0) == 0xE0)
        len = 3, cp = b & 0x0F;
    else if ((b & 0xF8) == 0xF0)
        len = 4, cp = b & 0x07;
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        valid = (c & 0xC0) == 0x80;
        cp = (cp << 6) | (c & 0x3F);
    }
    valid = valid && !(len == 2 && cp < 0x80) && !(len == 3 && cp < 0x800) &&
            !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!valid) {
        ++i;
        return kInvalidUtf8;
    }
    i += len;
    return cp;
}

std::string fit_width(std::string_view shown, std::size_t width, std::string_view indent) {
    if (width < indent.size() + 16)
        return std::string(shown);
    std::string out;
    out.reserve(shown.size() + shown.size() / width * (indent.size() + 1));
    std::size_t used = 0;
    for (std::size_t i = 0; i < shown.size();) {
        const auto b = static_cast<unsigned char>(shown[i]);
        if (b == '\n') {
            out += '\n';
            used = 0;
            ++i;
            continue;
        }
        const std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        const std::size_t cells = b < 0x80 ? 1 : 2;
        if (used + cells > width) {
            out += '\n';
            out += indent;
            used = indent.size();
        }
        out.append(shown.substr(i, len));
        used += cells;
        i += len;
    }
    return out;
}

std::string display_line(std::string_view text) {
    return sanitise(text, nullptr);
}

std::string display_block(std::string_view text, std::string_view indent) {
    return sanitise(text, &indent);
}

}  // namespace liaise::client
