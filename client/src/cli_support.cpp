#include "cli_support.hpp"
#include "unlock_cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <iostream>
#include <optional>

#include "liaise/client/display.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// Where the last reminder shown from this home is kept: "MILLISECONDS WHAT-IT-SAID".
constexpr const char* kReminded = "reminded";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Shows the action reminder the server sent after login on standard error, but only to a
/// person: every command logs in, so a script (or --json, which prints only the reply) would
/// get it on every call, and someone at a terminal would see the same list command after
/// command. The same reminder stays quiet for kReminderQuiet; a new or newly overdue action
/// changes what it says and shows at once.
void print_reminder(const Options& o, const Home& home, Client& c) {
    std::optional<json::object> reminder;
    while (true) {
        auto e = c.next_event(std::chrono::milliseconds(0));
        if (!e || !e.value())
            break;
        if (str(*e.value(), "type") == "action_reminder")
            reminder = *e.value();
    }
    if (!reminder || o.json || ::isatty(STDERR_FILENO) == 0)
        return;
    std::string said = std::to_string(num(*reminder, "overdue")) + "/" +
                       std::to_string(num(*reminder, "due_soon"));
    for (const auto& a : list(*reminder, "actions"))
        said += " " + std::to_string(num(a.as_object(), "id"));
    const auto now = now_ms();
    if (const auto last = home.read_file(kReminded)) {
        std::int64_t at = 0;
        const auto* end = last->data() + last->size();
        const auto [rest, ec] = std::from_chars(last->data(), end, at);
        const auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(kReminderQuiet);
        if (ec == std::errc() && std::string_view(rest, end) == " " + said && at <= now &&
            now - at < quiet.count())
            return;
    }
    std::cerr << reminder_heading(*reminder) << ":\n";
    for (const auto& a : list(*reminder, "actions"))
        std::cerr << "  #" << num(a.as_object(), "id") << " due "
                  << calendar_text(shown(a.as_object(), "due")) << " ("
                  << shown(a.as_object(), "room") << "): " << shown(a.as_object(), "what") << "\n";
    // Not remembering it only means it shows again next time.
    (void)home.write_file(kReminded, std::to_string(now) + " " + said);
}

/// `message` with each wire phrase of `words` in the command's words.
std::string reworded(std::string message, std::span<const Rewording> words) {
    for (const auto& w : words)
        for (auto at = message.find(w.wire); at != std::string::npos;
             at = message.find(w.wire, at + w.cli.size()))
            message.replace(at, w.wire.size(), w.cli);
    return message;
}

}  // namespace

const char* const kOfflineHint =
    "Without the server you can still check a draft ('liaise check'), look up a term "
    "('liaise explain') and read what this device has kept of a room ('liaise read ROOM'); "
    "sending and minutes need the server.\n";

std::string reminder_heading(const json::object& reminder) {
    return "Reminder: you have " + std::to_string(num(reminder, "overdue")) +
           " overdue action(s) and " + std::to_string(num(reminder, "due_soon")) +
           " due within two days";
}

int report(const protocol::Error& e, std::span<const Rewording> words) {
    std::cerr << "liaise: " << display_line(reworded(e.message, words)) << " ("
              << display_line(e.code) << ")\n";
    return 1;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Levenshtein distance: letters added, removed or changed to make `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::optional<std::string> nearest_room(std::string_view typed,
                                        const std::vector<std::string>& rooms) {
    constexpr std::size_t kNear = 2;
    const auto want = lower(typed);
    std::optional<std::string> best;
    std::size_t best_distance = kNear + 1;
    for (const auto& r : rooms) {
        if (r == typed)
            return std::nullopt;
        // Capitals alone count as no difference: "Case-2041" is "case-2041".
        const auto d = edit_distance(want, lower(r));
        if (d < best_distance) {
            best = r;
            best_distance = d;
        }
    }
    return best;
}

int report_room(Client& c, const protocol::Error& e, std::string_view room,
                std::span<const Rewording> words) {
    if (e.code != "not_found" || e.message.find("room") == std::string::npos)
        return report(e, words);
    std::vector<std::string> mine;
    if (auto rooms = c.call("rooms"); rooms)
        for (const auto& r : list(rooms.value(), "rooms"))
            if (r.is_object())
                mine.push_back(str(r.as_object(), "room"));
    const auto near = nearest_room(room, mine);
    if (!near)
        return report(e, words);
    return report({e.code, e.message + "; did you mean '" + *near + "'?"}, words);
}

int with_client(const Options& o, const std::function<int(Client&, const Relogin&)>& fn) {
    return with_client(o, Offline{}, fn);
}

/// Logs in with this device's keys and runs `fn`; reports any error as one line.
int with_client(const Options& o, const Offline& offline,
                const std::function<int(Client&, const Relogin&)>& fn) {
    const Home home;
    if (auto profile = home.profile(); !profile)
        return report(profile.error());
    const auto keys = unlock_keys(home);
    if (!keys)
        return report(keys.error());
    auto client = Client::login(home, keys.value()->keys());
    if (!client) {
        const auto& why = client.error();
        const bool unreachable = why.code == "connection_failed" || why.code == "timeout" ||
                                 why.code == "connection_closed";
        if (unreachable && offline)
            return offline(home, keys.value()->keys(), why);
        const int status = report(why);
        if (why.code == "connection_failed")
            std::cerr << kOfflineHint;
        return status;
    }
    print_new_logins(*client.value());
    const Relogin relogin = [&] { return Client::login(home, keys.value()->keys()); };
    const int status = fn(*client.value(), relogin);
    print_reminder(o, home, *client.value());
    return status;
}

int with_client(const Options& o, const std::function<int(Client&)>& fn) {
    return with_client(o, [&](Client& c, const Relogin&) { return fn(c); });
}

std::string left_as_written(std::string_view text, const std::vector<jargon::Finding>& findings) {
    std::string terms;
    const auto choices = jargon::offer_fixes(text, findings);
    for (std::size_t i = 0; i < findings.size(); ++i)
        if (!choices[i].replace && !choices[i].explain && !choices[i].bracketed)
            terms += (terms.empty() ? "" : ", ") + findings[i].text;
    if (terms.empty())
        return terms;
    return "Left as written (it means different things to different disciplines, or has no "
           "plain alternative): " +
           terms + ".";
}

std::string withdrawn_note(const json::object& code_reply) {
    const auto n = num(code_reply, "withdrawn");
    if (n <= 0)
        return {};
    return std::string(n == 1 ? "The earlier code" : "The earlier codes") + " for " +
           shown(code_reply, "user") + " no longer " + (n == 1 ? "works" : "work") + ".\n";
}

/// Prints the findings of a meeting check (the reply of meeting_check, or the `check` of a
/// findings_unacknowledged error) for people.
void print_check(std::ostream& out, const json::object& check) {
    out << "Plain-language check for " << shown(check, "audience") << ": " << num(check, "findings")
        << " finding(s)\n";
    for (const auto& s : list(check, "sections")) {
        const auto& section = s.as_object();
        const auto& findings = list(section, "findings");
        const auto* r = section.if_contains("readability");
        if (findings.empty() && (r == nullptr || !r->is_object()))
            continue;
        out << "  " << shown(section, "label") << ":";
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
            out << "    " << shown(finding, "text") << " ("
                << (disciplines.empty() ? "unknown acronym" : display_line(disciplines)) << ")"
                << (alternatives.empty() ? "" : " -> " + display_line(alternatives)) << ": "
                << shown(finding, "explanation") << "\n";
        }
    }
}

void print_unacknowledged(bool as_json, std::string_view code, const json::object& body) {
    if (code != "findings_unacknowledged" || !body.contains("check"))
        return;
    if (as_json)
        std::cout << json::serialize(body) << "\n";
    else
        print_check(std::cerr, body.at("check").as_object());
}

/// Runs one request and prints the reply: JSON as is, or via `human`. A
/// findings_unacknowledged error also prints the findings.
int simple(const Options& o, std::string_view type, json::object fields,
           const std::function<void(const json::object&)>& human,
           std::span<const Rewording> words) {
    return with_client(o, [&](Client& c) {
        std::optional<std::string> room;  // a room named in the request, for "did you mean"
        if (const auto* r = fields.if_contains("room"); r && r->is_string())
            room = std::string(r->get_string());
        auto reply = c.call(type, std::move(fields));
        if (!reply) {
            const auto& body = c.connection().last_error_body();
            print_unacknowledged(o.json, reply.error().code, body);
            if (reply.error().code == "invalid_dictionary" && body.contains("problems")) {
                if (o.json)
                    std::cout << json::serialize(body) << "\n";
                else
                    for (const auto& p : list(body, "problems")) {
                        const auto& problem = p.as_object();
                        // One entry's problems (no line) are all in the message already; an
                        // import's, one per line, are each listed.
                        if (num(problem, "line") == 0 &&
                            reply.error().message.find(str(problem, "message")) !=
                                std::string::npos)
                            continue;
                        std::cerr << shown(problem, "discipline");
                        if (num(problem, "line") > 0)
                            std::cerr << ":" << num(problem, "line");
                        std::cerr << ": " << shown(problem, "message") << "\n";
                    }
            }
            if (room)
                return report_room(c, reply.error(), *room, words);
            return report(reply.error(), words);
        }
        if (o.json)
            std::cout << json::serialize(reply.value()) << "\n";
        else
            human(reply.value());
        return 0;
    });
}

std::optional<bool> confirm(std::string_view what, std::string_view question) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    const std::string prompt = std::string(what) + std::string(question) + " [y/N] ";
    (void)!::write(fd, prompt.data(), prompt.size());
    std::string line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ::close(fd);
    return line == "y" || line == "yes";
}

std::string shown(const json::object& o, std::string_view key) {
    return display_line(str(o, key));
}

std::string finding_line(const jargon::Finding& f) {
    std::string who;
    for (const auto& d : f.disciplines())
        who += (who.empty() ? "" : ", ") + d;
    std::string line = f.text + " (" + (who.empty() ? "unknown acronym" : who) + ")";
    const auto alternatives = f.alternatives();
    if (f.meanings.size() > 1)
        line += " -> several meanings: reword it yourself";
    else if (!alternatives.empty())
        line += " -> " + alternatives.front();
    if (const auto explanation = f.explanation(); !explanation.empty())
        line += ": " + explanation;
    return display_line(line);  // the dictionaries' words, from the server
}

std::string clock_time(std::int64_t ms) {
    return local_date_time(ms);
}

std::string utc_time(std::int64_t ms) {
    return protocol::minute_time(ms, true);
}

}  // namespace liaise::client::cli
