#include "cli_support.hpp"

#include <boost/json.hpp>
#include <ctime>
#include <iostream>

#include "liaise/protocol/fields.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// The action reminders the server sent after login, on stderr (not with --json, which prints
/// only the reply).
void print_reminders(const Options& o, Client& c) {
    while (true) {
        auto e = c.next_event(std::chrono::milliseconds(0));
        if (!e || !e.value())
            return;
        const auto& event = *e.value();
        if (o.json || str(event, "type") != "action_reminder")
            continue;
        std::cerr << "Reminder: you have " << num(event, "overdue") << " overdue action(s) and "
                  << num(event, "due_soon") << " due within two days:\n";
        for (const auto& a : list(event, "actions"))
            std::cerr << "  #" << num(a.as_object(), "id") << " due " << str(a.as_object(), "due")
                      << " (" << str(a.as_object(), "room") << "): " << str(a.as_object(), "what")
                      << "\n";
    }
}

}  // namespace

int report(const protocol::Error& e) {
    std::cerr << "liaise: " << e.message << " (" << e.code << ")\n";
    return 1;
}

/// Logs in with this device's keys and runs `fn`; reports any error as one line.
int with_client(const Options& o, const std::function<int(Client&)>& fn) {
    const Home home;
    if (auto profile = home.profile(); !profile)
        return report(profile.error());
    auto pass = passphrase(false);
    if (!pass)
        return report(pass.error());
    auto client = Client::login(home, pass.value());
    if (!client)
        return report(client.error());
    const int status = fn(*client.value());
    print_reminders(o, *client.value());
    return status;
}

/// Prints the findings of a meeting check (the reply of meeting_check, or the `check` of a
/// findings_unacknowledged error) for people.
void print_check(std::ostream& out, const json::object& check) {
    out << "Plain-language check for " << str(check, "audience") << ": " << num(check, "findings")
        << " finding(s)\n";
    for (const auto& s : list(check, "sections")) {
        const auto& section = s.as_object();
        const auto& findings = list(section, "findings");
        const auto* r = section.if_contains("readability");
        if (findings.empty() && (r == nullptr || !r->is_object()))
            continue;
        out << "  " << str(section, "label") << ":";
        if (r != nullptr && r->is_object())
            out << " reading ease "
                << static_cast<int>(r->as_object().at("flesch_reading_ease").to_number<double>());
        out << "\n";
        for (const auto& f : findings) {
            const auto& finding = f.as_object();
            std::string disciplines, alternatives;
            for (const auto& d : list(finding, "disciplines"))
                disciplines += (disciplines.empty() ? "" : ",") + std::string(d.as_string());
            for (const auto& a : list(finding, "alternatives"))
                alternatives += (alternatives.empty() ? "" : " | ") + std::string(a.as_string());
            out << "    " << str(finding, "text") << " ("
                << (disciplines.empty() ? "unknown acronym" : disciplines) << ")"
                << (alternatives.empty() ? "" : " -> " + alternatives) << ": "
                << str(finding, "explanation") << "\n";
        }
    }
}

/// Runs one request and prints the reply: JSON as is, or via `human`. A
/// findings_unacknowledged error also prints the findings.
int simple(const Options& o, std::string_view type, json::object fields,
           const std::function<void(const json::object&)>& human) {
    return with_client(o, [&](Client& c) {
        auto reply = c.call(type, std::move(fields));
        if (!reply) {
            const auto& body = c.connection().last_error_body();
            if (reply.error().code == "findings_unacknowledged" && body.contains("check")) {
                if (o.json)
                    std::cout << json::serialize(body) << "\n";
                else
                    print_check(std::cerr, body.at("check").as_object());
            }
            if (reply.error().code == "invalid_dictionary" && body.contains("problems")) {
                if (o.json)
                    std::cout << json::serialize(body) << "\n";
                else
                    for (const auto& p : list(body, "problems")) {
                        const auto& problem = p.as_object();
                        std::cerr << str(problem, "discipline");
                        if (num(problem, "line") > 0)
                            std::cerr << ":" << num(problem, "line");
                        std::cerr << ": " << str(problem, "message") << "\n";
                    }
            }
            return report(reply.error());
        }
        if (o.json)
            std::cout << json::serialize(reply.value()) << "\n";
        else
            human(reply.value());
        return 0;
    });
}

std::string clock_time(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

}  // namespace liaise::client::cli
