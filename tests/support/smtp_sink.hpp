// Test support: a real SMTP server (tests/support/smtp_sink.py, Debian's python3-aiosmtpd) on a
// free loopback port, and throwaway certificates made with the openssl command.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace liaise::test::smtp {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

/// A loopback port nothing listens on right now.
inline int unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// A fresh temporary folder, removed at the end.
class TempDir {
  public:
    explicit TempDir(const std::string& tag) {
        static int n = 0;
        path_ = fs::temp_directory_path() /
                ("liaise-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

/// A self-signed certificate and its key in `dir`, for `san` ("IP:127.0.0.1").
struct Certificate {
    fs::path cert, key;
};
inline Certificate make_certificate(const fs::path& dir, const std::string& name,
                                    const std::string& san) {
    Certificate c{dir / (name + ".pem"), dir / (name + "-private.pem")};
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "
        "'/CN=liaise test relay' -addext 'subjectAltName=" +
        san + "' -keyout '" + c.key.string() + "' -out '" + c.cert.string() + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return c;
}

struct SinkOptions {
    std::optional<Certificate> tls;  ///< offer STARTTLS (and require it) with this
    std::string auth;                ///< "user:password": require AUTH
    std::string reject_rcpt;         ///< answer 550 for this recipient
    double slow = 0;                 ///< seconds to wait before answering each message's end
};

/// The SMTP server, running from construction to destruction.
class Sink {
  public:
    explicit Sink(const SinkOptions& options = {}) : dir_("smtp-sink") {
        port_ = unused_port();
        std::vector<std::string> args = {
            "/usr/bin/python3",    LIAISE_SMTP_SINK, "--port",
            std::to_string(port_), "--out",          (dir_.path() / "mail").string()};
        if (options.tls) {
            args.insert(args.end(), {"--tls-cert", options.tls->cert.string(), "--tls-key",
                                     options.tls->key.string()});
        }
        if (!options.auth.empty())
            args.insert(args.end(), {"--auth", options.auth});
        if (!options.reject_rcpt.empty())
            args.insert(args.end(), {"--reject-rcpt", options.reject_rcpt});
        if (options.slow > 0)
            args.insert(args.end(), {"--slow", std::to_string(options.slow)});
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string log = (dir_.path() / "sink.log").string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 400; ++i) {
            if (read_file(log).find("ready") != std::string::npos)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        FAIL("the SMTP sink did not start: " << read_file(log));
    }
    ~Sink() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    [[nodiscard]] std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }
    /// The messages received so far, in order, each with the sink's X-Sink-* lines first.
    [[nodiscard]] std::vector<std::string> received() const {
        std::vector<std::string> out;
        for (int n = 1;; ++n) {
            const auto p = dir_.path() / "mail" / (std::to_string(n) + ".eml");
            if (!fs::exists(p))
                return out;
            out.push_back(read_file(p));
        }
    }
    /// Waits up to `seconds` for at least `count` messages.
    [[nodiscard]] std::vector<std::string> wait_for(std::size_t count, int seconds = 20) const {
        for (int i = 0; i < seconds * 20; ++i) {
            auto got = received();
            if (got.size() >= count)
                return got;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return received();
    }
    [[nodiscard]] std::string log() const { return read_file(dir_.path() / "sink.log"); }

  private:
    TempDir dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace liaise::test::smtp
