// The subject access bundle as documents (subject_access_export.hpp).
#include "liaise/protocol/subject_access_export.hpp"

#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_export.hpp"

namespace liaise::protocol {
namespace {

namespace json = boost::json;

constexpr std::string_view kMarking = "OFFICIAL-SENSITIVE: PERSONAL DATA";

std::string joined(const json::array& a) {
    std::string out;
    for (const auto& v : a)
        if (v.is_string())
            out += (out.empty() ? "" : ", ") + std::string(v.get_string());
    return out;
}

std::string who(const json::object& bundle) {
    const auto* s = bundle.if_contains("subject");
    if (s == nullptr || !s->is_object())
        return {};
    const auto& o = s->as_object();
    if (const auto user = str(o, "user"); !user.empty())
        return str(o, "display_name") + " (account " + user + ", " + str(o, "agency") + ")";
    return str(o, "name") + " (a name written in the minutes; no account)";
}

std::string nullable(const json::object& o, std::string_view key, std::string_view none) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string(none);
}

/// The facts at the top: label and value.
std::vector<std::pair<std::string, std::string>> facts(const json::object& b) {
    return {{"Person", who(b)},
            {"Reason or case reference", str(b, "reason")},
            {"Requested by", str(b, "requested_by")},
            {"Generated", str(b, "generated") + " (Europe/London)"},
            {"Answer due by", str(b, "respond_by")},
            {"Items found", std::to_string(num(b, "total_items"))}};
}

const std::vector<std::pair<std::string_view, std::string_view>> kNotes = {
    {"searched", "Searched"}, {"matching", "How matching was done"},
    {"messages", "Messages"}, {"redaction", "Redaction"},
    {"deadline", "Deadline"}, {"schema", "Machine-readable form"}};

const std::vector<std::pair<std::string_view, std::string_view>> kSources = {
    {"minutes", "Minutes"}, {"action", "Actions"}, {"audit", "Audit records"}};

/// "Core group: Review of the plan, 20 Nov 2026 10:00, room case-2041" for a minutes item.
std::string source_line(const json::object& i) {
    const auto source = str(i, "source");
    if (source == "audit")
        return "Audit record " + std::to_string(num(i, "seq")) + ", " + str(i, "date") + ", by " +
               (str(i, "actor").empty() ? "?" : str(i, "actor"));
    std::string out = str(i, "title");
    if (source == "minutes") {
        out = str(i, "kind") + ": " + out + ", " + str(i, "date") + ", room " + str(i, "room");
        if (const auto ref = str(i, "case_reference"); !ref.empty())
            out += ", case " + ref;
    } else {
        out = "Action " + std::to_string(num(i, "action")) + " (meeting " +
              std::to_string(num(i, "meeting")) + (out.empty() ? "" : ": " + out) + "), " +
              str(i, "date") + ", room " + str(i, "room");
    }
    return out;
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from < text.size()) {
        auto end = text.find('\n', from);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > from)
            out.emplace_back(text.substr(from, end - from));
        from = end + 1;
    }
    return out;
}

}  // namespace

std::string subject_access_markdown(const json::object& b) {
    const auto md = [](std::string_view s) { return markdown_escaped(s, true); };
    std::string o = "**" + std::string(kMarking) + "**\n\n";
    o += "# Subject access bundle\n\n";
    for (const auto& [label, value] : facts(b))
        o += "- **" + label + ":** " + md(value) + "\n";
    o += "\nEvery item below is for review before release: other people's names and information "
         "are left visible and must be considered for redaction.\n";
    o += "\n## How this bundle was made\n\n";
    const auto* notes = b.if_contains("notes");
    for (const auto& [key, label] : kNotes)
        if (notes != nullptr && notes->is_object())
            o += "- **" + std::string(label) + ":** " + md(str(notes->as_object(), key)) + "\n";
    o += "\n## Rooms whose messages the members should search\n\n";
    const auto& rooms = list(b, "rooms");
    if (rooms.empty()) {
        o += "None.\n";
    } else {
        o += "| Room | Member now | Member since | Messages sent | First sent | Last sent | Named "
             "in minutes |\n|---|---|---|---|---|---|---|\n";
        for (const auto& v : rooms) {
            const auto& r = v.as_object();
            o += "| " + md(str(r, "room")) + " | " + (flag(r, "member") ? "Yes" : "No") + " | " +
                 nullable(r, "member_since", flag(r, "member") ? "the start" : "-") + " | " +
                 std::to_string(num(r, "messages_sent")) + " | " + nullable(r, "first_sent", "-") +
                 " | " + nullable(r, "last_sent", "-") + " | " +
                 (flag(r, "named_in_minutes") ? "Yes" : "No") + " |\n";
        }
    }
    for (const auto& [source, heading] : kSources) {
        o += "\n## " + std::string(heading) + "\n\n";
        int n = 0;
        for (const auto& v : list(b, "items")) {
            const auto& i = v.as_object();
            if (str(i, "source") != source)
                continue;
            ++n;
            o += "### " + std::to_string(n) + ". " + md(str(i, "section")) + "\n\n";
            o += "- **Source:** " + md(source_line(i)) + "\n";
            if (const auto& versions = list(i, "versions"); !versions.empty())
                o += "- **In:** " + md(joined(versions)) + "\n";
            o += "- **Matched by:** " + md(joined(list(i, "matched"))) + "\n";
            if (const auto& others = list(i, "others_named"); !others.empty())
                o += "- **Review for redaction, also names:** " + md(joined(others)) + "\n";
            o += "\n";
            for (const auto& line : lines_of(str(i, "text")))
                o += "> " + md(line) + "  \n";  // two spaces: a line break in Markdown
            o += "\n";
        }
        if (n == 0)
            o += "None found.\n";
    }
    o += "\n**" + std::string(kMarking) + "**\n";
    return o;
}

std::string subject_access_html(const json::object& b) {
    const auto h = [](std::string_view s) { return html_escaped(s); };
    std::string o = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Subject access bundle &#8212; )" +
                    h(who(b)) + R"(</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #000; max-width: 60em; margin: 1em auto; padding: 0 1em; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.1em; border: 2px solid #000; padding: 0.3em; margin: 0.5em 0; }
h1 { font-size: 18pt; margin: 0.6em 0 0.3em; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; margin-top: 1.2em; }
h3 { font-size: 12pt; margin-bottom: 0.2em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
.item { border: 1px solid #999; padding: 0.4em 0.8em; margin: 0.6em 0; page-break-inside: avoid; }
.source { color: #333; margin: 0; }
.review { background: #fff3bf; border-left: 4px solid #e6a700; padding: 0.2em 0.5em; margin: 0.3em 0; }
.text { margin: 0.4em 0 0 0; padding-left: 1.2em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
)";
    o += "<div class=\"marking\">" + std::string(kMarking) + "</div>\n";
    o += "<h1>Subject access bundle</h1>\n<dl class=\"facts\">\n";
    for (const auto& [label, value] : facts(b))
        o += "<dt>" + label + "</dt><dd>" + h(value) + "</dd>\n";
    o += "</dl>\n<p class=\"review\">Every item is for review before release: other people's "
         "names and information are left visible and must be considered for redaction.</p>\n";
    o += "<h2>How this bundle was made</h2>\n<dl class=\"facts\">\n";
    if (const auto* notes = b.if_contains("notes"); notes != nullptr && notes->is_object())
        for (const auto& [key, label] : kNotes)
            o += "<dt>" + std::string(label) + "</dt><dd>" + h(str(notes->as_object(), key)) +
                 "</dd>\n";
    o += "</dl>\n<h2>Rooms whose messages the members should search</h2>\n";
    const auto& rooms = list(b, "rooms");
    if (rooms.empty()) {
        o += "<p>None.</p>\n";
    } else {
        o += "<table>\n<tr><th>Room</th><th>Member now</th><th>Member since</th><th>Messages "
             "sent</th><th>First sent</th><th>Last sent</th><th>Named in minutes</th></tr>\n";
        for (const auto& v : rooms) {
            const auto& r = v.as_object();
            o += "<tr><td>" + h(str(r, "room")) + "</td><td>" + (flag(r, "member") ? "Yes" : "No") +
                 "</td><td>" +
                 h(nullable(r, "member_since", flag(r, "member") ? "the start" : "-")) +
                 "</td><td>" + std::to_string(num(r, "messages_sent")) + "</td><td>" +
                 h(nullable(r, "first_sent", "-")) + "</td><td>" +
                 h(nullable(r, "last_sent", "-")) + "</td><td>" +
                 (flag(r, "named_in_minutes") ? "Yes" : "No") + "</td></tr>\n";
        }
        o += "</table>\n";
    }
    for (const auto& [source, heading] : kSources) {
        o += "<h2>" + std::string(heading) + "</h2>\n";
        int n = 0;
        for (const auto& v : list(b, "items")) {
            const auto& i = v.as_object();
            if (str(i, "source") != source)
                continue;
            ++n;
            o += "<section class=\"item\">\n<h3>" + std::to_string(n) + ". " +
                 h(str(i, "section")) + "</h3>\n<p class=\"source\">" + h(source_line(i));
            if (const auto& versions = list(i, "versions"); !versions.empty())
                o += "<br>In: " + h(joined(versions));
            o += "<br>Matched by: " + h(joined(list(i, "matched"))) + "</p>\n";
            if (const auto& others = list(i, "others_named"); !others.empty())
                o += "<p class=\"review\">Review for redaction: also names " + h(joined(others)) +
                     "</p>\n";
            o += "<ul class=\"text\">\n";
            for (const auto& line : lines_of(str(i, "text")))
                o += "<li>" + h(line) + "</li>\n";
            o += "</ul>\n</section>\n";
        }
        if (n == 0)
            o += "<p>None found.</p>\n";
    }
    o += "<div class=\"marking\">" + std::string(kMarking) + "</div>\n</body>\n</html>\n";
    return o;
}

}  // namespace liaise::protocol
