#include "unlock_cli.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "cli_support.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/strength.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
using agent::Clock;

/// "6 Dec" in local time.
std::string day(Clock::time_point t) {
    const std::time_t tt = Clock::to_time_t(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%d %b", &tm);
    return buf[0] == '0' ? buf + 1 : buf;
}

/// "10:02 on 6 Dec" in local time.
std::string when(Clock::time_point t) {
    const std::time_t tt = Clock::to_time_t(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M", &tm);
    return std::string(buf) + " on " + day(t);
}

Clock::time_point from_ms(std::int64_t ms) {
    return Clock::time_point(std::chrono::milliseconds(ms));
}

std::int64_t num(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

/// "8h" -> 8 hours; nullopt unless a positive number with s, m, h or d, at most 7 days.
std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
    if (text.size() < 2)
        return std::nullopt;
    const char unit = text.back();
    const auto digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6)
        return std::nullopt;
    const long n = std::stol(digits);
    long seconds = 0;
    switch (unit) {
        case 's':
            seconds = n;
            break;
        case 'm':
            seconds = n * 60;
            break;
        case 'h':
            seconds = n * 3600;
            break;
        case 'd':
            seconds = n * 86400;
            break;
        default:
            return std::nullopt;
    }
    if (seconds <= 0 || seconds > 7 * 86400)
        return std::nullopt;
    return std::chrono::seconds(seconds);
}

/// The person's own words for the strength check: user name, display name and agency.
std::vector<std::string> own_words(const json::object& account) {
    std::vector<std::string> words;
    for (const auto* key : {"user", "display_name", "agency"})
        if (const auto* v = account.if_contains(key); v != nullptr && v->is_string())
            words.emplace_back(v->get_string());
    return words;
}

}  // namespace

protocol::Expected<std::shared_ptr<const agent::HeldKeys>> unlock_keys(const Home& home) {
    if (auto keys = agent::fetch_keys(home))
        return std::make_shared<const agent::HeldKeys>(*keys);
    auto pass = passphrase(false);
    if (!pass)
        return pass.error();
    auto keys = home.open_keys(pass.value());
    ::explicit_bzero(pass.value().data(), pass.value().size());
    if (!keys)
        return keys.error();
    if (home.resealed())
        std::cerr << "liaise: your keystore was sealed again with stronger protection (Argon2id, "
                     "moderate limits): a stolen copy now takes far longer to guess.\n";
    return std::make_shared<const agent::HeldKeys>(keys.value());
}

std::string login_line(const json::object& login, std::string_view first) {
    std::string line = std::string(first) + " device " + shown(login, "device");
    std::string about = shown(login, "device_name");
    if (const auto issued = num(login, "issued_at"); issued > 0) {
        const auto by = shown(login, "issued_by");
        about += (about.empty() ? "" : ", ") + std::string("replacement issued by ") +
                 (by.empty() ? "an admin" : by) + " on " + day(from_ms(issued));
    }
    if (!about.empty())
        line += " (" + about + ")";
    line += " at " + when(from_ms(num(login, "at")));
    if (const auto address = shown(login, "address"); !address.empty())
        line += ", from " + address;
    return line;
}

std::string new_login_line(const json::object& login, const std::string& own_device) {
    if (shown(login, "device") == own_device)
        return login_line(login, "New login with this device's keys, from another copy of them:");
    return login_line(login, "New login from");
}

void print_new_logins(const Client& c) {
    for (const auto& l : c.new_logins())
        if (l.is_object())
            std::cerr << new_login_line(l.get_object(), c.profile().device) << "\n";
    if (!c.new_logins().empty())
        std::cerr << "If that was not you or someone you know of, tell your administrator now: "
                     "'liaise admin account replace-device' shuts a lost device out.\n";
}

int unlock(const Options& o, const std::string& duration, bool status) {
    const Home home;
    if (auto profile = home.profile(); !profile)
        return report(profile.error());
    if (status) {
        const auto until = agent::unlocked_until(home);
        if (o.json) {
            json::object out{{"unlocked", until.has_value()}};
            if (until)
                out["until"] =
                    std::chrono::duration_cast<std::chrono::milliseconds>(until->time_since_epoch())
                        .count();
            std::cout << json::serialize(out) << "\n";
        } else if (until) {
            std::cout << "Unlocked until " << when(*until) << ".\n";
        } else {
            std::cout << "Locked: commands ask for your passphrase.\n";
        }
        return until ? 0 : 1;
    }
    const auto length = parse_duration(duration);
    if (!length) {
        std::cerr << "liaise: --for takes a time such as 30m, 8h or 2d (at most 7 days)\n";
        return 2;
    }
    // Always the passphrase: an agent that is already running does not extend itself.
    auto pass = passphrase(false);
    if (!pass)
        return report(pass.error());
    auto keys = home.open_keys(pass.value());
    ::explicit_bzero(pass.value().data(), pass.value().size());
    if (!keys)
        return report(keys.error());
    if (home.resealed())
        std::cerr << "liaise: your keystore was sealed again with stronger protection (Argon2id, "
                     "moderate limits).\n";
    const auto until = Clock::now() + *length;
    if (auto started = agent::start(home, keys.value(), until, "/proc/self/exe"); !started)
        return report(started.error());
    if (o.json) {
        std::cout << json::serialize(json::object{
                         {"unlocked", true},
                         {"until", std::chrono::duration_cast<std::chrono::milliseconds>(
                                       until.time_since_epoch())
                                       .count()}})
                  << "\n";
    } else {
        std::cout << "Unlocked until " << when(until)
                  << ": commands use your keys without asking. 'liaise lock' locks again.\n";
    }
    return 0;
}

int lock(const Options& o) {
    const Home home;
    const bool was = agent::stop(home);
    if (o.json)
        std::cout << json::serialize(json::object{{"was_unlocked", was}}) << "\n";
    else
        std::cout << (was ? "Locked: the agent has wiped your keys from memory.\n"
                          : "Already locked.\n");
    return 0;
}

int agent_process(const std::string& home, std::int64_t until_ms) {
    return agent::serve(Home(home), from_ms(until_ms), 3);
}

int change_passphrase(const Options& o) {
    const Home home;
    if (auto profile = home.profile(); !profile)
        return report(profile.error());
    // The current passphrase, never the agent: whoever finds the laptop unlocked must not be
    // able to lock its owner out.
    auto old_pass = passphrase(false);
    if (!old_pass)
        return report(old_pass.error());
    auto keys = home.open_keys(old_pass.value());
    ::explicit_bzero(old_pass.value().data(), old_pass.value().size());
    if (!keys)
        return report(keys.error());
    const agent::HeldKeys held(keys.value());
    auto client = Client::login(home, held.keys());
    if (!client)
        return report(client.error());
    auto me = client.value()->call("whoami");
    if (!me)
        return report(me.error());
    auto fresh = passphrase(true, "LIAISE_NEW_PASSPHRASE", "New passphrase: ");
    if (!fresh)
        return report(fresh.error());
    if (auto strong = check_new_passphrase(fresh.value(), own_words(me.value())); !strong)
        return report(strong.error());
    if (auto saved = home.save_keys(keys.value(), fresh.value()); !saved)
        return report(saved.error());
    ::explicit_bzero(fresh.value().data(), fresh.value().size());
    if (o.json)
        std::cout << json::serialize(json::object{{"changed", true}}) << "\n";
    else
        std::cout << "Passphrase changed. An unlock agent that is running keeps the keys until "
                     "it ends or 'liaise lock'.\n";
    return 0;
}

int sessions(const Options& o) {
    return simple(o, "sessions", {}, [](const json::object& r) {
        const auto& list = r.at("sessions").as_array();
        if (list.empty())
            std::cout << "No logins recorded.\n";
        // Every command is a login: a run of logins (newest first) by one device from one
        // address is one line, so that a login from elsewhere stands out.
        const auto same = [](const json::object& a, const json::object& b) {
            return shown(a, "device") == shown(b, "device") &&
                   shown(a, "address") == shown(b, "address");
        };
        for (std::size_t i = 0; i < list.size();) {
            const auto& newest = list[i].as_object();
            std::size_t end = i + 1;
            while (end < list.size() && same(newest, list[end].as_object()))
                ++end;
            std::cout << login_line(newest, "Login from");
            if (end - i > 1)
                std::cout << ", and " << end - i - 1 << " earlier from there since "
                          << when(from_ms(num(list[end - 1].as_object(), "at")));
            std::cout << "\n";
            i = end;
        }
    });
}

}  // namespace liaise::client::cli
