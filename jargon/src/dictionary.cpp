#include "liaise/jargon/dictionary.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "liaise/base/utf8.hpp"
#include "text.hpp"

namespace liaise::jargon {
namespace {

constexpr std::size_t kFields = 6;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    while (true) {
        const auto at = s.find(sep, from);
        if (at == std::string_view::npos) {
            parts.push_back(s.substr(from));
            return parts;
        }
        parts.push_back(s.substr(from, at - from));
        from = at + 1;
    }
}

int line_of_offset(std::string_view text, std::size_t offset) {
    return 1 + static_cast<int>(
                   std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

/// True when `needle` occurs in `haystack` as a run of whole words.
bool contains_words(const std::vector<std::string>& haystack,
                    const std::vector<std::string>& needle) {
    if (needle.empty() || needle.size() > haystack.size())
        return false;
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0)
            out += sep;
        out += words[i];
    }
    return out;
}

std::optional<Fit> parse_fit(std::string_view s) {
    if (s == "noun")
        return Fit::noun;
    if (s == "modifier")
        return Fit::modifier;
    if (s == "both")
        return Fit::both;
    return std::nullopt;
}

std::optional<Kind> parse_kind(std::string_view s) {
    if (s == "acronym")
        return Kind::acronym;
    if (s == "term")
        return Kind::term;
    if (s == "phrase")
        return Kind::phrase;
    return std::nullopt;
}

/// Splits a '|' list; reports empty items as `empty_reason`.
std::vector<std::string> parse_list(std::string_view field, std::string_view empty_reason,
                                    std::vector<std::string>& reasons) {
    std::vector<std::string> items;
    if (trim(field).empty())
        return items;
    for (const auto part : split(field, '|')) {
        const auto item = trim(part);
        if (item.empty()) {
            reasons.emplace_back(empty_reason);
            continue;
        }
        items.emplace_back(item);
    }
    return items;
}

std::string read_file(const std::filesystem::path& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open file";
        return {};
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad())
        error = "cannot read file";
    return std::move(buf).str();
}

bool valid_discipline_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

/// The value of a `known=` option: "everyone", "all-professionals" or disciplines joined by '+'
/// ("health+social-care"). Problems go to `reasons`.
void parse_known(std::string_view value, Entry& e, std::vector<std::string>& reasons) {
    if (value == "everyone") {
        e.known_by = KnownBy::everyone;
        return;
    }
    if (value == "all-professionals") {
        e.known_by = KnownBy::all_professionals;
        return;
    }
    std::vector<std::string> names;
    for (const auto part : split(value, '+')) {
        // "all" or "public" is a slip for all-professionals or everyone, not a discipline.
        if (!valid_discipline_name(part) || part == "all" || part == "public" ||
            part == "professionals") {
            reasons.push_back("known='" + std::string(value) +
                              "': expected everyone, all-professionals or discipline names "
                              "joined by '+'");
            return;
        }
        names.emplace_back(part);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    e.known_by = KnownBy::listed;
    e.known_disciplines = std::move(names);
}

std::string known_option(const Entry& e) {
    switch (e.known_by) {
        case KnownBy::own_discipline:
            return {};
        case KnownBy::listed:
            return "known=" + join(e.known_disciplines, "+");
        case KnownBy::all_professionals:
            return "known=all-professionals";
        case KnownBy::everyone:
            return "known=everyone";
    }
    return {};
}

}  // namespace

bool matches_case_sensitively(const Entry& e, std::size_t words) noexcept {
    switch (e.case_rule) {
        case CaseRule::sensitive:
            return true;
        case CaseRule::insensitive:
            return false;
        case CaseRule::by_kind:
            break;
    }
    return e.kind == Kind::acronym && words == 1;
}

std::string_view to_string(Kind kind) noexcept {
    switch (kind) {
        case Kind::acronym:
            return "acronym";
        case Kind::term:
            return "term";
        case Kind::phrase:
            return "phrase";
        case Kind::unknown_acronym:
            return "unknown-acronym";
    }
    return "term";
}

Result<Dictionary> parse_dictionary(std::string_view discipline, std::string_view file_name,
                                    std::string_view text) {
    std::vector<Problem> problems;
    const std::string file(file_name);
    if (const auto bad = base::find_invalid_utf8(text)) {
        problems.push_back({file, line_of_offset(text, *bad), "invalid UTF-8"});
        return Result<Dictionary>::failure(std::move(problems));
    }
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    if (!valid_discipline_name(discipline)) {
        problems.push_back({file, 0,
                            "discipline name '" + std::string(discipline) +
                                "' must be lower-case letters, digits and hyphens"});
    }

    Dictionary dict;
    dict.discipline = std::string(discipline);
    std::unordered_map<std::string, int> first_line;  // folded key of every term and variant
    bool header_seen = false;
    int line_no = 0;
    for (auto raw : split(text, '\n')) {
        ++line_no;
        if (!raw.empty() && raw.back() == '\r')
            raw.remove_suffix(1);
        if (trim(raw).empty() || raw.front() == '#')
            continue;
        if (!header_seen) {
            header_seen = true;
            if (raw != kDictionaryHeader) {
                problems.push_back({file, line_no,
                                    "missing or wrong header: expected 'term, variants, "
                                    "alternatives, explanation, kind, options' separated by tabs"});
            }
            continue;
        }
        const auto fields = split(raw, '\t');
        if (fields.size() != kFields) {
            problems.push_back(
                {file, line_no,
                 std::string(fields.size() < kFields ? "missing column" : "too many columns") +
                     ": expected 6 tab-separated fields, found " + std::to_string(fields.size())});
            continue;
        }
        std::vector<std::string> reasons;
        static constexpr std::string_view kNames[kFields] = {
            "term", "variants", "alternatives", "explanation", "kind", "options"};
        for (std::size_t f = 0; f < kFields; ++f) {
            if (has_control_character(fields[f]))
                reasons.push_back("control character in " + std::string(kNames[f]));
        }
        Entry e;
        e.line = line_no;
        e.term = std::string(trim(fields[0]));
        if (e.term.empty())
            reasons.emplace_back("empty term");
        e.variants = parse_list(fields[1], "empty variant", reasons);
        if (trim(fields[2]).empty())
            reasons.emplace_back("empty alternative: at least one is needed");
        e.alternatives = parse_list(fields[2], "empty alternative", reasons);
        e.explanation = std::string(trim(fields[3]));
        if (e.explanation.empty())
            reasons.emplace_back("empty explanation");
        const auto kind_text = trim(fields[4]);
        if (const auto kind = parse_kind(kind_text)) {
            e.kind = *kind;
        } else {
            reasons.push_back(kind_text.empty() ? std::string("empty kind")
                                                : "unknown kind '" + std::string(kind_text) +
                                                      "': expected acronym, term or phrase");
        }
        bool saw_cs = false, saw_ci = false, saw_known = false;
        if (!trim(fields[5]).empty()) {
            const auto parts = split(fields[5], ',');
            for (std::size_t p = 0; p < parts.size(); ++p) {
                auto opt = trim(parts[p]);
                if (opt.starts_with("expansion=")) {
                    // The expansion runs to the end of the field, commas and all
                    // ("expansion=Education, Health and Care Plan").
                    const auto from = static_cast<std::size_t>(opt.data() - fields[5].data());
                    opt = trim(fields[5].substr(from));
                    p = parts.size();
                }
                if (opt == "case-sensitive") {
                    saw_cs = true;
                    e.case_rule = CaseRule::sensitive;
                } else if (opt == "case-insensitive") {
                    saw_ci = true;
                    e.case_rule = CaseRule::insensitive;
                } else if (opt == "no-inflection") {
                    e.inflect = false;
                } else if (opt.starts_with("known=")) {
                    if (saw_known)
                        reasons.emplace_back("option known= given twice");
                    saw_known = true;
                    parse_known(opt.substr(6), e, reasons);
                } else if (opt == "bare-name") {
                    e.bare_name = true;
                } else if (opt.starts_with("expansion=")) {
                    e.expansion = std::string(trim(opt.substr(10)));
                    if (e.expansion.empty())
                        reasons.emplace_back("empty expansion");
                    else if (e.kind != Kind::acronym)
                        reasons.emplace_back("expansion on an entry that is not an acronym");
                } else if (opt.starts_with("fit=")) {
                    for (const auto f : split(opt.substr(4), '|')) {
                        if (const auto fit = parse_fit(trim(f))) {
                            e.fits.push_back(*fit);
                        } else {
                            reasons.push_back("unknown fit '" + std::string(trim(f)) +
                                              "': expected noun, modifier or both");
                        }
                    }
                    if (e.fits.size() != e.alternatives.size())
                        reasons.push_back("fit lists " + std::to_string(e.fits.size()) +
                                          " forms for " + std::to_string(e.alternatives.size()) +
                                          " alternatives");
                } else {
                    reasons.push_back("unknown option '" + std::string(opt) +
                                      "': expected case-sensitive, case-insensitive, "
                                      "no-inflection, known=, bare-name, expansion=... or fit=...");
                }
            }
        }
        if (saw_cs && saw_ci)
            reasons.emplace_back("conflicting options case-sensitive and case-insensitive");

        // Every spelling must have words, and must not repeat one seen earlier in the file.
        std::vector<std::string> forms{e.term};
        forms.insert(forms.end(), e.variants.begin(), e.variants.end());
        std::vector<std::vector<std::string>> form_words;
        for (const auto& form : forms) {
            if (form.empty())
                continue;
            auto words = detail::split_words(form, true);
            if (words.empty()) {
                reasons.push_back("term '" + form + "' has no letters or digits");
                continue;
            }
            // Case-sensitive forms may differ only in case ("SENCO", "SENCo"); others may not.
            const auto key = matches_case_sensitively(e, words.size())
                                 ? "=" + join(detail::split_words(form, false), "")
                                 : join(words, "");
            if (const auto [it, inserted] = first_line.emplace(key, line_no); !inserted) {
                reasons.push_back("duplicate term '" + form + "' (already on line " +
                                  std::to_string(it->second) + ")");
            }
            form_words.push_back(std::move(words));
        }
        for (const auto& alt : e.alternatives) {
            const auto alt_words = detail::split_words(alt, true);
            for (std::size_t k = 0; k < form_words.size(); ++k) {
                if (contains_words(alt_words, form_words[k])) {
                    reasons.push_back("alternative '" + alt + "' contains the term '" +
                                      join(form_words[k], " ") + "'");
                    break;
                }
            }
        }
        if (!reasons.empty()) {
            for (auto& r : reasons)
                problems.push_back({file, line_no, std::move(r)});
            continue;
        }
        dict.entries.push_back(std::move(e));
    }
    if (!header_seen)
        problems.push_back({file, 0, "missing header: the file has no rows"});
    if (!problems.empty())
        return Result<Dictionary>::failure(std::move(problems));
    return Result<Dictionary>::success(std::move(dict));
}

std::string write_dictionary(const Dictionary& dictionary) {
    std::string out(kDictionaryHeader);
    out += '\n';
    for (const auto& e : dictionary.entries) {
        out += e.term;
        out += '\t';
        out += join(e.variants, "|");
        out += '\t';
        out += join(e.alternatives, "|");
        out += '\t';
        out += e.explanation;
        out += '\t';
        out += to_string(e.kind);
        out += '\t';
        std::vector<std::string> options;
        if (e.case_rule != CaseRule::by_kind)
            options.emplace_back(e.case_rule == CaseRule::sensitive ? "case-sensitive"
                                                                    : "case-insensitive");
        if (!e.inflect)
            options.emplace_back("no-inflection");
        if (auto known = known_option(e); !known.empty())
            options.push_back(std::move(known));
        if (e.bare_name)
            options.emplace_back("bare-name");
        if (!e.fits.empty()) {
            std::vector<std::string> fits;
            for (const auto f : e.fits)
                fits.emplace_back(f == Fit::noun       ? "noun"
                                  : f == Fit::modifier ? "modifier"
                                                       : "both");
            options.push_back("fit=" + join(fits, "|"));
        }
        if (!e.expansion.empty())
            options.push_back("expansion=" + e.expansion);  // last: it may hold commas
        out += join(options, ",");
        out += '\n';
    }
    return out;
}

Result<std::vector<std::string>> parse_common_acronyms(std::string_view file_name,
                                                       std::string_view text) {
    std::vector<Problem> problems;
    const std::string file(file_name);
    if (const auto bad = base::find_invalid_utf8(text)) {
        problems.push_back({file, line_of_offset(text, *bad), "invalid UTF-8"});
        return Result<std::vector<std::string>>::failure(std::move(problems));
    }
    std::vector<std::string> acronyms;
    int line_no = 0;
    for (auto raw : split(text, '\n')) {
        ++line_no;
        const auto line = trim(raw);
        if (line.empty() || line.front() == '#')
            continue;
        if (line.find_first_of(" \t") != std::string_view::npos || has_control_character(line)) {
            problems.push_back({file, line_no, "one acronym per line, without spaces"});
            continue;
        }
        acronyms.emplace_back(line);
    }
    if (!problems.empty())
        return Result<std::vector<std::string>>::failure(std::move(problems));
    return Result<std::vector<std::string>>::success(std::move(acronyms));
}

Result<DictionarySet> load_dictionary_dir(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::vector<Problem> problems;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        problems.push_back({dir.string(), 0, "not a folder of dictionaries"});
        return Result<DictionarySet>::failure(std::move(problems));
    }
    std::vector<fs::path> files;
    for (const auto& item : fs::directory_iterator(dir, ec)) {
        if (item.path().extension() == ".tsv")
            files.push_back(item.path());
    }
    if (ec) {
        problems.push_back({dir.string(), 0, "cannot list folder: " + ec.message()});
        return Result<DictionarySet>::failure(std::move(problems));
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        problems.push_back({dir.string(), 0, "no dictionaries (*.tsv) in this folder"});
        return Result<DictionarySet>::failure(std::move(problems));
    }
    DictionarySet set;
    for (const auto& path : files) {
        std::string error;
        const auto text = read_file(path, error);
        if (!error.empty()) {
            problems.push_back({path.string(), 0, error});
            continue;
        }
        auto parsed = parse_dictionary(path.stem().string(), path.string(), text);
        if (!parsed.ok()) {
            problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
            continue;
        }
        set.dictionaries.push_back(std::move(parsed).value());
    }
    const auto common = dir / "common-acronyms.txt";
    if (fs::exists(common, ec)) {
        std::string error;
        const auto text = read_file(common, error);
        if (!error.empty()) {
            problems.push_back({common.string(), 0, error});
        } else {
            auto parsed = parse_common_acronyms(common.string(), text);
            if (parsed.ok()) {
                set.common_acronyms = std::move(parsed).value();
            } else {
                problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
            }
        }
    }
    if (!problems.empty())
        return Result<DictionarySet>::failure(std::move(problems));
    return Result<DictionarySet>::success(std::move(set));
}

std::optional<std::filesystem::path> find_dictionaries() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (const char* env = std::getenv("LIAISE_DICTIONARIES"); env != nullptr && *env != '\0')
        return fs::path(env);
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        for (const auto& candidate :
             {exe.parent_path() / "dictionaries",
              exe.parent_path() / ".." / "share" / "liaise" / "dictionaries"}) {
            if (std::filesystem::is_directory(candidate, ec))
                return candidate.lexically_normal();
        }
    }
#ifdef LIAISE_SOURCE_DICTIONARIES
    if (std::filesystem::is_directory(LIAISE_SOURCE_DICTIONARIES, ec))
        return fs::path(LIAISE_SOURCE_DICTIONARIES);
#endif
    return std::nullopt;
}

}  // namespace liaise::jargon
