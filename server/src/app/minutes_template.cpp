#include "app/minutes_template.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "app/error.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/calendar/working_days.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_copy.hpp"

namespace liaise::server::minutes_template {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;
using meeting_kinds::Catalogue;
using meeting_kinds::Kind;
using protocol::flag;
using protocol::list;
using protocol::num;
using protocol::str;

/// The kinds meetings had before templates: a record of one of them without a case reference
/// or any section is an old-style record.
constexpr std::array<std::string_view, 6> kEarlierKinds = {
    "core-group", "team-around-the-family", "strategy", "child-in-need", "professionals", "other"};

const json::object& section_body(const json::object& body, std::string_view id) {
    static const json::object kEmpty;
    if (const auto* s = body.if_contains("sections"); s != nullptr && s->is_object())
        if (const auto* e = s->as_object().if_contains(id); e != nullptr && e->is_object())
            return e->as_object();
    return kEmpty;
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
}

}  // namespace

const Kind& require_kind(std::string_view id) {
    const auto& catalogue = Catalogue::shipped();
    if (const auto* k = catalogue.kind(id))
        return *k;
    std::string ids;
    for (const auto& k : catalogue.kinds())
        ids += (ids.empty() ? "" : ", ") + k.id;
    throw ServiceError(errc::bad_request, "kind: '" + std::string(id.substr(0, 40)) +
                                              "' is not a kind of meeting; " + "use one of " + ids);
}

const Kind& kind_of(std::string_view id) {
    const auto& catalogue = Catalogue::shipped();
    if (const auto* k = catalogue.kind(id))
        return *k;
    return *catalogue.kind("other");
}

std::string require_case_reference(std::string_view ref) {
    const auto ok_char = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == ' ' || c == '-' || c == '/' || c == '.' || c == '_';
    };
    if (ref.empty())
        return {};
    const bool starts = (ref[0] >= 'A' && ref[0] <= 'Z') || (ref[0] >= 'a' && ref[0] <= 'z') ||
                        (ref[0] >= '0' && ref[0] <= '9');
    if (ref.size() > 40 || !starts || !std::all_of(ref.begin(), ref.end(), ok_char) ||
        ref.back() == ' ')
        throw ServiceError(errc::bad_request,
                           "case_reference: must be 1 to 40 letters, digits, spaces and - / . _, "
                           "starting with a letter or digit (for example CP-2041/26)");
    return std::string(ref);
}

bool templated(const Kind& kind, const json::object& body) {
    if (std::find(kEarlierKinds.begin(), kEarlierKinds.end(), kind.id) == kEarlierKinds.end())
        return true;
    if (!str(body, "case_reference").empty())
        return true;
    if (const auto* s = body.if_contains("sections"); s != nullptr && s->is_object())
        for (const auto& [id, v] : s->as_object())
            if (v.is_object() && (!str(v.as_object(), "text").empty() ||
                                  !str(v.as_object(), "how_gathered").empty()))
                return true;
    return !list(body, "reports").empty() || !list(body, "agency_views").empty();
}

json::array sections_json(const Kind& kind, const json::object& body) {
    const auto& catalogue = Catalogue::shipped();
    json::array out;
    for (const auto& id : kind.sections) {
        const auto* section = catalogue.section(id);
        const auto& s = section_body(body, id);
        const auto* marked = s.if_contains("professionals_only");
        json::object o{{"id", id},
                       {"label", section != nullptr ? section->label : id},
                       {"guidance", section != nullptr ? section->guidance : ""},
                       {"text", str(s, "text")},
                       {"professionals_only", marked != nullptr && marked->is_bool()
                                                  ? marked->as_bool()
                                                  : kind.is_professionals_only(id)}};
        if (id == "child-views")
            o["how_gathered"] = str(s, "how_gathered");
        out.push_back(std::move(o));
    }
    return out;
}

json::array missing_sections(const Kind& kind, const json::object& m) {
    std::map<std::string, const json::object*, std::less<>> by_id;
    for (const auto& v : list(m, "sections"))
        by_id[str(v.as_object(), "id")] = &v.as_object();
    json::array out;
    for (const auto& v : list(m, "sections")) {
        const auto& s = v.as_object();
        const auto id = str(s, "id");
        const bool text = !blank(str(s, "text"));
        std::string why;
        if (id == "attendance") {
            if (!text && list(m, "attendance").empty())
                why = "record who was invited and who came (liaise meeting attend)";
        } else if (id == "reports") {
            if (!text && list(m, "reports").empty())
                why =
                    "list each report received and whether it was shared with the parents "
                    "beforehand, or write that there were none";
        } else if (id == "child-views") {
            if (!text)
                why = "record the child's views and wishes";
            else if (blank(str(s, "how_gathered")))
                why = "say how the child's views were gathered";
        } else if (id == "decision") {
            bool reasons = true;
            for (const auto& d : list(m, "decisions"))
                reasons = reasons && !blank(str(d.as_object(), "reasons"));
            if (!text && list(m, "decisions").empty())
                why = "record the decision and its reasons";
            else if (!reasons)
                why = "give the reasons for every decision";
            else if (kind.vote_recorded && list(m, "agency_views").empty())
                why = "record each agency's view of the decision (this kind records a vote)";
        } else if (id == "plan") {
            if (!text && list(m, "actions").empty())
                why = "record the plan: each action with a named owner and a timescale";
        } else if (id == "progress") {
            if (!text && list(m, "carried_forward").empty())
                why = "record the progress and impact of the actions from last time";
        } else if (!text) {
            why = "write this section (write \"None\" if there was nothing to record)";
        }
        if (!why.empty())
            out.push_back(json::object{{"id", id}, {"label", str(s, "label")}, {"why", why}});
    }
    return out;
}

bool professionals_only(const json::object& m, std::string_view id) {
    return protocol::professionals_only(m, id);
}

json::array copy_sections(const json::object& m, const json::object& e) {
    const bool family = flag(e, "family");
    if (const auto* chosen = e.if_contains("receives"); chosen != nullptr && chosen->is_array())
        for (const auto& v : chosen->as_array()) {
            const auto id = std::string(v.as_string());
            if (family && professionals_only(m, id))
                throw ServiceError(
                    errc::professionals_only,
                    str(e, "name") + " is to receive the section '" + id +
                        "', which is now marked professionals-only: a family member's copy "
                        "never holds it; change what they receive (liaise meeting attend --entry " +
                        std::to_string(num(e, "id")) + " --receives ...)");
        }
    return protocol::copy_sections(m, e);
}

json::object copy_document(const json::object& fixed, const json::object& copy) {
    return protocol::copy_document(fixed, copy);
}

json::array deadlines_json(const MeetingClocks& clocks, std::string_view starts_at,
                           std::optional<std::int64_t> circulated_ms, std::int64_t today_ms) {
    const auto& holidays = calendar::BankHolidays::england_and_wales();
    const auto held = calendar::parse_date(starts_at.substr(0, 10));
    const auto today = calendar::london_date(today_ms);
    json::array out;
    if (!held)
        return out;
    for (const auto clock : calendar::kClocks) {
        const auto days = clocks.days().get(clock);
        if (!days)
            continue;
        json::object d{{"clock", calendar::clock_name(clock)},
                       {"label", calendar::clock_label(clock)},
                       {"days", *days}};
        const bool comments = clock == calendar::Clock::accuracy_comments;
        if (comments && !circulated_ms) {
            d["due"] = nullptr;
            d["status"] = "not started";
            out.push_back(std::move(d));
            continue;
        }
        const auto start = comments ? calendar::london_date(*circulated_ms) : *held;
        const auto due = calendar::due_date(holidays, start, *days);
        if (!due) {
            d["due"] = nullptr;
            d["status"] = "unknown";
            d["problem"] = due.error().message;
            out.push_back(std::move(d));
            continue;
        }
        d["due"] = calendar::iso_text(due.value());
        if (comments)
            d["status"] = today <= due.value() ? "open" : "closed";
        else if (circulated_ms)
            d["status"] = calendar::london_date(*circulated_ms) <= due.value() ? "met" : "met late";
        else
            d["status"] = today <= due.value() ? "due" : "late";
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<calendar::Date> comments_close_on(const MeetingClocks& clocks,
                                                std::int64_t circulated_ms) {
    const auto days = clocks.days().get(calendar::Clock::accuracy_comments);
    const auto due = calendar::due_date(calendar::BankHolidays::england_and_wales(),
                                        calendar::london_date(circulated_ms), days.value_or(10));
    if (!due)
        return std::nullopt;
    return due.value();
}

}  // namespace liaise::server::minutes_template
