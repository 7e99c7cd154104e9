// QR codes for the terminal, so that a safety number can be scanned instead of read aloud.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace liaise::client::cli {

/// `data` as a QR code (libqrencode, error correction M) drawn with Unicode half blocks, two
/// rows of modules per line, dark on light with a quiet zone of 2 modules, one line per
/// '\n'. nullopt if the library cannot encode it.
[[nodiscard]] std::optional<std::string> qr_text(std::string_view data);

}  // namespace liaise::client::cli
