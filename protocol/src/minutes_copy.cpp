#include "liaise/protocol/minutes_copy.hpp"

#include <set>
#include <string>
#include <utility>

#include "liaise/protocol/fields.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;

/// The parts of the record that travel with a section in a partial copy.
constexpr std::pair<std::string_view, std::string_view> kListsOf[] = {
    {"attendance", "attendance"}, {"reports", "reports"}, {"decision", "decisions"},
    {"decision", "agency_views"}, {"plan", "actions"},    {"progress", "carried_forward"}};

}  // namespace

bool professionals_only(const json::object& m, std::string_view id) {
    for (const auto& v : list(m, "sections"))
        if (v.is_object() && str(v.as_object(), "id") == id)
            return flag(v.as_object(), "professionals_only");
    return false;
}

json::array copy_sections(const json::object& m, const json::object& e) {
    if (const auto* chosen = e.if_contains("receives"); chosen != nullptr && chosen->is_array())
        return chosen->as_array();
    const bool family = flag(e, "family");
    json::array out;
    for (const auto& v : list(m, "sections")) {
        if (!v.is_object())
            continue;
        const auto& s = v.as_object();
        if (!family || !flag(s, "professionals_only"))
            out.push_back(s.at("id"));
    }
    return out;
}

std::optional<json::object> copy_of(const json::object& fixed, std::int64_t entry) {
    for (const auto& v : list(fixed, "attendance")) {
        if (!v.is_object())
            continue;
        const auto& e = v.as_object();
        if (num(e, "id") != entry || !str(e, "user").empty() || !flag(e, "copy"))
            continue;
        return json::object{{"entry", entry},
                            {"name", str(e, "name")},
                            {"agency", str(e, "agency")},
                            {"role", str(e, "role")},
                            {"family", flag(e, "family")},
                            {"sections", copy_sections(fixed, e)}};
    }
    return std::nullopt;
}

json::object copy_document(const json::object& fixed, const json::object& copy) {
    const bool family = flag(copy, "family");
    std::set<std::string, std::less<>> allowed;
    for (const auto& v : list(copy, "sections")) {
        if (!v.is_string())
            continue;
        const auto id = std::string(v.as_string());
        // Checked again against the version's own markings: a copy list that somehow names a
        // professionals-only section still leaves it out of a family member's copy.
        if (!family || !professionals_only(fixed, id))
            allowed.insert(id);
    }
    json::object doc;
    for (const auto* k :
         {"meeting", "room", "version", "status", "kind", "kind_label", "title", "starts_at",
          "place", "chair", "minute_taker", "marking", "next_meeting", "case_reference",
          "circulated_by", "circulated_at", "approved_by", "approved_at"})
        if (const auto* v = fixed.if_contains(k))
            doc[k] = *v;
    json::array sections;
    std::size_t left_out = 0;
    for (const auto& v : list(fixed, "sections")) {
        if (v.is_object() && allowed.contains(str(v.as_object(), "id")))
            sections.push_back(v);
        else
            ++left_out;
    }
    doc["sections"] = std::move(sections);
    // Each list goes with the section it belongs to; one whose section this kind's template does
    // not have goes only in a copy that leaves nothing out.
    std::set<std::string, std::less<>> in_template;
    for (const auto& v : list(fixed, "sections"))
        if (v.is_object())
            in_template.insert(str(v.as_object(), "id"));
    for (const auto& [section, key] : kListsOf) {
        const bool goes =
            allowed.contains(section) || (!in_template.contains(section) && left_out == 0);
        const auto* v = fixed.if_contains(key);
        doc[key] = goes && v != nullptr ? *v : json::value(json::array());
    }
    // The agenda's discussion belongs to no section: only a professional who receives every
    // section gets it.
    const auto* agenda = fixed.if_contains("agenda");
    doc["agenda"] =
        !family && left_out == 0 && agenda != nullptr ? *agenda : json::value(json::array());
    doc["copy_for"] = json::object{{"name", str(copy, "name")},
                                   {"role", str(copy, "role")},
                                   {"family", family},
                                   {"sections_left_out", static_cast<std::int64_t>(left_out)}};
    return doc;
}

}  // namespace liaise::protocol
