#include "liaise/client/strength.hpp"

#include <zxcvbn.h>

#include <cctype>
#include <memory>

namespace liaise::client {
namespace {

/// The person's words as zxcvbn's user dictionary: each whole, each word of it, and the words
/// run together ("Hana Ali" -> "hana ali", "hana", "ali", "hanaali"), lower-cased; words of
/// fewer than three letters would match too much by chance and are left out.
std::vector<std::string> dictionary_of(const std::vector<std::string>& own_words) {
    std::vector<std::string> out;
    const auto add = [&out](std::string w) {
        if (w.size() >= 3)
            out.push_back(std::move(w));
    };
    for (const auto& whole : own_words) {
        std::string lower, joined, word;
        for (const char c : whole) {
            const auto u = static_cast<unsigned char>(c);
            const char l = static_cast<char>(std::tolower(u));
            lower += l;
            if (std::isalnum(u) != 0 || u >= 0x80) {
                word += l;
                joined += l;
            } else {
                add(word);
                word.clear();
            }
        }
        add(word);
        add(lower);
        add(joined);
    }
    return out;
}

struct Info {
    ZxcMatch_t* head = nullptr;
    ~Info() { ZxcvbnFreeInfo(head); }
};

double match(std::string_view passphrase, const std::vector<std::string>& own_words, Info& info) {
    const std::string pw(passphrase);  // zxcvbn needs a terminated string
    const auto dict = dictionary_of(own_words);
    std::vector<const char*> words;
    for (const auto& w : dict)
        words.push_back(w.c_str());
    words.push_back(nullptr);
    return ZxcvbnMatch(pw.c_str(), words.data(), &info.head);
}

}  // namespace

double passphrase_bits(std::string_view passphrase, const std::vector<std::string>& own_words) {
    Info info;
    return match(passphrase, own_words, info);
}

protocol::Expected<bool> check_new_passphrase(std::string_view passphrase,
                                              const std::vector<std::string>& own_words) {
    Info info;
    const double bits = match(passphrase, own_words, info);
    if (bits >= kMinPassphraseBits)
        return true;
    // Name the weakness that covers most of the passphrase first: the person's own words, then
    // dictionary words, then patterns; else it is simply too short.
    std::size_t own = 0, dictionary = 0, pattern = 0;
    for (const auto* m = info.head; m != nullptr; m = m->Next) {
        const auto length = static_cast<std::size_t>(m->Length);
        switch (static_cast<int>(m->Type) & ~MULTIPLE_MATCH) {
            case USER_MATCH:
            case USER_LEET_MATCH:
                own += length;
                break;
            case DICTIONARY_MATCH:
            case DICT_LEET_MATCH:
                dictionary += length;
                break;
            case REPEATS_MATCH:
            case SEQUENCE_MATCH:
            case SPATIAL_MATCH:
            case DATE_MATCH:
            case YEAR_MATCH:
                pattern += length;
                break;
            default:
                break;
        }
    }
    std::string why;
    if (own > 0)
        why = "it contains your name or your agency's";
    else if (dictionary >= pattern && dictionary * 2 >= passphrase.size())
        why = "it is mostly a common password or word";
    else if (pattern * 2 >= passphrase.size())
        why = "it is mostly a keyboard pattern, a sequence, a date or repeats";
    else
        why = "it is too short";
    return protocol::Error{
        "weak_passphrase",
        "Too easy to guess: " + why +
            ". Try four or more unrelated words, e.g. 'kettle violin harbour crayon' (but not "
            "that one): they are easier to remember than symbols and far harder to guess"};
}

}  // namespace liaise::client
