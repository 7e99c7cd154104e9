#include "qr.hpp"

#include <qrencode.h>

#include <memory>

namespace liaise::client::cli {

std::optional<std::string> qr_text(std::string_view data) {
    const std::string input(data);
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
    if (!code)
        return std::nullopt;
    constexpr int kQuiet = 2;
    const int width = code->width;
    const auto dark = [&](int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= width)
            return false;
        return (code->data[y * width + x] & 1) != 0;
    };
    // Light modules are drawn as blocks and dark ones as spaces: terminals are usually light
    // text on a dark background, and a scanner needs dark modules on a light ground.
    std::string out;
    for (int y = -kQuiet; y < width + kQuiet; y += 2) {
        for (int x = -kQuiet; x < width + kQuiet; ++x) {
            const bool top = !dark(x, y), bottom = !dark(x, y + 1);
            out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        out += '\n';
    }
    return out;
}

}  // namespace liaise::client::cli
