// Internal: readability figures from a tokenised text.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "liaise/jargon/engine.hpp"
#include "text.hpp"

namespace liaise::jargon::detail {

/// Flesch reading ease, words per sentence and the share of long sentences, for texts of three
/// or more sentences; nullopt for shorter ones. Sentences are split where Token::sentence_start
/// says; a word is a token with at least one letter.
[[nodiscard]] std::optional<Readability> readability(std::string_view text,
                                                     const std::vector<Token>& tokens);

/// Estimated syllables in one English word (vowel groups, silent final e); at least 1.
[[nodiscard]] int syllables(std::string_view word) noexcept;

}  // namespace liaise::jargon::detail
