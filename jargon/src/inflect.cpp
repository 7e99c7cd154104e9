#include "inflect.hpp"

#include <algorithm>

namespace liaise::jargon::detail {
namespace {

bool is_vowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

bool ends_with(const std::string& w, const char* suffix) {
    const std::string s(suffix);
    return w.size() >= s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
}

/// Consonant-vowel-consonant ending whose last consonant doubles: step -> stepped.
bool doubles(const std::string& w) {
    const auto n = w.size();
    if (n < 3)
        return false;
    const char last = w[n - 1];
    if (is_vowel(last) || last == 'w' || last == 'x' || last == 'y')
        return false;
    return is_vowel(w[n - 2]) && !is_vowel(w[n - 3]);
}

}  // namespace

std::vector<std::string> inflections(const std::string& w) {
    if (w.size() < 2 ||
        !std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return {};
    std::vector<std::string> out;
    const char last = w.back();
    const bool consonant_y = last == 'y' && !is_vowel(w[w.size() - 2]);
    const std::string stem = w.substr(0, w.size() - 1);

    // -s / -es / -ies
    if (ends_with(w, "s") || ends_with(w, "x") || ends_with(w, "z") || ends_with(w, "ch") ||
        ends_with(w, "sh")) {
        out.push_back(w + "es");
    } else if (consonant_y) {
        out.push_back(stem + "ies");
    } else {
        out.push_back(w + "s");
    }
    // -ed
    if (last == 'e') {
        out.push_back(w + "d");
    } else if (consonant_y) {
        out.push_back(stem + "ied");
    } else {
        out.push_back(w + "ed");
        if (doubles(w))
            out.push_back(w + last + "ed");
    }
    // -ing
    if (ends_with(w, "ie")) {
        out.push_back(w.substr(0, w.size() - 2) + "ying");
    } else if (last == 'e' && !ends_with(w, "ee") && !ends_with(w, "ye") && !ends_with(w, "oe")) {
        out.push_back(stem + "ing");
    } else {
        out.push_back(w + "ing");
        if (doubles(w))
            out.push_back(w + last + "ing");
    }
    out.erase(std::remove(out.begin(), out.end(), w), out.end());
    return out;
}

}  // namespace liaise::jargon::detail
