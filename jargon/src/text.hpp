// Internal: UTF-8 decoding, character classes, tokenisation and word folding. Shared by the
// dictionary parser (to split terms into words) and the engine (to split texts the same way).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace liaise::jargon::detail {

struct CodePoint {
    char32_t value;      // U+FFFD for an invalid sequence
    std::uint32_t size;  // bytes consumed, at least 1
    bool valid;
};

/// Decodes a multi-byte sequence; use decode().
[[nodiscard]] CodePoint decode_multibyte(std::string_view s, std::size_t i) noexcept;

/// Decodes the code point starting at byte `i` of `s` (precondition: i < s.size()). ASCII,
/// the common case, is handled inline.
[[nodiscard]] inline CodePoint decode(std::string_view s, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80)
        return {b, 1, true};
    return decode_multibyte(s, i);
}

/// Appends the UTF-8 encoding of `c` (precondition: a Unicode scalar value) to `out`.
void append_utf8(char32_t c, std::string& out);

/// One word of a text: letters and digits, with apostrophes between letters ("children's",
/// "GP’s") and '&' between capitals ("A&E").
struct Token {
    std::uint32_t start = 0;  // byte offsets into the text
    std::uint32_t end = 0;
    /// The gap before this token holds only spaces, line breaks, hyphens and commas (so a phrase
    /// may continue across it: "Education, Health and Care Plan"). False for the first token
    /// and after other punctuation or skipped text.
    bool joinable = false;
    /// The token begins a sentence: it is the first, or follows '.', '!', '?' or a blank line
    /// and starts with a capital or a digit.
    bool sentence_start = false;
    bool ascii = true;
    std::uint8_t upper = 0;  // counts, saturating at 255
    std::uint8_t lower = 0;
    std::uint8_t digits = 0;
};

/// Splits `text` into tokens, skipping URLs, e-mail addresses and `backticked` spans.
void tokenize(std::string_view text, std::vector<Token>& out);

/// The token's text with curly apostrophes made straight and NFC-normalised: the form that
/// case-sensitive entries are matched against.
void exact_form(std::string_view word, std::string& out);

/// exact_form, then Unicode case folding with NFKC: the form that case-insensitive entries are
/// matched against.
void folded_form(std::string_view word, std::string& out);

/// Splits a term, variant or alternative into words with tokenize(); `folded` selects
/// folded_form over exact_form. Hyphens and spaces both separate words.
[[nodiscard]] std::vector<std::string> split_words(std::string_view text, bool folded);

/// True when the token is written entirely in capitals (at least two letters, no lowercase
/// letters, no digits), allowing '&' and a trailing plural or possessive suffix.
[[nodiscard]] bool is_all_capitals(const Token& token) noexcept;

/// The longest common Welsh or Polish word, in bytes, that mark_foreign_sentences looks for.
inline constexpr std::size_t kForeignWordMaxBytes = 16;

/// False when a word of up to eight ASCII bytes, packed and lower-cased (tables.hpp: pack(),
/// ascii_lower()), is none of the common Welsh or Polish words; true when it may be one.
[[nodiscard]] bool may_be_foreign_word(std::uint64_t lowered) noexcept;

/// Marks the tokens of sentences written in another language than English, found cheaply by
/// their common words (Welsh and Polish): `foreign[i]` is 1 for such a token, else 0. A
/// sentence counts as foreign when at least two of its words are common words of one of those
/// languages and they outnumber its common English words. Sentences end at '.', '!', '?', ';'
/// or a line break. Returns whether any token is marked.
///
/// `candidates` lists, in order, every token that may be such a word: each without digits and
/// with at most one capital that is either ASCII of up to eight bytes not ruled out by
/// may_be_foreign_word(), or not ASCII and of up to kForeignWordMaxBytes bytes. The engine
/// collects them while it looks its tokens up (engine.cpp, compute_ids), so that the text is
/// not read a second time for this.
bool mark_foreign_sentences(std::string_view text, const std::vector<Token>& tokens,
                            const std::vector<std::uint32_t>& candidates,
                            std::vector<std::uint8_t>& foreign);

}  // namespace liaise::jargon::detail
