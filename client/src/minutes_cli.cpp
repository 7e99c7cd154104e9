#include "minutes_cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_copy.hpp"
#include "liaise/protocol/minutes_export.hpp"

#include "cli_support.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/local_time.hpp"
#include "plain_reading.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// What the server's refusals of meeting and action requests call things, in the command's
/// words: the request fields that are options, and the requests that are commands.
constexpr Rewording kWords[] = {
    {"(acknowledge: true)", "(--acknowledge)"},
    {"(meeting_correct)", "(liaise meeting correct)"},
    {"starts_at: ", "--at: "},
    {"next_meeting: ", "--next: "},
    {"minute_taker: ", "--minute-taker: "},
    {"owner_agency: ", "--owner-agency: "},
    {"owner: say who: give either owner (an account) or owner_name (someone without one)",
     "say who owns it: give --owner (an account) or --owner-name (someone without one)"},
    {"owner: not both: give either owner (an account) or owner_name (someone without one)",
     "give either --owner (an account) or --owner-name (someone without one), not both"},
    {"owner_name: ", "--owner-name: "},
    {"case_reference: ", "--case-ref: "},
    {"receives: ", "--receives: "},
    {"recipient: ", "--for: "},
    {"how_gathered: ", "--how-gathered: "},
    {"shared_with_parents: say whether the report was shared with the parents beforehand (true "
     "or false)",
     "say whether the report was shared with the parents beforehand: --shared or --not-shared"},
    {"user: say who: give either user (someone with an account) or name (someone without one)",
     "say who: give --user (someone with an account) or --name (someone without one)"},
    {"user: not both: give either user (someone with an account) or name (someone without one)",
     "give either --user (someone with an account) or --name (someone without one), not both"},
    {"status: must be one of", "--status: must be one of"},
    {"in_progress", "in-progress"},
    {"not_done", "not-done"},
    {"carried_forward", "carried-forward"},
};

/// simple(), with refusals in the command's words.
int minutes_request(const Options& o, std::string_view type, json::object fields,
                    const std::function<void(const json::object&)>& human) {
    return simple(o, type, std::move(fields), human, kWords);
}

/// A due date in the past makes an action overdue the moment it is saved (by the server's
/// date, which the reply's "overdue" gives): say so, as a mistyped year is the usual cause.
void warn_overdue(const json::object& action) {
    if (const auto* overdue = action.if_contains("overdue");
        overdue && overdue->is_bool() && overdue->get_bool())
        std::cerr << "Warning: the due date " << shown(action, "due")
                  << " is in the past: the action is overdue at once.\n";
}

/// "carried forward" and "carried-forward" as the server's "carried_forward".
std::string code(std::string s) {
    for (auto& c : s)
        if (c == ' ' || c == '-')
            c = '_';
    return s;
}

/// TEXT, or standard input when TEXT is "-".
std::string text_or_stdin(const std::string& text) {
    if (text != "-")
        return text;
    std::string in(std::istreambuf_iterator<char>(std::cin), {});
    while (!in.empty() && (in.back() == '\n' || in.back() == '\r'))
        in.pop_back();
    return in;
}

/// "Hana Ali (Westshire Council)", as people are named everywhere else (people.hpp).
std::string named(const std::string& name, const std::string& agency) {
    return agency.empty() ? name : name + " (" + agency + ")";
}

std::string person(const json::value& p) {
    if (!p.is_object())
        return "";
    auto name = shown(p.as_object(), "display_name");
    return named(name.empty() ? shown(p.as_object(), "user") : name,
                 shown(p.as_object(), "agency"));
}

/// The owner as the action names them ("Bea Patel (Riverside Primary)"), an account's or not.
std::string owner(const json::object& a) {
    const auto& o = a.at("owner").as_object();
    auto name = shown(o, "name");
    return named(name.empty() ? shown(o, "user") : name, shown(o, "agency"));
}

/// A date from the wire ("2026-12-04") as people read it ("4 Dec 2026"), safe to print.
std::string date_shown(const json::object& o, std::string_view key) {
    return calendar_text(shown(o, key));
}

void print_action(const json::object& a) {
    std::cout << "  #" << num(a, "id") << " [" << shown(a, "status") << "] " << shown(a, "what")
              << "\n      owner " << owner(a) << ", due " << date_shown(a, "due");
    if (const auto review = date_shown(a, "review"); !review.empty())
        std::cout << ", review " << review;
    if (a.contains("overdue") && a.at("overdue").as_bool())
        std::cout << ", OVERDUE";
    std::cout << "\n";
    if (const auto outcome = shown(a, "outcome"); !outcome.empty())
        std::cout << "      for: " << outcome << "\n";
    if (const auto evidence = shown(a, "evidence"); !evidence.empty())
        std::cout << "      evidence: " << evidence << "\n";
}

/// "purpose, child-views" (or "none").
std::string ids(const json::array& a) {
    std::string out;
    for (const auto& v : a)
        if (v.is_string())
            out += (out.empty() ? "" : ", ") + display_line(std::string(v.get_string()));
    return out.empty() ? "none" : out;
}

/// "Full record: due 15 Jan 2027 (15 working days), LATE" for each of the meeting's clocks.
void print_deadlines(const json::object& m) {
    const auto& all = list(m, "deadlines");
    if (all.empty())
        return;
    std::cout << "Deadlines (working days, England and Wales):\n";
    for (const auto& v : all) {
        const auto& d = v.as_object();
        const auto status = shown(d, "status");
        std::cout << "  " << shown(d, "label") << ": ";
        if (const auto due = date_shown(d, "due"); !due.empty())
            std::cout << "by " << due << " (" << num(d, "days") << " working days), ";
        std::cout << (status == "late" ? std::string("LATE") : status) << "\n";
    }
}

/// The sections of the kind's template, with what is still missing.
void print_record(const json::object& m) {
    const auto& sections = list(m, "sections");
    if (sections.empty() || !(m.contains("templated") && m.at("templated").as_bool()))
        return;
    std::cout << "Record (" << sections.size() << " sections):\n";
    for (const auto& v : sections) {
        const auto& s = v.as_object();
        std::cout << "  " << shown(s, "label") << " [" << shown(s, "id") << "]"
                  << (s.at("professionals_only").as_bool() ? " PROFESSIONALS ONLY" : "") << "\n";
        if (const auto t = str(s, "text"); !t.empty())
            std::cout << "      " << display_block(t, "      ") << "\n";
        if (const auto h = str(s, "how_gathered"); !h.empty())
            std::cout << "      how gathered: " << display_block(h, "      ") << "\n";
    }
    for (const auto& v : list(m, "reports")) {
        const auto& r = v.as_object();
        std::cout << "  report [" << num(r, "id") << "] " << shown(r, "report") << ", by "
                  << shown(r, "by") << ": "
                  << (r.at("shared_with_parents").as_bool() ? "shared with the parents beforehand"
                                                            : "NOT shared with the parents")
                  << "\n";
    }
    for (const auto& v : list(m, "agency_views"))
        std::cout << "  view of " << shown(v.as_object(), "agency") << ": "
                  << shown(v.as_object(), "view") << "\n";
    if (str(m, "status") == "draft")
        for (const auto& v : list(m, "missing_sections"))
            std::cout << "  MISSING " << shown(v.as_object(), "label") << ": "
                      << shown(v.as_object(), "why") << "\n";
}

/// The minutes as a person reads them. `check` is this device's verdict on the version's
/// signatures: an acknowledgement is shown as given only when its signature verified.
void print_minutes(const json::object& m, const MinutesCheck* check) {
    std::cout << shown(m, "marking") << "\n"
              << "Meeting " << num(m, "meeting") << " in " << shown(m, "room") << ": "
              << shown(m, "title") << "\n"
              << "  "
              << (shown(m, "kind_label").empty() ? shown(m, "kind") : shown(m, "kind_label"))
              << ", " << date_shown(m, "starts_at") << ", " << shown(m, "place") << "\n"
              << "  chair " << person(m.at("chair")) << ", minutes by "
              << person(m.at("minute_taker")) << "\n"
              << "  version " << num(m, "version") << ", " << shown(m, "status") << "\n";
    if (const auto ref = shown(m, "case_reference"); !ref.empty())
        std::cout << "  case reference " << ref << "\n";
    if (const auto* c = m.if_contains("correction"); c != nullptr && c->is_object())
        std::cout << "  correction of version " << num(c->as_object(), "of_version") << ": "
                  << shown(c->as_object(), "reason") << "\n";
    print_deadlines(m);
    std::cout << "Attendance:\n";
    for (const auto& v : list(m, "attendance")) {
        const auto& e = v.as_object();
        std::cout << "  [" << num(e, "id") << "] " << shown(e, "name");
        if (const auto user = shown(e, "user"); !user.empty())
            std::cout << " (" << user << ")";
        for (const auto* field : {"agency", "role"})
            if (const auto v = shown(e, field); !v.empty())
                std::cout << ", " << v;
        std::cout << (e.at("family").as_bool() ? ", family" : "") << ": " << shown(e, "status")
                  << "\n";
        if (const auto* r = e.if_contains("receives"); r != nullptr && r->is_array())
            std::cout << "      receives: " << ids(r->as_array()) << "\n";
    }
    print_record(m);
    std::cout << "Agenda:\n";
    for (const auto& v : list(m, "agenda")) {
        const auto& e = v.as_object();
        std::cout << "  [" << num(e, "id") << "] " << shown(e, "title") << "\n";
        if (const auto d = str(e, "discussion"); !d.empty())
            std::cout << "      " << display_block(d, "      ") << "\n";
    }
    std::cout << "Decisions:\n";
    for (const auto& v : list(m, "decisions")) {
        const auto& e = v.as_object();
        std::cout << "  [" << num(e, "id") << "] " << shown(e, "decision") << "\n";
        if (const auto r = str(e, "reasons"); !r.empty())
            std::cout << "      reasons: " << display_block(r, "      ") << "\n";
        if (const auto r = str(e, "dissent"); !r.empty())
            std::cout << "      dissent: " << display_block(r, "      ") << "\n";
    }
    std::cout << "Actions:\n";
    for (const auto& a : list(m, "actions"))
        print_action(a.as_object());
    if (!list(m, "carried_forward").empty()) {
        std::cout << "Carried forward for review:\n";
        for (const auto& a : list(m, "carried_forward"))
            print_action(a.as_object());
    }
    if (!list(m, "distribution").empty()) {
        std::cout << "Distribution:\n";
        for (const auto& v : list(m, "distribution")) {
            const auto& d = v.as_object();
            const auto* got = d.if_contains("received_at");
            const auto* ack = d.if_contains("acknowledged_at");
            const auto agency = shown(d, "agency");
            std::string acknowledged;
            if (ack != nullptr && ack->is_int64()) {
                acknowledged = ": the server says acknowledged " + local_date(ack->as_int64()) +
                               ", signature not checked";
                for (const auto& a :
                     check != nullptr ? check->acknowledgements : std::vector<ReceiptCheck>{})
                    if (a.user == str(d, "user"))
                        acknowledged =
                            a.result == ReceiptCheck::Result::verified
                                ? ": acknowledged " + local_date(a.at) + ", signature verified"
                            : a.result == ReceiptCheck::Result::not_signed
                                ? ": acknowledged " + local_date(ack->as_int64()) +
                                      " before acknowledgements were signed (not verified)"
                                : ": NOT acknowledged as far as this device can tell (the "
                                  "server shows an acknowledgement their device did not sign)";
            }
            std::cout << "  " << shown(d, "name") << (agency.empty() ? "" : " (" + agency + ")")
                      << (!d.contains("user")     ? ": a copy to be given to them (no account)"
                          : !acknowledged.empty() ? acknowledged
                          : got != nullptr && got->is_int64() ? ": received, NOT acknowledged"
                                                              : ": not opened yet")
                      << "\n";
            if (const auto* s = d.if_contains("sections"); s != nullptr && s->is_array())
                std::cout << "      entry " << num(d, "entry") << ", version " << num(m, "version")
                          << ", sections: " << ids(s->as_array()) << "\n";
        }
    }
    std::cout << shown(m, "marking") << "\n";
}

/// Every option of every minutes command. Shared by the parsed callbacks and the action they
/// set, so it lives as long as either.
struct Args {
    std::string room, title, kind, at, place, chair, minute_taker, marking, next;
    std::int64_t meeting = 0, action = 0;
    std::optional<std::string> u_title, u_kind, u_at, u_place, u_chair, u_minute_taker, u_marking,
        u_next, case_ref, u_case_ref;
    std::optional<std::string> how_gathered, report, report_by, agency_view, view;
    bool restrict_on = false, restrict_off = false, shared = false, not_shared = false;
    std::optional<std::vector<std::string>> receives;
    std::optional<std::int64_t> recipient;
    std::optional<std::int64_t> version, entry, item, agenda;
    std::string user, name, agency, role, discipline, status;
    bool family = false, copy = false, acknowledge = false;
    std::string text, discussion, reasons, dissent, reason, section, format, output;
    std::optional<std::string> what, outcome, owner, owner_name, owner_agency, due, review,
        evidence, a_status;
    bool mine = false, overdue = false;
};

/// Adds the optional field `name` when `value` is set.
template <class T>
void put(json::object& fields, std::string_view name, const std::optional<T>& value) {
    if (value)
        fields[name] = *value;
}

void put(json::object& fields, std::string_view name, const std::string& value) {
    if (!value.empty())
        fields[name] = value;
}

int meeting_create(const Options& o, const Args& a) {
    json::object f{{"room", a.room},
                   {"title", a.title},
                   {"kind", a.kind},
                   {"starts_at", a.at},
                   {"place", a.place}};
    put(f, "chair", a.chair);
    put(f, "minute_taker", a.minute_taker);
    put(f, "marking", a.marking);
    put(f, "next_meeting", a.next);
    put(f, "case_reference", a.case_ref);
    return minutes_request(o, "meeting_create", std::move(f), [](const json::object& r) {
        std::cout << "Created meeting " << num(r, "meeting") << " in " << shown(r, "room") << " ("
                  << shown(r, "marking") << ", draft version 1).\n";
        if (const auto n = list(r, "carried_forward").size(); n > 0)
            std::cout << n << " open action(s) carried forward for review from the last meeting.\n";
    });
}

int meeting_update(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}};
    put(f, "title", a.u_title);
    put(f, "kind", a.u_kind);
    put(f, "starts_at", a.u_at);
    put(f, "place", a.u_place);
    put(f, "chair", a.u_chair);
    put(f, "minute_taker", a.u_minute_taker);
    put(f, "marking", a.u_marking);
    put(f, "next_meeting", a.u_next);
    put(f, "case_reference", a.u_case_ref);
    return minutes_request(o, "meeting_update", std::move(f), [](const json::object& r) {
        std::cout << "Updated meeting " << num(r, "meeting") << ".\n";
    });
}

int meeting_section(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"section", a.section}};
    if (!a.text.empty())
        f["text"] = text_or_stdin(a.text);
    put(f, "how_gathered", a.how_gathered);
    if (a.restrict_on || a.restrict_off)
        f["professionals_only"] = a.restrict_on;
    put(f, "item", a.item);
    put(f, "report", a.report);
    put(f, "report_by", a.report_by);
    if (a.shared || a.not_shared)
        f["shared_with_parents"] = a.shared;
    put(f, "agency", a.agency_view);
    put(f, "view", a.view);
    return minutes_request(o, "meeting_section", std::move(f), [](const json::object& r) {
        std::cout << "Recorded the section " << shown(r, "section") << " of meeting "
                  << num(r, "meeting") << ".\n";
        const auto& missing = list(r, "missing_sections");
        if (missing.empty())
            std::cout << "Every section the template asks for is there.\n";
        for (const auto& v : missing)
            std::cout << "Still missing: " << shown(v.as_object(), "label") << " ("
                      << shown(v.as_object(), "why") << ")\n";
    });
}

int meeting_list(const Options& o, const Args& a) {
    return minutes_request(o, "meetings", {{"room", a.room}}, [](const json::object& r) {
        const auto& meetings = list(r, "meetings");
        if (meetings.empty())
            std::cout << "No meetings in " << shown(r, "room") << " yet.\n";
        for (const auto& v : meetings) {
            const auto& m = v.as_object();
            std::cout << "#" << num(m, "meeting") << " " << date_shown(m, "starts_at") << " "
                      << shown(m, "title") << " (" << shown(m, "kind") << ", version "
                      << num(m, "version") << " " << shown(m, "status") << ", chair "
                      << shown(m, "chair");
            if (const auto ref = shown(m, "case_reference"); !ref.empty())
                std::cout << ", case " << ref;
            std::cout << ")\n";
            // What is due or late of its circulation clocks.
            for (const auto& d : list(m, "deadlines")) {
                const auto& c = d.as_object();
                const auto status = str(c, "status");
                if (status == "due" || status == "late" || status == "open")
                    std::cout << "    " << shown(c, "label") << " "
                              << (status == "late" ? "LATE, was due " : "due ")
                              << date_shown(c, "due") << "\n";
            }
        }
    });
}

/// The signatures on a fixed version, as this device judges them, one line each: "Signatures
/// (checked on this device):" then each, indented.
void print_signatures(std::ostream& out, const MinutesCheck& check) {
    out << "Signatures (checked on this device against the keys it pinned):\n";
    for (const auto& line : check.lines())
        out << "  " << display_line(line) << "\n";
}

int meeting_show(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}};
    put(f, "version", a.version);
    return with_client(o, [&](Client& c) {
        auto reply = c.call("meeting_show", std::move(f));
        if (!reply)
            return report(reply.error(), kWords);
        auto minutes = std::move(reply).value();
        // A circulated or approved version is shown as it was fixed, and only as this device
        // checked its signatures: what the server says of it since (its meeting row, the live
        // state of its actions) is not what anyone signed.
        std::optional<MinutesCheck> check;
        if (str(minutes, "status") != "draft") {
            if (!a.version) {
                auto fixed = c.call("meeting_show",
                                    {{"meeting", a.meeting}, {"version", num(minutes, "version")}});
                if (!fixed)
                    return report(fixed.error(), kWords);
                minutes = std::move(fixed).value();
            }
            check = c.check_minutes(minutes);
        }
        if (o.json) {
            if (check) {
                json::array lines;
                for (const auto& line : check->lines())
                    lines.push_back(json::string(line));
                minutes["signatures_checked"] =
                    json::object{{"ok", check->ok()}, {"lines", std::move(lines)}};
            }
            std::cout << json::serialize(minutes) << "\n";
        } else {
            print_minutes(minutes, check ? &*check : nullptr);
            if (check)
                print_signatures(std::cout, *check);
        }
        return check && !check->ok() ? 1 : 0;
    });
}

int meeting_verify(const Options& o, const Args& a) {
    return with_client(o, [&](Client& c) {
        auto checked = c.verify_minutes(a.meeting, a.version.value_or(0));
        if (!checked)
            return report(checked.error(), kWords);
        const auto& check = checked.value();
        if (o.json) {
            json::array lines;
            for (const auto& line : check.lines())
                lines.push_back(json::string(line));
            std::cout << json::serialize(json::object{{"meeting", check.meeting},
                                                      {"version", check.version},
                                                      {"status", check.status},
                                                      {"ok", check.ok()},
                                                      {"lines", lines}})
                      << "\n";
        } else {
            std::cout << "Meeting " << check.meeting << ", version " << check.version << " ("
                      << display_line(check.status) << "):\n";
            for (const auto& line : check.lines())
                std::cout << "  " << display_line(line) << "\n";
        }
        return check.ok() ? 0 : 1;
    });
}

int meeting_attend(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"status", a.status}};
    put(f, "entry", a.entry);
    put(f, "user", a.user);
    put(f, "name", a.name);
    put(f, "agency", a.agency);
    put(f, "role", a.role);
    put(f, "discipline", a.discipline);
    if (a.family)
        f["family"] = true;
    if (a.copy)
        f["copy"] = true;
    if (a.receives) {
        json::array chosen;
        for (const auto& s : *a.receives)
            if (!s.empty())
                chosen.push_back(json::string(s));
        f["receives"] = std::move(chosen);
    }
    return minutes_request(o, "meeting_attend", std::move(f), [](const json::object& r) {
        const auto& e = r.at("entry").as_object();
        std::cout << "Attendance entry " << num(e, "id") << ": " << shown(e, "name") << ", "
                  << shown(e, "status") << ".\n";
    });
}

int meeting_agenda(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"title", a.title}};
    put(f, "item", a.item);
    put(f, "discussion", text_or_stdin(a.discussion));
    return minutes_request(o, "meeting_agenda", std::move(f), [](const json::object& r) {
        std::cout << "Agenda item " << num(r.at("item").as_object(), "id") << " saved.\n";
    });
}

int meeting_decision(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"decision", text_or_stdin(a.text)}};
    put(f, "item", a.item);
    put(f, "agenda", a.agenda);
    put(f, "reasons", a.reasons);
    put(f, "dissent", a.dissent);
    return minutes_request(o, "meeting_decision", std::move(f), [](const json::object& r) {
        std::cout << "Decision " << num(r.at("item").as_object(), "id") << " saved.\n";
    });
}

int meeting_remove(const Options& o, const Args& a) {
    return minutes_request(
        o, "meeting_remove",
        {{"meeting", a.meeting}, {"section", a.section}, {"item", a.item.value_or(0)}},
        [&](const json::object&) {
            std::cout << "Removed " << a.section << " " << a.item.value_or(0) << ".\n";
        });
}

int meeting_check(const Options& o, const Args& a) {
    return with_client(o, [&](Client& c) {
        auto reply = c.call("meeting_check", {{"meeting", a.meeting}});
        if (!reply)
            return report(reply.error(), kWords);
        if (o.json) {
            std::cout << json::serialize(reply.value()) << "\n";
        } else {
            print_check(std::cout, reply.value());
            // A family member's copy is read by the public: how old a reader it needs.
            for (const auto& v : list(reply.value(), "copies")) {
                const auto& copy = v.as_object();
                const auto* age = copy.if_contains("reading_age");
                if (age == nullptr || !age->is_object())
                    continue;
                std::cout << shown(copy, "name") << "'s copy (" << num(copy, "sections")
                          << " section(s)):\n";
                for (const auto& line : reading_age_lines(age->as_object()))
                    std::cout << "  " << line << "\n";
            }
        }
        return num(reply.value(), "findings") > 0 ? 1 : 0;
    });
}

/// Fetches the version to be signed (the draft to circulate; the circulated version, as it was
/// fixed, to approve), says what is being signed, and signs it. The server refuses the act
/// (bad_signature) unless it holds exactly what was fetched.
protocol::Expected<json::object> signed_fields(Client& c, std::int64_t meeting, bool approve) {
    auto current = c.call("meeting_show", {{"meeting", meeting}});
    if (!current)
        return current.error();
    auto minutes = std::move(current).value();
    if (approve && str(minutes, "status") != "draft") {
        auto fixed =
            c.call("meeting_show", {{"meeting", meeting}, {"version", num(minutes, "version")}});
        if (!fixed)
            return fixed.error();
        minutes = std::move(fixed).value();
    }
    std::cerr << (approve ? "Approving" : "Circulating") << " version " << num(minutes, "version")
              << " of meeting " << meeting << ", \"" << shown(minutes, "title") << "\" ("
              << date_shown(minutes, "starts_at") << "): " << list(minutes, "attendance").size()
              << " attendance entries, " << list(minutes, "agenda").size() << " agenda items, "
              << list(minutes, "decisions").size() << " decisions, "
              << list(minutes, "actions").size() << " actions, as shown by 'liaise meeting show "
              << meeting << "'. Your device signs exactly this version.\n";
    return c.sign_minutes(
        minutes, approve ? protocol::MinutesAct::approve : protocol::MinutesAct::circulate);
}

int meeting_sign(const Options& o, const Args& a, bool approve) {
    json::object f{{"meeting", a.meeting}};
    if (a.acknowledge)
        f["acknowledge"] = true;
    auto print = [approve](const json::object& r) {
        if (approve) {
            std::cout << "Approved version " << num(r, "version") << " of meeting "
                      << num(r, "meeting") << ": the minutes are now locked.\n";
            return;
        }
        std::cout << "Circulated version " << num(r, "version") << " of meeting "
                  << num(r, "meeting") << " to " << list(r, "distribution").size()
                  << " recipient(s).\n";
    };
    return with_client(o, [&](Client& c) {
        auto signature = signed_fields(c, a.meeting, approve);
        if (!signature)
            return report(signature.error(), kWords);
        for (auto& [k, v] : signature.value())
            f[k] = v;
        auto reply = c.call(approve ? "meeting_approve" : "meeting_circulate", f);
        if (!reply) {
            const auto& body = c.connection().last_error_body();
            print_unacknowledged(o.json, reply.error().code, body);
            return report(reply.error(), kWords);
        }
        if (o.json)
            std::cout << json::serialize(reply.value()) << "\n";
        else
            print(reply.value());
        return 0;
    });
}

int meeting_correct(const Options& o, const Args& a) {
    return minutes_request(o, "meeting_correct", {{"meeting", a.meeting}, {"reason", a.reason}},
                           [](const json::object& r) {
                               std::cout << "Started version " << num(r, "version")
                                         << " of meeting " << num(r, "meeting")
                                         << " as a correction (draft); the earlier version stays "
                                            "readable.\n";
                           });
}

/// The format `meeting export` asks for: --format, else what the --output file's name says.
/// Why the signatures on `check` do not protect the copies made from it ("as the server shows it
/// is not the one signed"), or "" when they do: every signature verifies and at least one under
/// the v2 encoding, which covers who gets a copy and what it holds.
std::string copy_unprotected(const MinutesCheck& check) {
    bool covered = false;
    for (const auto& s : check.signatures) {
        if (s.result != MinutesSignatureCheck::Result::verified)
            return "as the server shows it is not the one signed";
        covered = covered || !s.before_sections;
    }
    if (check.signatures.empty())
        return "carries no signature to check";
    if (!covered)
        return "was signed before signatures covered copies";
    return "";
}

std::string export_format(const Args& a) {
    if (a.format == "md")
        return "markdown";
    if (!a.format.empty())
        return a.format;
    auto ext = std::filesystem::path(a.output).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".html" || ext == ".htm" ? "html" : "markdown";
}

/// A file written whole or not at all. The bytes go to a new file beside the target, which
/// commit() moves into place; destroyed before that, the new file is removed and the target is
/// as it was. The new file is readable by its owner only, or takes the permissions of the file
/// it replaces (minutes are personal data: a file made private stays private). A symbolic link
/// is written through, not replaced.
class WholeFile {
  public:
    /// Opens the new file; io_error (with the reason) if it cannot be, or `path` is a folder.
    static protocol::Expected<std::unique_ptr<WholeFile>> open(const std::filesystem::path& path) {
        namespace fs = std::filesystem;
        std::error_code ec;
        auto target = path;
        if (fs::is_symlink(path, ec)) {  // written through to what it points at, if it can be
            auto resolved = fs::weakly_canonical(path, ec);
            if (!ec && !resolved.empty())
                target = std::move(resolved);
        }
        const auto cannot = [&](const std::string& why) {
            return protocol::Error{"io_error", "cannot write " + path.string() + ": " + why};
        };
        if (fs::is_directory(target, ec))
            return cannot("it is a folder");
        auto partial = target;
        partial += ".partial-" + std::to_string(::getpid());
        const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return cannot(std::strerror(errno));
        ::close(fd);
        auto file =
            std::unique_ptr<WholeFile>(new WholeFile(std::move(target), std::move(partial)));
        file->out_.open(file->partial_, std::ios::binary | std::ios::trunc);
        if (!file->out_)
            return cannot(std::strerror(errno));
        return file;
    }
    ~WholeFile() {
        if (committed_)
            return;
        out_.close();
        std::error_code ignored;
        std::filesystem::remove(partial_, ignored);
    }
    WholeFile(const WholeFile&) = delete;
    WholeFile& operator=(const WholeFile&) = delete;

    [[nodiscard]] std::ostream& stream() { return out_; }

    /// Finishes the new file and puts it in the target's place; an empty string, or the reason.
    [[nodiscard]] std::string commit() {
        namespace fs = std::filesystem;
        out_.close();
        if (out_.fail())
            return "the write failed";
        std::error_code ec;
        if (const auto old = fs::status(target_, ec); fs::exists(old))
            fs::permissions(partial_, old.permissions(), ec);
        if (fs::rename(partial_, target_, ec); ec)
            return ec.message();
        committed_ = true;
        return {};
    }

  private:
    WholeFile(std::filesystem::path target, std::filesystem::path partial)
        : target_(std::move(target)), partial_(std::move(partial)) {}
    std::filesystem::path target_, partial_;
    std::ofstream out_;
    bool committed_ = false;
};

/// `s` with what Markdown or HTML would read as markup escaped.
std::string escaped(std::string_view s, bool html) {
    std::string out;
    for (const char c : s) {
        if (html && c == '&')
            out += "&amp;";
        else if (html && c == '<')
            out += "&lt;";
        else if (html && c == '>')
            out += "&gt;";
        else if (html && c == '"')
            out += "&quot;";
        else if (!html && std::string_view("\\`*_[]<>|#").find(c) != std::string_view::npos)
            out += std::string("\\") + c;
        else
            out += c;
    }
    return out;
}

/// The exported document with a "Signatures" section, as this device checked them, before its
/// closing protective marking (at the end when there is none).
std::string with_signatures(std::string content, const MinutesCheck& check, bool html) {
    std::string section;
    if (html) {
        section =
            "<h2>Signatures</h2>\n<p>Checked by the exporting device against the keys it "
            "pinned.</p>\n<ul>\n";
        for (const auto& line : check.lines())
            section += "<li>" + escaped(display_line(line), true) + "</li>\n";
        section += "</ul>\n";
    } else {
        section =
            "\n## Signatures\n\nChecked by the exporting device against the keys it "
            "pinned.\n\n";
        for (const auto& line : check.lines())
            section += "- " + escaped(display_line(line), false) + "\n";
    }
    const auto at = html ? content.rfind("<div class=\"marking\">") : content.rfind("\n**");
    content.insert(at == std::string::npos ? content.size() : at, section);
    return content;
}

int meeting_export(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"format", export_format(a)}};
    put(f, "version", a.version);
    put(f, "recipient", a.recipient);
    // Opened before asking: a file that cannot be written costs no export (the server records
    // each one), and a refused or failed export leaves an existing file as it was.
    std::unique_ptr<WholeFile> file;
    if (!a.output.empty()) {
        auto opened = WholeFile::open(a.output);
        if (!opened)
            return report(opened.error());
        file = std::move(opened).value();
    }
    return with_client(o, [&](Client& c) {
        auto reply = c.call("meeting_export", std::move(f));
        if (!reply)
            return report(reply.error(), kWords);
        auto content = str(reply.value(), "content");
        // A circulated or approved version is written as this device makes it from the version
        // whose signatures it checked (the server's rendering is not signed), with a section
        // saying whose signatures it carries and whether they verify here.
        std::optional<MinutesCheck> check;
        if (str(reply.value(), "status") != "draft") {
            auto fixed = c.call("meeting_show", {{"meeting", a.meeting},
                                                 {"version", num(reply.value(), "version")}});
            if (!fixed)
                return report(fixed.error(), kWords);
            check = c.check_minutes(fixed.value());
            const bool html = str(reply.value(), "format") == "html";
            if (a.recipient) {
                // A recipient's copy too, from the version whose signatures cover who gets a
                // copy, whether they are family, what the chair chose for them and which
                // sections are professionals-only: a server cannot slip a section into a
                // parent's copy. Not written at all unless every signature verifies here and
                // one does under the encoding that covers copies (v2): a version shown with its
                // signatures stripped, or signed only before copies were covered, is the
                // server's word alone.
                const auto why = copy_unprotected(*check);
                if (!why.empty()) {
                    for (const auto& line : check->lines())
                        std::cerr << "liaise: " << display_line(line) << "\n";
                    return report({"bad_signature",
                                   "version " + std::to_string(check->version) + " " + why +
                                       ", so its copies cannot be trusted to hold only what the "
                                       "chair chose; no copy was written"});
                }
                const auto copy = protocol::copy_of(fixed.value(), *a.recipient);
                if (!copy)
                    return report({"not_found", "version " + std::to_string(check->version) +
                                                    " gives attendance entry " +
                                                    std::to_string(*a.recipient) +
                                                    " no copy (copies go to people without an "
                                                    "account marked copy)"});
                const auto doc = protocol::copy_document(fixed.value(), *copy);
                content = html ? protocol::export_html(doc) : protocol::export_markdown(doc);
                check.reset();  // a copy carries no signatures section; they verified
            } else {
                content = with_signatures(html ? protocol::export_html(fixed.value())
                                               : protocol::export_markdown(fixed.value()),
                                          *check, html);
            }
            reply.value()["content"] = content;
        }
        const int status = check && !check->ok() ? 1 : 0;
        if (check && !check->ok())
            for (const auto& line : check->lines())
                std::cerr << "liaise: " << display_line(line) << "\n";
        if (!file) {
            if (o.json)
                std::cout << json::serialize(reply.value()) << "\n";
            else  // a terminal shows the document; a pipe or file gets it byte for byte
                std::cout << (::isatty(STDOUT_FILENO) != 0 ? display_block(content, "") : content);
            return status;
        }
        file->stream() << content;
        if (const auto why = file->commit(); !why.empty())
            return report({"io_error", "cannot write " + a.output + ": " + why});
        if (o.json) {
            auto r = reply.value();
            r.erase("content");
            r["output"] = a.output;
            std::cout << json::serialize(r) << "\n";
        } else {
            std::cout << "Wrote version " << num(reply.value(), "version") << " ("
                      << shown(reply.value(), "status") << ", " << shown(reply.value(), "format")
                      << ") to " << a.output << ".\n";
            if (check)
                print_signatures(std::cout, *check);
        }
        return status;
    });
}

int action_add(const Options& o, const Args& a) {
    json::object f{{"meeting", a.meeting}, {"what", text_or_stdin(a.text)}};
    put(f, "due", a.due);
    put(f, "outcome", a.outcome);
    put(f, "owner", a.owner);
    put(f, "owner_name", a.owner_name);
    put(f, "owner_agency", a.owner_agency);
    put(f, "review", a.review);
    return minutes_request(o, "action_add", std::move(f), [](const json::object& r) {
        std::cout << "Action " << num(r, "id") << " for " << owner(r) << ", due "
                  << date_shown(r, "due") << ".\n";
        warn_overdue(r);
    });
}

int action_update(const Options& o, const Args& a) {
    json::object f{{"action", a.action}};
    if (a.a_status)
        f["status"] = code(*a.a_status);
    put(f, "evidence", a.evidence);
    put(f, "what", a.what);
    put(f, "outcome", a.outcome);
    put(f, "owner", a.owner);
    put(f, "owner_name", a.owner_name);
    put(f, "owner_agency", a.owner_agency);
    put(f, "due", a.due);
    put(f, "review", a.review);
    return minutes_request(o, "action_update", std::move(f), [&a](const json::object& r) {
        std::cout << "Action " << num(r, "id") << " is " << shown(r, "status") << ".\n";
        if (a.due)
            warn_overdue(r);
    });
}

int actions(const Options& o, const Args& a) {
    json::object f;
    if (a.mine)
        f["mine"] = true;
    if (a.overdue)
        f["overdue"] = true;
    put(f, "room", a.room);
    return minutes_request(o, "actions", std::move(f), [](const json::object& r) {
        const auto& all = list(r, "actions");
        if (all.empty())
            std::cout << "No actions.\n";
        // The server sends them by due date, which interleaves meetings: each meeting is shown
        // once, with its actions by due date, meetings in the order of their first action due.
        std::vector<std::vector<const json::object*>> meetings;
        std::map<std::int64_t, std::size_t> index;  // meeting -> its place in `meetings`
        for (const auto& v : all) {
            const auto& x = v.as_object();
            const auto [at, added] = index.try_emplace(num(x, "meeting"), meetings.size());
            if (added)
                meetings.emplace_back();
            meetings[at->second].push_back(&x);
        }
        for (const auto& actions : meetings) {
            const auto& first = *actions.front();
            std::cout << shown(first, "room") << ", meeting " << num(first, "meeting") << " ("
                      << shown(first, "meeting_title") << "):\n";
            for (const auto* x : actions)
                print_action(*x);
        }
    });
}

}  // namespace

void add_minutes_commands(CLI::App& app, Options& o, std::function<int()>& action) {
    auto a = std::make_shared<Args>();
    const auto json_flag = [&o](CLI::App* cmd) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
    };
    // Sets `action` to run `fn` when `cmd` is the parsed subcommand.
    const auto runs = [&](CLI::App* cmd, std::function<int(const Options&, const Args&)> fn) {
        json_flag(cmd);
        cmd->callback([&action, &o, a, fn] { action = [&o, a, fn] { return fn(o, *a); }; });
    };
    const auto meeting_arg = [&](CLI::App* cmd) {
        cmd->add_option("meeting", a->meeting, "The meeting number")->required();
    };

    auto* meeting = app.add_subcommand("meeting", "Meetings and their minutes");
    meeting->require_subcommand(1);

    auto* create = meeting->add_subcommand(
        "create", "Start the minutes of a meeting in a room (chairs and admins who are members)");
    create->add_option("room", a->room, "Room")->required();
    create->add_option("--title", a->title, "Title")->required();
    create
        ->add_option("--kind", a->kind,
                     "initial-cp-conference, review-cp-conference, core-group, strategy, "
                     "child-in-need, children-in-care-review, ehcp-annual-review, marac, "
                     "team-around-the-family, professionals or other")
        ->required();
    create->add_option("--at", a->at, "Date and time, \"YYYY-MM-DD HH:MM\"")->required();
    create->add_option("--place", a->place, "Where, or \"remote\"")->required();
    create->add_option("--chair", a->chair, "The chair's account (default: you)");
    create->add_option("--minute-taker", a->minute_taker,
                       "The minute-taker's account (default: you)");
    create->add_option("--marking", a->marking, "OFFICIAL (default) or OFFICIAL-SENSITIVE");
    create->add_option("--next", a->next, "The next meeting's date, YYYY-MM-DD [HH:MM]");
    create->add_option("--case-ref", a->case_ref,
                       "The case reference, e.g. CP-2041/26 (letters, digits, - / . _)");
    runs(create, meeting_create);

    auto* update = meeting->add_subcommand("update", "Change a draft's details");
    meeting_arg(update);
    update->add_option("--title", a->u_title, "Title");
    update->add_option("--kind", a->u_kind, "Kind of meeting");
    update->add_option("--at", a->u_at, "Date and time");
    update->add_option("--place", a->u_place, "Place");
    update->add_option("--chair", a->u_chair, "Hand the chair to this account (the chair only)");
    update->add_option("--minute-taker", a->u_minute_taker, "Minute-taker's account");
    update->add_option("--marking", a->u_marking, "OFFICIAL or OFFICIAL-SENSITIVE");
    update->add_option("--next", a->u_next, "The next meeting's date");
    update->add_option("--case-ref", a->u_case_ref, "The case reference (\"\" clears it)");
    runs(update, meeting_update);

    auto* list_cmd = meeting->add_subcommand("list", "A room's meetings");
    list_cmd->add_option("room", a->room, "Room")->required();
    runs(list_cmd, meeting_list);

    auto* show = meeting->add_subcommand("show", "Show the minutes (or an earlier version)");
    meeting_arg(show);
    show->add_option("--version", a->version, "A circulated or approved version");
    runs(show, meeting_show);

    auto* verify = meeting->add_subcommand(
        "verify",
        "Check the signatures on circulated or approved minutes against the signers' pinned "
        "keys (exit 1 if one does not verify)");
    meeting_arg(verify);
    verify->add_option("--version", a->version, "A circulated or approved version");
    runs(verify, meeting_verify);

    auto* attend = meeting->add_subcommand(
        "attend", "Record someone invited: an account (--user) or a person without one (--name)");
    meeting_arg(attend);
    attend->add_option("--user", a->user, "Their account");
    attend->add_option("--name", a->name, "Their name, if they have no account");
    attend->add_option("--agency", a->agency, "Their agency (people without an account)");
    attend->add_option("--role", a->role, "Their role, e.g. \"Class teacher\" or \"Mother\"");
    attend->add_option(
        "--discipline", a->discipline,
        "Their discipline, for the plain-language check (people without an account)");
    attend->add_flag("--family", a->family, "A parent, carer, young person or other family member");
    attend->add_flag("--copy", a->copy,
                     "They receive a copy of the minutes (people without an account)");
    attend->add_option("--status", a->status, "present, apologies or absent")->required();
    attend->add_option("--entry", a->entry, "Change this attendance entry");
    attend
        ->add_option("--receives", a->receives,
                     "The chair decides: the sections this recipient's copy holds (ids, "
                     "comma-separated; never a professionals-only one for family)")
        ->delimiter(',');
    runs(attend, meeting_attend);

    auto* agenda = meeting->add_subcommand("agenda", "Add (or with --item change) an agenda item");
    meeting_arg(agenda);
    agenda->add_option("title", a->title, "The item's title")->required();
    agenda->add_option("--discussion", a->discussion,
                       "Summary of the discussion (- for standard input)");
    agenda->add_option("--item", a->item, "Change this item");
    runs(agenda, meeting_agenda);

    auto* decision =
        meeting->add_subcommand("decision", "Record a decision with its reasons and any dissent");
    meeting_arg(decision);
    decision->add_option("text", a->text, "The decision (- for standard input)")->required();
    decision->add_option("--reasons", a->reasons, "Why it was decided");
    decision->add_option("--dissent", a->dissent, "Who disagreed, and why");
    decision->add_option("--agenda", a->agenda, "The agenda item it belongs to");
    decision->add_option("--item", a->item, "Change this decision");
    runs(decision, meeting_decision);

    auto* section = meeting->add_subcommand(
        "section",
        "Write a section of the record its kind's template asks for (liaise meeting "
        "show lists them)");
    meeting_arg(section);
    section->add_option("section", a->section, "The section's id, e.g. child-views")->required();
    section->add_option("text", a->text, "What to record (- for standard input)");
    section->add_option("--how-gathered", a->how_gathered,
                        "child-views: how the child's views were gathered");
    auto* on = section->add_flag("--professionals-only", a->restrict_on,
                                 "The chair marks the section professionals-only");
    section
        ->add_flag("--for-everyone", a->restrict_off,
                   "The chair lifts the professionals-only marking")
        ->excludes(on);
    section->add_option("--report", a->report, "reports: a report received");
    section->add_option("--by", a->report_by, "reports: who wrote it");
    auto* shared = section->add_flag("--shared", a->shared,
                                     "reports: it was shared with the parents beforehand");
    section
        ->add_flag("--not-shared", a->not_shared,
                   "reports: it was not shared with the parents beforehand")
        ->excludes(shared);
    section->add_option("--item", a->item, "reports: change this report");
    section->add_option("--agency", a->agency_view, "decision: the agency whose view this is");
    section->add_option("--view", a->view, "decision: the agency's view (\"\" removes it)");
    runs(section, meeting_section);

    auto* remove = meeting->add_subcommand("remove", "Remove an entry from a draft");
    meeting_arg(remove);
    remove->add_option("section", a->section, "attendance, agenda, decision or action")
        ->required()
        ->check(CLI::IsMember({"attendance", "agenda", "decision", "action"}));
    remove->add_option("item", a->item, "Its number")->required();
    runs(remove, meeting_remove);

    auto* check = meeting->add_subcommand(
        "check", "Check the minutes' language against their readers (exit 1 with findings)");
    meeting_arg(check);
    runs(check, meeting_check);

    for (const bool approve : {false, true}) {
        auto* cmd = meeting->add_subcommand(
            approve ? "approve" : "circulate",
            approve ? "Approve circulated minutes and lock them (the chair)"
                    : "Fix this version and send it to the room (chair or minute-taker)");
        meeting_arg(cmd);
        cmd->add_flag("--acknowledge", a->acknowledge,
                      "The chair acknowledges the plain-language findings");
        runs(cmd, [approve](const Options& opts, const Args& args) {
            return meeting_sign(opts, args, approve);
        });
    }

    auto* correct = meeting->add_subcommand(
        "correct", "Start a corrected version of circulated or approved minutes");
    meeting_arg(correct);
    correct->add_option("--reason", a->reason, "Why the minutes need correcting")->required();
    runs(correct, meeting_correct);

    auto* exp =
        meeting->add_subcommand("export", "Export the minutes as Markdown or printable HTML");
    meeting_arg(exp);
    exp->add_option("--format", a->format,
                    "markdown or html (default: html for an --output ending .html or .htm, else "
                    "markdown)")
        ->check(CLI::IsMember({"markdown", "md", "html"}));
    exp->add_option("--version", a->version, "A circulated or approved version");
    exp->add_option("--output", a->output, "Write to this file (default: standard output)");
    exp->add_option("--for", a->recipient,
                    "The copy for this attendance entry (someone without an account), with only "
                    "the sections the signed version gives them, made here from that version");
    runs(exp, meeting_export);

    add_followup_commands(app, *meeting, o, action);

    auto* act = app.add_subcommand("action", "Actions agreed at meetings");
    act->require_subcommand(1);
    auto* add = act->add_subcommand("add", "Record an action in a draft's minutes");
    meeting_arg(add);
    add->add_option("text", a->text, "What is to be done (- for standard input)")->required();
    add->add_option("--due", a->due, "Due date, YYYY-MM-DD")->required();
    add->add_option("--owner", a->owner, "The owner's account");
    add->add_option("--owner-name", a->owner_name, "The owner's name, if they have no account");
    add->add_option("--owner-agency", a->owner_agency, "Their agency (owners without an account)");
    add->add_option("--outcome", a->outcome, "The outcome it serves");
    add->add_option("--review", a->review, "Review date, YYYY-MM-DD");
    runs(add, action_add);

    auto* upd = act->add_subcommand("update", "Record progress on an action, or re-plan it");
    upd->add_option("action", a->action, "The action number")->required();
    upd->add_option("--status", a->a_status,
                    "open, in-progress, done, not-done, carried-forward or cancelled");
    upd->add_option("--evidence", a->evidence, "What shows it is done (needed to close it)");
    upd->add_option("--what", a->what, "What is to be done");
    upd->add_option("--outcome", a->outcome, "The outcome it serves");
    upd->add_option("--owner", a->owner, "A new owner's account");
    upd->add_option("--owner-name", a->owner_name, "A new owner without an account");
    upd->add_option("--owner-agency", a->owner_agency, "Their agency");
    upd->add_option("--due", a->due, "Due date, YYYY-MM-DD");
    upd->add_option("--review", a->review, "Review date, YYYY-MM-DD");
    runs(upd, action_update);

    auto* all = app.add_subcommand("actions", "Actions in your rooms");
    all->add_flag("--mine", a->mine, "Only yours");
    all->add_flag("--overdue", a->overdue, "Only those past their due date and not closed");
    all->add_option("--room", a->room, "Only this room's");
    runs(all, actions);
}

}  // namespace liaise::client::cli
