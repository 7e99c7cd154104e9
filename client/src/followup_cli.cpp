// `liaise meeting acknowledge|comment|comments|resolve` and `liaise meetings due`: what follows the
// circulation of minutes (PROTOCOL.md, "After circulation"). Dates are printed as people in the
// UK read them ("18 Dec 2026"); --json prints the server's reply as it is, with this device's
// verdict on each signature added ("signature_checked").
//
// Acknowledgements and comments are signed by this device when sent, and checked against the
// signer's pinned key wherever they are shown (PROTOCOL.md, "Signed acknowledgements and
// comments"): one that does not verify is said to be the server's claim, never shown as given,
// and the command exits 1.
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_support.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "minutes_cli.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

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

/// The circulated version a recipient command is about: `asked`, else the meeting's newest
/// fixed one (as the server picks it).
protocol::Expected<std::int64_t> fixed_version(Client& c, std::int64_t meeting,
                                               std::optional<std::int64_t> asked) {
    if (asked)
        return *asked;
    auto m = c.call("meeting_show", {{"meeting", meeting}});
    if (!m)
        return m.error();
    const auto v = num(m.value(), "version") - (str(m.value(), "status") == "draft" ? 1 : 0);
    if (v < 1)
        return protocol::Error{"wrong_status", "meeting " + std::to_string(meeting) +
                                                   " has not been circulated yet: there is "
                                                   "nothing to acknowledge or comment on"};
    return v;
}

/// "verified", "not_signed" or "does_not_verify", for --json.
std::string verdict(const ReceiptCheck& r) {
    switch (r.result) {
        case ReceiptCheck::Result::verified:
            return "verified";
        case ReceiptCheck::Result::not_signed:
            return "not_signed";
        case ReceiptCheck::Result::does_not_verify:
            break;
    }
    return "does_not_verify";
}

int acknowledge(const Options& o, const FollowUpArgs& a) {
    return with_client(o, [&](Client& c) {
        const auto version = fixed_version(c, a.meeting, a.version);
        if (!version)
            return report(version.error(), kWords);
        // The device signs the version as it is shown to it: the text received.
        auto minutes =
            c.call("meeting_show", {{"meeting", a.meeting}, {"version", version.value()}});
        if (!minutes)
            return report(minutes.error(), kWords);
        json::object f{{"meeting", a.meeting}, {"version", version.value()}};
        for (auto& [k, v] : c.sign_acknowledgement(minutes.value()))
            f[k] = v;
        auto r = c.call("minutes_acknowledge", std::move(f));
        if (!r)
            return report(r.error(), kWords);
        if (o.json) {
            std::cout << json::serialize(r.value()) << "\n";
            return 0;
        }
        std::cout << (r.value().at("already").as_bool() ? "You had already acknowledged version "
                                                        : "Acknowledged version ")
                  << num(r.value(), "version") << " of meeting " << num(r.value(), "meeting")
                  << " (on " << local_date(num(r.value(), "acknowledged_at"))
                  << "), signed by this device.\n";
        return 0;
    });
}

int comment(const Options& o, const FollowUpArgs& a) {
    return with_client(o, [&](Client& c) {
        const auto version = fixed_version(c, a.meeting, a.version);
        if (!version)
            return report(version.error(), kWords);
        json::object f{{"meeting", a.meeting},
                       {"version", version.value()},
                       {"section", a.section},
                       {"text", a.text}};
        for (auto& [k, v] : c.sign_comment(a.meeting, version.value(), a.section, a.text))
            f[k] = v;
        auto r = c.call("minutes_comment", std::move(f));
        if (!r)
            return report(r.error(), kWords);
        if (o.json) {
            std::cout << json::serialize(r.value()) << "\n";
            return 0;
        }
        std::cout << "Sent comment " << num(r.value(), "comment") << " on version "
                  << num(r.value(), "version") << " of meeting " << num(r.value(), "meeting")
                  << " to the chair. Your device signed it. Comments close at the end of "
                  << calendar_text(shown(r.value(), "window_closes")) << ".\n";
        return 0;
    });
}

int comments(const Options& o, const FollowUpArgs& a) {
    return with_client(o, [&](Client& c) {
        auto reply = c.call("minutes_comments", {{"meeting", a.meeting}});
        if (!reply)
            return report(reply.error(), kWords);
        auto& r = reply.value();
        bool forged = false;
        std::vector<ReceiptCheck> checks;
        for (auto& v : list(r, "comments")) {
            checks.push_back(c.check_comment(v.as_object()));
            forged = forged || checks.back().result == ReceiptCheck::Result::does_not_verify;
        }
        if (o.json) {
            auto& all = r["comments"].as_array();
            for (std::size_t i = 0; i < all.size(); ++i)
                all[i].as_object()["signature_checked"] = verdict(checks[i]);
            std::cout << json::serialize(r) << "\n";
            return forged ? 1 : 0;
        }
        const auto& all = list(r, "comments");
        std::cout << "Accuracy comments on meeting " << num(r, "meeting")
                  << (r.at("all").as_bool() ? "" : " (yours)") << ": " << all.size() << ", "
                  << num(r, "open") << " open\n";
        for (std::size_t i = 0; i < all.size(); ++i) {
            print_comment(all[i].as_object());
            std::cout << "      " << display_line(checks[i].describe()) << "\n";
        }
        return forged ? 1 : 0;
    });
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

/// Each acknowledgement minutes_due lists for `m`, checked against the version it names as
/// this device fetches it; the verdicts go into the reply ("signature_checked").
protocol::Expected<std::vector<ReceiptCheck>> check_due(Client& c, json::object& m) {
    std::vector<ReceiptCheck> out;
    auto* acks = m.if_contains("acknowledged");
    if (acks == nullptr || !acks->is_array() || acks->as_array().empty())
        return out;
    auto minutes =
        c.call("meeting_show", {{"meeting", num(m, "meeting")}, {"version", num(m, "version")}});
    if (!minutes)
        return minutes.error();
    for (auto& v : acks->as_array()) {
        if (!v.is_object())
            continue;
        out.push_back(c.check_acknowledgement(minutes.value(), v.as_object()));
        v.as_object()["signature_checked"] = verdict(out.back());
    }
    return out;
}

int due(const Options& o, const FollowUpArgs&) {
    return with_client(o, [&](Client& c) {
        auto reply = c.call("minutes_due", {});
        if (!reply)
            return report(reply.error(), kWords);
        auto& r = reply.value();
        bool forged = false;
        std::vector<std::vector<ReceiptCheck>> checked;
        for (auto& v : r["meetings"].as_array()) {
            auto one = check_due(c, v.as_object());
            if (!one)
                return report(one.error(), kWords);
            for (const auto& a : one.value())
                forged = forged || a.result == ReceiptCheck::Result::does_not_verify;
            checked.push_back(std::move(one).value());
        }
        if (o.json) {
            std::cout << json::serialize(r) << "\n";
            return forged ? 1 : 0;
        }
        {
            const auto& all = list(r, "meetings");
            if (all.empty()) {
                std::cout << "Nothing due on the meetings you chair or take minutes for.\n";
                return 0;
            }
            for (std::size_t i = 0; i < all.size(); ++i) {
                const auto& v = all[i];
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
                // Only what this device verified counts as acknowledged.
                std::int64_t verified = 0, not_verified = 0;
                for (const auto& a : checked[i]) {
                    if (a.result == ReceiptCheck::Result::verified)
                        ++verified;
                    else
                        ++not_verified;
                }
                if (verified > 0)
                    std::cout << "  " << verified << " recipient(s) acknowledged version "
                              << num(m, "version") << ", signatures verified\n";
                for (const auto& a : checked[i])
                    if (a.result != ReceiptCheck::Result::verified)
                        std::cout << "  " << display_line(a.describe()) << "\n";
                if (const auto n = num(m, "not_acknowledged") + not_verified; n > 0)
                    std::cout << "  " << n << " recipient(s) have not acknowledged the minutes"
                              << (not_verified > 0 ? " (counting those not verified)" : "") << "\n";
                if (const auto n = num(m, "open_comments"); n > 0)
                    std::cout << "  " << n << " accuracy comment(s) to resolve\n";
            }
        }
        return forged ? 1 : 0;
    });
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
