// Internal: regular English inflections of a word, for matching "core groups", "stepped down".
#pragma once

#include <string>
#include <vector>

namespace liaise::jargon::detail {

/// Plural / third-person (-s, -es, -ies), past (-ed, -d, -ied, doubled consonant) and present
/// participle (-ing, dropped e, doubled consonant) forms of a lower-case word. Over-generates
/// on purpose: a form that is not a real word never occurs in text, so it costs nothing.
/// Words that are not plain ASCII letters get no inflections.
[[nodiscard]] std::vector<std::string> inflections(const std::string& word);

}  // namespace liaise::jargon::detail
