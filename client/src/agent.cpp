#include "liaise/client/agent.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace liaise::client::agent {
namespace {

namespace fs = std::filesystem;
using Keys = std::array<unsigned char, crypto::kDeviceKeysBytes>;

protocol::Error failure(std::string code, std::string message) {
    return {std::move(code), std::move(message)};
}

/// A file descriptor closed on destruction.
class Fd {
  public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(o.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_;
};

/// The uid of the process at the other end of `fd`, if the kernel tells.
std::optional<uid_t> peer_uid(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return std::nullopt;
    return cred.uid;
}

void set_timeouts(int fd, std::chrono::milliseconds t) {
    timeval tv{static_cast<time_t>(t.count() / 1000),
               static_cast<suseconds_t>((t.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool write_all(int fd, const unsigned char* p, std::size_t n) {
    while (n > 0) {
        const auto w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

/// Reads exactly `n` bytes (fewer: the peer closed, timed out or failed).
std::size_t read_all(int fd, unsigned char* p, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const auto r = ::read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

bool fill_address(sockaddr_un& addr, const fs::path& path) {
    addr = {};
    addr.sun_family = AF_UNIX;
    const auto& s = path.native();
    if (s.size() >= sizeof addr.sun_path)
        return false;
    std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
    return true;
}

/// Connects to the agent for `home` and sends `command`; the connection if an agent of this
/// user took it. The agent must be ours: a socket someone else planted is never spoken to.
Fd connect_agent(const Home& home, std::string_view command) {
    const auto path = socket_path(home);
    sockaddr_un addr{};
    if (!path || !fill_address(addr, path.value()))
        return Fd();
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return Fd();
    if (peer_uid(fd.get()) != ::getuid())
        return Fd();
    set_timeouts(fd.get(), std::chrono::seconds(5));
    const std::string line = std::string(command) + "\n";
    if (!write_all(fd.get(), reinterpret_cast<const unsigned char*>(line.data()), line.size()))
        return Fd();
    return fd;
}

/// Keys in sodium_malloc'ed memory: guard pages, mlock'ed, inaccessible except while
/// borrowed, wiped and freed on destruction.
class LockedKeys {
  public:
    LockedKeys() : p_(static_cast<unsigned char*>(sodium_malloc(crypto::kDeviceKeysBytes))) {
        if (p_ == nullptr)
            throw std::bad_alloc();
        sodium_mlock(p_, crypto::kDeviceKeysBytes);  // sodium_malloc locks too; be explicit
    }
    ~LockedKeys() {
        sodium_mprotect_readwrite(p_);
        sodium_free(p_);  // zeroes before freeing
    }
    LockedKeys(const LockedKeys&) = delete;
    LockedKeys& operator=(const LockedKeys&) = delete;
    [[nodiscard]] unsigned char* data() noexcept { return p_; }
    void hide() noexcept { sodium_mprotect_noaccess(p_); }
    void show() noexcept { sodium_mprotect_readonly(p_); }

  private:
    unsigned char* p_;
};

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

std::int64_t to_ms(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

HeldKeys::HeldKeys(const crypto::DeviceKeys& keys)
    : bytes_(static_cast<unsigned char*>(sodium_malloc(crypto::kDeviceKeysBytes))) {
    if (bytes_ == nullptr)
        throw std::bad_alloc();
    crypto::export_device_keys(
        keys, std::span<unsigned char, crypto::kDeviceKeysBytes>(bytes_, crypto::kDeviceKeysBytes));
    sodium_mprotect_noaccess(bytes_);
}

HeldKeys::~HeldKeys() {
    sodium_mprotect_readwrite(bytes_);
    sodium_free(bytes_);
}

crypto::DeviceKeys HeldKeys::keys() const {
    sodium_mprotect_readonly(bytes_);
    auto keys = crypto::import_device_keys(
        std::span<const unsigned char, crypto::kDeviceKeysBytes>(bytes_, crypto::kDeviceKeysBytes));
    sodium_mprotect_noaccess(bytes_);
    if (!keys)
        throw std::logic_error("held keys no longer check out");
    return std::move(keys).value();
}

protocol::Expected<fs::path> socket_path(const Home& home, MakeDir make) {
    crypto::init();
    std::error_code ec;
    auto absolute = fs::absolute(home.dir(), ec);
    if (ec)
        absolute = home.dir();
    const std::string text = absolute.lexically_normal().string();
    std::array<unsigned char, 8> hash{};
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr,
                       0);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string name = "liaise-agent-";
    for (const auto b : hash) {
        name += kHex[b >> 4];
        name += kHex[b & 15];
    }
    name += ".sock";
    if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run == '/')
        return fs::path(run) / name;
    // The fallback is shared ground: make it ours and private, or refuse it.
    const fs::path dir = "/tmp/liaise-" + std::to_string(::getuid());
    if (make == MakeDir::yes && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return failure("agent_dir", "cannot create " + dir.string() + " for the unlock agent");
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() ||
        (st.st_mode & 077) != 0)
        return failure("agent_dir", dir.string() +
                                        " is not a private directory of yours: remove it, or "
                                        "set XDG_RUNTIME_DIR");
    return dir / name;
}

std::optional<crypto::DeviceKeys> fetch_keys(const Home& home) {
    const auto fd = connect_agent(home, "keys");
    if (!fd)
        return std::nullopt;
    LockedKeys buf;
    unsigned char tag = 0;
    if (read_all(fd.get(), &tag, 1) != 1 || tag != 'K' ||
        read_all(fd.get(), buf.data(), crypto::kDeviceKeysBytes) != crypto::kDeviceKeysBytes)
        return std::nullopt;
    auto keys = crypto::import_device_keys(std::span<const unsigned char, crypto::kDeviceKeysBytes>(
        buf.data(), crypto::kDeviceKeysBytes));
    if (!keys)
        return std::nullopt;
    return std::move(keys).value();
}

std::optional<Clock::time_point> unlocked_until(const Home& home) {
    const auto fd = connect_agent(home, "status");
    if (!fd)
        return std::nullopt;
    std::array<unsigned char, 32> buf{};
    const auto n = read_all(fd.get(), buf.data(), buf.size());
    const std::string reply(reinterpret_cast<const char*>(buf.data()), n);
    if (reply.size() < 3 || reply[0] != 'U' || reply.back() != '\n')
        return std::nullopt;
    const auto ms = std::strtoll(reply.c_str() + 2, nullptr, 10);
    return Clock::time_point(std::chrono::milliseconds(ms));
}

bool stop(const Home& home) {
    const auto fd = connect_agent(home, "stop");
    if (!fd)
        return false;
    unsigned char tag = 0;
    return read_all(fd.get(), &tag, 1) == 1 && tag == 'S';
}

protocol::Expected<bool> start(const Home& home, const crypto::DeviceKeys& keys,
                               Clock::time_point until, const fs::path& self) {
    const auto path = socket_path(home, MakeDir::yes);
    if (!path)
        return path.error();
    (void)stop(home);  // one agent per home: the new one replaces it
    int keys_pipe[2], ready_pipe[2];
    if (::pipe2(keys_pipe, O_CLOEXEC) != 0)
        return failure("agent_failed", "cannot start the unlock agent");
    Fd keys_read(keys_pipe[0]), keys_write(keys_pipe[1]);
    if (::pipe2(ready_pipe, O_CLOEXEC) != 0)
        return failure("agent_failed", "cannot start the unlock agent");
    Fd ready_read(ready_pipe[0]), ready_write(ready_pipe[1]);
    const std::string home_dir = fs::absolute(home.dir()).string();
    const std::string until_ms = std::to_string(to_ms(until));
    const pid_t pid = ::fork();
    if (pid < 0)
        return failure("agent_failed", "cannot start the unlock agent");
    if (pid == 0) {
        // The child: a new session (no terminal to hang up on it), keys on standard input,
        // the ready pipe as fd 3, nothing else open. exec() leaves this process's copies of
        // anything secret behind.
        ::setsid();
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(keys_read.get(), 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::dup2(ready_write.get(), 3);
        ::execl(self.c_str(), "liaise", "agent", "--home", home_dir.c_str(), "--until",
                until_ms.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    keys_read.reset();
    ready_write.reset();
    {
        LockedKeys raw;
        export_device_keys(keys, std::span<unsigned char, crypto::kDeviceKeysBytes>(
                                     raw.data(), crypto::kDeviceKeysBytes));
        const unsigned char* p = raw.data();
        std::size_t left = crypto::kDeviceKeysBytes;
        while (left > 0) {  // a pipe holds far more than this: never blocks
            const auto w = ::write(keys_write.get(), p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            p += w;
            left -= static_cast<std::size_t>(w);
        }
        keys_write.reset();
    }
    unsigned char ready = 0;
    const bool up = read_all(ready_read.get(), &ready, 1) == 1 && ready == 'R';
    if (!up) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        return failure("agent_failed", "the unlock agent did not start");
    }
    // The agent runs on by itself (it is in its own session); it is reaped by init once this
    // process exits.
    return true;
}

int serve(const Home& home, Clock::time_point until, int ready_fd) {
    // No core files, no ptrace by other processes of the user, no /proc/PID/mem reads.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    crypto::init();

    LockedKeys keys;
    if (read_all(0, keys.data(), crypto::kDeviceKeysBytes) != crypto::kDeviceKeysBytes)
        return 1;
    ::close(0);
    if (!crypto::import_device_keys(std::span<const unsigned char, crypto::kDeviceKeysBytes>(
            keys.data(), crypto::kDeviceKeysBytes)))
        return 1;
    keys.hide();

    const auto path = socket_path(home, MakeDir::yes);
    sockaddr_un addr{};
    if (!path || !fill_address(addr, path.value()))
        return 1;
    Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!listener)
        return 1;
    ::unlink(path.value().c_str());  // start() stopped any agent that answered: this is stale
    const mode_t old_mask = ::umask(0177);  // the socket is born 0600
    const int bound = ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    ::umask(old_mask);
    if (bound != 0 || ::chmod(path.value().c_str(), 0600) != 0 || ::listen(listener.get(), 8) != 0)
        return 1;
    struct stat mine {};
    ::stat(path.value().c_str(), &mine);

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);

    const unsigned char ready = 'R';
    (void)!::write(ready_fd, &ready, 1);
    ::close(ready_fd);

    const auto keystore = home.dir() / "keystore.json";
    while (g_stop == 0) {
        const auto now = Clock::now();
        if (now >= until)
            break;
        // Gone if the keystore was removed (the device was wiped) or another agent took the
        // socket's name over.
        std::error_code ec;
        struct stat now_there {};
        if (!fs::exists(keystore, ec) || ::stat(path.value().c_str(), &now_there) != 0 ||
            now_there.st_ino != mine.st_ino)
            break;
        const auto wait = std::min<std::chrono::milliseconds>(
            std::chrono::duration_cast<std::chrono::milliseconds>(until - now) +
                std::chrono::milliseconds(1),
            std::chrono::seconds(1));
        pollfd pfd{listener.get(), POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(wait.count())) <= 0)
            continue;
        Fd peer(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!peer)
            continue;
        // Only this user's own processes: the socket's mode says so too, and this holds even if
        // someone loosened it.
        if (peer_uid(peer.get()) != ::getuid())
            continue;
        set_timeouts(peer.get(), std::chrono::seconds(2));
        std::array<unsigned char, 16> buf{};
        std::size_t n = 0;
        while (n < buf.size()) {
            const auto r = ::read(peer.get(), buf.data() + n, 1);
            if (r <= 0 || buf[n] == '\n')
                break;
            ++n;
        }
        const std::string command(reinterpret_cast<const char*>(buf.data()), n);
        if (command == "keys") {
            const unsigned char tag = 'K';
            keys.show();
            (void)(write_all(peer.get(), &tag, 1) &&
                   write_all(peer.get(), keys.data(), crypto::kDeviceKeysBytes));
            keys.hide();
        } else if (command == "status") {
            const auto line = "U " + std::to_string(to_ms(until)) + "\n";
            (void)write_all(peer.get(), reinterpret_cast<const unsigned char*>(line.data()),
                            line.size());
        } else if (command == "stop") {
            const unsigned char tag = 'S';
            (void)write_all(peer.get(), &tag, 1);
            break;
        }
    }
    struct stat at_end {};
    if (::stat(path.value().c_str(), &at_end) == 0 && at_end.st_ino == mine.st_ino)
        ::unlink(path.value().c_str());
    return 0;  // `keys` wipes itself on the way out
}

}  // namespace liaise::client::agent
