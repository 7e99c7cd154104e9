// A stolen laptop (security review, finding 13): unlocking once a day into an agent, passphrase
// strength, the keystore's Argon2id limits, and logins recorded as sessions that the person hears
// of. Driven through the real `liaise` command, with no terminal (setsid), as a script would.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// Runs `liaise` as `who` (LIAISE_HOME server.dir()/cli-WHO) in a new session with no
/// controlling terminal, its agent socket in `run`, and LIAISE_PASSPHRASE set only when
/// `passphrase` is not empty.
struct Runner {
    const Server& server;
    fs::path run;

    Runner(const Server& s, const std::string& name = "run") : server(s), run(s.dir() / name) {
        fs::create_directories(run);
        fs::permissions(run, fs::perms::owner_all, fs::perm_options::replace);
    }

    std::pair<int, std::string> operator()(const std::string& who, const std::string& args,
                                           const std::string& passphrase = kPassphrase,
                                           const std::string& env = "") const {
        std::string cmd = "LIAISE_HOME='" + (server.dir() / ("cli-" + who)).string() +
                          "' XDG_RUNTIME_DIR='" + run.string() + "' ";
        cmd +=
            passphrase.empty() ? "LIAISE_PASSPHRASE= " : "LIAISE_PASSPHRASE='" + passphrase + "' ";
        cmd +=
            env + " setsid -w '" + std::string(LIAISE_BINARY) + "' " + args + " < /dev/null 2>&1";
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        char buf[4096];
        while (const auto n = std::fread(buf, 1, sizeof buf, p))
            out.append(buf, n);
        const int status = ::pclose(p);
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
    }
    std::string ok(const std::string& who, const std::string& args,
                   const std::string& passphrase = kPassphrase, const std::string& env = "") const {
        const auto [status, out] = (*this)(who, args, passphrase, env);
        INFO("liaise " << args << "\n" << out);
        REQUIRE(status == 0);
        return out;
    }
    /// The agent sockets in `run`.
    [[nodiscard]] std::vector<fs::path> sockets() const {
        std::vector<fs::path> out;
        for (const auto& e : fs::directory_iterator(run))
            if (e.path().filename().string().rfind("liaise-agent-", 0) == 0)
                out.push_back(e.path());
        return out;
    }
};

/// Sends `command` to the agent socket at `path` as uid/gid `id` (a forked child that drops
/// root) and says what happened: "connect failed", "refused" (closed with no answer), or
/// "answered".
std::string as_other_user(const fs::path& path, uid_t id, const std::string& command) {
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipefd[0]);
        char verdict = 'x';
        if (::setgid(id) == 0 && ::setuid(id) == 0) {
            const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
                verdict = 'c';
            } else {
                const auto line = command + "\n";
                // The agent may have closed already: no SIGPIPE for that.
                (void)!::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
                char b = 0;
                verdict = ::read(fd, &b, 1) == 1 ? 'a' : 'r';
            }
        }
        (void)!::write(pipefd[1], &verdict, 1);
        ::_exit(0);
    }
    ::close(pipefd[1]);
    char verdict = 'x';
    (void)!::read(pipefd[0], &verdict, 1);
    ::close(pipefd[0]);
    ::waitpid(pid, nullptr, 0);
    switch (verdict) {
        case 'c':
            return "connect failed";
        case 'r':
            return "refused";
        case 'a':
            return "answered";
        default:
            return "could not drop privileges";
    }
}

std::string code_for(const Runner& liaise, const std::string& user, const std::string& extra = "") {
    const auto out = liaise.ok("admin", "admin enrol " + user +
                                            " --agency \"Northshire Children's Services\" "
                                            "--role member --json " +
                                            extra);
    return std::string(json::parse(out).at("code").as_string());
}

}  // namespace

TEST_CASE("after 'liaise unlock' commands need no passphrase, after 'liaise lock' they ask",
          "[e2e][unlock]") {
    Server server;
    const Runner liaise(server);
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());

    // Locked, with no terminal and no LIAISE_PASSPHRASE: a plain message, nothing done.
    auto [status, out] = liaise("admin", "whoami", "");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("no terminal to ask for the passphrase"));
    CHECK_THAT(liaise("admin", "unlock --status", "").second, Catch::Contains("Locked"));

    CHECK_THAT(liaise.ok("admin", "unlock --for 1h"), Catch::Contains("Unlocked until"));
    const auto sockets = liaise.sockets();
    REQUIRE(sockets.size() == 1);
    struct stat st {};
    REQUIRE(::lstat(sockets[0].c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_uid == ::getuid());

    // No passphrase anywhere, no terminal: the agent's keys log in.
    CHECK_THAT(liaise.ok("admin", "whoami", ""), Catch::Contains("ann (ann), admin"));
    CHECK_THAT(liaise.ok("admin", "fingerprint", ""), Catch::Contains("This device's key: "));
    CHECK_THAT(liaise.ok("admin", "unlock --status", ""), Catch::Contains("Unlocked until"));
    const auto status_json = json::parse(liaise.ok("admin", "unlock --status --json", ""));
    CHECK(status_json.at("unlocked").as_bool());
    // The agent never wrote the keys anywhere: the home holds what it held before.
    for (const auto& e : fs::directory_iterator(server.dir() / "cli-admin"))
        CHECK(e.path().filename().string().find("agent") == std::string::npos);

    CHECK_THAT(liaise.ok("admin", "lock", ""), Catch::Contains("Locked"));
    std::tie(status, out) = liaise("admin", "whoami", "");
    CHECK(status == 1);
    CHECK_THAT(out,
               Catch::Contains("no terminal to ask for the passphrase: set LIAISE_PASSPHRASE"));
    CHECK(liaise.sockets().empty());
    CHECK_THAT(liaise.ok("admin", "lock", ""), Catch::Contains("Already locked"));

    // A wrong passphrase unlocks nothing.
    std::tie(status, out) = liaise("admin", "unlock", "not the right passphrase at all");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("bad_passphrase"));
    CHECK(liaise.sockets().empty());
}

TEST_CASE("the agent forgets the keys when its time is up", "[e2e][unlock]") {
    Server server;
    const Runner liaise(server);
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());
    CHECK(liaise("admin", "unlock --for 0s").first == 2);  // no such time
    CHECK(liaise("admin", "unlock --for 8y").first == 2);
    liaise.ok("admin", "unlock --for 3s");
    CHECK_THAT(liaise.ok("admin", "whoami", ""), Catch::Contains("ann (ann)"));
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    const auto [status, out] = liaise("admin", "whoami", "");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("no terminal to ask for the passphrase"));
    CHECK(liaise.sockets().empty());  // it removed its socket on the way out
}

TEST_CASE("the agent ends when the keystore is removed, and another user is refused",
          "[e2e][unlock][peer]") {
    Server server;
    const Runner liaise(server, "run-shared");
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());
    liaise.ok("admin", "unlock --for 1h");
    const auto sockets = liaise.sockets();
    REQUIRE(sockets.size() == 1);
    if (::getuid() == 0) {
        constexpr uid_t kNobody = 65534;
        // Let another user reach the directory: the socket's own mode keeps them out...
        fs::permissions(liaise.run, fs::perms::owner_all | fs::perms::others_exec,
                        fs::perm_options::replace);
        CHECK(as_other_user(sockets[0], kNobody, "keys") == "connect failed");
        // ...and if someone loosens it, the agent's peer check still does.
        fs::permissions(sockets[0], fs::perms::all, fs::perm_options::replace);
        CHECK(as_other_user(sockets[0], kNobody, "keys") == "refused");
        CHECK(as_other_user(sockets[0], kNobody, "stop") == "refused");
        CHECK_THAT(liaise.ok("admin", "unlock --status", ""), Catch::Contains("Unlocked until"));
    } else {
        WARN("not root: another user's connection cannot be tried here");
    }
    // A wiped device: the agent notices its keystore is gone and ends.
    fs::remove(server.dir() / "cli-admin" / "keystore.json");
    for (int i = 0; i < 40 && !liaise.sockets().empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(liaise.sockets().empty());
}

TEST_CASE("a weak passphrase is refused at enrolment and at a change, with advice",
          "[e2e][unlock][passphrase]") {
    Server server;
    const Runner liaise(server);
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());
    const auto code = code_for(liaise, "hana.ali", "--display-name 'Hana Ali'");
    const auto enrol = "enrol --server " + server.url() + " --code " + code;
    for (const std::string weak :
         {"password123", "Password1!", "qwertyuiop", "iloveyou!!", "summer2024", "Tr0ub4dor&3"}) {
        const auto [status, out] = liaise("hana", enrol, weak);
        INFO(weak << ": " << out);
        CHECK(status == 1);
        CHECK_THAT(out, Catch::Contains("Too easy to guess"));
        CHECK_THAT(out, Catch::Contains("Try four or more unrelated words"));
        CHECK_THAT(out, Catch::Contains("(weak_passphrase)"));
        CHECK_FALSE(fs::exists(server.dir() / "cli-hana" / "keystore.json"));
    }
    CHECK_THAT(liaise("hana", enrol, "password123").second,
               Catch::Contains("a common password or word"));
    // Refused before the code was used: it still enrols, with a strong passphrase.
    liaise.ok("hana", enrol, "kettle violin harbour crayon");

    // Before the code is used the names are not known; once they are, a passphrase made of
    // them is reported (the code is spent and the keys are sealed), for a change at once.
    const auto sam = liaise.ok("sam",
                               "enrol --server " + server.url() + " --code " +
                                   code_for(liaise, "sam.jones", "--display-name 'Sam Jones'"),
                               "Sam.Jones.Northshire");
    CHECK_THAT(sam, Catch::Contains("Enrolled sam.jones"));
    CHECK_THAT(sam, Catch::Contains("warning: Too easy to guess: it contains your name"));
    CHECK_THAT(sam, Catch::Contains("Change it now with 'liaise passphrase'"));

    // A change of passphrase knows her names.
    const auto change = [&](const std::string& fresh) {
        return liaise("hana", "passphrase", "kettle violin harbour crayon",
                      "LIAISE_NEW_PASSPHRASE='" + fresh + "'");
    };
    auto [status, out] = change("hana ali 1984 northshire");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("Too easy to guess: it contains your name"));
    std::tie(status, out) = change("HanaAli-Childrens-2024");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("contains your name"));
    // The keystore is as it was: the old passphrase still opens it.
    liaise.ok("hana", "whoami", "kettle violin harbour crayon");

    // A long random passphrase is accepted, and from then on only it opens the keystore. (24
    // random letters and digits: with fewer, a run that happens to spell common words can fall
    // under the bar.)
    std::string random = "q7";
    for (const auto b : crypto::random_bytes(22))
        random += "abcdefghijkmnpqrstuvwxyz23456789"[b % 32];
    std::tie(status, out) = change(random);
    INFO(out);
    REQUIRE(status == 0);
    CHECK_THAT(out, Catch::Contains("Passphrase changed"));
    CHECK(liaise("hana", "whoami", "kettle violin harbour crayon").first == 1);
    CHECK_THAT(liaise.ok("hana", "whoami", random), Catch::Contains("hana.ali (Hana Ali)"));
}

TEST_CASE("a keystore sealed with the older interactive limits opens and is sealed again",
          "[e2e][unlock][keystore]") {
    // The command's own limits, not the cheaper ones ctest asks of it (tests/CMakeLists.txt).
    ::unsetenv("LIAISE_TEST_INTERACTIVE_KEYSTORE");
    Server server;
    const Runner liaise(server);
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());
    // An older client's home: the library sealing with the interactive limits.
    {
        const client::Home old(server.dir() / "cli-bea", crypto::KeystoreCost::interactive);
        REQUIRE(client::Client::enrol(old, server.url(), code_for(liaise, "bea"), kPassphrase,
                                      "old-laptop")
                    .ok());
    }
    const auto limits = [&] {
        const auto text = slurp(server.dir() / "cli-bea" / "keystore.json");
        const auto o = json::parse(text).as_object();
        return std::pair{o.at("opslimit").to_number<std::uint64_t>(),
                         o.at("memlimit").to_number<std::uint64_t>()};
    };
    CHECK(limits() == std::pair<std::uint64_t, std::uint64_t>{crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                              crypto_pwhash_MEMLIMIT_INTERACTIVE});
    const auto first = liaise.ok("bea", "whoami");
    CHECK_THAT(first, Catch::Contains("bea (bea)"));
    CHECK_THAT(first, Catch::Contains("sealed again with stronger protection"));
    CHECK(limits() == std::pair<std::uint64_t, std::uint64_t>{crypto_pwhash_OPSLIMIT_MODERATE,
                                                              crypto_pwhash_MEMLIMIT_MODERATE});
    // Said once: the keystore is now up to date.
    CHECK_THAT(liaise.ok("bea", "whoami"), !Catch::Contains("sealed again"));
    // The `liaise` command's own new keystores are moderate from the start.
    const auto admin = json::parse(slurp(server.dir() / "cli-admin" / "keystore.json")).as_object();
    CHECK(admin.at("opslimit").to_number<std::uint64_t>() == crypto_pwhash_OPSLIMIT_MODERATE);
    CHECK(admin.at("memlimit").to_number<std::uint64_t>() == crypto_pwhash_MEMLIMIT_MODERATE);
}

TEST_CASE("a login with a copy of this device's keystore is shown at the next login",
          "[e2e][unlock][sessions]") {
    Server server;
    const Runner liaise(server);
    liaise.ok("admin", "enrol --server " + server.url() + " --code " + server.admin_code());
    liaise.ok("bea", "enrol --server " + server.url() + " --code " + code_for(liaise, "bea"));
    liaise.ok("bea", "whoami");
    // Nothing to report between the person's own logins.
    CHECK_THAT(liaise.ok("bea", "whoami"), !Catch::Contains("New login"));

    // A thief copies the home (keystore, profile, everything) and, knowing or guessing the
    // passphrase, logs in from the copy.
    fs::copy(server.dir() / "cli-bea", server.dir() / "cli-thief", fs::copy_options::recursive);
    CHECK_THAT(liaise.ok("thief", "whoami"), !Catch::Contains("New login"));
    CHECK_THAT(liaise.ok("thief", "rooms"), !Catch::Contains("New login"));

    // Bea's next command tells her, with the time and the address the server saw.
    const auto told = liaise.ok("bea", "whoami");
    CHECK_THAT(told, Catch::Contains("New login with this device's keys, from another copy of "
                                     "them: device 2 (cli) at "));
    CHECK_THAT(told, Catch::Contains(", from 127.0.0.1"));
    CHECK_THAT(told, Catch::Contains("tell your administrator"));
    CHECK(std::count(told.begin(), told.end(), '\n') >= 3);
    // Told once.
    CHECK_THAT(liaise.ok("bea", "whoami"), !Catch::Contains("New login"));

    // `liaise sessions` lists the account's logins, newest first: bea's 4 and the thief's 2.
    const auto listed = liaise.ok("bea", "sessions");
    CHECK_THAT(listed, Catch::Contains("Login from device 2 (cli) at "));
    // One device from one address is one line, however many commands it ran.
    CHECK_THAT(listed, Catch::Contains(", and 6 earlier from there since "));
    CHECK(std::count(listed.begin(), listed.end(), '\n') == 1);
    const auto sessions = json::parse(liaise.ok("bea", "sessions --json")).at("sessions");
    REQUIRE(sessions.as_array().size() == 8);
    std::int64_t previous = INT64_MAX;
    for (const auto& s : sessions.as_array()) {
        CHECK(s.at("device").as_string() == "2");
        CHECK(s.at("address").as_string() == "127.0.0.1");
        CHECK(s.at("session").as_int64() < previous);
        previous = s.at("session").as_int64();
    }
    // Another account's logins are not bea's business.
    const auto admins = json::parse(liaise.ok("admin", "sessions --json")).at("sessions");
    for (const auto& s : admins.as_array())
        CHECK(s.at("device").as_string() == "1");
}

TEST_CASE("'sessions' lists a replacement device's logins with who issued it",
          "[e2e][unlock][sessions]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    CHECK(ann->new_logins().empty());
    // A replacement device for ann, issued by herself as admin (her first device is revoked).
    const auto code =
        std::string(ok(*ann, "device_replace", {{"user", "ann"}}).at("code").as_string());
    Person again(server, "ann-new", code);
    const auto listed = ok(*again, "sessions").at("sessions").as_array();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].at("device").as_string() != listed[1].at("device").as_string());
    CHECK(listed[0].at("issued_by").as_string() == "ann");
    CHECK(listed[0].at("issued_at").as_int64() > 0);
    CHECK_FALSE(listed[1].as_object().contains("issued_by"));
}
