// liaise-load: a closed-loop load generator over the real Liaise protocol, over XMPP on
// WebSocket for chat servers that do the same job, and over a raw WebSocket mode for peers that
// store nothing (an echo server, a broadcast server).
//
//   liaise-load --mode liaise --server build/server/liaise-server --connections 100 --room-size 2
//   liaise-load --mode xmpp --url ws://127.0.0.1:5280/ws --connections 100 --room-size 2
//   liaise-load --mode echo --url ws://127.0.0.1:9001 --connections 100
//   liaise-load --mode broadcast --url ws://127.0.0.1:9002 --connections 51 --senders 1
//
// In liaise mode it creates a fresh data directory, starts liaise-server (pinned to one core
// with --server-cpu), enrols one account per connection, puts them in rooms of --room-size,
// logs every connection in, and then keeps --in-flight sends outstanding per sending
// connection for --seconds. Envelopes are sealed once per sender and re-sent with a new
// client message id, so client-side crypto does not limit the run. It prints one JSON object:
// sends/s, deliveries/s, latency percentiles (send-to-ack, send-to-delivery) and the server's
// CPU time and peak memory. With --database postgresql://... it runs `init --database` on that
// (fresh) database and serves it instead, from --nodes nodes (default 1) on the same core,
// connection i on node i % nodes; the server's costs are then node 0's.
//
// In xmpp mode (RFC 7395 framing: <open/>, SASL PLAIN, resource binding, then <message>
// stanzas) it registers account uN with password pw-uN in-band (XEP-0077; an existing account
// is used as it is) and logs every connection in. With --room-size 2 it pairs connection 2k
// with 2k+1: each sends one-to-one chat messages to the other's full JID. XMPP gives the sender
// no acknowledgement, so a send counts, and frees its in-flight slot, when the recipient
// receives it; ack_ms is then the same as delivery_ms. With a larger --room-size the
// connections join multi-user chat rooms (XEP-0045) of that many occupants, rK@--muc-domain,
// and send groupchat messages: the room's copy back to the sender is the send's
// acknowledgement, every other occupant's copy a delivery. A <message type="error"> or a
// stream error stops the run.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "liaise/client/connection.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"

extern char** environ;

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string mode = "liaise";
    std::string url;
    std::string server = "build/server/liaise-server";
    int connections = 100;
    int room_size = 2;
    int senders = -1;  // -1: every connection sends
    int in_flight = 4;
    double seconds = 5;
    double warmup = 0;  // seconds of load before the measured run (nothing counted)
    int server_cpu = 0;
    int load_cpu = 1;
    int server_threads = 1;
    bool durable = true;
    bool idle = false;      // hold connections logged in, send nothing (memory per connection)
    int accounts = -1;      // -1: one per connection (idle mode: at most 100, shared in turn)
    double rate = 0;        // > 0: open loop, this many sends per second in all, no in-flight cap
    bool timeline = false;  // print each 100 ms of the measured run's deliveries to stderr
    int payload = 120;      // plaintext bytes per message
    int frame_bytes = 0;    // raw and xmpp modes: pad each frame to this size (0: --payload)
    std::string domain = "localhost";  // xmpp mode: the server's virtual host
    std::string muc_domain;            // xmpp mode: its multi-user chat service ("conference."
                                       // + domain unless set)
    std::string database;   // liaise mode: a fresh PostgreSQL database (postgresql://...) to
                            // init and serve from instead of a SQLite data directory
    int nodes = 1;          // liaise mode with --database: nodes on that database; connection i
                            // goes to node i % nodes (setup goes through node 0)
    double kill_after = 0;  // > 0: SIGKILL the last node this many seconds into the measured
                            // run; its connections reconnect to node 0 and catch up
};

/// The server processes this run started and has not stopped: die() stops them, since
/// std::exit skips the destructors that would.
std::vector<pid_t>& live_servers() {
    static std::vector<pid_t> pids;
    return pids;
}

[[noreturn]] void die(const std::string& what) {
    std::cerr << "liaise-load: " << what << "\n";
    for (const auto pid : live_servers())
        ::kill(pid, SIGTERM);
    std::exit(2);
}

// ---- server process -------------------------------------------------------------------------

struct ServerProcess {
    pid_t pid = -1;
    fs::path dir;
    int port = 0;

    ~ServerProcess() {
        if (pid > 0) {
            std::erase(live_servers(), pid);
            ::kill(pid, SIGTERM);
            int status;
            ::waitpid(pid, &status, 0);
        }
        std::error_code ec;
        if (!dir.empty())
            fs::remove_all(dir, ec);
    }

    /// Resident memory now, in KiB, from /proc.
    long rss_kib() const {
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmRSS:", 0) == 0)
                return std::stol(line.substr(6));
        return 0;
    }

    /// CPU seconds used so far and peak resident memory in KiB, from /proc.
    std::pair<double, long> usage() const {
        const auto cpu = cpu_seconds("/proc/" + std::to_string(pid) + "/stat").second;
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        long hwm = 0;
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmHWM:", 0) == 0)
                hwm = std::stol(line.substr(6));
        return {cpu, hwm};
    }

    /// CPU seconds used so far by each thread name (liaise-writer, liaise-checkpt, liaise-net
    /// and liaise-server, the main thread, which also serves connections), threads of one name
    /// added together.
    std::map<std::string, double> thread_cpu() const {
        std::map<std::string, double> out;
        std::error_code ec;
        for (const auto& task :
             fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
            const auto [name, seconds] = cpu_seconds(task.path() / "stat");
            if (!name.empty())
                out[name] += seconds;
        }
        return out;
    }

  private:
    /// The name and the user + system CPU seconds in a /proc stat file (a process's or a
    /// thread's); an empty name if it could not be read.
    static std::pair<std::string, double> cpu_seconds(const fs::path& stat_path) {
        std::ifstream stat(stat_path);
        const std::string s((std::istreambuf_iterator<char>(stat)), {});
        const auto open = s.find('(');
        const auto close = s.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close + 2 > s.size())
            return {};
        std::istringstream rest(s.substr(close + 2));
        std::string field;
        long utime = 0, stime = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i) {
            if (i == 14)
                utime = std::stol(field);
            if (i == 15)
                stime = std::stol(field);
        }
        return {s.substr(open + 1, close - open - 1),
                static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK))};
    }
};

std::string run_capture(const std::string& cmd) {
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        die("cannot run " + cmd);
    std::string out;
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    if (::pclose(p) != 0)
        die("failed: " + cmd + "\n" + out);
    return out;
}

int free_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

/// Starts node NODE (0: the first, which also runs init and hands over the admin code). With
/// --database every node serves that PostgreSQL database with node 0's at-rest key; without,
/// node 0 serves a fresh SQLite data directory (only one node then).
std::unique_ptr<ServerProcess> start_server(const Options& o, int node, const fs::path& key_file) {
    auto s = std::make_unique<ServerProcess>();
    s->dir = fs::temp_directory_path() /
             ("liaise-load-" + std::to_string(::getpid()) + "-" + std::to_string(node));
    fs::remove_all(s->dir);
    fs::create_directories(s->dir);
    s->port = free_port();
    const auto data = (s->dir / "data").string();
    std::string code;
    if (node == 0) {
        const auto store = o.database.empty() ? "--data '" + data + "'"
                                              : "--database '" + o.database + "' --key-file '" +
                                                    key_file.string() + "'";
        const auto init =
            run_capture("'" + o.server + "' init " + store +
                        " --admin admin --agency 'Load Test' --discipline social-care --json");
        code = std::string(json::parse(init).at("code").as_string());
    }
    // The server's default limits are set for people. A load generator is one address holding
    // many connections, each account sending as fast as the server answers, and connections
    // that wait unread while the others are set up: lift the limits so that they never bind.
    std::ofstream(s->dir / "load.toml") << "durable = " << (o.durable ? "true" : "false") << "\n"
                                        << "rate_limit_per_second = 1000000\n"
                                        << "rate_limit_burst = 10000000\n"
                                        << "preauth_rate_per_second = 1000000\n"
                                        << "preauth_rate_burst = 10000000\n"
                                        << "max_connections = 1000000\n"
                                        << "max_connections_per_address = 1000000\n"
                                        << "idle_timeout_ms = 86400000\n"
                                        << "login_timeout_ms = 3600000\n";
    std::vector<std::string> args = {"taskset",
                                     "-c",
                                     std::to_string(o.server_cpu),
                                     o.server,
                                     "serve",
                                     o.database.empty() ? "--data" : "--database",
                                     o.database.empty() ? data : o.database,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(s->port),
                                     "--threads",
                                     std::to_string(o.server_threads),
                                     "--config",
                                     (s->dir / "load.toml").string()};
    if (!o.database.empty()) {
        args.push_back("--key-file");
        args.push_back(key_file.string());
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, (s->dir / "server.log").c_str(), O_WRONLY | O_CREAT,
                                     0600);
    if (posix_spawnp(&s->pid, "taskset", &fa, nullptr, argv.data(), environ) != 0)
        die("cannot start the server");
    live_servers().push_back(s->pid);
    for (int i = 0; i < 200; ++i) {
        int status = 0;
        if (::waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = -1;
            die("the server exited at start; its log is in " + (s->dir / "server.log").string());
        }
        if (liaise::client::Connection::open("ws://127.0.0.1:" + std::to_string(s->port),
                                             std::chrono::milliseconds(200)))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // Hand the admin code over through the directory: the caller enrols with it.
    std::ofstream(s->dir / "admin.code") << code;
    return s;
}

// ---- setup over the real protocol -----------------------------------------------------------

struct Account {
    std::string user;
    std::string device;
    std::shared_ptr<const liaise::crypto::DeviceKeys> keys;  // shared: senders re-sign with it
};

json::object must(liaise::protocol::Expected<json::object> r, const std::string& what) {
    if (!r)
        die(what + ": " + r.error().code + ": " + r.error().message);
    return std::move(r).value();
}

std::vector<unsigned char> hello(liaise::client::Connection& c) {
    auto h = must(c.request("hello", {{"version", liaise::protocol::kVersion}}), "hello");
    return *liaise::crypto::from_base64(h.at("challenge").as_string());
}

void login(liaise::client::Connection& c, const Account& a) {
    const auto challenge = hello(c);
    must(c.request("login",
                   {{"user", a.user},
                    {"device", a.device},
                    {"signature", liaise::crypto::sign_login(*a.keys, challenge).to_base64()}}),
         "login " + a.user);
}

Account enrol(const std::string& url, const std::string& code) {
    auto conn = liaise::client::Connection::open(url);
    if (!conn)
        die("connect: " + conn.error().message);
    hello(*conn.value());
    Account a;
    a.keys =
        std::make_shared<const liaise::crypto::DeviceKeys>(liaise::crypto::DeviceKeys::generate());
    const auto& id = a.keys->identity();
    auto r = must(
        conn.value()->request("enrol", {{"code", code},
                                        {"sign_key", id.sign_key.to_base64()},
                                        {"box_key", id.box_key.to_base64()},
                                        {"box_key_signature", id.box_key_signature.to_base64()}}),
        "enrol");
    a.user = std::string(r.at("user").as_string());
    a.device = std::string(r.at("device").as_string());
    return a;
}

// ---- the load phase -------------------------------------------------------------------------

class Conn;

struct Stats {
    std::vector<double> ack_ms, delivery_ms;
    // --timeline: (ms since the measured run began, latency ms) of each counted delivery.
    std::vector<std::pair<double, double>> delivered_at;
    std::uint64_t sends = 0, deliveries = 0;
    std::unordered_map<std::string, Clock::time_point> sent_at;  // message id -> when sent
    std::unordered_map<std::string, Conn*> sender;  // xmpp mode: message id -> who sent it
    // Acks and deliveries count, with their latencies, only in [measure_from, measure_to):
    // after the warm-up, and not those that finish while the run drains.
    Clock::time_point measure_from, measure_to;
    // --kill-after: when the node was killed, and for each of its connections when it was
    // logged in again on another node and when its catch-up (sync after its last seq) came back.
    Clock::time_point killed_at;
    std::vector<double> back_ms, caught_up_ms;
    std::uint64_t resent = 0, caught_up_messages = 0;
    bool counts(Clock::time_point now) const { return now >= measure_from && now < measure_to; }
    void delivered(Clock::time_point now, double ms) {
        delivery_ms.push_back(ms);
        ++deliveries;
        delivered_at.emplace_back(
            std::chrono::duration<double, std::milli>(now - measure_from).count(), ms);
    }
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

/// --timeline: one line per 100 ms of the measured run: from (ms), deliveries, p50 and max latency.
void print_timeline(std::vector<std::pair<double, double>> at) {
    std::sort(at.begin(), at.end());
    std::cerr << "from_ms deliveries p50_ms max_ms\n";
    for (std::size_t i = 0; i < at.size();) {
        const double bucket = std::floor(at[i].first / 100) * 100;
        std::vector<double> ms;
        for (; i < at.size() && at[i].first < bucket + 100; ++i)
            ms.push_back(at[i].second);
        const double max = *std::max_element(ms.begin(), ms.end());
        std::cerr << bucket << ' ' << ms.size() << ' ' << percentile(ms, 50) << ' ' << max << '\n';
    }
}

constexpr std::size_t kIdWidth = 16;

/// A frame with a fixed-width placeholder for a unique id: stamping a new id is a copy and a
/// 16-byte overwrite, so building frames costs the generator almost nothing.
struct Template {
    std::string frame;
    std::vector<std::size_t> slots;  // offsets of the placeholder

    static Template make(std::string frame) {
        Template t{std::move(frame), {}, {}, {}};
        const std::string mark(kIdWidth, '#');
        for (auto at = t.frame.find(mark); at != std::string::npos;
             at = t.frame.find(mark, at + kIdWidth))
            t.slots.push_back(at);
        return t;
    }
    std::string stamp(const std::string& id) const {
        std::string out = frame;
        for (const auto at : slots)
            out.replace(at, kIdWidth, id);
        if (resign) {
            // The server verifies every envelope's signature, which covers the id: sign again.
            const auto at = out.find(signature_mark);
            out.replace(at, signature_mark.size(), resign(id));
        }
        return out;
    }
    /// For envelopes: the signature (base64, fixed width) for a stamped id, and the placeholder
    /// it replaces.
    std::function<std::string(const std::string& id)> resign;
    std::string signature_mark;
};

/// A 16-character client message id in the order ids are made, as the client library's are
/// (Client::new_message_id): 10 hex digits of the time in microseconds, then the connection and
/// its send counter, each mod 1000. Unique per connection while fewer than 1000 sends share a
/// microsecond, and across connections while fewer than 1000 connections send.
std::string make_id(int conn, std::uint64_t n) {
    char buf[48];
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    std::snprintf(buf, sizeof buf, "%010llx%03u%03u",
                  static_cast<unsigned long long>(us) & 0xFFFFFFFFFFULL,
                  static_cast<unsigned>(conn) % 1000u, static_cast<unsigned>(n % 1000u));
    return std::string(buf, kIdWidth);
}

/// Pulls the id out of a frame without parsing the JSON: the generator must stay cheap.
std::string find_id(const std::string& frame, std::string_view key) {
    const auto at = frame.find(key);
    if (at == std::string::npos)
        return {};
    const auto start = at + key.size();
    return frame.substr(start, kIdWidth);
}

class Conn : public std::enable_shared_from_this<Conn> {
  public:
    Conn(net::io_context& ioc, int index, Stats& stats, const Options& o)
        : ws_(net::make_strand(ioc)), index_(index), stats_(stats), o_(o) {}

    websocket::stream<beast::tcp_stream> ws_;
    std::optional<Template> tmpl;  // set for senders
    std::string ack_key;           // where the id sits in an ack ("re":")
    std::string delivery_key;      // where the id sits in a delivery
    Clock::time_point stop_at;
    int index() const { return index_; }
    // --kill-after: called once when this connection's stream fails before the run's end (its
    // node was killed); it opens a replacement connection on another node.
    std::function<void(Conn&)> on_lost;
    std::string room;               // liaise mode: the room this connection's account is in
    std::int64_t last_seq = 0;      // the highest seq delivered to this connection
    std::set<std::string> unacked;  // liaise mode: ids sent and not yet acknowledged
    bool awaiting_sync = false;     // a replacement waiting for its catch-up reply
    std::uint64_t next_id() const { return next_; }
    void continue_from(std::uint64_t next) { next_ = next; }
    /// A replacement: asks for what was sent to the room after `after`, resends `ids` with
    /// the same client message ids (answered as duplicates with their original seq), then
    /// goes on sending.
    void resume(std::int64_t after, const std::set<std::string>& ids) {
        awaiting_sync = true;
        queue_.push_back(json::serialize(json::object{{"type", "sync"},
                                                      {"id", "catch-up"},
                                                      {"room", room},
                                                      {"after", after},
                                                      {"limit", 1000}}));
        for (const auto& id : ids) {
            if (!tmpl)
                break;
            unacked.insert(id);
            stats_.sent_at[id] = Clock::now();
            queue_.push_back(tmpl->stamp(id));
            ++stats_.resent;
        }
        do_write();
        do_read();
        // Slots not held by a resent message are filled as a fresh sender would.
        for (auto i = ids.size(); o_.rate <= 0 && i < static_cast<std::size_t>(o_.in_flight); ++i)
            send_one();
    }

    /// --kill-after: makes this new connection the replacement of a lost one. Connects to
    /// `port`, says hello and logs `account` in, all asynchronously (the generator's one thread
    /// goes on serving the other connections meanwhile), then calls `on_back` and resume()s.
    /// Frames that reach the session before its login is answered (its rooms' messages: the
    /// server joins it to them first) are dropped: the catch-up returns them.
    void reconnect(const std::string& host, const std::string& port, const std::string& path,
                   Account account, std::int64_t after, std::set<std::string> ids,
                   std::function<void()> on_back) {
        auto resolver = std::make_shared<tcp::resolver>(ws_.get_executor());
        resolver->async_resolve(
            host, port,
            [self = shared_from_this(), resolver, host, port, path, account = std::move(account),
             after, ids = std::move(ids), on_back = std::move(on_back)](
                beast::error_code ec, tcp::resolver::results_type found) mutable {
                if (ec)
                    die("reconnect: " + ec.message());
                beast::get_lowest_layer(self->ws_).async_connect(
                    found, [self, host, port, path, account = std::move(account), after,
                            ids = std::move(ids), on_back = std::move(on_back)](
                               beast::error_code ec, const tcp::endpoint&) mutable {
                        if (ec)
                            die("reconnect: " + ec.message());
                        beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
                        self->ws_.auto_fragment(false);
                        self->ws_.write_buffer_bytes(64 * 1024);
                        self->ws_.async_handshake(
                            host + ":" + port, path,
                            [self, account = std::move(account), after, ids = std::move(ids),
                             on_back = std::move(on_back)](beast::error_code ec) mutable {
                                if (ec)
                                    die("reconnect: " + ec.message());
                                self->log_in(std::move(account), after, std::move(ids),
                                             std::move(on_back));
                            });
                    });
            });
    }

    void start_reading() { do_read(); }
    void start_sending() {
        if (o_.rate > 0)
            return;  // the pacer sends
        for (int i = 0; i < o_.in_flight; ++i)
            send_one();
    }

    /// Sends one message now if this connection sends and the run is not over.
    void send_one() {
        if (!tmpl || Clock::now() >= stop_at)
            return;
        const auto id = make_id(index_, next_++);
        stats_.sent_at[id] = Clock::now();
        if (on_lost)
            unacked.insert(id);
        if (o_.mode == "xmpp")
            stats_.sender[id] = this;
        queue_.push_back(tmpl->stamp(id));
        if (queue_.size() == 1)
            do_write();
    }

  private:
    /// reconnect()'s hello and login.
    void log_in(Account account, std::int64_t after, std::set<std::string> ids,
                std::function<void()> on_back) {
        const auto hello =
            json::serialize(json::object{{"type", "hello"}, {"id", "h"}, {"version", 1}});
        exchange(hello, "h",
                 [self = shared_from_this(), account = std::move(account), after,
                  ids = std::move(ids), on_back = std::move(on_back)](const std::string& reply) {
                     const auto challenge = *liaise::crypto::from_base64(
                         json::parse(reply).at("challenge").as_string());
                     const auto login = json::serialize(json::object{
                         {"type", "login"},
                         {"id", "l"},
                         {"user", account.user},
                         {"device", account.device},
                         {"signature",
                          liaise::crypto::sign_login(*account.keys, challenge).to_base64()}});
                     self->exchange(login, "l", [self, after, ids, on_back](const std::string& r) {
                         if (r.find("\"type\":\"ok\"") == std::string::npos)
                             die("reconnect: login failed: " + r.substr(0, 300));
                         on_back();
                         self->resume(after, ids);
                     });
                 });
    }
    /// Sends `frame`, then reads until the frame that answers request `re` (skipping any other)
    /// and hands that to `next`.
    void exchange(const std::string& frame, const std::string& re,
                  std::function<void(const std::string&)> next) {
        auto out = std::make_shared<std::string>(frame);
        ws_.text(true);
        ws_.async_write(net::buffer(*out),
                        [self = shared_from_this(), out, re, next = std::move(next)](
                            beast::error_code ec, std::size_t) mutable {
                            if (ec)
                                die("reconnect: " + ec.message());
                            self->await_reply("\"re\":\"" + re + "\"", std::move(next));
                        });
    }
    void await_reply(std::string mark, std::function<void(const std::string&)> next) {
        ws_.async_read(buffer_,
                       [self = shared_from_this(), mark = std::move(mark), next = std::move(next)](
                           beast::error_code ec, std::size_t) mutable {
                           if (ec)
                               die("reconnect: " + ec.message());
                           auto frame = beast::buffers_to_string(self->buffer_.data());
                           self->buffer_.consume(self->buffer_.size());
                           if (frame.find(mark) == std::string::npos)
                               return self->await_reply(std::move(mark), std::move(next));
                           next(frame);
                       });
    }

    void do_write() {
        ws_.text(true);
        ws_.async_write(net::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec)
                                return;
                            self->queue_.pop_front();
                            if (!self->queue_.empty())
                                self->do_write();
                        });
    }
    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                if (self->on_lost && Clock::now() < self->stop_at) {
                    auto lost = std::move(self->on_lost);
                    self->on_lost = nullptr;
                    lost(*self);
                }
                return;
            }
            self->on_frame(beast::buffers_to_string(self->buffer_.data()));
            self->buffer_.consume(self->buffer_.size());
            self->do_read();
        });
    }
    void on_frame(const std::string& frame) {
        const auto now = Clock::now();
        if (o_.mode == "xmpp")
            return on_stanza(frame, now);
        if (awaiting_sync && frame.find("\"re\":\"catch-up\"") != std::string::npos) {
            if (frame.find("\"type\":\"ok\"") == std::string::npos) {
                std::cerr << "liaise-load: the catch-up failed: " << frame.substr(0, 300) << "\n";
                std::exit(1);
            }
            awaiting_sync = false;
            stats_.caught_up_ms.push_back(
                std::chrono::duration<double, std::milli>(now - stats_.killed_at).count());
            for (auto at = frame.find("\"seq\":"); at != std::string::npos;
                 at = frame.find("\"seq\":", at + 6))
                ++stats_.caught_up_messages;
            return;
        }
        if (o_.kill_after > 0 && frame.find("\"type\":\"message\"") != std::string::npos) {
            if (const auto at = frame.find("\"seq\":"); at != std::string::npos)
                last_seq = std::max<std::int64_t>(last_seq, std::atoll(frame.c_str() + at + 6));
        }
        if (tmpl && frame.find(ack_key) != std::string::npos) {
            if (o_.mode == "liaise" && frame.find("\"type\":\"ok\"") == std::string::npos) {
                std::cerr << "liaise-load: a send failed: " << frame.substr(0, 300) << "\n";
                std::exit(1);
            }
            const auto id = find_id(frame, ack_key);
            unacked.erase(id);
            if (const auto it = stats_.sent_at.find(id); it != stats_.sent_at.end()) {
                if (stats_.counts(now)) {
                    stats_.ack_ms.push_back(
                        std::chrono::duration<double, std::milli>(now - it->second).count());
                    ++stats_.sends;
                }
                if (o_.rate <= 0)
                    send_one();  // closed loop: the ack frees a slot
                return;
            }
        }
        const auto id = find_id(frame, delivery_key);
        if (const auto it = stats_.sent_at.find(id);
            !id.empty() && it != stats_.sent_at.end() && stats_.counts(now)) {
            stats_.delivered(now,
                             std::chrono::duration<double, std::milli>(now - it->second).count());
        }
    }

    /// xmpp mode: a one-to-one message received is the sender's send done and a delivery; in a
    /// room, the sender's own copy is its send done, anyone else's a delivery.
    void on_stanza(const std::string& frame, Clock::time_point now) {
        if (frame.find("type='error'") != std::string::npos ||
            frame.find("type=\"error\"") != std::string::npos ||
            frame.find("stream:error") != std::string::npos ||
            frame.find("<close") != std::string::npos) {
            std::cerr << "liaise-load: the server refused: " << frame.substr(0, 500) << "\n";
            std::exit(1);
        }
        const auto id = find_id(frame, "<body>");
        const auto it = stats_.sent_at.find(id);
        if (id.empty() || it == stats_.sent_at.end())
            return;  // presence, stream management, anything but our messages
        const auto ms = std::chrono::duration<double, std::milli>(now - it->second).count();
        Conn* sender = stats_.sender[id];
        if (o_.room_size > 2) {
            if (sender != this) {
                if (stats_.counts(now))
                    stats_.delivered(now, ms);
                return;
            }
            if (stats_.counts(now)) {
                stats_.ack_ms.push_back(ms);
                ++stats_.sends;
            }
            if (o_.rate <= 0)
                send_one();  // the other occupants' copies may still come: keep the id
            return;
        }
        if (stats_.counts(now)) {
            stats_.delivered(now, ms);
            stats_.ack_ms.push_back(ms);
            ++stats_.sends;
        }
        stats_.sent_at.erase(it);  // each message reaches one recipient
        stats_.sender.erase(id);
        if (o_.rate <= 0 && sender)
            sender->send_one();
    }

    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
    int index_;
    Stats& stats_;
    const Options& o_;
    std::uint64_t next_ = 0;
};

/// Open loop: `rate` sends per second in all, spread over the senders in turn, whatever the
/// acks. Runs on the generator's only thread, as the connections do.
class Pacer : public std::enable_shared_from_this<Pacer> {
  public:
    Pacer(net::io_context& ioc, std::vector<std::shared_ptr<Conn>> senders, double rate)
        : timer_(ioc), senders_(std::move(senders)), rate_(rate) {}

    void start(Clock::time_point started, Clock::time_point stop_at) {
        started_ = started;
        stop_at_ = stop_at;
        tick();
    }

  private:
    void tick() {
        const auto now = Clock::now();
        if (now >= stop_at_ || senders_.empty())
            return;
        const auto due = static_cast<std::uint64_t>(
            rate_ * std::chrono::duration<double>(now - started_).count());
        for (; sent_ < due; ++sent_)
            senders_[sent_ % senders_.size()]->send_one();
        timer_.expires_after(std::chrono::microseconds(200));
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->tick();
        });
    }

    net::steady_timer timer_;
    std::vector<std::shared_ptr<Conn>> senders_;
    double rate_;
    Clock::time_point started_, stop_at_;
    std::uint64_t sent_ = 0;
};

/// The server's /metrics page; empty if unreadable.
std::string metrics_page(net::io_context& ioc, int port) {
    try {
        tcp::socket s(ioc);
        s.connect(
            tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
        const std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        net::write(s, net::buffer(req));
        std::string page;
        beast::error_code ec;
        char buf[4096];
        while (const auto n = s.read_some(net::buffer(buf), ec))
            page.append(buf, n);
        return page;
    } catch (const std::exception&) {
        return {};
    }
}

/// The value of the unlabelled metric `name` on `page`; -1 if absent.
double metric(const std::string& page, const std::string& name) {
    const auto key = "\n" + name + " ";
    const auto at = page.find(key);
    return at == std::string::npos ? -1 : std::stod(page.substr(at + key.size()));
}

/// Busy and total time of core `cpu` so far, in clock ticks, from /proc/stat: what the whole
/// server side used when it is pinned there (a peer's several processes included), and
/// whatever else the shared machine ran on that core.
std::pair<double, double> core_ticks(int cpu) {
    std::ifstream stat("/proc/stat");
    const auto name = "cpu" + std::to_string(cpu);
    for (std::string line; std::getline(stat, line);) {
        std::istringstream in(line);
        std::string label;
        in >> label;
        if (label != name)
            continue;
        double total = 0, idle = 0, v = 0;
        for (int field = 0; in >> v; ++field) {
            total += field < 8 ? v : 0;  // user..steal; guest time is inside user already
            idle += (field == 3 || field == 4) ? v : 0;  // idle, iowait
        }
        return {total - idle, total};
    }
    return {0, 0};
}

/// Lifts this process's open-file limit to its hard limit: thousands of connections need it.
void raise_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

void connect_ws(net::io_context& ioc, websocket::stream<beast::tcp_stream>& ws,
                const std::string& host, const std::string& port, const std::string& path,
                const std::string& subprotocol = {}) {
    if (!subprotocol.empty())
        ws.set_option(
            websocket::stream_base::decorator([subprotocol](websocket::request_type& req) {
                req.set(beast::http::field::sec_websocket_protocol, subprotocol);
            }));
    tcp::resolver r(ioc);
    beast::get_lowest_layer(ws).connect(r.resolve(host, port));
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
    ws.auto_fragment(false);           // as the client library: one frame per message,
    ws.write_buffer_bytes(64 * 1024);  // masked through a buffer that holds most in one write
    ws.handshake(host + ":" + port, path);
}

/// Says hello and logs account `a` in, synchronously on the raw stream.
void raw_login(websocket::stream<beast::tcp_stream>& ws, const Account& a) {
    ws.write(
        net::buffer(json::serialize(json::object{{"type", "hello"}, {"id", "h"}, {"version", 1}})));
    beast::flat_buffer b;
    ws.read(b);
    const auto challenge = *liaise::crypto::from_base64(
        json::parse(beast::buffers_to_string(b.data())).at("challenge").as_string());
    b.consume(b.size());
    ws.write(net::buffer(json::serialize(
        json::object{{"type", "login"},
                     {"id", "l"},
                     {"user", a.user},
                     {"device", a.device},
                     {"signature", liaise::crypto::sign_login(*a.keys, challenge).to_base64()}})));
    ws.read(b);
    if (beast::buffers_to_string(b.data()).find("\"ok\"") == std::string::npos)
        die("login failed");
}

// ---- xmpp mode setup (RFC 7395), synchronous ------------------------------------------------

/// Standard base64 with padding, as SASL wants it (the protocol's own is URL-safe, unpadded).
std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const auto n = std::min<std::size_t>(3, in.size() - i);
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 3; ++k)
            v = (v << 8) | (k < n ? static_cast<unsigned char>(in[i + k]) : 0u);
        for (std::size_t k = 0; k < 4; ++k)
            out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
    }
    return out;
}

using Stream = websocket::stream<beast::tcp_stream>;

void write_text(Stream& ws, const std::string& frame) {
    ws.text(true);
    ws.write(net::buffer(frame));
}

/// Reads frames until one contains `needle` (and `and_also`, if given) and returns it; stops
/// the program on a stream error or a SASL failure, saying what the server answered during
/// `what`.
std::string read_until(Stream& ws, std::string_view needle, const std::string& what,
                       std::string_view and_also = {}) {
    for (;;) {
        beast::flat_buffer b;
        ws.read(b);
        auto frame = beast::buffers_to_string(b.data());
        if (frame.find("stream:error") != std::string::npos ||
            frame.find("<failure") != std::string::npos ||
            frame.find("<close") != std::string::npos)
            die(what + ": " + frame.substr(0, 500));
        if (frame.find(needle) != std::string::npos &&
            (and_also.empty() || frame.find(and_also) != std::string::npos))
            return frame;
    }
}

void xmpp_open(Stream& ws, const Options& o) {
    write_text(ws, "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"" + o.domain +
                       "\" version=\"1.0\"/>");
    read_until(ws, "features", "stream open");
}

/// Registers `user` (an existing account is fine), logs in with SASL PLAIN, binds the resource
/// "load" and sends initial presence. Returns the full JID the server bound.
std::string xmpp_login(Stream& ws, const Options& o, const std::string& user) {
    const auto password = "pw-" + user;
    xmpp_open(ws, o);
    write_text(ws,
               "<iq xmlns=\"jabber:client\" type=\"set\" id=\"reg\"><query "
               "xmlns=\"jabber:iq:register\"><username>" +
                   user + "</username><password>" + password + "</password></query></iq>");
    const auto reg = read_until(ws, "<iq", "register " + user, "reg");
    if (reg.find("result") == std::string::npos && reg.find("conflict") == std::string::npos)
        die("register " + user + ": " + reg.substr(0, 500));
    write_text(ws, "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">" +
                       base64(std::string(1, '\0') + user + '\0' + password) + "</auth>");
    read_until(ws, "<success", "log in " + user);
    xmpp_open(ws, o);
    write_text(ws,
               "<iq xmlns=\"jabber:client\" type=\"set\" id=\"bind\"><bind "
               "xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>load</resource></bind></iq>");
    const auto bound = read_until(ws, "</jid>", "bind " + user);
    const auto from = bound.find("<jid>") + 5;
    write_text(ws, "<presence xmlns=\"jabber:client\"/>");
    return bound.substr(from, bound.find("</jid>") - from);
}

/// Joins the room `room` (a bare JID) as `nick`, asking for no history; the first to come in
/// creates it and accepts the default configuration (an "instant room"), which unlocks it.
/// No nick may be a prefix of another's (the room's presence for us is found by room/nick).
void xmpp_join(Stream& ws, const std::string& room, const std::string& nick) {
    const auto occupant = room + "/" + nick;
    write_text(ws, "<presence xmlns=\"jabber:client\" to=\"" + occupant +
                       "\"><x xmlns=\"http://jabber.org/protocol/muc\"><history "
                       "maxstanzas=\"0\"/></x></presence>");
    // The room's presence for us carries status 110 ("this is you"); 201 if we created it.
    const auto self = read_until(ws, occupant, "join " + room, "110");
    if (self.find("code='201'") == std::string::npos &&
        self.find("code=\"201\"") == std::string::npos)
        return;
    write_text(ws, "<iq xmlns=\"jabber:client\" type=\"set\" id=\"cfg\" to=\"" + room +
                       "\"><query xmlns=\"http://jabber.org/protocol/muc#owner\"><x "
                       "xmlns=\"jabber:x:data\" type=\"submit\"/></query></iq>");
    const auto done = read_until(ws, "cfg", "configure " + room, "<iq");
    if (done.find("result") == std::string::npos)
        die("configure " + room + ": " + done.substr(0, 500));
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"Closed-loop load generator for liaise-server and WebSocket peers", "liaise-load"};
    app.add_option("--mode", o.mode, "liaise, xmpp, echo or broadcast")
        ->check(CLI::IsMember({"liaise", "xmpp", "echo", "broadcast"}));
    app.add_option("--url", o.url,
                   "Peer address: ws://HOST:PORT for echo/broadcast, ws://HOST:PORT/PATH for xmpp");
    app.add_option("--domain", o.domain, "xmpp mode: the server's virtual host");
    app.add_option("--muc-domain", o.muc_domain,
                   "xmpp mode, rooms of more than 2: the multi-user chat service (default "
                   "conference.DOMAIN)");
    app.add_option("--server", o.server, "liaise-server binary (liaise mode)");
    app.add_option("--connections", o.connections, "Connections");
    app.add_option("--room-size", o.room_size, "Members per room (liaise and xmpp modes)");
    app.add_option("--senders", o.senders, "How many connections send (default: all)");
    app.add_option("--in-flight", o.in_flight, "Outstanding sends per sending connection");
    app.add_option("--seconds", o.seconds, "Length of the measured run");
    app.add_option("--warmup", o.warmup,
                   "Seconds of load before the measured run, not counted (a slow server's "
                   "first replies can wait behind everything sent at once)");
    app.add_option("--server-cpu", o.server_cpu, "Core the server is pinned to");
    app.add_option("--load-cpu", o.load_cpu, "Core this generator is pinned to");
    app.add_option("--server-threads", o.server_threads, "liaise-server worker threads");
    app.add_option("--payload", o.payload, "Plaintext bytes per message");
    app.add_option("--frame-bytes", o.frame_bytes,
                   "Raw and xmpp modes: bytes per sent frame, to match a liaise run's "
                   "frame_bytes");
    app.add_option("--database", o.database,
                   "liaise mode: init and serve this fresh PostgreSQL database "
                   "(postgresql://...) instead of a SQLite data directory");
    app.add_option("--nodes", o.nodes,
                   "liaise mode with --database: nodes serving it, connections spread over them "
                   "in turn (costs are reported for node 0)");
    app.add_option("--kill-after", o.kill_after,
                   "liaise mode with --nodes 2 or more: SIGKILL the last node this many seconds "
                   "into the measured run; its connections reconnect to node 0, catch up with "
                   "sync and resend what was not acknowledged (reports \"recovery\")");
    app.add_flag("!--no-durable", o.durable, "synchronous=OFF (to measure what durability costs)");
    app.add_flag("--timeline", o.timeline,
                 "Print to stderr, for each 100 ms of the measured run, the deliveries and their "
                 "median and largest latency (where a tail comes from)");
    app.add_flag("--idle", o.idle, "Hold the connections logged in and send nothing");
    app.add_option("--accounts", o.accounts,
                   "Accounts to log the connections in as, in turn (default: one per "
                   "connection; with --idle at most 100)");
    app.add_option("--rate", o.rate,
                   "Open loop: sends per second in all, spread over the senders "
                   "(default: closed loop with --in-flight)");
    CLI11_PARSE(app, argc, argv);
    if (o.senders < 0)
        o.senders = o.connections;
    if (o.accounts <= 0)
        o.accounts = o.idle ? std::min(o.connections, 100) : o.connections;
    raise_file_limit();

    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(o.load_cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);

    net::io_context ioc(1);
    Stats stats;
    std::vector<std::shared_ptr<Conn>> conns;
    std::unique_ptr<ServerProcess> server;               // node 0, whose costs are reported
    std::vector<std::unique_ptr<ServerProcess>> others;  // nodes 1.. with --nodes
    std::vector<std::string> ports;                      // every node's port, node 0 first
    const std::string host = "127.0.0.1";
    std::string port, path = "/";
    long rss_before = 0;  // the server's resident KiB before the measured connections open

    if (o.mode == "liaise") {
        if (o.nodes < 1 || (o.nodes > 1 && o.database.empty()))
            die("--nodes above 1 needs --database (several nodes share one PostgreSQL)");
        // The at-rest key every node shares, in a directory of its own removed at exit.
        const auto key_dir =
            fs::temp_directory_path() / ("liaise-load-" + std::to_string(::getpid()) + "-key");
        fs::create_directories(key_dir);
        struct RemoveDir {
            fs::path p;
            ~RemoveDir() {
                std::error_code ec;
                fs::remove_all(p, ec);
            }
        };
        static RemoveDir remove_key_dir{key_dir};
        server = start_server(o, 0, key_dir / "at-rest.key");
        port = std::to_string(server->port);
        ports.push_back(port);
        for (int n = 1; n < o.nodes; ++n) {
            others.push_back(start_server(o, n, key_dir / "at-rest.key"));
            ports.push_back(std::to_string(others.back()->port));
        }
        path = "/v1";
        const auto url = "ws://127.0.0.1:" + port;
        std::ifstream code_file(server->dir / "admin.code");
        std::string code;
        code_file >> code;
        Account admin = enrol(url, code);
        auto admin_conn = liaise::client::Connection::open(url);
        if (!admin_conn)
            die("connect");
        login(*admin_conn.value(), admin);
        std::vector<Account> accounts;
        for (int i = 0; i < o.accounts; ++i) {
            auto c =
                must(admin_conn.value()->request("enrol_code", {{"user", "u" + std::to_string(i)},
                                                                {"agency", "Load Test"},
                                                                {"role", "member"}}),
                     "enrol_code");
            accounts.push_back(enrol(url, std::string(c.at("code").as_string())));
        }
        // Rooms of room_size accounts; each connection sends into its account's room.
        const int rooms = (o.accounts + o.room_size - 1) / o.room_size;
        std::vector<std::vector<int>> members(static_cast<std::size_t>(rooms));
        for (int i = 0; i < o.accounts; ++i)
            members[static_cast<std::size_t>(i / o.room_size)].push_back(i);
        for (int r = 0; r < rooms; ++r) {
            json::array list;
            for (const int m : members[static_cast<std::size_t>(r)])
                list.emplace_back(accounts[static_cast<std::size_t>(m)].user);
            must(admin_conn.value()->request(
                     "room_create", {{"room", "r" + std::to_string(r)}, {"members", list}}),
                 "room_create");
            // The admin only set the room up: leave, so rooms hold exactly the load's members.
            must(admin_conn.value()->request(
                     "room_remove", {{"room", "r" + std::to_string(r)}, {"user", admin.user}}),
                 "room_remove");
        }
        const std::string text(static_cast<std::size_t>(o.payload), 'x');
        rss_before = server->rss_kib();
        for (int i = 0; i < o.connections; ++i) {
            auto c = std::make_shared<Conn>(ioc, i, stats, o);
            connect_ws(ioc, c->ws_, host, ports[static_cast<std::size_t>(i % o.nodes)], path);
            const int account = i % o.accounts;
            const auto& a = accounts[static_cast<std::size_t>(account)];
            raw_login(c->ws_, a);
            const int room = account / o.room_size;
            c->room = "r" + std::to_string(room);
            if (i < o.senders && !o.idle) {
                std::vector<liaise::crypto::Recipient> to;
                for (const int m : members[static_cast<std::size_t>(room)])
                    to.push_back({accounts[static_cast<std::size_t>(m)].device,
                                  accounts[static_cast<std::size_t>(m)].keys->identity().box_key});
                // One sealed envelope re-signed for each id (counter 1 throughout: the
                // receivers here do not check history, only the server's costs are measured).
                liaise::crypto::History history;
                history.sender = a.user;
                history.counter = 1;
                auto env = std::make_shared<liaise::crypto::Envelope>(
                    liaise::crypto::seal(*a.keys, a.device, "r" + std::to_string(room),
                                         std::string(kIdWidth, '#'), text, to, history));
                auto sealed = liaise::crypto::to_json(*env);
                const std::string mark(86, '~');  // base64 of 64 bytes
                sealed["signature"] = mark;
                c->tmpl = Template::make(
                    json::serialize(json::object{{"type", "send"},
                                                 {"id", std::string(kIdWidth, '#')},
                                                 {"room", "r" + std::to_string(room)},
                                                 {"envelope", std::move(sealed)}}));
                c->tmpl->signature_mark = mark;
                c->tmpl->resign = [env, keys = a.keys](const std::string& id) {
                    env->client_msg_id = id;
                    return liaise::crypto::sign_envelope(*keys, *env).to_base64();
                };
            }
            c->ack_key = "\"re\":\"";
            c->delivery_key = "\"client_msg_id\":\"";
            if (o.kill_after > 0 && i % o.nodes == o.nodes - 1) {
                // On the node to be killed: reconnect to node 0, log in, catch up, resend.
                c->on_lost = [&ioc, &stats, &o, &conns, &ports, host, path,
                              account = a](Conn& old) {
                    auto n = std::make_shared<Conn>(ioc, old.index(), stats, o);
                    n->tmpl = old.tmpl;
                    n->ack_key = old.ack_key;
                    n->delivery_key = old.delivery_key;
                    n->stop_at = old.stop_at;
                    n->room = old.room;
                    n->last_seq = old.last_seq;
                    n->continue_from(old.next_id());
                    n->on_lost = [](Conn&) {};  // keeps unacked ids; never lost twice
                    conns[static_cast<std::size_t>(old.index())] = n;
                    n->reconnect(
                        host, ports[0], path, account, old.last_seq, old.unacked, [&stats] {
                            stats.back_ms.push_back(std::chrono::duration<double, std::milli>(
                                                        Clock::now() - stats.killed_at)
                                                        .count());
                        });
                };
            }
            conns.push_back(c);
        }
    } else if (o.mode == "xmpp") {
        if (o.room_size < 2 || o.connections % o.room_size != 0)
            die("xmpp mode: --connections must be a multiple of --room-size (2: pairs)");
        if (o.muc_domain.empty())
            o.muc_domain = "conference." + o.domain;
        const auto rest = o.url.substr(o.url.find("//") + 2);
        const auto slash = rest.find('/');
        const auto authority = rest.substr(0, slash);
        port = authority.substr(authority.rfind(':') + 1);
        path = slash == std::string::npos ? "/" : rest.substr(slash);
        std::vector<std::string> jids;
        for (int i = 0; i < o.connections; ++i) {
            auto c = std::make_shared<Conn>(ioc, i, stats, o);
            connect_ws(ioc, c->ws_, host, port, path, "xmpp");
            jids.push_back(xmpp_login(c->ws_, o, "u" + std::to_string(i)));
            if (o.room_size > 2)
                xmpp_join(c->ws_, "r" + std::to_string(i / o.room_size) + "@" + o.muc_domain,
                          "u" + std::to_string(i) + "_");  // "_": u1_ is no prefix of u10_
            conns.push_back(c);
        }
        for (int i = 0; i < o.senders && !o.idle; ++i) {
            // The id twice: as the stanza's id and at the start of the body, where the
            // recipient finds it whatever the server does to the attributes.
            const auto to = o.room_size > 2
                                ? "r" + std::to_string(i / o.room_size) + "@" + o.muc_domain
                                : jids[static_cast<std::size_t>(i ^ 1)];
            const std::string type = o.room_size > 2 ? "groupchat" : "chat";
            const auto frame = [&](std::size_t payload) {
                return "<message xmlns=\"jabber:client\" to=\"" + to + "\" type=\"" + type +
                       "\" id=\"" + std::string(kIdWidth, '#') + "\"><body>" +
                       std::string(kIdWidth, '#') + std::string(payload, 'x') + "</body></message>";
            };
            const auto empty = frame(0).size();
            conns[static_cast<std::size_t>(i)]->tmpl =
                Template::make(frame(o.frame_bytes > static_cast<int>(empty)
                                         ? static_cast<std::size_t>(o.frame_bytes) - empty
                                         : static_cast<std::size_t>(o.payload)));
        }
    } else {
        const auto rest = o.url.substr(o.url.find("//") + 2);
        const auto colon = rest.rfind(':');
        port = rest.substr(colon + 1);
        for (int i = 0; i < o.connections; ++i) {
            auto c = std::make_shared<Conn>(ioc, i, stats, o);
            connect_ws(ioc, c->ws_, host, port, path);
            if (i < o.senders && !o.idle) {
                // echo: the reply is the frame itself; broadcast: every other client gets it.
                const auto frame = [&](std::size_t payload) {
                    return "{\"id\":\"" + std::string(kIdWidth, '#') + "\",\"payload\":\"" +
                           std::string(payload, 'x') + "\"}";
                };
                const auto empty = frame(0).size();
                c->tmpl = Template::make(frame(o.frame_bytes > static_cast<int>(empty)
                                                   ? static_cast<std::size_t>(o.frame_bytes) - empty
                                                   : static_cast<std::size_t>(o.payload)));
            }
            c->ack_key = o.mode == "echo" ? "\"id\":\"" : "\"ack\":\"";
            c->delivery_key = "\"id\":\"";
            conns.push_back(c);
        }
    }

    const auto before = server ? server->usage() : std::pair<double, long>{0, 0};
    const auto threads_before = server ? server->thread_cpu() : std::map<std::string, double>();
    const auto metrics_before = server ? metrics_page(ioc, server->port) : std::string();
    const auto core_before = core_ticks(o.server_cpu);
    const auto started = Clock::now();
    stats.measure_from = started + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.warmup));
    const auto stop_at = stats.measure_from + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(o.seconds));
    stats.measure_to = stop_at;
    net::steady_timer killer(ioc);
    if (o.kill_after > 0) {
        if (others.empty())
            die("--kill-after needs --nodes 2 or more");
        killer.expires_at(stats.measure_from + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(o.kill_after)));
        killer.async_wait([&](beast::error_code ec) {
            if (ec)
                return;
            stats.killed_at = Clock::now();
            ::kill(others.back()->pid, SIGKILL);
        });
    }
    std::vector<std::shared_ptr<Conn>> senders;
    for (auto& c : conns) {
        c->stop_at = stop_at;
        c->start_reading();
        c->start_sending();
        if (c->tmpl)
            senders.push_back(c);
    }
    // The size of one sent frame, the same for every sender (ids are fixed-width).
    const std::size_t frame_bytes = senders.empty() ? 0 : senders.front()->tmpl->frame.size();
    if (o.rate > 0)
        std::make_shared<Pacer>(ioc, std::move(senders), o.rate)->start(started, stop_at);
    ioc.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(o.warmup + o.seconds + 0.5)));
    const double elapsed = o.seconds;
    if (o.timeline)
        print_timeline(stats.delivered_at);
    const auto core_after = core_ticks(o.server_cpu);
    const auto after = server ? server->usage() : std::pair<double, long>{0, 0};
    const auto threads_after = server ? server->thread_cpu() : std::map<std::string, double>();

    json::object out{{"mode", o.mode},
                     {"connections", o.connections},
                     {"room_size", o.room_size},
                     {"senders", o.senders},
                     {"in_flight", o.in_flight},
                     {"seconds", o.seconds},
                     {"warmup", o.warmup},
                     {"rate", o.rate},
                     {"frame_bytes", frame_bytes},
                     {"sends_per_s", static_cast<double>(stats.sends) / elapsed},
                     {"deliveries_per_s", static_cast<double>(stats.deliveries) / elapsed},
                     {"ack_ms",
                      {{"p50", percentile(stats.ack_ms, 50)},
                       {"p99", percentile(stats.ack_ms, 99)},
                       {"p999", percentile(stats.ack_ms, 99.9)}}},
                     {"delivery_ms",
                      {{"p50", percentile(stats.delivery_ms, 50)},
                       {"p99", percentile(stats.delivery_ms, 99)},
                       {"p999", percentile(stats.delivery_ms, 99.9)}}}};
    if (o.kill_after > 0) {
        // Milliseconds from the SIGKILL until each lost connection was logged in on node 0
        // again (back) and until its catch-up reply came (caught up).
        const auto lost = static_cast<double>(o.connections / o.nodes);
        out["recovery"] = json::object{
            {"connections_on_killed_node", lost},
            {"reconnected", stats.back_ms.size()},
            {"caught_up", stats.caught_up_ms.size()},
            {"back_ms",
             {{"p50", percentile(stats.back_ms, 50)}, {"max", percentile(stats.back_ms, 100)}}},
            {"caught_up_ms",
             {{"p50", percentile(stats.caught_up_ms, 50)},
              {"max", percentile(stats.caught_up_ms, 100)}}},
            {"caught_up_messages", stats.caught_up_messages},
            {"resent_with_same_id", stats.resent}};
    }
    if (o.mode == "liaise") {
        out["durable"] = o.durable;
        out["store"] = o.database.empty() ? "sqlite" : "postgresql";
        out["nodes"] = o.nodes;
    }  // the other modes' servers are not configured from here
    // The share of the server's core that was busy during the run (0..1).
    out["server_core_busy"] =
        core_after.second > core_before.second
            ? (core_after.first - core_before.first) / (core_after.second - core_before.second)
            : 0.0;
    if (server) {
        out["server_cpu_s"] = after.first - before.first;
        json::object by_thread;
        for (const auto& [name, seconds] : threads_after) {
            const auto was = threads_before.find(name);
            by_thread[name] = seconds - (was == threads_before.end() ? 0.0 : was->second);
        }
        out["server_thread_cpu_s"] = std::move(by_thread);
        out["server_peak_kib"] = after.second;
        const auto rss_after = server->rss_kib();
        out["server_rss_kib_before"] = rss_before;
        out["server_rss_kib_after"] = rss_after;
        // What the measured connections added, over what the server held before they opened.
        out["server_kib_per_connection"] =
            static_cast<double>(rss_after - rss_before) / o.connections;
        // Grouped commits during the run: how many, how many writes each, how long each took.
        const auto page = metrics_page(ioc, server->port);
        const auto delta = [&](const std::string& name) {
            return metric(page, name) - metric(metrics_before, name);
        };
        const auto commits = delta("liaise_commit_seconds_count");
        out["server_open_connections"] = metric(page, "liaise_connections");
        out["commits"] = commits;
        out["writes_per_commit"] = commits > 0 ? delta("liaise_committed_jobs_total") / commits : 0;
        out["commit_ms_mean"] =
            commits > 0 ? 1000 * delta("liaise_commit_seconds_sum") / commits : 0;
        if (o.nodes > 1 && metric(page, "liaise_remote_reads_total") >= 0) {
            // Node 0's reads of what the other nodes committed (a server without these
            // counters reports none).
            out["node0_remote_reads"] = delta("liaise_remote_reads_total");
            out["node0_remote_rooms_read"] = delta("liaise_remote_rooms_read_total");
            out["node0_remote_rooms_skipped"] = delta("liaise_remote_rooms_skipped_total");
        }
    }
    std::cout << json::serialize(out) << std::endl;
    return 0;
}
