// End-to-end test support: a real liaise-server process on a free loopback port with its own
// temporary data directory, and real clients (the client library) talking to it.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/history.hpp"
#include "liaise/client/client.hpp"
#include "liaise/protocol/fields.hpp"

extern char** environ;

namespace liaise::test {

namespace fs = std::filesystem;

/// `text` split at line feeds (a screen, a command's output).
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

/// A port the kernel says is free right now.
inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// What a command printed on its standard output, and how it ended (as from waitpid).
struct Ran {
    int status = 0;
    std::string out;
};

/// Runs a command through the shell, whatever its exit status.
inline Ran run_any(const std::string& command) {
    Ran ran;
    FILE* p = ::popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, p))
        ran.out.append(buf, n);
    ran.status = ::pclose(p);
    return ran;
}

/// Runs a command, returning its standard output; fails the test on a non-zero exit.
inline std::string run(const std::string& command) {
    auto ran = run_any(command);
    INFO(command << "\n" << ran.out);
    REQUIRE(WIFEXITED(ran.status));
    REQUIRE(WEXITSTATUS(ran.status) == 0);
    return std::move(ran.out);
}

/// A raw TCP connection to the server's port (no HTTP, no WebSocket).
inline int raw_connect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

/// GET `target` over a new plain connection; the whole reply, headers and body.
inline std::string http_get(int port, const std::string& target) {
    const int fd = raw_connect(port);
    const std::string get = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    REQUIRE(::send(fd, get.data(), get.size(), 0) == static_cast<ssize_t>(get.size()));
    std::string reply;
    char buf[1024];
    while (true) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return reply;
}

/// One liaise-server: `init` on construction, then start()/stop() as often as a test likes.
class Server {
  public:
    explicit Server(const std::string& agency = "Northshire Children's Services",
                    const std::string& discipline = "social-care") {
        dir_ = fs::temp_directory_path() /
               ("liaise-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        const auto out =
            run(std::string("'") + LIAISE_SERVER_BINARY + "' init --data '" + data().string() +
                "' --admin ann --agency \"" + agency + "\" --discipline " + discipline + " --json");
        admin_code_ = std::string(boost::json::parse(out).at("code").as_string());
        port_ = free_port();
        start();
    }
    ~Server() {
        stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void start() {
        const std::string listen = "127.0.0.1:" + std::to_string(port_);
        const std::string log = (dir_ / "server.log").string();
        std::vector<std::string> args = {LIAISE_SERVER_BINARY, "serve",    "--data",
                                         data().string(),      "--listen", listen,
                                         "--threads",          "2"};
        for (const auto& extra : extra_args_)
            args.push_back(extra);
        for (const auto& extra : option_args_)
            args.push_back(extra);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        // Ready when it accepts WebSocket connections.
        for (int i = 0; i < 200; ++i) {
            if (client::Connection::open(
                    url(), client::ConnectOptions{std::chrono::milliseconds(200), ca_}))
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        FAIL("liaise-server did not start: " << slurp(dir_ / "server.log"));
    }

    /// SIGTERM (or `sig`) and wait; returns the exit status.
    int stop(int sig = SIGTERM) {
        if (pid_ <= 0)
            return 0;
        ::kill(pid_, sig);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
    /// From the next start(): serve wss:// with `cert` and `key`; clients trust `ca` (the
    /// server's own readiness check and every Person enrolled afterwards).
    void use_tls(const fs::path& cert, const fs::path& key, const fs::path& ca) {
        tls_args_ = {"--tls-cert", cert.string(), "--tls-key", key.string()};
        ca_ = ca;
        update_option_args();
    }
    /// From the next start(): serve with these TOML settings (written to dir()/server.toml).
    void set_config(const std::string& toml) {
        std::ofstream(dir_ / "server.toml") << toml;
        config_args_ = {"--config", (dir_ / "server.toml").string()};
        update_option_args();
    }
    /// The certificate authority clients should trust (empty: plain ws://).
    [[nodiscard]] const fs::path& ca() const { return ca_; }
    [[nodiscard]] std::string url() const {
        return (tls_args_.empty() ? "ws://127.0.0.1:" : "wss://127.0.0.1:") + std::to_string(port_);
    }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] fs::path data() const { return dir_ / "data"; }
    [[nodiscard]] fs::path dir() const { return dir_; }
    [[nodiscard]] const std::string& admin_code() const { return admin_code_; }
    [[nodiscard]] std::string log() const { return slurp(dir_ / "server.log"); }

  private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    fs::path dir_;
    std::string admin_code_;
    int port_ = 0;
    pid_t pid_ = -1;
    std::vector<std::string> extra_args_;
    void update_option_args() {
        option_args_ = tls_args_;
        option_args_.insert(option_args_.end(), config_args_.begin(), config_args_.end());
    }
    std::vector<std::string> tls_args_, config_args_, option_args_;
    fs::path ca_;
};

/// How many requests the server has refused with `code`, from its metrics page.
inline int refusals(const Server& server, const std::string& code) {
    const auto metrics = http_get(server.port(), "/metrics");
    const std::string key = "liaise_errors_total{code=\"" + code + "\"} ";
    const auto at = metrics.find(key);
    return at == std::string::npos ? 0 : std::stoi(metrics.substr(at + key.size()));
}

inline constexpr const char* kPassphrase = "correct horse battery staple";

/// A person with their own LIAISE_HOME, enrolled and logged in.
struct Person {
    std::unique_ptr<client::Home> home;
    std::unique_ptr<client::Client> client;

    Person(const Server& server, const std::string& name, const std::string& code) {
        // Interactive limits: the library's people are many and their keystores are not what
        // these tests are about (the `liaise` command always seals with moderate limits).
        home = std::make_unique<client::Home>(server.dir() / ("home-" + name),
                                              crypto::KeystoreCost::interactive);
        if (!server.ca().empty())
            REQUIRE(home->save_ca(server.ca()).ok());
        const auto enrolled =
            client::Client::enrol(*home, server.url(), code, kPassphrase, name + "-laptop");
        INFO(name << ": " << (enrolled ? "" : enrolled.error().message));
        REQUIRE(enrolled.ok());
        login();
    }
    void login() {
        client.reset();
        auto c = client::Client::login(*home, kPassphrase);
        INFO((c ? "" : c.error().message));
        REQUIRE(c.ok());
        client = std::move(c).value();
    }
    client::Client& operator*() { return *client; }
    client::Client* operator->() { return client.get(); }
};

/// Calls `type` and requires success.
inline boost::json::object ok(client::Client& c, std::string_view type,
                              boost::json::object fields = {}) {
    auto r = c.call(type, std::move(fields));
    INFO(type << ": " << (r ? "" : r.error().code + ": " + r.error().message));
    REQUIRE(r.ok());
    return r.value();
}

/// Calls `type` and returns the error code ("" on success).
inline std::string error_code(client::Client& c, std::string_view type,
                              boost::json::object fields = {}) {
    auto r = c.call(type, std::move(fields));
    return r ? std::string() : r.error().code;
}

/// The file holding `server`'s at-rest key: the one place tests look for it, for tests that
/// open the database as the server does (playing a server that changes what it stores).
/// `init` writes it beside the data directory, as `<data>.key`.
inline fs::path at_rest_key_file(const Server& server) {
    return server.data().string() + ".key";
}

/// The version of `meeting` that meeting_circulate or meeting_approve (`type`) acts on, as the
/// `liaise` command fetches it: the draft to circulate, the version as circulated to approve.
/// Empty when `minutes` cannot be shown to the caller (it will be refused anyway).
inline boost::json::object version_to_sign(client::Connection& conn, std::string_view type,
                                           std::int64_t meeting) {
    auto shown = conn.request("meeting_show", {{"meeting", meeting}});
    if (!shown)
        return {};
    if (type == "meeting_approve" && protocol::str(shown.value(), "status") != "draft") {
        auto fixed = conn.request("meeting_show",
                                  {{"meeting", meeting}, {"version", shown.value().at("version")}});
        return fixed ? fixed.value() : boost::json::object{};
    }
    return shown.value();
}

/// `fields` of a meeting_circulate or meeting_approve request (`type`) with the signature
/// `keys` (the caller's device) makes, as `liaise` signs them, over what `conn` is shown.
inline boost::json::object signed_as(client::Connection& conn, const crypto::DeviceKeys& keys,
                                     const std::string& user, std::string_view type,
                                     boost::json::object fields) {
    const auto act =
        type == "meeting_approve" ? protocol::MinutesAct::approve : protocol::MinutesAct::circulate;
    const auto minutes = version_to_sign(conn, type, fields.at("meeting").as_int64());
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    fields["signed_at"] = now;
    fields["signature"] =
        protocol::sign_minutes(keys, protocol::minutes_digest(minutes, {act, user, now}))
            .to_base64();
    return fields;
}

/// signed_as() for a client library user: the fields `c` signs for `type`.
inline boost::json::object signed_by(client::Client& c, std::string_view type,
                                     boost::json::object fields) {
    const auto minutes = version_to_sign(c.connection(), type, fields.at("meeting").as_int64());
    auto sig = c.sign_minutes(minutes, type == "meeting_approve" ? protocol::MinutesAct::approve
                                                                 : protocol::MinutesAct::circulate);
    for (auto& [k, v] : sig)
        fields[k] = v;
    return fields;
}

/// An admin issues a code for `user`.
inline std::string code_for(client::Client& admin, const std::string& user,
                            const std::string& agency, const std::string& role = "member") {
    return std::string(ok(admin, "enrol_code", {{"user", user}, {"agency", agency}, {"role", role}})
                           .at("code")
                           .as_string());
}

/// True once `p`'s connection ends within `timeout` (events arriving meanwhile are read and
/// dropped): the server cut it off.
inline bool cut_off_within(Person& p, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        auto e = p->next_event(std::chrono::milliseconds(100));
        if (!e)
            return true;
    }
    return false;
}

/// Runs the real `liaise` command as a person whose LIAISE_HOME is `server.dir()/cli-WHO`.
struct Cli {
    const Server& server;

    /// Runs `liaise ARGS` as `who`; returns {exit status, stdout + stderr}.
    std::pair<int, std::string> operator()(const std::string& who, const std::string& args,
                                           const std::string& input = "") const {
        const auto in = server.dir() / "cli-stdin";
        std::ofstream(in) << input;
        const std::string cmd = "LIAISE_HOME='" + (server.dir() / ("cli-" + who)).string() +
                                "' LIAISE_PASSPHRASE='" + kPassphrase + "' '" + LIAISE_BINARY +
                                "' " + args + " < '" + in.string() + "' 2>&1";
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        char buf[4096];
        while (const auto n = std::fread(buf, 1, sizeof buf, p))
            out.append(buf, n);
        const int status = ::pclose(p);
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
    }
    /// Runs and requires exit status 0; returns the output.
    std::string ok(const std::string& who, const std::string& args,
                   const std::string& input = "") const {
        const auto [status, out] = (*this)(who, args, input);
        INFO("liaise " << args << "\n" << out);
        REQUIRE(status == 0);
        return out;
    }
    /// Enrols `who` with `code`, then unlocks the device into its agent (`liaise unlock`), as
    /// a person does at the start of a working day: later commands fetch the keys from the agent
    /// instead of deriving the keystore key again (Argon2id, about a second each). The agent ends
    /// when the test's directory, and with it the keystore, is removed. Tests of the passphrase
    /// path itself run `liaise lock` first, or enrol without this helper.
    void enrol(const std::string& who, const std::string& code) const {
        ok(who, "enrol --server " + server.url() + " --code " + code);
        ok(who, "unlock --for 2h");
    }
    /// ann (the first admin) and bea (a member of ann's agency), both enrolled, in room case-2041.
    void two_in_a_room() const {
        enrol("ann", server.admin_code());
        const auto code = ok("ann",
                             "admin enrol bea --agency \"Northshire Children's Services\" "
                             "--role member --json");
        enrol("bea", std::string(boost::json::parse(code).at("code").as_string()));
        ok("ann", "room create case-2041 --member bea");
    }

    /// `liaise ARGS` as `who`, left running (`read --follow`, say) with its standard output and
    /// error in a file; killed on destruction however the test ends.
    class Running {
      public:
        Running(const Cli& cli, const std::string& who, const std::string& args)
            : out_(cli.server.dir() / ("running-" + who + "-" + std::to_string(count()++))) {
            const std::string cmd = "LIAISE_HOME='" + (cli.server.dir() / ("cli-" + who)).string() +
                                    "' LIAISE_PASSPHRASE='" + kPassphrase + "' '" + LIAISE_BINARY +
                                    "' " + args + " < /dev/null > '" + out_.string() +
                                    "' 2>&1 & echo $!";
            FILE* p = ::popen(cmd.c_str(), "r");
            REQUIRE(p != nullptr);
            char buf[64] = {};
            const auto n = std::fread(buf, 1, sizeof buf - 1, p);
            ::pclose(p);
            pid_ = std::atoi(std::string(buf, n).c_str());
            REQUIRE(pid_ > 0);
        }
        ~Running() { ::kill(pid_, SIGKILL); }
        Running(const Running&) = delete;
        Running& operator=(const Running&) = delete;

        /// Waits up to 10 s for `text` in the output; returns the output then.
        std::string wait_for(const std::string& text) const {
            std::string out;
            for (int i = 0; i < 500; ++i) {
                out = slurp(out_);
                if (out.find(text) != std::string::npos)
                    return out;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            FAIL("never printed '" << text << "':\n" << out);
            return out;
        }

      private:
        static int& count() {
            static int n = 0;
            return n;
        }
        fs::path out_;
        pid_t pid_ = 0;
    };
};

}  // namespace liaise::test
