#include "app/minutes_check.hpp"

#include <boost/json.hpp>
#include <string>

#include "app/error.hpp"
#include "app/minutes_rules.hpp"
#include "app/minutes_template.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/reading_age.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::server {

namespace json = boost::json;
using minutes_rules::array_of;
using protocol::num;
using protocol::str;

json::object check_minutes(const jargon::Engine& engine, const jargon::Audience& audience,
                           const json::object& minutes) {
    json::array sections;
    std::size_t total = 0;
    std::string all;
    const auto check = [&](std::string_view section, std::int64_t id, std::string_view field,
                           const std::string& label, const std::string& text) {
        if (text.empty())
            return;
        all += text + "\n\n";
        auto result = json::parse(jargon::findings_json(engine.check(text, audience))).as_object();
        total += result.at("findings").as_array().size();
        result["section"] = section;
        if (id != 0)
            result["id"] = id;
        result["field"] = field;
        result["label"] = label;
        sections.push_back(std::move(result));
    };
    check("title", 0, "title", "Title", str(minutes, "title"));
    int n = 0;
    for (const auto& v : array_of(minutes, "agenda")) {
        const auto& item = v.as_object();
        const auto name = "Agenda item " + std::to_string(++n);
        check("agenda", num(item, "id"), "title", name + ": title", str(item, "title"));
        check("agenda", num(item, "id"), "discussion", name + ": discussion",
              str(item, "discussion"));
    }
    n = 0;
    for (const auto& v : array_of(minutes, "decisions")) {
        const auto& d = v.as_object();
        const auto name = "Decision " + std::to_string(++n);
        check("decision", num(d, "id"), "decision", name, str(d, "decision"));
        check("decision", num(d, "id"), "reasons", name + ": reasons", str(d, "reasons"));
        check("decision", num(d, "id"), "dissent", name + ": dissent", str(d, "dissent"));
    }
    for (const auto* list : {"actions", "carried_forward"}) {
        for (const auto& v : array_of(minutes, list)) {
            const auto& a = v.as_object();
            const auto name = "Action " + std::to_string(num(a, "id"));
            check("action", num(a, "id"), "what", name, str(a, "what"));
            check("action", num(a, "id"), "outcome", name + ": outcome", str(a, "outcome"));
            check("action", num(a, "id"), "evidence", name + ": evidence", str(a, "evidence"));
        }
    }
    for (const auto& v : array_of(minutes, "sections")) {
        const auto& s = v.as_object();
        check("section", 0, str(s, "id"), str(s, "label"), str(s, "text"));
        check("section", 0, str(s, "id") + ".how_gathered", str(s, "label") + ": how gathered",
              str(s, "how_gathered"));
    }
    for (const auto& v : array_of(minutes, "reports"))
        check("report", num(v.as_object(), "id"), "report", "Report received",
              str(v.as_object(), "report"));
    for (const auto& v : array_of(minutes, "agency_views"))
        check("agency_view", 0, "view", "View of " + str(v.as_object(), "agency"),
              str(v.as_object(), "view"));
    if (const auto* c = minutes.if_contains("correction"); c != nullptr && c->is_object())
        check("correction", 0, "reason", "Reason for correction", str(c->as_object(), "reason"));
    auto whole = json::parse(jargon::findings_json(engine.check(all, audience))).as_object();
    return {{"audience", audience.to_string()},
            {"findings", static_cast<std::int64_t>(total)},
            {"readability", whole.at("readability")},
            {"sections", std::move(sections)}};
}

namespace {

/// Every piece of text a copy document holds, in reading order, one paragraph each.
std::string copy_text(const json::object& doc) {
    std::string out;
    const auto add = [&out](std::string_view text) {
        if (!text.empty())
            out.append(text).append("\n\n");
    };
    add(str(doc, "title"));
    for (const auto& v : array_of(doc, "sections")) {
        add(str(v.as_object(), "text"));
        add(str(v.as_object(), "how_gathered"));
    }
    for (const auto& v : array_of(doc, "reports"))
        add(str(v.as_object(), "report"));
    for (const auto& v : array_of(doc, "agency_views"))
        add(str(v.as_object(), "view"));
    for (const auto& v : array_of(doc, "agenda")) {
        add(str(v.as_object(), "title"));
        add(str(v.as_object(), "discussion"));
    }
    for (const auto& v : array_of(doc, "decisions"))
        for (const auto* k : {"decision", "reasons", "dissent"})
            add(str(v.as_object(), k));
    for (const auto* list : {"actions", "carried_forward"})
        for (const auto& v : array_of(doc, list))
            for (const auto* k : {"what", "outcome"})
                add(str(v.as_object(), k));
    return out;
}

}  // namespace

json::array copy_reading_ages(const json::object& minutes) {
    json::array out;
    for (const auto& v : array_of(minutes, "attendance")) {
        const auto& e = v.as_object();
        if (!protocol::flag(e, "copy") || !protocol::flag(e, "family") || e.contains("user"))
            continue;
        json::array sections;
        try {
            sections = minutes_template::copy_sections(minutes, e);
        } catch (const ServiceError&) {
            continue;  // a chosen section marked professionals-only since: circulation refuses
        }
        const auto count = static_cast<std::int64_t>(sections.size());
        const json::object copy{{"entry", num(e, "id")},
                                {"name", str(e, "name")},
                                {"role", str(e, "role")},
                                {"family", true},
                                {"sections", std::move(sections)}};
        const auto text = copy_text(minutes_template::copy_document(minutes, copy));
        json::value age = nullptr;
        if (const auto a = jargon::reading_age(text))
            age = json::parse(jargon::reading_age_json(text, *a));
        out.push_back(json::object{{"entry", num(e, "id")},
                                   {"name", str(e, "name")},
                                   {"role", str(e, "role")},
                                   {"sections", count},
                                   {"reading_age", std::move(age)}});
    }
    return out;
}

}  // namespace liaise::server
