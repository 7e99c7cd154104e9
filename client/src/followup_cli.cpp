// `liaise meeting acknowledge|comment|comments|resolve` and `liaise meetings due`: what follows the
// circulation of minutes (PROTOCOL.md, "After circulation"). Dates are printed as people in the
// UK read them ("18 Dec 2026"); --json prints the server's reply as it is.
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_support.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "minutes_cli.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;

/// The request fields as the commands name them.
constexpr Rewording kWords[] = {
    {"corrected_in: ", "--corrected-in: "},
    {"give either answer (your reply, when the record stays as it is) or corrected_in (the "
     "version that corrects it), not both and not neither",
     "give either --answer (your reply, when the record stays as it is) or --corrected-in (the "
     "version that corrects it), not both and not neither"},
    {"(start one with meeting_correct;", "(start one with liaise meeting correct;"},
};

struct FollowUpArgs {
    std::int64_t meeting = 0, comment = 0;
    std::optional<std::int64_t> version, corrected_in;
    std::string section, text;
    std::optional<std::string> answer;
};

std::string person(const json::object& o, std::string_view key) {
    const auto* p = o.if_contains(key);
    if (p == nullptr || !p->is_object())
        return "";
    auto name = shown(p->as_object(), "display_name");
    return name.empty() ? shown(p->as_object(), "user") : name;
}

void print_comment(const json::object& c) {
    std::cout << "  comment " << num(c, "comment") << " on version " << num(c, "version")
              << ", section " << shown(c, "section") << ", from " << person(c, "by") << " on "
              << local_date(num(c, "sent_at")) << ": " << shown(c, "status") << "\n"
              << "      " << shown(c, "text") << "\n";
    const auto status = shown(c, "status");
    if (status == "answered")
        std::cout << "      answered by " << person(c, "resolved_by") << " on "
                  << local_date(num(c, "resolved_at")) << ": " << shown(c, "answer") << "\n";
    else if (status == "corrected")
        std::cout << "      corrected by " << person(c, "resolved_by") << " in version "
                  << num(c, "corrected_in") << " (" << local_date(num(c, "resolved_at")) << ")\n";
}

int acknowledge(const Options& o, const FollowUpArgs& a) {
    json::object f{{"meeting", a.meeting}};
    if (a.version)
        f["version"] = *a.version;
    return simple(
        o, "minutes_acknowledge", std::move(f),
        [](const json::object& r) {
            std::cout << (r.at("already").as_bool() ? "You had already acknowledged version "
                                                    : "Acknowledged version ")
                      << num(r, "version") << " of meeting " << num(r, "meeting") << " (on "
                      << local_date(num(r, "acknowledged_at")) << ").\n";
        },
        kWords);
}

int comment(const Options& o, const FollowUpArgs& a) {
    json::object f{{"meeting", a.meeting}, {"section", a.section}, {"text", a.text}};
    if (a.version)
        f["version"] = *a.version;
    return simple(
        o, "minutes_comment", std::move(f),
        [](const json::object& r) {
            std::cout << "Sent comment " << num(r, "comment") << " on version " << num(r, "version")
                      << " of meeting " << num(r, "meeting")
                      << " to the chair. Comments close at the end of "
                      << calendar_text(shown(r, "window_closes")) << ".\n";
        },
        kWords);
}

int comments(const Options& o, const FollowUpArgs& a) {
    return simple(
        o, "minutes_comments", {{"meeting", a.meeting}},
        [](const json::object& r) {
            const auto& all = list(r, "comments");
            std::cout << "Accuracy comments on meeting " << num(r, "meeting")
                      << (r.at("all").as_bool() ? "" : " (yours)") << ": " << all.size() << ", "
                      << num(r, "open") << " open\n";
            for (const auto& v : all)
                print_comment(v.as_object());
        },
        kWords);
}

int resolve(const Options& o, const FollowUpArgs& a) {
    json::object f{{"meeting", a.meeting}, {"comment", a.comment}};
    if (a.answer)
        f["answer"] = *a.answer;
    if (a.corrected_in)
        f["corrected_in"] = *a.corrected_in;
    return simple(
        o, "minutes_comment_resolve", std::move(f),
        [](const json::object& r) {
            std::cout << "Resolved comment " << num(r, "comment") << " (" << shown(r, "status")
                      << ").\n";
        },
        kWords);
}

int due(const Options& o, const FollowUpArgs&) {
    return simple(
        o, "minutes_due", {},
        [](const json::object& r) {
            const auto& all = list(r, "meetings");
            if (all.empty()) {
                std::cout << "Nothing due on the meetings you chair or take minutes for.\n";
                return;
            }
            for (const auto& v : all) {
                const auto& m = v.as_object();
                std::cout << "Meeting " << num(m, "meeting") << " in " << shown(m, "room") << ": "
                          << shown(m, "title") << " (" << shown(m, "kind_label") << ", "
                          << calendar_text(shown(m, "starts_at").substr(0, 10)) << "), you are "
                          << (shown(m, "role") == "chair" ? "the chair" : "the minute-taker")
                          << "\n";
                for (const auto& d : list(m, "deadlines")) {
                    const auto& x = d.as_object();
                    const auto status = shown(x, "status");
                    std::cout << "  " << shown(x, "label") << ": "
                              << (status == "late"   ? "LATE, was due "
                                  : status == "open" ? "comments open until "
                                                     : "due ")
                              << calendar_text(shown(x, "due")) << "\n";
                }
                if (const auto n = num(m, "not_acknowledged"); n > 0)
                    std::cout << "  " << n << " recipient(s) have not acknowledged the minutes\n";
                if (const auto n = num(m, "open_comments"); n > 0)
                    std::cout << "  " << n << " accuracy comment(s) to resolve\n";
            }
        },
        kWords);
}

}  // namespace

void add_followup_commands(CLI::App& app, CLI::App& meeting, Options& o,
                           std::function<int()>& action) {
    auto a = std::make_shared<FollowUpArgs>();
    const auto runs = [&](CLI::App* cmd,
                          std::function<int(const Options&, const FollowUpArgs&)> fn) {
        cmd->add_flag("--json", o.json, "Print JSON for scripts");
        cmd->callback([&action, &o, a, fn] { action = [&o, a, fn] { return fn(o, *a); }; });
    };
    const auto meeting_arg = [&](CLI::App* cmd) {
        cmd->add_option("meeting", a->meeting, "The meeting number")->required();
    };

    auto* ack = meeting.add_subcommand(
        "acknowledge", "Acknowledge that you received circulated minutes (recipients)");
    meeting_arg(ack);
    ack->add_option("--version", a->version, "The version (default: the newest circulated)");
    runs(ack, acknowledge);

    auto* cmt = meeting.add_subcommand(
        "comment", "Send the chair an accuracy comment on circulated minutes (within the window)");
    meeting_arg(cmt);
    cmt->add_option("section", a->section,
                    "The section it is about: a section id (liaise meeting show lists them), "
                    "general, attendance, agenda, decisions or actions")
        ->required();
    cmt->add_option("text", a->text, "What is inaccurate, and what it should say")->required();
    cmt->add_option("--version", a->version, "The version (default: the newest circulated)");
    runs(cmt, comment);

    auto* list_cmd = meeting.add_subcommand(
        "comments", "Accuracy comments (the chair and minute-taker see all, others their own)");
    meeting_arg(list_cmd);
    runs(list_cmd, comments);

    auto* res = meeting.add_subcommand(
        "resolve", "Resolve an accuracy comment by an answer or by a correction (the chair)");
    meeting_arg(res);
    res->add_option("comment", a->comment, "The comment number")->required();
    auto* ans = res->add_option("--answer", a->answer, "Your reply; the record stays as it is");
    res->add_option("--corrected-in", a->corrected_in,
                    "The version that corrects it (start one with liaise meeting correct)")
        ->excludes(ans);
    runs(res, resolve);

    auto* meetings = app.add_subcommand("meetings", "Meetings you chair or take minutes for");
    meetings->require_subcommand(1);
    auto* due_cmd = meetings->add_subcommand(
        "due",
        "What is due and late: summaries, plans, records, comment windows, acknowledgements");
    runs(due_cmd, due);
}

}  // namespace liaise::client::cli
