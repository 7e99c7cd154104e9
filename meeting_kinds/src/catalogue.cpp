#include "liaise/meeting_kinds/catalogue.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace liaise::meeting_kinds {

namespace detail {
std::string_view shipped_kinds();
}  // namespace detail

namespace {

constexpr int kMaxDays = 60;

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 40 || id.front() == '-' || id.back() == '-')
        return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

/// A non-empty string at `key`, or nullopt.
std::optional<std::string> text(const toml::table& t, std::string_view key) {
    const auto v = t[key].value<std::string>();
    if (!v || v->empty())
        return std::nullopt;
    return v;
}

/// The strings in the array at `key`; nullopt when it is not an array of strings.
std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view key) {
    const auto* a = t[key].as_array();
    if (a == nullptr)
        return std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : *a) {
        const auto v = item.value<std::string>();
        if (!v || !item.is_string())
            return std::nullopt;
        out.push_back(*v);
    }
    return out;
}

/// The problem with a table's keys, or empty: each must be one of `allowed`.
std::string unknown_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                         const std::string& where) {
    for (const auto& [key, node] : t) {
        bool ok = false;
        for (const auto a : allowed)
            ok = ok || key.str() == a;
        if (!ok)
            return where + ": unknown setting '" + std::string(key.str()) + "'";
    }
    return {};
}

}  // namespace

bool Kind::has_section(std::string_view id) const {
    for (const auto& s : sections)
        if (s == id)
            return true;
    return false;
}

base::Expected<Catalogue> Catalogue::parse(std::string_view toml_text, std::string_view source) {
    const auto fail = [&](const std::string& what) {
        return base::Error{"kinds_bad_data", std::string(source) + ": " + what};
    };
    toml::table table;
    try {
        table = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        return fail("line " + std::to_string(e.source().begin.line) + ": " +
                    std::string(e.description()));
    }
    if (auto problem = unknown_keys(table, {"sections", "kinds"}, "the file"); !problem.empty())
        return fail(problem);
    const auto* sections = table["sections"].as_table();
    const auto* kinds = table["kinds"].as_table();
    if (sections == nullptr || sections->empty())
        return fail("no [sections.ID] tables");
    if (kinds == nullptr || kinds->empty())
        return fail("no [kinds.ID] tables");

    Catalogue out;
    for (const auto& [key, node] : *sections) {
        const std::string id(key.str());
        const std::string where = "sections." + id;
        const auto* t = node.as_table();
        if (!valid_id(id))
            return fail(where + ": an id is lower-case letters, digits and '-'");
        if (t == nullptr)
            return fail(where + " must be a table");
        if (auto problem = unknown_keys(*t, {"label", "guidance"}, where); !problem.empty())
            return fail(problem);
        const auto label = text(*t, "label");
        const auto guidance = text(*t, "guidance");
        if (!label || !guidance)
            return fail(where + " needs a label and guidance");
        out.sections_.emplace(id, Section{id, *label, *guidance});
    }

    // toml++ keeps a table's keys sorted; the file's order is the order of their positions.
    std::vector<std::pair<toml::source_position, std::string>> order;
    for (const auto& [key, node] : *kinds)
        order.emplace_back(node.source().begin, std::string(key.str()));
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first.line != b.first.line ? a.first.line < b.first.line
                                            : a.first.column < b.first.column;
    });
    for (const auto& [position, id] : order) {
        const std::string where = "kinds." + id;
        const auto* t = (*kinds)[id].as_table();
        if (!valid_id(id))
            return fail(where + ": an id is lower-case letters, digits and '-'");
        if (t == nullptr)
            return fail(where + " must be a table");
        if (auto problem = unknown_keys(
                *t, {"label", "sections", "professionals_only", "vote_recorded", "clocks"}, where);
            !problem.empty())
            return fail(problem);
        Kind kind;
        kind.id = id;
        const auto label = text(*t, "label");
        if (!label)
            return fail(where + " needs a label");
        kind.label = *label;
        const auto listed = strings(*t, "sections");
        if (!listed || listed->empty())
            return fail(where + ".sections must be a list of one or more section ids");
        for (const auto& s : *listed) {
            if (!out.sections_.contains(s))
                return fail(where + ".sections: '" + s + "' is not a defined section");
            if (kind.has_section(s))
                return fail(where + ".sections: '" + s + "' is named twice");
            kind.sections.push_back(s);
        }
        if (const auto& node = (*t)["professionals_only"]; node) {
            const auto only = strings(*t, "professionals_only");
            if (!only)
                return fail(where + ".professionals_only must be a list of section ids");
            for (const auto& s : *only) {
                if (!kind.has_section(s))
                    return fail(where + ".professionals_only: '" + s +
                                "' is not one of the kind's sections");
                kind.professionals_only.insert(s);
            }
        }
        if (const auto& node = (*t)["vote_recorded"]; node) {
            if (!node.is_boolean())
                return fail(where + ".vote_recorded must be true or false");
            kind.vote_recorded = *node.value<bool>();
        }
        if (const auto& node = (*t)["clocks"]; node) {
            const auto* clocks = node.as_table();
            if (clocks == nullptr)
                return fail(where + ".clocks must be a table");
            for (const auto& [ckey, cnode] : *clocks) {
                const auto clock = calendar::clock_from_name(ckey.str());
                if (!clock)
                    return fail(where + ".clocks: unknown clock '" + std::string(ckey.str()) + "'");
                const auto v = cnode.value<std::int64_t>();
                if (!cnode.is_integer() || !v || *v < 0 || *v > kMaxDays)
                    return fail(where + ".clocks." + std::string(ckey.str()) +
                                " must be a whole number of working days from 0 to 60");
                kind.clocks.set(*clock, static_cast<int>(*v));
            }
        }
        out.kinds_.push_back(std::move(kind));
    }
    return out;
}

base::Expected<Catalogue> Catalogue::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return base::Error{"kinds_bad_data", file.string() + ": cannot be read"};
    std::ostringstream s;
    s << in.rdbuf();
    return parse(s.str(), file.string());
}

const Catalogue& Catalogue::shipped() {
    // The shipped file is checked by the unit tests, so this cannot fail in a release.
    static const Catalogue catalogue = [] {
        auto parsed = parse(detail::shipped_kinds(), "meeting_kinds/data/kinds.toml");
        if (!parsed)
            throw std::logic_error(parsed.error().message);
        return std::move(parsed).value();
    }();
    return catalogue;
}

const Kind* Catalogue::kind(std::string_view id) const {
    for (const auto& k : kinds_)
        if (k.id == id)
            return &k;
    return nullptr;
}

const Section* Catalogue::section(std::string_view id) const {
    const auto it = sections_.find(id);
    return it == sections_.end() ? nullptr : &it->second;
}

std::optional<calendar::ClockDays> Catalogue::clocks(
    std::string_view kind_id, std::string_view agency,
    const calendar::ClockSettings& settings) const {
    const auto* k = kind(kind_id);
    if (k == nullptr)
        return std::nullopt;
    return settings.resolve(agency, kind_id, k->clocks);
}

base::Expected<calendar::ClockSettings> Catalogue::load_clock_settings(
    const std::filesystem::path& file) const {
    return calendar::ClockSettings::load(
        file, [this](std::string_view id) { return kind(id) != nullptr; });
}

base::Expected<std::vector<std::string>> Catalogue::missing_sections(
    std::string_view kind_id, const std::set<std::string, std::less<>>& filled) const {
    const auto* k = kind(kind_id);
    if (k == nullptr)
        return base::Error{"kinds_unknown",
                           "'" + std::string(kind_id) + "' is not a kind of meeting"};
    for (const auto& f : filled)
        if (!k->has_section(f))
            return base::Error{"kinds_unknown_section",
                               "a " + k->label + " record has no section '" + f + "'"};
    std::vector<std::string> missing;
    for (const auto& s : k->sections)
        if (!filled.contains(s))
            missing.push_back(s);
    return missing;
}

}  // namespace liaise::meeting_kinds
