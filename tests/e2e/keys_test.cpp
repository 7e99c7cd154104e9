// End-to-end: custody of the server's at-rest key. The key lives outside the data directory; a
// wrong key is refused at start; a data directory made by an earlier version is refused until
// move-key moves its key out; rotate-key re-seals everything under a new key, refuses while the
// server runs, and leaves a directory that opens whenever it is killed.
#include <SQLiteCpp/SQLiteCpp.h>

#include <random>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

std::string q(const fs::path& p) {
    return "'" + p.string() + "'";
}

/// `liaise-server ARGS` run to its end (at most 20 s), with its output and errors.
Ran server_command(const std::string& args) {
    return run_any(std::string("timeout 20 '") + LIAISE_SERVER_BINARY + "' " + args + " 2>&1");
}

int status_of(const Ran& r) {
    return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
}

/// `serve` on the data directory that must refuse to start.
Ran refused_serve(const Server& s, const std::string& extra = "") {
    return server_command("serve --data " + q(s.data()) + " --listen 127.0.0.1:0 " + extra);
}

void write_random_key(const fs::path& p) {
    std::random_device rd;
    std::string bytes;
    for (int i = 0; i < 32; ++i)
        bytes += static_cast<char>(rd() & 0xff);
    std::ofstream(p, std::ios::binary) << bytes;
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

std::string meta(const Server& s, const std::string& key) {
    SQLite::Database db((s.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement st(db, "SELECT value FROM meta WHERE key = ?");
    st.bind(1, key);
    return st.executeStep() ? st.getColumn(0).getString() : "";
}

std::int64_t audit_records(const Server& s) {
    SQLite::Database db((s.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM audit").getInt64();
}

/// A server whose admin, ann, keeps minutes in room case-1.
struct Minutes {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool room = [this] {
        ok(*ann, "room_create", {{"room", "case-1"}});
        return true;
    }();

    /// A meeting with one agenda item whose discussion is `discussion`; returns its id.
    std::int64_t meeting(const std::string& title, const std::string& discussion) {
        const auto id = ok(*ann, "meeting_create",
                           {{"room", "case-1"},
                            {"title", title},
                            {"kind", "core-group"},
                            {"starts_at", "2026-11-20 10:00"},
                            {"place", "remote"}})
                            .at("meeting")
                            .as_int64();
        ok(*ann, "meeting_agenda",
           {{"meeting", id}, {"title", "School attendance"}, {"discussion", discussion}});
        return id;
    }
    /// The meeting's title and first discussion, as the server reads them back.
    std::pair<std::string, std::string> read(std::int64_t id, std::optional<int> version = {}) {
        json::object req{{"meeting", id}};
        if (version)
            req["version"] = *version;
        const auto m = ok(*ann, "meeting_show", req);
        return {std::string(m.at("title").as_string()),
                std::string(m.at("agenda").as_array().at(0).at("discussion").as_string())};
    }
    bool audit_verifies() {
        const auto v = ok(*ann, "audit", {{"verify", true}});
        INFO(json::serialize(v));
        return v.at("verified").as_bool();
    }
    void restart() {
        server.stop();
        server.start();
        ann.login();
    }
};

std::string discussion(int n) {
    std::string text = "Discussion " + std::to_string(n) + ": ";
    while (text.size() < 4000)
        text += "Attendance improved this week and the family engaged with the plan. ";
    return text;
}

}  // namespace

TEST_CASE("init writes the key beside the data directory, not in it, and never over a file",
          "[e2e][keys]") {
    Server server;
    CHECK_FALSE(fs::exists(server.data() / "at-rest.key"));
    REQUIRE(fs::file_size(at_rest_key_file(server)) == 32);
    CHECK((fs::status(at_rest_key_file(server)).permissions() &
           (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    CHECK(meta(server, "at_rest_key_id").size() == 16);
    CHECK(meta(server, "at_rest_key_check").size() == 64);

    // A second data directory pointed at the same key file is refused, and nothing is created.
    const auto other = server.dir() / "other";
    const auto r =
        server_command("init --data " + q(other) + " --key-file " + q(at_rest_key_file(server)) +
                       " --admin zed --agency X --discipline health");
    CHECK(status_of(r) == 2);
    CHECK_THAT(r.out, Catch::Contains("already exists; refusing to overwrite it"));
    CHECK_FALSE(fs::exists(other));
    // Nor may the key go inside the data directory.
    const auto inside =
        server_command("init --data " + q(other) + " --key-file " + q(other / "k.key") +
                       " --admin zed --agency X --discipline health");
    CHECK(status_of(inside) == 2);
    CHECK_THAT(inside.out, Catch::Contains("inside the data directory"));
}

TEST_CASE("serve refuses a key that is not the database's, and changes nothing", "[e2e][keys]") {
    Minutes t;
    const auto id = t.meeting("Core group for J", discussion(1));
    t.server.stop();
    const auto records = audit_records(t.server);
    const auto wrong = t.server.dir() / "wrong.key";
    write_random_key(wrong);
    const auto r = refused_serve(t.server, "--key-file " + q(wrong));
    INFO(r.out);
    CHECK(status_of(r) == 2);
    CHECK_THAT(r.out, Catch::Contains("the key file " + wrong.string() +
                                      " is not this database's key (key id "));
    CHECK_THAT(r.out, Catch::Contains("the database expects " + meta(t.server, "at_rest_key_id") +
                                      "); serve with the right --key-file"));
    CHECK(audit_records(t.server) == records);
    // A file that is not a key at all, and a missing one.
    std::ofstream(t.server.dir() / "short.key") << "0123456789";
    CHECK(status_of(refused_serve(t.server, "--key-file " + q(t.server.dir() / "short.key"))) == 2);
    fs::rename(at_rest_key_file(t.server), t.server.dir() / "elsewhere.key");
    const auto missing = refused_serve(t.server);
    CHECK(status_of(missing) == 2);
    CHECK_THAT(missing.out,
               Catch::Contains("no at-rest key at " + at_rest_key_file(t.server).string()));

    // The right key found through LIAISE_KEY_FILE, then through a systemd credential.
    // (Made readable by its group: served, with a warning.)
    fs::permissions(t.server.dir() / "elsewhere.key", fs::perms::group_read, fs::perm_options::add);
    ::setenv("LIAISE_KEY_FILE", (t.server.dir() / "elsewhere.key").c_str(), 1);
    t.restart();
    ::unsetenv("LIAISE_KEY_FILE");
    CHECK(t.read(id).second == discussion(1));
    CHECK_THAT(t.server.log(), Catch::Contains("can be read by others than its owner"));
    fs::create_directories(t.server.dir() / "creds");
    fs::rename(t.server.dir() / "elsewhere.key", t.server.dir() / "creds" / "liaise-at-rest-key");
    ::setenv("CREDENTIALS_DIRECTORY", (t.server.dir() / "creds").c_str(), 1);
    t.restart();
    ::unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(t.read(id).second == discussion(1));
    CHECK(t.audit_verifies());
}

TEST_CASE("a data directory from an earlier version is refused until move-key moves its key",
          "[e2e][keys]") {
    Minutes t;
    const auto id = t.meeting("Core group for J", discussion(2));
    t.server.stop();
    // As an earlier version left it: the key inside, and no key id or check in the database.
    const auto legacy = t.server.data() / "at-rest.key";
    fs::rename(at_rest_key_file(t.server), legacy);
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        db.exec("DELETE FROM meta WHERE key IN ('at_rest_key_id', 'at_rest_key_check')");
    }
    const auto refused = refused_serve(t.server);
    CHECK(status_of(refused) == 2);
    CHECK_THAT(refused.out,
               Catch::Contains("liaise-server move-key --data " + t.server.data().string()));

    const auto moved = server_command("move-key --data " + q(t.server.data()));
    INFO(moved.out);
    REQUIRE(status_of(moved) == 0);
    CHECK_THAT(moved.out, Catch::Contains("Moved the at-rest key from " + legacy.string() + " to " +
                                          at_rest_key_file(t.server).string()));
    CHECK_FALSE(fs::exists(legacy));
    CHECK((fs::status(at_rest_key_file(t.server)).permissions() &
           (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    // Again: nothing to do. After a crash between writing the new file and removing the old
    // one (both there, the same key): the old one goes.
    CHECK_THAT(server_command("move-key --data " + q(t.server.data())).out,
               Catch::Contains("Nothing to move"));
    fs::copy_file(at_rest_key_file(t.server), legacy);
    REQUIRE(status_of(server_command("move-key --data " + q(t.server.data()))) == 0);
    CHECK_FALSE(fs::exists(legacy));
    // A different key at the destination is never overwritten.
    fs::copy_file(at_rest_key_file(t.server), legacy);
    const auto other = t.server.dir() / "other.key";
    write_random_key(other);
    const auto clash =
        server_command("move-key --data " + q(t.server.data()) + " --key-file " + q(other));
    CHECK(status_of(clash) == 2);
    CHECK_THAT(clash.out, Catch::Contains("holds a different key"));
    fs::remove(legacy);

    // A wrong key for this old database (no check value yet) is refused, and none is recorded.
    const auto wrong = refused_serve(t.server, "--key-file " + q(other));
    CHECK(status_of(wrong) == 2);
    CHECK_THAT(wrong.out, Catch::Contains("is not this database's key"));
    CHECK(meta(t.server, "at_rest_key_check").empty());

    // The right one opens it and is recorded.
    t.restart();
    CHECK(t.read(id).second == discussion(2));
    CHECK(t.audit_verifies());
    CHECK(meta(t.server, "at_rest_key_check").size() == 64);
}

TEST_CASE("rotate-key re-seals minutes, versions and the audit log under a new key",
          "[e2e][keys]") {
    Minutes t;
    const auto first = t.meeting("Core group for J", discussion(3));
    const auto second = t.meeting("Strategy for K", discussion(4));
    ok(*t.ann, "action_add",
       {{"meeting", second}, {"what", "Visit K at home"}, {"owner", "ann"}, {"due", "2026-12-01"}});
    ok(*t.ann, "meeting_circulate",
       signed_by(*t.ann, "meeting_circulate", {{"meeting", first}, {"acknowledge", true}}));

    // Refused while the server holds the data directory; nothing changes.
    const auto before = fs::file_size(at_rest_key_file(t.server));
    const auto old_id = meta(t.server, "at_rest_key_id");
    const auto busy = server_command("rotate-key --data " + q(t.server.data()));
    CHECK(status_of(busy) == 2);
    CHECK_THAT(busy.out, Catch::Contains("in use by another process"));
    CHECK_THAT(busy.out, Catch::Contains("rotate-key runs only with the server stopped"));
    CHECK(meta(t.server, "at_rest_key_id") == old_id);
    CHECK_FALSE(fs::exists(at_rest_key_file(t.server).string() + ".new"));
    CHECK(before == 32);

    t.server.stop();
    const auto old_key = slurp(at_rest_key_file(t.server));
    const auto r = server_command("rotate-key --data " + q(t.server.data()));
    INFO(r.out);
    REQUIRE(status_of(r) == 0);
    const auto new_id = meta(t.server, "at_rest_key_id");
    CHECK(new_id != old_id);
    CHECK(meta(t.server, "previous_at_rest_key_id") == old_id);
    CHECK_THAT(r.out, Catch::Contains("new key id " + new_id + ", in " +
                                      at_rest_key_file(t.server).string()));
    CHECK_THAT(r.out, Catch::Contains("old key id " + old_id + ", now " +
                                      at_rest_key_file(t.server).string() + ".old"));
    CHECK_THAT(r.out, Catch::Contains("Back up the new key"));
    CHECK(slurp(at_rest_key_file(t.server).string() + ".old") == old_key);
    CHECK(slurp(at_rest_key_file(t.server)) != old_key);

    // The old key no longer opens the database.
    const auto stale =
        refused_serve(t.server, "--key-file " + q(at_rest_key_file(t.server).string() + ".old"));
    CHECK(status_of(stale) == 2);
    CHECK_THAT(stale.out, Catch::Contains("the key the database used before its last rotate-key"));

    t.restart();
    CHECK(t.read(first) == std::pair<std::string, std::string>{"Core group for J", discussion(3)});
    CHECK(t.read(first, 1).second == discussion(3));
    CHECK(t.read(second).first == "Strategy for K");
    const auto actions = ok(*t.ann, "actions", {{"room", "case-1"}}).at("actions").as_array();
    REQUIRE(actions.size() == 1);
    CHECK(actions.at(0).at("what").as_string() == "Visit K at home");
    CHECK(t.audit_verifies());
    const auto log = ok(*t.ann, "audit", {}).at("records").as_array();
    const auto& last = log.back().as_object();
    CHECK(last.at("kind").as_string() == "at_rest_key_rotated");
    CHECK(last.at("details").at("from").as_string() == old_id);
    CHECK(last.at("details").at("to").as_string() == new_id);
    // And as an admin sees it with the `liaise` command.
    Cli cli{t.server};
    cli.enrol("ann2", code_for(*t.ann, "ann2", "Northshire Children's Services", "admin"));
    CHECK_THAT(cli.ok("ann2", "admin audit --verify"), Catch::Contains("verifies"));

    // A second rotation waits until the old key has been dealt with.
    t.server.stop();
    const auto again = server_command("rotate-key --data " + q(t.server.data()));
    CHECK(status_of(again) == 2);
    CHECK_THAT(again.out, Catch::Contains(".old is still there"));

    // Once it is destroyed: a rotation to a new place, never over an existing file.
    fs::remove(at_rest_key_file(t.server).string() + ".old");
    const auto elsewhere = t.server.dir() / "keys" / "liaise.key";
    fs::create_directories(elsewhere.parent_path());
    std::ofstream(elsewhere) << "taken";
    const auto taken = server_command("rotate-key --data " + q(t.server.data()) +
                                      " --new-key-file " + q(elsewhere));
    CHECK(status_of(taken) == 2);
    CHECK_THAT(taken.out, Catch::Contains("already exists; refusing to overwrite it"));
    CHECK(meta(t.server, "at_rest_key_id") == new_id);
    fs::remove(elsewhere);
    const auto moved = server_command("rotate-key --data " + q(t.server.data()) +
                                      " --new-key-file " + q(elsewhere));
    INFO(moved.out);
    REQUIRE(status_of(moved) == 0);
    CHECK_FALSE(fs::exists(at_rest_key_file(t.server)));
    CHECK(fs::exists(at_rest_key_file(t.server).string() + ".old"));
    CHECK(meta(t.server, "previous_at_rest_key_id") == new_id);
    t.server.set_extra_args({"--key-file", elsewhere.string()});
    t.server.start();
    t.ann.login();
    CHECK(t.read(second).first == "Strategy for K");
    CHECK(t.audit_verifies());
}

TEST_CASE("rotate-key killed at random points leaves a directory that serves with its key",
          "[e2e][keys][crash]") {
    Minutes t;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 150; ++i)
        ids.push_back(t.meeting("Meeting " + std::to_string(i), discussion(i)));
    t.server.stop();
    const auto path = at_rest_key_file(t.server);
    const auto rotate = [&] {
        std::vector<std::string> args = {LIAISE_SERVER_BINARY, "rotate-key", "--data",
                                         t.server.data().string()};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        return pid;
    };
    // How long one whole rotation takes here.
    const auto started = std::chrono::steady_clock::now();
    int status = 0;
    ::waitpid(rotate(), &status, 0);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    fs::remove(path.string() + ".old");
    INFO("one rotation took " << took.count() << " us");
    CHECK(took > std::chrono::milliseconds(10));

    std::mt19937 random(std::random_device{}());
    int completed = 0, interrupted = 0;
    for (int run = 0; run < 8; ++run) {
        const auto key_before = slurp(path);
        const auto id_before = meta(t.server, "at_rest_key_id");
        const auto delay = std::chrono::microseconds(
            std::uniform_int_distribution<std::int64_t>(0, took.count())(random));
        const auto pid = rotate();
        std::this_thread::sleep_for(delay);
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        const bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        INFO("run " << run << ": killed after " << delay.count() << " us"
                    << (finished ? " (it had finished)" : ""));

        t.server.start();  // fails the test if serve refuses the key at PATH
        t.ann.login();
        CHECK_FALSE(fs::exists(path.string() + ".new"));
        const bool rotated = meta(t.server, "at_rest_key_id") != id_before;
        (rotated ? completed : interrupted)++;
        CHECK((slurp(path) == key_before) == !rotated);
        for (const auto i : {std::size_t{0}, ids.size() / 2, ids.size() - 1})
            CHECK(t.read(ids[i]).second == discussion(static_cast<int>(i)));
        CHECK(t.audit_verifies());
        t.server.stop();
        // The operator destroys the old key after backing up the new one.
        fs::remove(path.string() + ".old");
    }
    WARN("one rotation took " << took.count() << " us; of 8 killed, " << completed
                              << " had committed and " << interrupted << " had not");
    CHECK(completed + interrupted == 8);
}

TEST_CASE("serve finishes or discards what an interrupted rotate-key left beside the key",
          "[e2e][keys][crash]") {
    Minutes t;
    const auto id = t.meeting("Core group for J", discussion(5));
    t.server.stop();
    const auto path = at_rest_key_file(t.server);
    const fs::path staged = path.string() + ".new", old = path.string() + ".old";

    // Killed before its commit: a staged key (here half written) beside the database's key.
    std::ofstream(staged) << "half a key";
    const auto key = slurp(path);
    t.restart();
    CHECK_FALSE(fs::exists(staged));
    CHECK(slurp(path) == key);
    CHECK_THAT(t.server.log(), Catch::Contains("removed " + staged.string()));

    // Killed after its commit, before either rename; then between the two renames.
    t.server.stop();
    REQUIRE(status_of(server_command("rotate-key --data " + q(t.server.data()))) == 0);
    const auto new_key = slurp(path), old_key = slurp(old);
    fs::rename(path, staged);
    fs::rename(old, path);
    t.restart();
    CHECK(slurp(path) == new_key);
    CHECK(slurp(old) == old_key);
    CHECK_FALSE(fs::exists(staged));
    CHECK(t.read(id).second == discussion(5));
    t.server.stop();
    fs::rename(path, staged);
    t.restart();
    CHECK(slurp(path) == new_key);
    CHECK_FALSE(fs::exists(staged));
    CHECK_THAT(t.server.log(), Catch::Contains("finished a rotate-key that was interrupted"));
    CHECK(t.read(id).second == discussion(5));
    CHECK(t.audit_verifies());

    // Neither key the database's: refused, and both files left as they are.
    t.server.stop();
    write_random_key(staged);
    fs::rename(old, path.string() + ".saved");
    write_random_key(t.server.dir() / "x.key");
    fs::copy_file(t.server.dir() / "x.key", path, fs::copy_options::overwrite_existing);
    const auto refused = refused_serve(t.server);
    CHECK(status_of(refused) == 2);
    CHECK_THAT(refused.out, Catch::Contains("is not this database's key"));
    CHECK(fs::exists(staged));
    CHECK(slurp(path) == slurp(t.server.dir() / "x.key"));
}
