#include "recovery_cli.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

#include <boost/json.hpp>

#include "cli_support.hpp"
#include "liaise/client/client.hpp"
#include "liaise/client/local_time.hpp"
#include "liaise/protocol/continuity.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;

/// One line typed after `prompt` on standard error (the key is never echoed back by us).
std::optional<std::string> ask_line(const char* prompt) {
    std::cerr << prompt << std::flush;
    std::string line;
    if (!std::getline(std::cin, line))
        return std::nullopt;
    return line;
}

/// Midnight local time of a YYYY-MM-DD date, in ms.
std::optional<std::int64_t> local_midnight(const std::string& date) {
    std::tm tm{};
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return std::nullopt;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    const auto t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1) || tm.tm_mday != d)
        return std::nullopt;
    return static_cast<std::int64_t>(t) * 1000;
}

void print_notes(Client& c) {
    for (const auto& note : c.take_continuity_notes())
        std::cerr << "liaise: " << note << "\n";
}

}  // namespace

int recovery_create(const Options& o) {
    return with_client(o, [&](Client& c) {
        auto key = c.create_recovery_key();
        print_notes(c);
        if (!key)
            return report(key.error());
        if (o.json) {
            std::cout << json::serialize(json::object{{"recovery_key", key.value().text()}})
                      << "\n";
            return 0;
        }
        std::cout << "Your recovery key (shown once):\n\n    " << key.value().text()
                  << "\n\nPrint it or write it down, and keep it where you keep other important "
                     "papers, not on this computer. With it, a new device reads all the messages "
                     "you can read now ('liaise recovery restore'). Keys of new messages are "
                     "backed up from now on, sealed so that only this key opens them.\n";
        return 0;
    });
}

int recovery_status(const Options& o) {
    return with_client(o, [&](Client& c) {
        auto s = c.backup_status();
        print_notes(c);
        if (!s)
            return report(s.error());
        const auto& b = s.value();
        if (o.json) {
            std::cout << json::serialize(json::object{{"version", b.version},
                                                      {"device", b.device},
                                                      {"on_this_device", b.on_this_device},
                                                      {"trusted", b.trusted}})
                      << "\n";
            return 0;
        }
        if (b.version == 0) {
            std::cout << "No recovery key yet: a new device would read none of your earlier "
                         "messages. Run 'liaise recovery create'.\n";
            return 0;
        }
        std::cout << "Key backup: on (recovery key version " << b.version << ", vouched for by "
                  << "device " << b.device << ").\n"
                  << (b.on_this_device ? "This device keeps the recovery key: it can replace it "
                                         "('liaise recovery create').\n"
                                       : "This device does not keep the recovery key.\n")
                  << (b.trusted ? "This device backs up the keys of the messages it reads.\n"
                                : "This device does not accept the backup key (it did not make or "
                                  "restore it): nothing is backed up from here until you restore "
                                  "('liaise recovery restore').\n");
        return 0;
    });
}

int recovery_restore(const Options& o, const std::optional<std::string>& typed) {
    auto text = typed ? typed : ask_line("Recovery key: ");
    if (!text)
        return report({"bad_recovery_key", "no recovery key was typed"});
    // A mistyped key is caught before anything is fetched.
    auto key = crypto::RecoveryKey::parse(*text);
    if (!key)
        return report(key.error());
    return with_client(o, [&](Client& c) {
        auto opened = c.restore(key.value());
        print_notes(c);
        if (!opened)
            return report(opened.error());
        if (o.json) {
            std::cout << json::serialize(
                             json::object{{"restored", static_cast<std::int64_t>(opened.value())}})
                      << "\n";
            return 0;
        }
        std::cout << "Restored: " << opened.value()
                  << " earlier messages can be read on this device now ('liaise read ROOM').\n";
        return 0;
    });
}

int device_transfer(const Options& o, bool receive, const std::optional<std::string>& code) {
    if (!receive)
        return with_client(o, [&](Client& c) {
            auto offered = c.offer_transfer();
            if (!offered)
                return report(offered.error());
            if (o.json) {
                std::cout << json::serialize(json::object{{"code", offered.value()}}) << "\n";
                return 0;
            }
            std::cout
                << "On your new device, run 'liaise device transfer --receive' and type "
                   "this code:\n\n    "
                << offered.value()
                << "\n\nIt works for ten minutes, until the new device has received the keys. "
                   "Never read it out to anyone.\n";
            return 0;
        });
    auto typed = code ? code : ask_line("Code shown on your old device: ");
    if (!typed)
        return report({"bad_transfer_code", "no code was typed"});
    return with_client(o, [&](Client& c) {
        auto n = c.receive_transfer(*typed);
        print_notes(c);
        if (!n)
            return report(n.error());
        if (o.json) {
            std::cout << json::serialize(
                             json::object{{"received", static_cast<std::int64_t>(n.value())}})
                      << "\n";
            return 0;
        }
        std::cout << "Received: " << n.value()
                  << " earlier messages can be read on this device now.\n";
        return 0;
    });
}

int share_history(const Options& o, const std::string& room, const std::string& user,
                  const std::string& since) {
    const auto from = local_midnight(since);
    if (!from) {
        (void)report({"bad_request", "--since: a date as YYYY-MM-DD, e.g. 2026-03-01"});
        return 2;
    }
    return with_client(o, [&](Client& c) {
        auto seq = c.share_history(room, user, *from);
        if (!seq)
            return report_room(c, seq.error(), room);
        if (o.json) {
            std::cout << json::serialize(json::object{{"room", room},
                                                      {"user", user},
                                                      {"since", *from},
                                                      {"seq", seq.value()}})
                      << "\n";
            return 0;
        }
        std::cout << "Shared " << room << "'s history since " << local_date(*from) << " with "
                  << user << ". Everyone in the room sees that you did (#" << seq.value() << ").\n";
        return 0;
    });
}

}  // namespace liaise::client::cli
