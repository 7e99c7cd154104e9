// The minutes exports (PROTOCOL.md, "Meetings and minutes"): what the server sends for
// meeting_export and what a client writes from a version whose signatures it checked.
#include "liaise/protocol/minutes_export.hpp"

#include <boost/json.hpp>

#include "liaise/protocol/fields.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;

const json::array& array_of(const json::object& o, std::string_view key) {
    return list(o, key);
}

std::string utc_time(std::int64_t ms) {
    return minute_time(ms, true);
}

/// `s` with what would reorder or break a line where it is shown — bidirectional overrides,
/// isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), C1 controls and
/// the line and paragraph separators — as U+FFFD, so that a name or a minute cannot make the
/// text after it read backwards or start a line of its own. Requests are valid UTF-8 and free of
/// other controls than line breaks and tabs, so these are what is left to take out.
std::string visible(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto at = [&](std::size_t k) {
            return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0U;
        };
        std::size_t len = 0;
        if ((at(0) == 0xC2 && at(1) >= 0x80 && at(1) <= 0x9F) || (at(0) == 0xD8 && at(1) == 0x9C))
            len = 2;  // C1 controls, U+061C
        else if (at(0) == 0xE2 && at(1) == 0x80 &&
                 (at(2) == 0x8E || at(2) == 0x8F || (at(2) >= 0xA8 && at(2) <= 0xAE)))
            len = 3;  // U+200E, U+200F, U+2028-U+202E
        else if (at(0) == 0xE2 && at(1) == 0x81 && at(2) >= 0xA6 && at(2) <= 0xA9)
            len = 3;  // U+2066-U+2069
        if (len > 0) {
            out += "\xEF\xBF\xBD";
            i += len;
        } else {
            out += s[i++];
        }
    }
    return out;
}

std::string html_escape(std::string_view raw) {
    const auto s = visible(raw);
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

/// Text as HTML with line breaks kept.
std::string html_text(std::string_view s) {
    std::string out;
    for (const char c : html_escape(s)) {
        if (c == '\n')
            out += "<br>";
        else if (c != '\r')
            out += c;
    }
    return out;
}

/// Text safe in Markdown: characters with a meaning are escaped; in a table cell, line breaks
/// become spaces. Elsewhere each line loses its leading spaces and a line cannot begin a list,
/// a quote, a rule, a code fence or a heading ("- ", "1. ", "> ", "---", "===", "~~~"): a line
/// of a minute reads as a line of that minute, never as the document's own structure.
std::string md(std::string_view raw, bool cell = false) {
    const auto s = visible(raw);
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\r')
            continue;
        if (line_start && !cell) {
            if (c == ' ' || c == '\t')
                continue;
            if (std::string_view("-+=~").find(c) != std::string_view::npos)
                out += '\\';
            if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
                auto end = i;
                while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end])) != 0)
                    ++end;
                if (end < s.size() && (s[end] == '.' || s[end] == ')')) {
                    out.append(s, i, end - i);
                    out += '\\';
                    out += s[end];
                    i = end;
                    line_start = false;
                    continue;
                }
            }
        }
        line_start = c == '\n';
        if (std::string_view("\\`*_[]<>|#").find(c) != std::string_view::npos)
            out += '\\';
        out += (cell && c == '\n') ? ' ' : c;
    }
    return out;
}

std::string person_line(const json::object& p) {
    return str(p, "display_name") + " (" + str(p, "agency") + ")";
}

std::string owner_line(const json::object& a) {
    const auto& o = a.at("owner").as_object();
    auto s = str(o, "name");
    if (const auto agency = str(o, "agency"); !agency.empty())
        s += ", " + agency;
    return s;
}

std::string recipient_line(const json::object& d) {
    const auto agency = str(d, "agency");
    return str(d, "name") + (agency.empty() ? "" : " (" + agency + ")");
}

/// What became of one recipient's copy: sent (and opened) for an account, which the server
/// sends it to; for someone without one, that it is theirs to be given.
std::string delivery(const json::object& d) {
    if (!d.contains("user")) {
        auto s =
            "a copy to be given to them (no account), circulated " + utc_time(num(d, "sent_at"));
        if (const auto* got = d.if_contains("sections"); got != nullptr && got->is_array()) {
            std::string ids;
            for (const auto& v : got->as_array())
                if (v.is_string())
                    ids += (ids.empty() ? "" : ", ") + std::string(v.get_string());
            s += ", holding the sections: " + (ids.empty() ? std::string("none") : ids);
        }
        return s;
    }
    auto s = "sent " + utc_time(num(d, "sent_at"));
    if (const auto at = num(d, "received_at"); at != 0)
        s += ", received " + utc_time(at);
    if (const auto at = num(d, "acknowledged_at"); at != 0)
        s += ", acknowledged " + utc_time(at);
    return s;
}

std::string attendee_who(const json::object& e) {
    auto s = str(e, "name");
    if (flag(e, "family"))
        s += " (family)";
    return s;
}

/// How the document names the meeting's kind: its label as the minutes carry it.
std::string kind_line(const json::object& m) {
    if (const auto label = str(m, "kind_label"); !label.empty())
        return label;
    return term_label(kMeetingKinds, str(m, "kind"));
}

/// "Kelly Smith (Mother), a partial copy: 3 sections left out" for a recipient's copy.
std::string copy_line(const json::object& c) {
    auto s = str(c, "name");
    if (const auto role = str(c, "role"); !role.empty())
        s += " (" + role + ")";
    if (const auto n = num(c, "sections_left_out"); n > 0)
        s += ", a partial copy: " + std::to_string(n) + " section" + (n == 1 ? "" : "s") +
             " left out";
    return s;
}

/// Whether the minutes have anything of their kind's template to show.
bool has_record(const json::object& m) {
    for (const auto& v : array_of(m, "sections"))
        if (v.is_object() && !str(v.as_object(), "text").empty())
            return true;
    return !array_of(m, "reports").empty() || !array_of(m, "agency_views").empty();
}

/// The status line of a version: "Draft", "Circulated …", "Approved by … on …".
std::string status_line(const json::object& minutes) {
    const auto status = str(minutes, "status");
    std::string s = "Version " + std::to_string(num(minutes, "version")) + ", ";
    if (status == "approved") {
        s += "approved";
        if (const auto* by = minutes.if_contains("approved_by"); by != nullptr && by->is_object())
            s += " by " + person_line(by->as_object());
        if (const auto at = num(minutes, "approved_at"); at != 0)
            s += " on " + utc_time(at);
    } else if (status == "circulated" || status == "superseded") {
        s += status;
        if (const auto at = num(minutes, "circulated_at"); at != 0)
            s += " on " + utc_time(at);
        s += status == "circulated" ? ", awaiting approval" : "";
    } else {
        s += "draft: not yet circulated";
    }
    return s;
}

/// An export's action tables: the minutes' actions always (an empty table says none were
/// agreed), those carried forward from earlier meetings only when there are some.
struct ActionList {
    const char* key;
    const char* heading;
    bool when_empty;
};
constexpr ActionList kActionLists[] = {
    {"carried_forward", "Actions carried forward for review", false}, {"actions", "Actions", true}};

}  // namespace

std::string term_label(std::span<const Term> terms, std::string_view code) {
    for (const auto& t : terms)
        if (t.code == code)
            return std::string(t.label);
    return std::string(code);
}

std::string export_markdown(const json::object& m) {
    const auto marking = str(m, "marking");
    std::string o;
    o += "**" + marking + "**\n\n";
    o += "# " + md(str(m, "title")) + "\n\n";
    o += "- **Meeting:** " + md(kind_line(m)) + "\n";
    if (const auto ref = str(m, "case_reference"); !ref.empty())
        o += "- **Case reference:** " + md(ref) + "\n";
    if (const auto* c = m.if_contains("copy_for"); c != nullptr && c->is_object())
        o += "- **Copy for:** " + md(copy_line(c->as_object())) + "\n";
    o += "- **Date and time:** " + str(m, "starts_at") + "\n";
    o += "- **Place:** " + md(str(m, "place")) + "\n";
    o += "- **Chair:** " + md(person_line(m.at("chair").as_object())) + "\n";
    o += "- **Minutes taken by:** " + md(person_line(m.at("minute_taker").as_object())) + "\n";
    o += "- **Status:** " + md(status_line(m)) + "\n";
    if (const auto* next = m.if_contains("next_meeting"); next != nullptr && next->is_string())
        o += "- **Next meeting:** " + std::string(next->get_string()) + "\n";
    if (const auto* c = m.if_contains("correction"); c != nullptr && c->is_object())
        o += "- **Correction of version " + std::to_string(num(c->as_object(), "of_version")) +
             ":** " + md(str(c->as_object(), "reason"), true) + "\n";
    o += "\n## Attendance\n\n| Name | Agency | Role | Attendance |\n|---|---|---|---|\n";
    for (const auto& v : array_of(m, "attendance")) {
        const auto& e = v.as_object();
        o += "| " + md(attendee_who(e), true) + " | " + md(str(e, "agency"), true) + " | " +
             md(str(e, "role"), true) + " | " + term_label(kAttendanceStatuses, str(e, "status")) +
             " |\n";
    }
    if (has_record(m)) {
        o += "\n## Record\n\n";
        for (const auto& v : array_of(m, "sections")) {
            const auto& sec = v.as_object();
            if (str(sec, "text").empty())
                continue;
            o += "### " + md(str(sec, "label")) +
                 (flag(sec, "professionals_only") ? " (professionals only)" : "") + "\n\n" +
                 md(str(sec, "text")) + "\n\n";
            if (const auto how = str(sec, "how_gathered"); !how.empty())
                o += "How they were gathered: " + md(how, true) + "\n\n";
        }
        if (const auto& reports = array_of(m, "reports"); !reports.empty()) {
            o += "### Reports received\n\n| Report | By | Shared with parents beforehand "
                 "|\n|---|---|---|\n";
            for (const auto& v : reports) {
                const auto& r = v.as_object();
                o += "| " + md(str(r, "report"), true) + " | " + md(str(r, "by"), true) + " | " +
                     (flag(r, "shared_with_parents") ? "Yes" : "No") + " |\n";
            }
            o += "\n";
        }
        if (const auto& views = array_of(m, "agency_views"); !views.empty()) {
            o += "### Each agency's view of the decision\n\n";
            for (const auto& v : views)
                o += "- " + md(str(v.as_object(), "agency"), true) + ": " +
                     md(str(v.as_object(), "view"), true) + "\n";
            o += "\n";
        }
    }
    o += "\n## Agenda and discussion\n\n";
    int n = 0;
    for (const auto& v : array_of(m, "agenda")) {
        const auto& item = v.as_object();
        o += "### " + std::to_string(++n) + ". " + md(str(item, "title")) + "\n\n";
        o += md(str(item, "discussion")) + "\n\n";
    }
    o += "## Decisions\n\n";
    n = 0;
    for (const auto& v : array_of(m, "decisions")) {
        const auto& d = v.as_object();
        o += std::to_string(++n) + ". **" + md(str(d, "decision"), true) + "**\n";
        if (const auto r = str(d, "reasons"); !r.empty())
            o += "   - Reasons: " + md(r, true) + "\n";
        if (const auto r = str(d, "dissent"); !r.empty())
            o += "   - Dissent: " + md(r, true) + "\n";
    }
    for (const auto& list : kActionLists) {
        if (!list.when_empty && array_of(m, list.key).empty())
            continue;
        o += std::string("\n## ") + list.heading +
             "\n\n| # | Action | Outcome it serves | Owner | Due | Review | Status | Evidence "
             "|\n|---|---|---|---|---|---|---|---|\n";
        for (const auto& v : array_of(m, list.key)) {
            const auto& a = v.as_object();
            const auto* review = a.if_contains("review");
            o += "| " + std::to_string(num(a, "id")) + " | " + md(str(a, "what"), true) + " | " +
                 md(str(a, "outcome"), true) + " | " + md(owner_line(a), true) + " | " +
                 str(a, "due") + " | " +
                 (review != nullptr && review->is_string() ? std::string(review->get_string())
                                                           : std::string()) +
                 " | " + term_label(kActionStatuses, str(a, "status")) + " | " +
                 md(str(a, "evidence"), true) + " |\n";
        }
    }
    if (const auto& dist = array_of(m, "distribution"); !dist.empty()) {
        o += "\n## Distribution\n\n";
        for (const auto& v : dist) {
            const auto& d = v.as_object();
            o += "- " + md(recipient_line(d)) + ": " + delivery(d) + "\n";
        }
    }
    o += "\n**" + marking + "**\n";
    return o;
}

std::string export_html(const json::object& m) {
    const auto marking = html_escape(str(m, "marking"));
    std::string o = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>)" + marking +
                    " &#8212; " + html_escape(str(m, "title")) +
                    R"(</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; max-width: 60em; margin: 1em auto; padding: 0 1em; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.1em; border: 2px solid #000; padding: 0.3em; margin: 0.5em 0; }
h1 { font-size: 18pt; margin: 0.6em 0 0.3em; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; margin-top: 1.2em; }
h3 { font-size: 12pt; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
.reasons, .dissent { margin: 0.2em 0 0.6em 1.5em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
</style>
</head>
<body>
)";
    o += "<div class=\"marking\">" + marking + "</div>\n";
    o += "<h1>" + html_escape(str(m, "title")) + "</h1>\n<dl class=\"facts\">\n";
    const auto fact = [&o](std::string_view name, const std::string& value) {
        o += "<dt>" + std::string(name) + "</dt><dd>" + html_text(value) + "</dd>\n";
    };
    fact("Meeting", kind_line(m));
    if (const auto ref = str(m, "case_reference"); !ref.empty())
        fact("Case reference", ref);
    if (const auto* c = m.if_contains("copy_for"); c != nullptr && c->is_object())
        fact("Copy for", copy_line(c->as_object()));
    fact("Date and time", str(m, "starts_at"));
    fact("Place", str(m, "place"));
    fact("Chair", person_line(m.at("chair").as_object()));
    fact("Minutes taken by", person_line(m.at("minute_taker").as_object()));
    fact("Status", status_line(m));
    if (const auto* next = m.if_contains("next_meeting"); next != nullptr && next->is_string())
        fact("Next meeting", std::string(next->get_string()));
    if (const auto* c = m.if_contains("correction"); c != nullptr && c->is_object())
        fact("Correction of version " + std::to_string(num(c->as_object(), "of_version")),
             str(c->as_object(), "reason"));
    o += "</dl>\n<h2>Attendance</h2>\n<table>\n<tr><th>Name</th><th>Agency</th><th>Role</th>"
         "<th>Attendance</th></tr>\n";
    for (const auto& v : array_of(m, "attendance")) {
        const auto& e = v.as_object();
        o += "<tr><td>" + html_escape(attendee_who(e)) + "</td><td>" +
             html_escape(str(e, "agency")) + "</td><td>" + html_escape(str(e, "role")) +
             "</td><td>" + term_label(kAttendanceStatuses, str(e, "status")) + "</td></tr>\n";
    }
    o += "</table>\n";
    if (has_record(m)) {
        o += "<h2>Record</h2>\n";
        for (const auto& v : array_of(m, "sections")) {
            const auto& sec = v.as_object();
            if (str(sec, "text").empty())
                continue;
            o += "<h3>" + html_escape(str(sec, "label")) +
                 (flag(sec, "professionals_only") ? " (professionals only)" : "") + "</h3>\n<p>" +
                 html_text(str(sec, "text")) + "</p>\n";
            if (const auto how = str(sec, "how_gathered"); !how.empty())
                o += "<p>How they were gathered: " + html_text(how) + "</p>\n";
        }
        if (const auto& reports = array_of(m, "reports"); !reports.empty()) {
            o += "<h3>Reports received</h3>\n<table>\n<tr><th>Report</th><th>By</th>"
                 "<th>Shared with parents beforehand</th></tr>\n";
            for (const auto& v : reports) {
                const auto& r = v.as_object();
                o += "<tr><td>" + html_escape(str(r, "report")) + "</td><td>" +
                     html_escape(str(r, "by")) + "</td><td>" +
                     (flag(r, "shared_with_parents") ? "Yes" : "No") + "</td></tr>\n";
            }
            o += "</table>\n";
        }
        if (const auto& views = array_of(m, "agency_views"); !views.empty()) {
            o += "<h3>Each agency's view of the decision</h3>\n<ul>\n";
            for (const auto& v : views)
                o += "<li>" + html_escape(str(v.as_object(), "agency")) + ": " +
                     html_text(str(v.as_object(), "view")) + "</li>\n";
            o += "</ul>\n";
        }
    }
    o += "<h2>Agenda and discussion</h2>\n";
    int n = 0;
    for (const auto& v : array_of(m, "agenda")) {
        const auto& item = v.as_object();
        o += "<h3>" + std::to_string(++n) + ". " + html_escape(str(item, "title")) + "</h3>\n<p>" +
             html_text(str(item, "discussion")) + "</p>\n";
    }
    o += "<h2>Decisions</h2>\n<ol>\n";
    for (const auto& v : array_of(m, "decisions")) {
        const auto& d = v.as_object();
        o += "<li><strong>" + html_text(str(d, "decision")) + "</strong>";
        if (const auto r = str(d, "reasons"); !r.empty())
            o += "<div class=\"reasons\">Reasons: " + html_text(r) + "</div>";
        if (const auto r = str(d, "dissent"); !r.empty())
            o += "<div class=\"dissent\">Dissent: " + html_text(r) + "</div>";
        o += "</li>\n";
    }
    o += "</ol>\n";
    for (const auto& list : kActionLists) {
        if (!list.when_empty && array_of(m, list.key).empty())
            continue;
        o += std::string("<h2>") + list.heading +
             "</h2>\n<table>\n<tr><th>#</th><th>Action</th><th>Outcome it serves</th>"
             "<th>Owner</th><th>Due</th><th>Review</th><th>Status</th><th>Evidence</th></tr>\n";
        for (const auto& v : array_of(m, list.key)) {
            const auto& a = v.as_object();
            const auto* review = a.if_contains("review");
            o += "<tr><td>" + std::to_string(num(a, "id")) + "</td><td>" +
                 html_text(str(a, "what")) + "</td><td>" + html_text(str(a, "outcome")) +
                 "</td><td>" + html_escape(owner_line(a)) + "</td><td>" +
                 html_escape(str(a, "due")) + "</td><td>" +
                 (review != nullptr && review->is_string()
                      ? html_escape(std::string(review->get_string()))
                      : std::string()) +
                 "</td><td>" + term_label(kActionStatuses, str(a, "status")) + "</td><td>" +
                 html_text(str(a, "evidence")) + "</td></tr>\n";
        }
        o += "</table>\n";
    }
    if (const auto& dist = array_of(m, "distribution"); !dist.empty()) {
        o += "<h2>Distribution</h2>\n<ul>\n";
        for (const auto& v : dist) {
            const auto& d = v.as_object();
            o += "<li>" + html_escape(recipient_line(d) + ": " + delivery(d)) + "</li>\n";
        }
        o += "</ul>\n";
    }
    o += "<div class=\"marking\">" + marking + "</div>\n</body>\n</html>\n";
    return o;
}

std::string markdown_escaped(std::string_view text, bool cell) {
    return md(text, cell);
}

std::string html_escaped(std::string_view text, bool line_breaks) {
    return line_breaks ? html_text(text) : html_escape(text);
}

}  // namespace liaise::protocol
