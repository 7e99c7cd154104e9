// `liaise check`: the offline plain-language check of a file or standard input.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace liaise::client {

struct CheckOptions {
    std::string audience = "public";                    ///< "public" or "d1,d2,…"
    std::optional<std::filesystem::path> dictionaries;  ///< default: jargon::find_dictionaries()
    bool json = false;
    bool fix = false;          ///< print the text fixed: plain words where they fit, else explained
    bool explain_fix = false;  ///< print the text with every term kept and explained on first use
    std::string input = "-";   ///< a file name, or "-" for `in`
};

/// Exit statuses of `liaise check`.
enum class CheckStatus : int { clean = 0, findings = 1, error = 2 };

/// Runs the check and writes its report to `out` (errors to `err`). Never throws for bad input:
/// a missing file, invalid UTF-8, an unknown discipline or a broken dictionary is one clear
/// message on `err` and CheckStatus::error.
[[nodiscard]] CheckStatus run_check(const CheckOptions& options, std::istream& in,
                                    std::ostream& out, std::ostream& err);

}  // namespace liaise::client
