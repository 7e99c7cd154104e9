#include "commands.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>
#include "liaise/protocol/fields.hpp"

#include "cli_support.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/protocol/findings.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using protocol::list;
using protocol::num;
using protocol::str;

/// Prints one message; `engine` (when not plain) adds explanations of terms from disciplines
/// other than the reader's, and of the reader's terms that mean something else to the writer's
/// (explain_for, with the room's `readers`).
void print_message(const Options& o, const ReadMessage& m, const jargon::Engine* engine,
                   const std::string& reader, const RoomReaders& readers) {
    jargon::CheckResult explained;
    if (engine != nullptr && m.text)
        explained = explain_for(*engine, *m.text, reader, m.sender, readers);
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
        if (engine != nullptr) {
            json::array explanations;
            for (const auto& f : explained.findings)
                explanations.push_back(protocol::to_json(f));
            out["explanations"] = std::move(explanations);
        }
        std::cout << json::serialize(out) << std::endl;
        return;
    }
    std::cout << "#" << m.seq << " " << clock_time(m.sent_at) << " " << m.sender << ": ";
    if (!m.text) {
        std::cout << "[cannot read this message: " << m.error.message << " (" << m.error.code
                  << ")]" << std::endl;
        return;
    }
    std::cout << annotate(*m.text, explained.findings) << "\n";
    for (const auto& note : notes(explained.findings))
        std::cout << "    " << note << "\n";
    std::cout << std::flush;
}

/// "[1] CIN (social-care) -> child needing extra council help: explanation", one line per
/// finding, as `chat` shows a held-back draft.
void print_findings(const std::vector<jargon::Finding>& findings) {
    for (std::size_t i = 0; i < findings.size(); ++i)
        std::cerr << "  [" << i + 1 << "] " << finding_line(findings[i]) << "\n";
}

void print_devices(const json::object& account) {
    for (const auto& d : account.at("devices").as_array()) {
        const auto& dev = d.as_object();
        std::cout << "  device " << str(dev, "device") << " (" << str(dev, "name")
                  << "): " << str(dev, "fingerprint") << "\n";
    }
}

}  // namespace

int enrol(const Options& o, const std::string& server, const std::string& code,
          const std::string& device_name) {
    const Home home;
    auto pass = passphrase(true);
    if (!pass)
        return report(pass.error());
    auto reply = Client::enrol(home, server, code, pass.value(), device_name);
    if (!reply)
        return report(reply.error());
    if (o.json) {
        std::cout << json::serialize(reply.value()) << "\n";
    } else {
        std::cout << "Enrolled " << str(reply.value(), "user") << " (" << str(reply.value(), "role")
                  << ", " << str(reply.value(), "agency") << ") as device "
                  << str(reply.value(), "device") << ".\n"
                  << "Keys are in " << home.dir().string() << ", protected by your passphrase.\n";
    }
    return 0;
}

int whoami(const Options& o) {
    return simple(o, "whoami", {}, [](const json::object& r) {
        std::cout << str(r, "user") << " (" << str(r, "display_name") << "), " << str(r, "role")
                  << " at " << str(r, "agency") << " [" << str(r, "discipline") << "], device "
                  << str(r, "device") << "\n";
    });
}

int agency_add(const Options& o, const std::string& name, const std::string& discipline) {
    return simple(o, "agency_add", {{"name", name}, {"discipline", discipline}},
                  [](const json::object& r) {
                      std::cout << "Added agency " << str(r, "name") << " (" << str(r, "discipline")
                                << ").\n";
                  });
}

int agency_list(const Options& o) {
    return simple(o, "agency_list", {}, [](const json::object& r) {
        if (r.at("agencies").as_array().empty())
            std::cout << "No agencies.\n";
        for (const auto& a : r.at("agencies").as_array())
            std::cout << str(a.as_object(), "name") << " [" << str(a.as_object(), "discipline")
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
        std::cout << "Enrolment code for " << str(r, "user") << " (use it once, before "
                  << utc_time(r.at("expires_at").as_int64()) << "):\n  " << str(r, "code") << "\n"
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
                      std::cout << "Created room " << str(r, "room") << " with "
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
        std::cout << "Room " << str(r, "room") << " (last message #" << r.at("last_seq").as_int64()
                  << ")\n";
        for (const auto& m : r.at("members").as_array()) {
            const auto& member = m.as_object();
            std::cout << str(member, "user") << " (" << str(member, "display_name") << "), "
                      << str(member, "role") << ", " << str(member, "agency") << " ["
                      << str(member, "discipline") << "]\n";
            print_devices(member);
        }
    });
}

int rooms(const Options& o) {
    return simple(o, "rooms", {}, [](const json::object& r) {
        const auto& list = r.at("rooms").as_array();
        if (list.empty())
            std::cout << "You are not in any room yet.\n";
        for (const auto& x : list)
            std::cout << str(x.as_object(), "room") << ": "
                      << x.as_object().at("members").as_int64() << " members, last message #"
                      << x.as_object().at("last_seq").as_int64() << "\n";
    });
}

int send(const Options& o, const std::string& room, const std::vector<std::string>& words,
         DraftPolicy policy) {
    std::string text;
    if (words.empty()) {
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
    return with_client(o, [&](Client& c) {
        auto engine = c.engine();
        if (!engine)
            return report(engine.error());
        auto audience = c.audience(room);
        if (!audience)
            return report(audience.error());
        const auto result = engine.value()->check(text, audience.value());
        std::string to_send = text;
        if (!result.findings.empty()) {
            if (policy == DraftPolicy::check) {
                if (o.json) {
                    auto doc = protocol::to_json(result);
                    doc.as_object()["audience"] = audience.value().to_string();
                    doc.as_object()["sent"] = false;
                    std::cout << json::serialize(doc) << "\n";
                } else {
                    std::cerr << "Not sent: the room (" << audience.value().to_string()
                              << ") may not understand these terms:\n";
                    print_findings(result.findings);
                    std::cerr << "Reword it, or send with --fix (plain alternatives) or --anyway "
                                 "(as written).\n";
                }
                return 1;
            }
            if (policy == DraftPolicy::fix)
                to_send = jargon::rewrite(text, result.findings);
        }
        auto seq = c.send(room, to_send);
        if (!seq)
            return report(seq.error());
        // Which entries people fix or override tells admins which ones are noisy: counted here,
        // reported a day later (feedback.hpp). A failed count does not undo a sent message, so
        // it is only mentioned.
        if (!result.findings.empty())
            if (auto reported = c.report_findings(
                    policy == DraftPolicy::fix ? "fixed" : "sent_anyway", result.findings);
                !reported)
                std::cerr << "liaise: could not count the findings: " << reported.error().message
                          << "\n";
        if (o.json) {
            auto doc = protocol::to_json(result).as_object();
            doc["audience"] = audience.value().to_string();
            doc["sent"] = true;
            doc["room"] = room;
            doc["seq"] = seq.value();
            doc["text"] = to_send;
            std::cout << json::serialize(doc) << "\n";
            return 0;
        }
        if (policy == DraftPolicy::fix) {
            std::string changed;
            for (const auto& f : result.findings)
                if (const auto* plain = jargon::agreed_alternative(f))
                    changed += "  " + f.text + " -> " + *plain + "\n";
            if (!changed.empty())
                std::cout << "Changed before sending:\n" << changed;
            if (const auto left = left_as_written(result.findings); !left.empty())
                std::cout << left << "\n";
            if (to_send != text)
                std::cout << "Sent: " << to_send << "\n";
        }
        std::cout << "Sent #" << seq.value() << " to " << room << ".\n";
        return 0;
    });
}

int read(const Options& o, const std::string& room, std::int64_t since, bool follow, bool plain) {
    return with_client(o, [&](Client& first, const Relogin& relogin) {
        Client* c = &first;
        std::unique_ptr<Client> again;  // the client after a reconnection
        std::shared_ptr<const jargon::Engine> engine;
        RoomReaders readers;
        if (!plain) {
            auto e = c->engine();
            if (!e)
                return report(e.error());
            engine = e.value();
            auto r = c->readers(room);
            if (!r)
                return report(r.error());
            readers = std::move(r).value();
        }
        const auto show = [&](const ReadMessage& m) {
            print_message(o, m, engine.get(), c->discipline(), readers);
        };
        auto messages = c->read(room, since);
        if (!messages)
            return report(messages.error());
        std::int64_t last = since;
        for (const auto& m : messages.value()) {
            show(m);
            last = m.seq;
        }
        if (messages.value().empty() && !o.json)  // a list with nothing in it says so
            std::cout << "No messages in " << room
                      << (since > 0 ? " after #" + std::to_string(since) : "")
                      << (follow ? " yet: waiting for new ones.\n" : ".\n");
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
            if (!plain) {
                if (auto e = c->engine())
                    engine = e.value();
                if (auto r = c->readers(room))
                    readers = std::move(r).value();
            }
            auto gap = c->read(room, last);
            if (!gap) {
                report(gap.error());
                return false;
            }
            for (const auto& g : gap.value())
                show(g), last = g.seq;
            return true;
        };
        const auto lost = [](const protocol::Error& e) {
            return e.code == "connection_closed" || e.code == "timeout";
        };
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
            if (type == "question" && !o.json)
                std::cerr << "Your question about '" << str(e, "term") << "' was "
                          << str(e, "status") << ": " << str(e, "reply") << "\n";
            if (type == "keys_changed" && !o.json)
                std::cerr << str(e, "user")
                          << " has a new device: compare fingerprints ('liaise "
                             "fingerprint "
                          << str(e, "user") << "'), then 'liaise trust " << str(e, "user")
                          << "'.\n";
            if (type == "membership" && str(e, "room") == room && !plain) {
                // Who reads the room changed: so may what its terms can mean to them.
                if (auto r = c->readers(room))
                    readers = std::move(r).value();
                continue;
            }
            if (type != "message" || str(e, "room") != room)
                continue;
            const auto m = c->open_message(e);
            if (m.seq <= last)
                continue;
            if (m.seq > last + 1) {  // missed some (e.g. a slow-reader cut-off): catch up in order
                auto gap = c->read(room, last);
                if (!gap)
                    return report(gap.error());
                for (const auto& g : gap.value())
                    show(g), last = g.seq;
                continue;
            }
            show(m);
            last = m.seq;
        }
        return 0;
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
        std::cout << term << " (" << m.discipline << "): " << alts << "\n  " << m.explanation
                  << "\n";
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
                std::cout << "The dictionaries already explain it (" << known
                          << "): liaise explain \"" << term << "\"\n";
        }
    });
}

int fingerprint(const Options& o, const std::optional<std::string>& user) {
    return with_client(o, [&](Client& c) {
        auto reply = c.call("user_keys", {{"user", user ? *user : c.profile().user}});
        if (!reply)
            return report(reply.error());
        if (o.json) {
            std::cout << json::serialize(reply.value()) << "\n";
            return 0;
        }
        std::cout << "Safety numbers of " << str(reply.value(), "user")
                  << " (compare them in person or by phone):\n";
        print_devices(reply.value());
        return 0;
    });
}

int trust(const Options& o, const std::string& user) {
    return with_client(o, [&](Client& c) {
        auto reply = c.trust(user);
        if (!reply)
            return report(reply.error());
        if (o.json) {
            std::cout << json::serialize(reply.value()) << "\n";
            return 0;
        }
        std::cout << "Now trusting these keys of " << user << ":\n";
        print_devices(reply.value());
        return 0;
    });
}

}  // namespace liaise::client::cli
