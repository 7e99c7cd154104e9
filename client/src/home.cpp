#include "liaise/client/home.hpp"

#include "suite_seal_limits.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace liaise::client {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kProfile = "profile.json";
constexpr const char* kKeystore = "keystore.json";
constexpr const char* kKnownKeys = "known-keys.json";
constexpr const char* kCa = "ca.pem";
// In known-keys.json beside the users (account names never contain '*'): who is verified.
constexpr const char* kVerifiedKey = "*verified";

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// Reads one line from the terminal without echo.
std::optional<std::string> ask(const char* prompt) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    termios old{};
    if (::tcgetattr(fd, &old) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    termios quiet = old;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    (void)!::write(fd, prompt, std::strlen(prompt));
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line += c;
    ::tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return line;
}

}  // namespace

Home::Home(std::optional<fs::path> dir, crypto::KeystoreCost cost) : cost_(cost) {
    if (weak_keystore_requested())  // test suites only (suite_seal_limits.hpp)
        cost_ = crypto::KeystoreCost::interactive;
    if (dir) {
        dir_ = *dir;
    } else if (const char* env = std::getenv("LIAISE_HOME"); env != nullptr && *env != '\0') {
        dir_ = env;
    } else if (const char* home = std::getenv("HOME"); home != nullptr) {
        dir_ = fs::path(home) / ".local" / "share" / "liaise";
    } else {
        dir_ = ".liaise";
    }
}

protocol::Expected<bool> Home::write_file(std::string_view name, std::string_view content) const {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
    const auto path = dir_ / std::string(name);
    const auto tmp = dir_ / (std::string(name) + ".tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure("io_error", "cannot write " + path.string());
    const bool ok =
        ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
        return failure("io_error", "cannot write " + path.string());
    return true;
}

std::optional<std::string> Home::read_file(std::string_view name) const {
    std::ifstream in(dir_ / std::string(name), std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

bool Home::enrolled() const {
    return read_file(kProfile).has_value();
}

fs::path Home::ca_file() const {
    std::error_code ec;
    const auto path = dir_ / kCa;
    return fs::exists(path, ec) ? path : fs::path();
}

protocol::Expected<bool> Home::save_ca(const fs::path& source) const {
    if (source.empty()) {
        std::error_code ec;
        fs::remove(dir_ / kCa, ec);
        return true;
    }
    std::ifstream in(source, std::ios::binary);
    std::ostringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return failure("bad_ca", source.string() + " is not a readable PEM certificate file");
    return write_file(kCa, pem.str());
}

protocol::Expected<Profile> Home::profile() const {
    const auto text = read_file(kProfile);
    if (!text)
        return failure("not_enrolled",
                       "this device is not enrolled: run 'liaise enrol --server URL --code CODE'");
    boost::system::error_code ec;
    const auto v = json::parse(*text, ec);
    const auto* o = v.if_object();
    const auto field = [&](const char* k) -> std::string {
        const auto* f = o ? o->if_contains(k) : nullptr;
        return f && f->is_string() ? std::string(f->get_string()) : std::string();
    };
    Profile p{field("server"), field("user"), field("device")};
    if (ec || p.server.empty() || p.user.empty() || p.device.empty())
        return failure("bad_profile", (dir_ / kProfile).string() + " is damaged; enrol again");
    return p;
}

protocol::Expected<bool> Home::save_profile(const Profile& p) const {
    return write_file(kProfile, json::serialize(json::object{
                                    {"server", p.server}, {"user", p.user}, {"device", p.device}}) +
                                    "\n");
}

protocol::Expected<crypto::DeviceKeys> Home::open_keys(std::string_view passphrase) const {
    const auto text = read_file(kKeystore);
    if (!text)
        return failure("not_enrolled", "no keystore in " + dir_.string());
    auto keys = crypto::open_keystore(*text, passphrase);
    if (keys && crypto::keystore_weaker_than(*text, cost_)) {
        // The passphrase is right: seal again so that a copy taken from now on costs a guesser
        // the current limits. A failed write keeps the old keystore, which still opens.
        if (save_keys(keys.value(), passphrase))
            resealed_ = true;
    }
    return keys;
}

protocol::Expected<bool> Home::save_keys(const crypto::DeviceKeys& keys,
                                         std::string_view passphrase) const {
    return write_file(kKeystore, crypto::seal_keystore(keys, passphrase, cost_));
}

KnownKeys::KnownKeys(const Home& home) : home_(home) {
    reload();
}

void KnownKeys::reload() {
    pins_.clear();
    verified_.clear();
    const auto text = home_.read_file(kKnownKeys);
    if (!text)
        return;
    boost::system::error_code ec;
    const auto v = json::parse(*text, ec);
    if (ec || !v.is_object())
        return;
    for (const auto& [user, devices] : v.get_object()) {
        if (user == kVerifiedKey && devices.is_array()) {
            for (const auto& u : devices.get_array())
                if (u.is_string())
                    verified_.insert(std::string(u.get_string()));
            continue;
        }
        if (!devices.is_object())
            continue;
        for (const auto& [device, key] : devices.get_object())
            if (key.is_string())
                pins_[std::string(user)][std::string(device)] = std::string(key.get_string());
    }
}

KnownKeys::Verdict KnownKeys::peek(const std::string& user, const std::string& device,
                                   const crypto::SignPublicKey& key) const {
    const auto it = pins_.find(user);
    if (it == pins_.end())
        return Verdict::pinned_now;
    const auto d = it->second.find(device);
    if (d == it->second.end())
        return Verdict::new_device;
    return d->second == key.to_base64() ? Verdict::matches : Verdict::changed;
}

KnownKeys::Verdict KnownKeys::check(const std::string& user, const std::string& device,
                                    const crypto::SignPublicKey& key) {
    const auto verdict = peek(user, device, key);
    if (verdict == Verdict::pinned_now) {
        pins_[user][device] = key.to_base64();
        save();
    }
    return verdict;
}

void KnownKeys::pin(const std::string& user, const std::string& device,
                    const crypto::SignPublicKey& key) {
    // A key pinned anew is no longer the one the person compared: verify again.
    if (const auto d = pins_.find(user);
        d != pins_.end() && d->second.contains(device) && d->second.at(device) != key.to_base64())
        verified_.erase(user);
    auto& pinned = pins_[user][device];
    const auto encoded = key.to_base64();
    if (pinned == encoded)
        return;
    pinned = encoded;
    save();
}

void KnownKeys::verify(const std::string& user, const std::map<std::string, std::string>& devices) {
    auto& pinned = pins_[user];
    for (const auto& [device, key] : devices)
        pinned[device] = key;
    verified_.insert(user);
    save();
}

std::optional<crypto::SignPublicKey> KnownKeys::pinned(const std::string& user,
                                                       const std::string& device) const {
    const auto u = pins_.find(user);
    if (u == pins_.end())
        return std::nullopt;
    const auto d = u->second.find(device);
    if (d == u->second.end())
        return std::nullopt;
    return crypto::SignPublicKey::from_base64(d->second);
}

std::optional<std::string> KnownKeys::other_owner(const std::string& user,
                                                  const crypto::SignPublicKey& key) const {
    const auto encoded = key.to_base64();
    for (const auto& [other, devices] : pins_) {
        if (other == user)
            continue;
        for (const auto& [device, pinned] : devices)
            if (pinned == encoded)
                return other;
    }
    return std::nullopt;
}

std::string KnownKeys::owner_of(const std::string& device) const {
    for (const auto& [user, devices] : pins_)
        if (devices.contains(device))
            return user;
    return {};
}

void KnownKeys::save() const {
    json::object root;
    for (const auto& [user, devices] : pins_) {
        json::object d;
        for (const auto& [device, key] : devices)
            d[device] = key;
        root[user] = std::move(d);
    }
    if (!verified_.empty())
        root[kVerifiedKey] = json::array(verified_.begin(), verified_.end());
    (void)home_.write_file(kKnownKeys, json::serialize(root) + "\n");
}

protocol::Expected<std::string> passphrase(bool confirm, const char* env_name, const char* prompt) {
    // A new passphrase (`confirm`: enrolling) is all that protects the device's keys if its
    // keystore is copied, so it must not be trivially short. An existing keystore opens with
    // whatever passphrase it was sealed with.
    constexpr std::size_t kMinimum = 8;
    const auto too_short = [&](const std::string& p) {
        std::size_t characters = 0;  // UTF-8 code points: bytes that do not continue one
        for (const char c : p)
            characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
        return confirm && characters < kMinimum;
    };
    const auto short_error = [&] {
        return failure("bad_passphrase", "a new passphrase needs at least " +
                                             std::to_string(kMinimum) +
                                             " characters: it protects this device's keys");
    };
    if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') {
        if (too_short(env))
            return short_error();
        return std::string(env);
    }
    const auto first = ask(prompt);
    if (!first)
        return failure("bad_passphrase",
                       std::string("no terminal to ask for the passphrase: set ") + env_name);
    if (first->empty())
        return failure("bad_passphrase", "the passphrase must not be empty");
    if (too_short(*first))
        return short_error();
    if (confirm) {
        const auto second = ask("Passphrase again: ");
        if (!second || *second != *first)
            return failure("bad_passphrase", "the passphrases do not match");
    }
    return *first;
}

}  // namespace liaise::client
