#include "commands.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>
#include "liaise/protocol/fields.hpp"

#include "cli_support.hpp"
#include "events.hpp"
#include "history_store.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/client/message_size.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/client/strength.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/reader.hpp"
#include "liaise/jargon/reading_age.hpp"
#include "plain_reading.hpp"
#include "qr.hpp"
#include "suite_seal_limits.hpp"
#include "unlock_cli.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// The width of the terminal standard output is, or 0 when it is not a terminal.
std::size_t terminal_width() {
    winsize size{};
    if (::isatty(STDOUT_FILENO) == 0 || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0)
        return 0;
    return size.ws_col;
}

/// What the reader should know about `m` (Ledger warnings, key changes), a line each under it.
void print_warnings(const ReadMessage& m, std::size_t width) {
    for (const auto& w : m.warnings)
        std::cout << fit_width(std::string(kContinuation) + "! warning: " + display_line(w.message),
                               width, std::string(kContinuation) + "  ")
                  << "\n";
}

/// Prints one message; `engine` (when not plain) adds explanations of terms from disciplines
/// other than the reader's, and of the reader's terms that mean something else to the writer's
/// (explain_for, with the room's `readers`). The room's agreed terms are not explained, except
/// once, in the room's words, to a reader who meets one for the first time (`met`).
void print_message(const Options& o, const ReadMessage& m, const jargon::Engine* engine,
                   const std::string& reader, const RoomReaders& readers,
                   std::set<std::string>& met) {
    if (m.event) {  // a membership change the server recorded in the room's history
        if (o.json) {
            json::object out{
                {"room", m.room}, {"seq", m.seq}, {"sent_at", m.sent_at}, {"event", *m.event}};
            if (!m.warnings.empty()) {  // a hole in the history before it
                json::array warnings;
                for (const auto& w : m.warnings)
                    warnings.push_back(json::object{{"code", w.code}, {"message", w.message}});
                out["warnings"] = std::move(warnings);
            }
            std::cout << json::serialize(out) << std::endl;
            return;
        }
        const auto width = terminal_width();
        std::cout << fit_width("#" + std::to_string(m.seq) + " " + local_clock(m.sent_at) +
                                   " \u2014 " + display_line(describe_event(*m.event)) + ".",
                               width)
                  << "\n";
        print_warnings(m, width);
        std::cout << std::flush;
        return;
    }
    Explained in_room;
    if (engine != nullptr && m.text)
        in_room = explain_in_room(*engine, *m.text, reader, m.sender, readers, met);
    const auto& explained = in_room.result;
    if (o.json) {
        json::object out{{"room", m.room},
                         {"seq", m.seq},
                         {"sender", m.sender},
                         {"sender_device", m.sender_device},
                         {"sent_at", m.sent_at}};
        if (m.text)
            out["text"] = *m.text;
        else
            out["error"] = json::object{{"code", m.error.code}, {"message", m.error.message}};
        json::array warnings;
        for (const auto& w : m.warnings)
            warnings.push_back(json::object{{"code", w.code}, {"message", w.message}});
        out["warnings"] = std::move(warnings);
        if (engine != nullptr) {
            json::array explanations;
            for (const auto& f : explained.findings)
                explanations.push_back(json::parse(jargon::findings_json(f)));
            out["explanations"] = std::move(explanations);
            json::array agreed;
            for (const auto& t : in_room.first_met)
                agreed.push_back(json::object{{"term", t.term}, {"meaning", t.meaning}});
            out["room_terms"] = std::move(agreed);
        }
        std::cout << json::serialize(out) << std::endl;
        return;
    }
    // The text is the sender's, the names the server's: shown, never obeyed (display.hpp). On a
    // terminal the rows are broken here, indented, so the terminal never wraps one to column 0.
    const auto width = terminal_width();
    std::string shown = "#" + std::to_string(m.seq) + " " + local_clock(m.sent_at) + " " +
                        readers.people.name(m.sender) + ": ";
    if (!m.text) {
        shown += "[cannot read this message: " + display_line(m.error.message) + " (" +
                 display_line(m.error.code) + ")]";
        std::cout << fit_width(shown, width) << "\n";
        print_warnings(m, width);
        std::cout << std::flush;
        return;
    }
    shown += display_block(annotate(*m.text, explained.findings));
    std::cout << fit_width(shown, width) << "\n";
    for (const auto& note : notes(explained.findings))
        std::cout << fit_width(std::string(kContinuation) + note, width,
                               std::string(kContinuation) + "  ")
                  << "\n";
    for (const auto& note : room_notes(in_room.first_met))
        std::cout << fit_width(std::string(kContinuation) + note, width,
                               std::string(kContinuation) + "  ")
                  << "\n";
    print_warnings(m, width);
    std::cout << std::flush;
}

/// "[1] CIN (social-care) -> child needing extra council help: explanation", one line per
/// finding, as `chat` shows a held-back draft.
void print_findings(const std::vector<jargon::Finding>& findings) {
    for (std::size_t i = 0; i < findings.size(); ++i)
        std::cerr << "  [" << i + 1 << "] " << finding_line(findings[i]) << "\n";
}

/// A device's key as this device computes its number (never the server's word).
std::string key_number(const json::object& device) {
    const auto key = crypto::SignPublicKey::from_base64(str(device, "sign_key"));
    return key ? crypto::PublicIdentity{*key, {}, {}}.fingerprint() : "(no valid key)";
}

void print_devices(const json::object& account) {
    for (const auto& d : account.at("devices").as_array()) {
        const auto& dev = d.as_object();
        std::cout << "  device " << shown(dev, "device") << " (" << shown(dev, "name") << "): key "
                  << key_number(dev) << "\n";
    }
}

}  // namespace

int enrol(const Options& o, const std::string& server, const std::string& code,
          const std::string& device_name) {
    const Home home;
    // What can be refused without the passphrase is refused before it is asked for.
    if (auto allowed = Client::can_enrol(home, server); !allowed)
        return report(allowed.error());
    auto pass = passphrase(true);
    if (!pass)
        return report(pass.error());
    // Before the code is used: what this device knows of the person is only the device name.
    if (auto strong = check_new_passphrase(pass.value(), {device_name}); !strong)
        return report(strong.error());
    auto reply = Client::enrol(home, server, code, pass.value(), device_name);
    if (!reply)
        return report(reply.error());
    // Now the person's names are known, but the code is spent and the keys are sealed: a
    // passphrase that contains them is reported, for 'liaise passphrase' to change it.
    std::vector<std::string> names;
    for (const auto* key : {"user", "display_name", "agency"})
        if (const auto* v = reply.value().if_contains(key); v != nullptr && v->is_string())
            names.emplace_back(v->get_string());
    if (auto strong = check_new_passphrase(pass.value(), names); !strong)
        std::cerr << "liaise: warning: " << strong.error().message
                  << ". Change it now with 'liaise passphrase'.\n";
    if (o.json) {
        std::cout << json::serialize(reply.value()) << "\n";
    } else {
        std::cout << "Enrolled " << shown(reply.value(), "user") << " ("
                  << shown(reply.value(), "role") << ", " << shown(reply.value(), "agency")
                  << ") as device " << shown(reply.value(), "device") << ".\n"
                  << "Keys are in " << home.dir().string() << ", protected by your passphrase.\n";
    }
    if (weak_keystore_requested())
        std::cerr << "liaise: warning: " << kWeakKeystoreVariable
                  << " is set: these keys are sealed with the weaker limits kept for test "
                     "suites; unlocking without it seals them again properly.\n";
    return 0;
}

int whoami(const Options& o) {
    return simple(o, "whoami", {}, [](const json::object& r) {
        std::cout << shown(r, "user") << " (" << shown(r, "display_name") << "), "
                  << shown(r, "role") << " at " << shown(r, "agency") << " ["
                  << shown(r, "discipline") << "], device " << shown(r, "device") << "\n";
    });
}

int agency_add(const Options& o, const std::string& name, const std::string& discipline) {
    return simple(o, "agency_add", {{"name", name}, {"discipline", discipline}},
                  [](const json::object& r) {
                      std::cout << "Added agency " << shown(r, "name") << " ("
                                << shown(r, "discipline") << ").\n";
                  });
}

int agency_list(const Options& o) {
    return simple(o, "agency_list", {}, [](const json::object& r) {
        if (r.at("agencies").as_array().empty())
            std::cout << "No agencies.\n";
        for (const auto& a : r.at("agencies").as_array())
            std::cout << shown(a.as_object(), "name") << " [" << shown(a.as_object(), "discipline")
                      << "]\n";
    });
}

int admin_enrol(const Options& o, const std::string& user, const std::string& agency,
                const std::string& role, const std::string& display_name,
                std::optional<int> hours) {
    json::object fields{{"user", user}, {"agency", agency}, {"role", role}};
    if (!display_name.empty())
        fields["display_name"] = display_name;
    if (hours)
        fields["hours"] = *hours;
    return simple(o, "enrol_code", std::move(fields), [](const json::object& r) {
        std::cout << "Enrolment code for " << shown(r, "user") << " (use it once, before "
                  << utc_time(r.at("expires_at").as_int64()) << "):\n  " << shown(r, "code") << "\n"
                  << withdrawn_note(r);
    });
}

int room_create(const Options& o, const std::string& room,
                const std::vector<std::string>& members) {
    json::array list;
    for (const auto& m : members)
        list.emplace_back(m);
    return simple(o, "room_create", {{"room", room}, {"members", std::move(list)}},
                  [](const json::object& r) {
                      std::cout << "Created room " << shown(r, "room") << " with "
                                << r.at("members").as_array().size() << " members.\n";
                  });
}

int room_change(const Options& o, const std::string& room, const std::string& user, bool add) {
    return simple(o, add ? "room_add" : "room_remove", {{"room", room}, {"user", user}},
                  [&](const json::object& r) {
                      const bool changed = r.at("changed").as_bool();
                      if (add)
                          std::cout << (changed ? "Added " : "Already a member: ") << user
                                    << (changed ? " to " : " of ") << room << ".\n";
                      else
                          std::cout << (changed ? "Removed " : "Not a member: ") << user
                                    << (changed ? " from " : " of ") << room << ".\n";
                  });
}

int room_show(const Options& o, const std::string& room) {
    return simple(o, "room_show", {{"room", room}}, [](const json::object& r) {
        if (const auto* last = r.if_contains("last_seq"))
            std::cout << "Room " << shown(r, "room") << " (last message #" << last->as_int64()
                      << ")\n";
        else  // an admin who is not a member sees who is in it, and no more
            std::cout << "Room " << shown(r, "room") << " (you are not a member)\n";
        if (r.at("public").is_bool() && r.at("public").as_bool())
            std::cout << "Includes the public: every term is flagged, agreed ones too.\n";
        for (const auto& m : r.at("members").as_array()) {
            const auto& member = m.as_object();
            const auto* suspended = member.if_contains("suspended");
            std::cout << shown(member, "user") << " (" << shown(member, "display_name") << "), "
                      << shown(member, "role") << ", " << shown(member, "agency") << " ["
                      << shown(member, "discipline") << "]"
                      << (suspended && suspended->is_bool() && suspended->get_bool()
                              ? " (suspended)"
                              : "")
                      << "\n";
            if (!member.contains("devices"))
                continue;
            print_devices(member);
            for (const auto& d : member.at("devices").as_array())
                if (const auto& dev = d.as_object(); dev.contains("issued_by"))
                    std::cout << "    device " << shown(dev, "device") << " was issued by admin "
                              << shown(dev, "issued_by") << " on "
                              << clock_time(num(dev, "issued_at"))
                              << ": verify this person again before trusting it\n";
        }
        if (const auto* g = r.if_contains("glossary"); g && g->is_object())
            for (const auto& line : glossary_lines(g->get_object()))
                std::cout << line << "\n";
    });
}

int rooms(const Options& o) {
    return simple(o, "rooms", {}, [](const json::object& r) {
        const auto& list = r.at("rooms").as_array();
        if (list.empty())
            std::cout << "You are not in any room yet.\n";
        for (const auto& x : list) {
            const auto& room = x.as_object();
            const auto last = room.at("last_seq").as_int64();
            // read_seq: how far this person has read it on any device (older servers: absent).
            const auto* read = room.if_contains("read_seq");
            const auto unread = read != nullptr && read->is_int64() ? last - read->as_int64() : 0;
            std::cout << shown(room, "room") << ": " << room.at("members").as_int64()
                      << " members, last message #" << last
                      << (read != nullptr && unread > 0
                              ? ", unread after #" + std::to_string(read->as_int64())
                              : "")
                      << "\n";
        }
    });
}

int send(const Options& o, const std::string& room, const std::vector<std::string>& words,
         DraftPolicy policy, Confirm asking, bool accept_new_readers) {
    std::string text;
    // `-` alone means standard input, as for `check -` and `--discussion -`: never the text "-".
    if (words.empty() || (words.size() == 1 && words.front() == "-")) {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
    } else {
        for (const auto& w : words)
            text += (text.empty() ? "" : " ") + w;
    }
    if (text.empty()) {
        std::cerr << "liaise: nothing to send\n";
        return 2;
    }
    if (auto too_long = message_too_long(text.size()))  // before logging in or checking it
        return report(*too_long);
    return with_client(o, [&](Client& c) {
        auto engine = c.engine();
        if (!engine)
            return report(engine.error());
        auto readers = c.readers(room);
        if (!readers)
            return report_room(c, readers.error(), room);
        const auto& audience = readers.value().audience;
        // The writer's discipline settles ambiguous terms; the room's agreed terms pass.
        auto result = check_draft(*engine.value(), text, readers.value(), c.discipline());
        // For families: say when the draft needs an older reader than the aim (not a hold-back).
        if (audience.is_public() && !o.json)
            if (const auto age = jargon::reading_age(text); age && age->above_aim())
                for (const auto& line : reading_age_lines(text, *age))
                    std::cerr << line << "\n";
        std::string to_send = text;
        if (!result.findings.empty()) {
            if (policy == DraftPolicy::check) {
                if (o.json) {
                    auto doc = json::parse(jargon::findings_json(result));
                    doc.as_object()["audience"] = audience.to_string();
                    doc.as_object()["sent"] = false;
                    std::cout << json::serialize(doc) << "\n";
                } else {
                    std::cerr << "Not sent: the room (" << audience.to_string()
                              << ") may not understand these terms:\n";
                    print_findings(result.findings);
                    std::cerr << "Reword it, or send with --fix (plain alternatives) or --anyway "
                                 "(as written).\n";
                }
                return 1;
            }
            if (policy == DraftPolicy::fix || policy == DraftPolicy::explain) {
                to_send = jargon::fix_text(text, result.findings,
                                           policy == DraftPolicy::explain
                                               ? jargon::FixMode::explain_only
                                               : jargon::FixMode::replace_where_it_fits);
                // The dictionaries chose these words: the person sees them before they are
                // signed and sent in their name.
                if (asking == Confirm::ask) {
                    std::string what = std::string(policy == DraftPolicy::explain
                                                       ? "Each term explained on first use:\n"
                                                       : "Rewritten in plain words where they "
                                                         "fit, else explained:\n") +
                                       std::string(kContinuation) + display_block(to_send) + "\n";
                    if (const auto left = left_as_written(text, result.findings); !left.empty())
                        what += left + "\n";
                    const auto yes = confirm(what, "Send this?");
                    if (!yes) {
                        std::cerr << "liaise: not sent: --fix shows the rewritten message and "
                                     "asks before sending, and there is no terminal to ask on "
                                     "(add --yes to send it without asking)\n";
                        return 1;
                    }
                    if (!*yes) {
                        std::cerr << "Not sent.\n";
                        return 1;
                    }
                }
            }
        }
        std::string refused_readers;
        const auto confirm_readers = [&](const std::vector<NewReader>& fresh) {
            std::string list;
            for (const auto& r : fresh)
                list += "  " + display_line(r.describe()) + "\n";
            if (accept_new_readers)
                return true;
            const auto yes = confirm(
                "This message will also be readable by people you have not "
                "written to in " +
                    room + " before:\n" + list,
                "Send it to them?");
            if (!yes)
                refused_readers = list;
            return yes.value_or(false);
        };
        auto seq = c.send(room, to_send, std::nullopt, confirm_readers);
        for (const auto& n : c.last_notices())
            std::cerr << "Note: " << n.message << ".\n";
        if (!seq && seq.error().code == "new_readers") {
            if (!refused_readers.empty())
                std::cerr << "Not sent: " << room
                          << " has readers you have not written to before:\n"
                          << refused_readers << "Check who they are ('liaise room show " << room
                          << "'); to send to them without being asked, add --accept-new-readers.\n";
            else
                std::cerr << "Not sent.\n";
            return 1;
        }
        if (!seq)
            return report(seq.error());
        // Which entries people fix or override tells admins which ones are noisy: counted here,
        // reported a day later (feedback.hpp). A failed count does not undo a sent message, so
        // it is only mentioned.
        if (!result.findings.empty())
            if (auto reported = c.report_findings(
                    policy == DraftPolicy::anyway ? "sent_anyway" : "fixed", result.findings);
                !reported)
                std::cerr << "liaise: could not count the findings: " << reported.error().message
                          << "\n";
        if (o.json) {
            auto doc = json::parse(jargon::findings_json(result)).as_object();
            doc["audience"] = audience.to_string();
            doc["sent"] = true;
            doc["room"] = room;
            doc["seq"] = seq.value();
            doc["text"] = to_send;
            std::cout << json::serialize(doc) << "\n";
            return 0;
        }
        if (policy == DraftPolicy::fix || policy == DraftPolicy::explain) {
            std::string changed;
            const auto fixes = jargon::choose_fixes(jargon::offer_fixes(text, result.findings),
                                                    policy == DraftPolicy::explain
                                                        ? jargon::FixMode::explain_only
                                                        : jargon::FixMode::replace_where_it_fits);
            for (const auto& f : fixes)
                changed += "  " + display_line(text.substr(f.start, f.end - f.start)) + " -> " +
                           display_line(f.text) + "\n";
            if (!changed.empty())
                std::cout << "Changed before sending:\n" << changed;
            if (const auto left = left_as_written(text, result.findings); !left.empty())
                std::cout << left << "\n";
            if (to_send != text)
                std::cout << "Sent: " << display_block(to_send) << "\n";
        }
        std::cout << "Sent #" << seq.value() << " to " << room << ".\n";
        return 0;
    });
}

namespace {

/// `read` without the server: what this device kept of `room` after `since`, then one line
/// saying so (0); nothing kept: the error and that line (1, as any command without a server).
int read_offline(const Options& o, const std::string& room, std::int64_t since, const Home& home,
                 const crypto::DeviceKeys& keys, const protocol::Error& why) {
    const auto profile = home.profile();
    const auto server = profile ? display_line(profile.value().server) : std::string("(unknown)");
    KeptRoom kept;
    std::vector<std::string> notes;
    if (profile)
        if (auto store =
                HistoryStore::open(home, profile.value().user, profile.value().device, keys)) {
            kept = store.value()->load(room);
            notes = store.value()->take_notes();
        }
    std::vector<ReadMessage> shown;
    for (auto& m : kept.messages)
        if (m.seq > since)
            shown.push_back(std::move(m));
    if (shown.empty()) {
        const int status = report(why);
        std::cerr << "Offline: the server at " << server << " cannot be reached; nothing of "
                  << display_line(room) << (since > 0 ? " after #" + std::to_string(since) : "")
                  << " is kept on this device.\n"
                  << kOfflineHint;
        return status;
    }
    std::set<std::string> met;
    for (const auto& m : shown)
        print_message(o, m, nullptr, "", RoomReaders{}, met);
    std::cout << std::flush;
    for (const auto seq : kept.refused)
        std::cerr << "liaise: message #" << seq
                  << " kept on this device did not open (damaged or altered); it is not shown\n";
    for (const auto& note : notes)
        std::cerr << "liaise: " << note << "\n";
    std::cerr << "Offline: the server at " << server << " cannot be reached; showing "
              << kept_summary(shown) << ".\n";
    return 0;
}

}  // namespace

int read(const Options& o, const std::string& room, std::int64_t since, bool follow, bool plain,
         bool verbose) {
    const Offline offline = [&](const Home& home, const crypto::DeviceKeys& keys,
                                const protocol::Error& why) {
        return read_offline(o, room, since, home, keys, why);
    };
    return with_client(o, offline, [&](Client& first, const Relogin& relogin) {
        Client* c = &first;
        std::unique_ptr<Client> again;  // the client after a reconnection
        std::shared_ptr<const jargon::Engine> engine;
        if (!plain) {
            auto e = c->engine();
            if (!e)
                return report(e.error());
            engine = e.value();
        }
        // Who reads the room, and their names (one room_show), with --plain too.
        auto r = c->readers(room);
        if (!r)
            return report_room(*c, r.error(), room);
        RoomReaders readers = std::move(r).value();
        std::set<std::string> met;  // the room's agreed terms this reading has explained
        DayHeadings days;
        const auto show = [&](const ReadMessage& m) {
            if (!o.json)
                if (const auto heading = days.next(m.sent_at))
                    std::cout << *heading << "\n";
            print_message(o, m, engine.get(), c->discipline(), readers, met);
        };
        // History another member shared with this device (PROTOCOL.md, "Continuity"): the
        // messages from before it joined, each checked, shown first.
        if (auto shared = c->shared_history(room); shared) {
            for (const auto& m : shared.value())
                if (m.seq > since)
                    show(m);
        }
        for (const auto& note : c->take_continuity_notes())
            std::cerr << "liaise: " << note << "\n";
        // What this device kept first, then only what is new (history_store.hpp).
        auto history = c->history(room, since);
        if (!history)
            return report_room(*c, history.error(), room);
        const auto& messages = history.value().messages;
        std::int64_t last = since;
        for (const auto& m : messages) {
            show(m);
            last = m.seq;
        }
        // What was shown is read, on every device of this person (PROTOCOL.md, "Read
        // positions"): the server keeps the furthest, for the unread counts and the digest.
        std::int64_t recorded = since;  // --since N: shows after N, says nothing of N
        const auto record_read = [&] {
            if (last <= recorded)
                return;
            if (auto r = c->call("room_read", {{"room", room}, {"seq", last}}); r)
                recorded = last;
            else if (r.error().code != "connection_closed" && r.error().code != "timeout")
                std::cerr << "liaise: could not record what you have read: " << r.error().message
                          << "\n";
        };
        record_read();
        for (const auto& note : history.value().notes)
            std::cerr << "liaise: " << note << "\n";
        if (verbose)
            std::cerr << "liaise: " << history.value().kept << " kept on this device, "
                      << history.value().fetched << " fetched from the server\n";
        if (messages.empty() && !o.json)  // a list with nothing in it says so
            std::cout << "No messages in " << room
                      << (since > 0 ? " after #" + std::to_string(since) : "")
                      << (follow ? " yet: waiting for new ones.\n" : ".\n") << std::flush;
        // Logs in again after a lost connection (waiting longer each time, up to 30 s, and
        // saying why when the reason changes), reads the room's readers and dictionaries again
        // and catches up from the last message shown. False, reported, if a login is refused
        // (a suspension, say): following stops there.
        const auto reconnect = [&](const protocol::Error& lost) {
            if (!o.json)
                std::cerr << "liaise: " << lost.message << "; reconnecting\n";
            auto wait = std::chrono::seconds(1);
            std::string said;
            while (true) {
                std::this_thread::sleep_for(wait);
                auto fresh = relogin();
                if (fresh) {
                    again = std::move(fresh).value();
                    c = again.get();
                    break;
                }
                const auto& why = fresh.error();
                if (why.code != "connection_failed" && why.code != "connection_closed" &&
                    why.code != "timeout") {
                    report(why);
                    return false;
                }
                if (!o.json && why.message != said)
                    std::cerr << "liaise: cannot reconnect yet: " << why.message << "\n";
                said = why.message;
                wait = std::min(wait * 2, std::chrono::seconds(30));
            }
            if (!o.json)
                std::cerr << "liaise: reconnected\n";
            if (!plain)
                if (auto e = c->engine())
                    engine = e.value();
            if (auto fresh = c->readers(room))
                readers = std::move(fresh).value();
            auto gap = c->read(room, last);
            if (!gap) {
                report(gap.error());
                return false;
            }
            for (const auto& g : gap.value())
                show(g), last = g.seq;
            record_read();
            return true;
        };
        const auto lost = [](const protocol::Error& e) {
            return e.code == "connection_closed" || e.code == "timeout";
        };
        std::string last_reminder;  // the reminder last printed while following
        while (follow) {
            auto event = c->next_event(std::chrono::seconds(30));
            if (event && !event.value()) {
                // Quiet for 30 s. A network that went away may not say so: ask something small,
                // which fails (closed, or no answer in time) if the connection is gone.
                auto alive = c->call("whoami", {});
                if (alive)
                    continue;
                event = alive.error();
            }
            if (!event && lost(event.error())) {
                if (!reconnect(event.error()))
                    return 1;
                continue;
            }
            if (!event)
                return report(event.error());
            const auto& e = *event.value();
            const auto type = str(e, "type");
            if (type == "dictionaries" && !plain) {  // the client fetched the new version
                if (auto fresh = c->engine())
                    engine = fresh.value();
                continue;
            }
            // Every other notice in words; the login's reminder was printed before the
            // messages (with_client), so only a changed one after a reconnection is news.
            if (const auto said = describe_notice(e, c->profile().user, room, readers.people);
                said && !o.json) {
                if (type != "action_reminder" || *said != last_reminder)
                    std::cerr << *said << ".\n" << std::flush;
                if (type == "action_reminder")
                    last_reminder = *said;
            }
            if (type == "membership" && str(e, "room") == room) {
                // Who reads the room changed: so may what its terms can mean to them, and
                // a new member's messages are shown by name.
                if (auto r = c->readers(room))
                    readers = std::move(r).value();
                continue;
            }
            if (type != "message" || str(e, "room") != room)
                continue;
            // Placed by its seq before it is opened: the device's ledger sees the history in
            // order.
            const auto seq = num(e, "seq");
            if (seq <= last)
                continue;
            if (seq > last + 1) {  // missed some (e.g. a slow-reader cut-off): catch up in order
                auto gap = c->read(room, last);
                if (!gap)
                    return report(gap.error());
                for (const auto& g : gap.value())
                    show(g), last = g.seq;
                record_read();
                continue;
            }
            const auto m = c->open_message(e);
            show(m);
            last = m.seq;
            record_read();
        }
        return 0;
    });
}

int email_digest(const Options& o, bool on) {
    return simple(o, "email_digest", {{"on", on}}, [&](const json::object& r) {
        const bool changed = r.at("changed").as_bool();
        if (on)
            std::cout << (changed ? "The daily email of unread rooms is on again.\n"
                                  : "The daily email of unread rooms was on already.\n");
        else
            std::cout << (changed ? "The daily email of unread rooms is off.\n"
                                  : "The daily email of unread rooms was off already.\n");
    });
}

int room_audience(const Options& o, const std::string& room, bool is_public) {
    return simple(
        o, "room_audience", {{"room", room}, {"public", is_public}}, [&](const json::object&) {
            std::cout << "Room " << room
                      << (is_public ? " includes the public: every term will be flagged.\n"
                                    : " is for professionals: terms are flagged for the members' "
                                      "disciplines.\n");
        });
}

int withdraw(const Options& o, const std::string& room, std::int64_t seq, Confirm asking) {
    return with_client(o, [&](Client& c) {
        if (asking == Confirm::ask) {
            // Shows the message as this device has it, so that the right one goes.
            std::string what = "Message #" + std::to_string(seq) + " in " + room;
            if (auto h = c.history(room, seq - 1);
                h && !h.value().messages.empty() && h.value().messages.front().seq == seq) {
                const auto& m = h.value().messages.front();
                if (m.event)
                    what += " is not a message: " + display_line(describe_event(*m.event));
                else
                    what += ", from " + m.sender + " at " + clock_time(m.sent_at) + ":\n" +
                            std::string(kContinuation) +
                            display_block(m.text ? *m.text : "(cannot be read here)");
            }
            what +=
                "\nEvery member's device deletes it on its next read, and sees that you "
                "withdrew it. This cannot be undone.\n";
            const auto yes = confirm(what, "Withdraw it?");
            if (!yes) {
                std::cerr << "liaise: not withdrawn: there is no terminal to ask on (add --yes "
                             "to withdraw without asking)\n";
                return 1;
            }
            if (!*yes) {
                std::cerr << "Not withdrawn.\n";
                return 1;
            }
        }
        auto reply = c.withdraw(room, seq);
        if (!reply)
            return report_room(c, reply.error(), room);
        if (o.json) {
            std::cout << json::serialize(reply.value()) << "\n";
            return 0;
        }
        std::cout << "Withdrew message #" << seq << " from " << room
                  << ": every member's device deletes it on its next read.\n";
        return 0;
    });
}

int explain(const Options& o, const std::string& term) {
    const Home home;
    auto engine = DictionaryCache(home).engine();
    if (!engine)
        return report(engine.error());
    const auto meanings = engine.value()->explain(term);
    if (o.json) {
        json::array list;
        for (const auto& m : meanings) {
            json::array alts;
            for (const auto& a : m.alternatives)
                alts.emplace_back(a);
            list.push_back(json::object{{"discipline", m.discipline},
                                        {"alternatives", std::move(alts)},
                                        {"explanation", m.explanation}});
        }
        std::cout << json::serialize(json::object{{"term", term}, {"meanings", std::move(list)}})
                  << "\n";
        return meanings.empty() ? 1 : 0;
    }
    if (meanings.empty()) {
        std::cerr << "liaise: no dictionary knows '" << term
                  << "'. Ask the administrators: liaise ask '" << term << "'\n";
        return 1;
    }
    for (const auto& m : meanings) {
        std::string alts;
        for (const auto& a : m.alternatives)
            alts += (alts.empty() ? "" : " | ") + a;
        std::cout << display_line(term) << " (" << display_line(m.discipline)
                  << "): " << display_line(alts) << "\n  " << display_line(m.explanation) << "\n";
    }
    return 0;
}

int ask(const Options& o, const std::string& term, const std::string& room) {
    json::object fields{{"term", term}};
    if (!room.empty())
        fields["room"] = room;
    return simple(o, "ask", std::move(fields), [&](const json::object& r) {
        std::cout << "Your question about '" << term << "' was recorded (#" << r.at("id").as_int64()
                  << "). An administrator will add it to a dictionary or reply.\n";
        // Asked of a term the dictionaries know: say so, in case their answer is enough.
        const Home home;
        if (const auto engine = DictionaryCache(home).engine()) {
            std::string known;
            for (const auto& m : engine.value()->explain(term))
                known += (known.empty() ? "" : ", ") + m.discipline;
            if (!known.empty())
                std::cout << "The dictionaries already explain it (" << display_line(known)
                          << "): liaise explain \"" << term << "\"\n";
        }
    });
}

namespace {

/// What `fingerprint USER` and `verify` print: the number, its QR code, and what it means.
void print_safety_number(const Client& c, const SafetyNumber& n) {
    std::cout << "Safety number for you (" << c.profile().user << ") and " << n.user << ":\n\n  "
              << n.number.substr(0, 35) << "\n  " << n.number.substr(36) << "\n\n";
    if (const auto qr = qr_text("liaise-safety-number:" + n.number))
        std::cout << *qr << "\n";
    const auto list = [](const std::vector<std::string>& devices) {
        std::string out;
        for (const auto& d : devices)
            out += (out.empty() ? "" : ", ") + display_line(d);
        return out;
    };
    std::cout << "It covers " << display_line(n.user) << "'s devices " << list(n.their_devices)
              << " and yours " << list(n.my_devices)
              << ". If either list has a device that should not be there, stop and ask.\n";
    if (n.verified)
        std::cout << "Verified: these are the keys you compared with " << n.user << ".\n";
    else
        std::cout << "Not verified. Compare this number with " << n.user
                  << " in person or by phone (they run 'liaise fingerprint " << c.profile().user
                  << "'). If it matches, run:\n  liaise verify " << n.user << " " << n.number
                  << "\nIf it does not match, do not send them anything sensitive "
                  << "and tell your administrator.\n";
}

json::object safety_json(const SafetyNumber& n) {
    json::object devices;
    for (const auto& [device, key] : n.devices)
        devices[device] = key;
    return {{"user", n.user},
            {"safety_number", n.number},
            {"verified", n.verified},
            {"devices", std::move(devices)}};
}

}  // namespace

int fingerprint(const Options& o, const std::optional<std::string>& user) {
    if (!user) {
        // This device's own key, from the keystore: no server involved.
        const Home home;
        const auto keys = unlock_keys(home);
        if (!keys)
            return report(keys.error());
        const auto number = keys.value()->keys().identity().fingerprint();
        if (o.json) {
            std::cout << json::serialize(json::object{{"device_key", number}}) << "\n";
            return 0;
        }
        std::cout << "This device's key: " << number
                  << "\nTo compare with someone, run 'liaise fingerprint THEIR-NAME': you will "
                     "both see the same safety number.\n";
        return 0;
    }
    return with_client(o, [&](Client& c) {
        auto n = c.safety_number(*user);
        if (!n)
            return report(n.error());
        if (o.json) {
            std::cout << json::serialize(safety_json(n.value())) << "\n";
            return 0;
        }
        print_safety_number(c, n.value());
        return 0;
    });
}

int verify(const Options& o, const std::string& user, const std::string& number) {
    return with_client(o, [&](Client& c) {
        auto n = c.verify(user, number);
        if (!n)
            return report(n.error());
        if (o.json) {
            std::cout << json::serialize(safety_json(n.value())) << "\n";
            return 0;
        }
        std::cout << "Verified " << user << ". If their keys ever change, Liaise will stop "
                  << "sending to rooms with them until you compare numbers again.\n";
        return 0;
    });
}

}  // namespace liaise::client::cli
