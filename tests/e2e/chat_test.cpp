// End-to-end: `liaise chat` driven in a real terminal. Each test runs the real `liaise` binary
// in a detached tmux session against the real server, types with `tmux send-keys` and reads the
// screen with `tmux capture-pane`.
#include <algorithm>
#include <functional>
#include <utility>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;

namespace {

using namespace std::chrono_literals;

/// `s` quoted for sh.
std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs `command` with sh; returns {exit status, stdout and stderr}.
std::pair<int, std::string> shell(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// The screen's text as one line, runs of spaces and line breaks as one space: what a wrapped
/// message reads as.
std::string flat(const std::string& screen) {
    std::string out;
    for (const char c : screen) {
        const bool space = c == ' ' || c == '\n';
        if (!space)
            out += c;
        else if (!out.empty() && out.back() != ' ')
            out += ' ';
    }
    return out;
}

/// Code points in a UTF-8 row (a lower bound on its width in cells).
std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (const char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

/// `liaise chat ROOM` as `who` in a 100 x 30 tmux session on a tmux server of its own (its socket
/// in the test server's folder, so nothing touches anyone's own tmux), killed on destruction
/// however the test ends. The exit status and standard error go to files: tmux 3.3's
/// #{pane_dead_status} is not reliably filled in, and it can drop a dying pane's last output.
class Terminal {
  public:
    Terminal(const Server& server, const std::string& who, const std::string& room,
             const std::string& passphrase = kPassphrase) {
        static int count = 0;
        const auto dir = server.dir();
        const auto name = "tmux-" + std::to_string(count++);
        // A socket in the server's folder, removed with it (tmux 3.3 leaves it behind).
        socket_ = (dir / (name + ".sock")).string();
        conf_ = dir / (name + ".conf");
        status_ = dir / (name + ".status");
        errors_ = dir / (name + ".stderr");
        std::ofstream(conf_) << "set -g status off\n"
                                "set -g remain-on-exit on\n"
                                "set -g default-shell /bin/sh\n";
        const std::string command =
            "env LIAISE_HOME=" + sh_quote((dir / ("home-" + who)).string()) +
            " LIAISE_PASSPHRASE=" + sh_quote(passphrase) + " LANG=C.UTF-8 LC_ALL=C.UTF-8 " +
            sh_quote(LIAISE_BINARY) + " chat " + sh_quote(room) + " 2>" +
            sh_quote(errors_.string()) + "; echo $? >" + sh_quote(status_.string());
        tmux("new-session -d -s chat -x 100 -y 30 " + sh_quote(command));
    }
    ~Terminal() {
        // Never throws or fails the test: the session may already be gone.
        const std::string kill = "env LC_ALL=C.UTF-8 tmux -S " + sh_quote(socket_) + " kill-server";
        if (FILE* p = ::popen((kill + " >/dev/null 2>&1").c_str(), "r"))
            ::pclose(p);
    }
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    /// Runs a tmux command on this terminal's tmux server; returns its output.
    std::string tmux(const std::string& args) const {
        const auto [status, out] = shell("env LC_ALL=C.UTF-8 tmux -u -S " + sh_quote(socket_) +
                                         " -f " + sh_quote(conf_.string()) + " " + args);
        INFO("tmux " << args << "\n" << out);
        REQUIRE(status == 0);
        return out;
    }

    /// Keys by tmux name: "Enter", "PPage", "C-c", "f".
    void keys(const std::string& names) const { tmux("send-keys -t chat " + names); }
    /// Text typed as is.
    void type(const std::string& text) const { tmux("send-keys -t chat -l " + sh_quote(text)); }
    [[nodiscard]] std::string screen() const { return tmux("capture-pane -p -t chat"); }
    [[nodiscard]] std::vector<std::string> rows() const { return lines_of(screen()); }

    /// Polls the screen until `ready` holds and the screen is still (a capture can catch a
    /// redraw half done); fails the test, showing the screen, after 5 s.
    std::string wait_until(const std::function<bool(const std::string&)>& ready,
                           const std::string& what) const {
        std::string shown, before;
        for (const auto deadline = std::chrono::steady_clock::now() + 5s;
             std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(30ms)) {
            before = std::exchange(shown, screen());
            if (shown == before && ready(shown))
                return shown;
        }
        FAIL("the screen never showed " << what << ":\n" << shown);
        return shown;
    }
    std::string wait_for(const std::string& text) const {
        return wait_until([&](const std::string& s) { return s.find(text) != std::string::npos; },
                          "'" + text + "'");
    }
    /// wait_for(), for text that may be wrapped over several rows (flat()).
    std::string wait_for_wrapped(const std::string& text) const {
        return wait_until(
            [&](const std::string& s) { return flat(s).find(text) != std::string::npos; },
            "'" + text + "'");
    }

    /// The chat's exit status, waiting up to 5 s for it to end.
    int exit_status() const {
        for (int i = 0; i < 250; ++i) {
            if (const auto s = slurp(status_); !s.empty())
                return std::stoi(s);
            std::this_thread::sleep_for(20ms);
        }
        FAIL("liaise chat did not exit:\n" << screen());
        return -1;
    }
    [[nodiscard]] std::string errors() const { return slurp(errors_); }

  private:
    std::string socket_;
    fs::path conf_, status_, errors_;
};

/// ann (social care, the admin) and bea (education) in room "case-7".
struct CaseRoom {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool school_added = add_school();  // before bea, who works there
    Person bea{server, "bea", code_for(*ann, "bea", "Riverside Primary")};
    bool room_created = create_room();

    bool add_school() {
        ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
        return true;
    }
    bool create_room() {
        ok(*ann, "room_create", {{"room", "case-7"}, {"members", {"bea"}}});
        return true;
    }

    void send(Person& p, const std::string& text) {
        auto seq = p->send("case-7", text);
        INFO((seq ? "" : seq.error().message));
        REQUIRE(seq.ok());
    }
    /// Every text in the room, as bea's library client reads it.
    std::vector<std::string> texts() {
        auto messages = bea->read("case-7", 0);
        REQUIRE(messages.ok());
        std::vector<std::string> out;
        for (const auto& m : messages.value())
            if (!m.event)  // membership events are not messages
                out.push_back(m.text.value_or("<unreadable>"));
        return out;
    }
    /// The newest text once there are `count` messages (waiting up to 5 s).
    std::string nth_text(std::size_t count) {
        for (int i = 0; i < 100; ++i) {
            const auto all = texts();
            if (all.size() >= count)
                return all[count - 1];
            std::this_thread::sleep_for(50ms);
        }
        FAIL("the room never had " << count << " messages");
        return {};
    }
};

/// "2026-12-04" as the chat shows it: "4 Dec 2026".
std::string uk_day(const std::string& iso) {
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return std::to_string(std::stoi(iso.substr(8, 2))) + " " +
           months[std::stoi(iso.substr(5, 2)) - 1] + " " + iso.substr(0, 4);
}

bool is_ready(const std::string& screen) {
    return screen.find("| online") != std::string::npos;
}

}  // namespace

TEST_CASE("liaise chat shows history and live messages, and sends what is typed", "[e2e][chat]") {
    CaseRoom t;
    t.send(t.bea, "The EWO will join on Tuesday.");
    t.send(t.ann, "Welcome to the case room.");
    const Terminal term(t.server, "ann", "case-7");

    // History, with bea's education term explained for ann (social care; social workers know
    // SENCO, so the term is one they do not).
    auto screen = term.wait_until(is_ready, "the chat, online");
    CHECK_THAT(screen,
               Catch::Contains("bea (Riverside Primary): The EWO[1] will join on Tuesday."));
    CHECK_THAT(screen,
               Catch::Contains("    dictionary: [1] EWO (education) \u2014 school attendance "
                               "officer: education welfare officer"));
    CHECK_THAT(screen,
               Catch::Contains("ann (Northshire Children's Services): Welcome to the case room."));
    CHECK_THAT(screen, Catch::Contains("case-7 | for education, social-care | online"));

    // A message from bea appears while ann's chat is open.
    t.send(t.bea, "Bore da! Diolch yn fawr \u2014 \u00e7a va \U0001F44D");
    term.wait_for("bea (Riverside Primary): Bore da! Diolch yn fawr \u2014 \u00e7a va \U0001F44D");

    // What ann types is sent, and bea reads it.
    term.type("See you all on Tuesday.");
    term.wait_for("> See you all on Tuesday.");
    term.keys("Enter");
    term.wait_for_wrapped("ann (Northshire Children's Services): See you all on Tuesday.");
    CHECK(t.nth_text(4) == "See you all on Tuesday.");

    // Non-ASCII text round-trips: Welsh, French, an em dash and an emoji.
    const std::string welsh = "Diolch yn fawr \u2014 \u00e7a va \U0001F44D, \u0175yr";
    term.type(welsh);
    term.keys("Enter");
    term.wait_for_wrapped("ann (Northshire Children's Services): " + welsh);
    CHECK(t.nth_text(5) == welsh);

    // A line longer than the terminal wraps at a space onto the next row, losing nothing.
    const std::string long_text =
        "This message is longer than the terminal is wide, so the chat wraps it onto the next "
        "row instead of cutting it off at the edge, and the last words are still there.";
    term.type(long_text);
    term.keys("Enter");
    // Sent and shown in the pane, not only typed in the input line.
    screen = term.wait_for_wrapped("ann (Northshire Children's Services): " + long_text);
    CHECK_THAT(flat(screen), Catch::Contains("ann (Northshire Children's Services): " + long_text));
    CHECK(t.nth_text(6) == long_text);
    auto rows = lines_of(screen);
    const auto starts = std::find_if(rows.begin(), rows.end(), [](const std::string& r) {
        return r.find("ann (Northshire Children's Services): This message is longer") !=
               std::string::npos;
    });
    const auto ends = std::find_if(rows.begin(), rows.end(), [](const std::string& r) {
        return r.find("still there.") != std::string::npos;
    });
    INFO(screen);
    REQUIRE(starts != rows.end());
    CHECK(ends > starts);
    for (const auto& r : rows)
        CHECK(code_points(r) <= 100);

    // Smaller: still the messages, the status bar and the input line, laid out for 60 x 20.
    term.tmux("resize-window -t chat -x 60 -y 20");
    // tmux clips the old 100-column layout to 60 x 20 at once, and that clip already has the
    // status bar and input line at the bottom: wait for the redraw, which brings back the end
    // of the long message that the clip cut off.
    screen = term.wait_until(
        [&](const std::string& s) {
            const auto r = lines_of(s);
            return r.size() == 20 && r[19].starts_with(">") &&
                   r[18].find("case-7 | for") != std::string::npos &&
                   flat(s).find("ann (Northshire Children's Services): " + long_text) !=
                       std::string::npos;
        },
        "the 60 x 20 layout");
    CHECK_THAT(flat(screen), Catch::Contains("ann (Northshire Children's Services): " + long_text));
    for (const auto& r : lines_of(screen))
        CHECK(code_points(r) <= 60);
    term.type("Still here after the resize.");
    term.keys("Enter");
    term.wait_for_wrapped("ann (Northshire Children's Services): Still here after the resize.");
    CHECK(t.nth_text(7) == "Still here after the resize.");

    // /quit ends the chat cleanly.
    term.type("/quit");
    term.keys("Enter");
    CHECK(term.exit_status() == 0);
    CHECK(t.texts().size() == 7);  // "/quit" was not sent
    // Nothing went wrong. (The library's people seal their keystores with the older interactive
    // limits, so the command seals ann's again and says so once, before the chat starts.)
    auto errors = term.errors();
    if (const auto at = errors.find("liaise: your keystore was sealed again"); at == 0)
        errors.erase(0, errors.find('\n') + 1);
    CHECK(errors.empty());
}

TEST_CASE("liaise chat holds back a draft with findings: fix, send anyway or edit", "[e2e][chat]") {
    CaseRoom t;
    const Terminal term(t.server, "ann", "case-7");
    term.wait_until(is_ready, "the chat, online");
    const std::string draft = "The CIN plan is agreed";

    // [f]ix: the rewritten draft is shown and sent only after "y"; any other key sends nothing.
    term.type(draft);
    term.keys("Enter");
    auto screen = term.wait_for("[f]ix and send  [s]end anyway  [e]dit");
    CHECK_THAT(screen, Catch::Contains("CIN (social-care) -> child needing extra council help"));
    CHECK(t.texts().empty());
    term.keys("f");
    screen = term.wait_for("Send this? [y/N]");
    // "CIN plan": CIN describes the plan, so it is explained rather than replaced.
    CHECK_THAT(screen, Catch::Contains("    The CIN (child in need) plan is agreed"));
    term.keys("n");
    screen = term.wait_until(
        [](const std::string& s) { return s.find("Send this?") == std::string::npos; },
        "the question gone");
    CHECK(lines_of(screen).back() == "> " + draft);
    CHECK(t.texts().empty());
    term.keys("Enter");
    term.wait_for("[f]ix and send  [s]end anyway  [e]dit");
    term.keys("f");
    term.wait_for("Send this? [y/N]");
    CHECK(t.texts().empty());
    term.keys("y");
    // This device's first message in the room: who else will read it is asked first, and "n"
    // keeps it unsent.
    screen = term.wait_for("Send it to them? [y/N]");
    CHECK_THAT(screen, Catch::Contains("will also be readable by people you have not written to"));
    CHECK_THAT(screen, Catch::Contains("bea, Riverside Primary (bea, device"));
    term.keys("n");
    term.wait_for("Not sent: the draft is still here");
    CHECK(t.texts().empty());
    term.keys("Enter");
    term.wait_for("[f]ix and send  [s]end anyway  [e]dit");
    term.keys("f");
    term.wait_for("Send this? [y/N]");
    term.keys("y");
    term.wait_for("Send it to them? [y/N]");
    term.keys("y");
    const auto fixed = t.nth_text(1);
    CHECK_THAT(fixed, Catch::Contains("The CIN (child in need) plan is agreed"));
    term.wait_for_wrapped("ann (Northshire Children's Services): " + fixed);

    // [s]end anyway: as written.
    term.type(draft);
    term.keys("Enter");
    term.wait_until(
        [](const std::string& s) {
            return s.find("[f]ix and send") != std::string::npos && s.find("> The CIN") != s.npos;
        },
        "the findings prompt again");
    term.keys("s");
    CHECK(t.nth_text(2) == draft);
    term.wait_for_wrapped("ann (Northshire Children's Services): " + draft);

    // [e]dit: nothing is sent, and the draft is back in the input line to change.
    term.type(draft);
    term.keys("Enter");
    term.wait_until(
        [](const std::string& s) {
            return s.find("[f]ix and send") != std::string::npos && s.find("> The CIN") != s.npos;
        },
        "the findings prompt a third time");
    term.keys("e");
    screen = term.wait_until(
        [](const std::string& s) { return s.find("[f]ix and send") == std::string::npos; },
        "the prompt gone");
    CHECK(lines_of(screen).back() == "> " + draft);
    CHECK(t.texts().size() == 2);
    term.keys("C-u");  // clear the line, then write it plainly
    term.type("We agreed the plan together.");
    term.keys("Enter");
    CHECK(t.nth_text(3) == "We agreed the plan together.");

    // Ctrl-C quits cleanly too.
    term.keys("C-c");
    CHECK(term.exit_status() == 0);
}

TEST_CASE("liaise chat reports a failed login in one line and exits 1", "[e2e][chat]") {
    CaseRoom t;
    const Terminal wrong(t.server, "ann", "case-7", "not the passphrase");
    CHECK(wrong.exit_status() == 1);
    const auto errors = lines_of(wrong.errors());
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors.front(), Catch::StartsWith("liaise: "));

    const Terminal nowhere(t.server, "ann", "no-such-room");
    CHECK(nowhere.exit_status() == 1);
    CHECK_THAT(nowhere.errors(), Catch::Contains("no-such-room"));
}

TEST_CASE("liaise chat shows the action reminder sent after login", "[e2e][chat]") {
    CaseRoom t;
    const auto meeting = ok(*t.ann, "meeting_create",
                            {{"room", "case-7"},
                             {"title", "Core group"},
                             {"kind", "core-group"},
                             {"starts_at", "2026-11-20 10:00"},
                             {"place", "remote"}})
                             .at("meeting");
    const auto late = ok(*t.ann, "action_add",
                         {{"meeting", meeting},
                          {"what", "Send the attendance letter"},
                          {"owner", "bea"},
                          {"due", protocol::utc_date(-3)}});
    ok(*t.ann, "action_add",
       {{"meeting", meeting},
        {"what", "Book the next meeting"},
        {"owner", "bea"},
        {"due", protocol::utc_date(30)}});

    const Terminal bea(t.server, "bea", "case-7");
    const auto screen = flat(bea.wait_for("'liaise actions --mine' lists them."));
    CHECK_THAT(screen, Catch::Contains("Reminder: you have 1 overdue action(s) and 0 due within "
                                       "two days: #" +
                                       std::to_string(late.at("id").as_int64()) +
                                       " Send the attendance letter (due " +
                                       uk_day(protocol::utc_date(-3)) + ")."));
    CHECK_THAT(screen, !Catch::Contains("Book the next meeting"));

    // ann owns nothing: no reminder. The server sends one right after the login's reply, so
    // once a later message is on ann's screen, any reminder would be there too.
    const Terminal ann(t.server, "ann", "case-7");
    ann.wait_until(is_ready, "the chat, online");
    t.send(t.bea, "Letter sent this morning.");
    CHECK_THAT(ann.wait_for("bea (Riverside Primary): Letter sent this morning."),
               !Catch::Contains("Reminder"));
}

TEST_CASE("liaise chat shows a hostile message as text: no forged lines, nothing hidden",
          "[e2e][chat]") {
    CaseRoom t;
    t.send(t.ann, "Visit planned for Tuesday.");
    t.send(t.bea,
           "ok\r\x1b[2K#3 10:02 ann: UPDATE: police say J can go home tonight.\n"
           "#9 10:00 ann: forged\n\xE2\x80\xAE"
           "dlrow \xC2\x9B"
           "2K end");
    t.send(t.ann, "Noted.");
    const Terminal term(t.server, "ann", "case-7");
    const auto screen = term.wait_until(is_ready, "the chat, online");
    INFO(screen);
    std::vector<std::string> headers;
    for (const auto& row : lines_of(screen))
        if (row.starts_with("#"))
            headers.push_back(row);
    REQUIRE(headers.size() == 4);  // the room's creation and three true headers, nothing forged
    CHECK_THAT(headers[0], Catch::StartsWith("#1 ") && Catch::Contains("created the room"));
    CHECK_THAT(headers[1],
               Catch::StartsWith("#2 ") &&
                   Catch::Contains(" ann (Northshire Children's Services): Visit planned"));
    CHECK_THAT(headers[2],
               Catch::StartsWith("#3 ") && Catch::Contains(" bea (Riverside Primary): ok"));
    CHECK_THAT(headers[3], Catch::StartsWith("#4 ") &&
                               Catch::Contains(" ann (Northshire Children's Services): Noted."));
    // What was hidden is on the screen, marked, and the forged lines are indented.
    CHECK_THAT(screen, Catch::Contains("    \xEF\xBF\xBD[2K#3 10:02 ann: UPDATE"));
    CHECK_THAT(screen, Catch::Contains("\n    #9 10:00 ann: forged"));
    CHECK_THAT(screen, Catch::Contains("    \xEF\xBF\xBD"
                                       "dlrow \xEF\xBF\xBD"
                                       "2K end"));
    CHECK(screen.find("\xE2\x80\xAE") == std::string::npos);
}

TEST_CASE("liaise chat shows who joined and left the room, in order", "[e2e][chat]") {
    CaseRoom t;
    t.send(t.bea, "Before cai joined.");
    const Person cai{t.server, "cai", code_for(*t.ann, "cai", "Riverside Primary")};
    const Terminal term(t.server, "ann", "case-7");
    auto screen = term.wait_until(is_ready, "the chat, online");
    CHECK_THAT(screen, Catch::Contains("#1 "));
    CHECK_THAT(screen, Catch::Contains("ann created the room for ann, Northshire Children's "
                                       "Services; bea, Riverside Primary."));
    // ann adds cai from another device of hers; then removes him: the open chat shows both.
    ok(*t.ann, "room_add", {{"room", "case-7"}, {"user", "cai"}});
    screen = term.wait_for("cai, Riverside Primary, was added by ann.");
    CHECK_THAT(screen, Catch::Contains("#3 "));
    ok(*t.ann, "room_remove", {{"room", "case-7"}, {"user", "cai"}});
    screen = term.wait_for("cai, Riverside Primary, was removed by ann.");
    CHECK(screen.find("was added by ann") < screen.find("was removed by ann"));
    term.type("/quit");
    term.keys("Enter");
    CHECK(term.exit_status() == 0);
}

TEST_CASE("liaise chat shows an action given to the person and circulated minutes in words",
          "[e2e][chat][notices]") {
    CaseRoom t;
    const Terminal bea(t.server, "bea", "case-7");
    bea.wait_until(is_ready, "the chat, online");
    const auto meeting = ok(*t.ann, "meeting_create",
                            {{"room", "case-7"},
                             {"title", "Core group"},
                             {"kind", "core-group"},
                             {"starts_at", "2030-11-20 10:00"},
                             {"place", "remote"}})
                             .at("meeting");
    ok(*t.ann, "action_add",
       {{"meeting", meeting},
        {"what", "Send the attendance letter"},
        {"owner", "bea"},
        {"due", "2030-12-04"}});
    const auto m = std::to_string(meeting.as_int64());
    const auto said =
        "Action for you: 'Send the attendance letter', due 4 Dec 2030, from meeting " + m +
        " ('Core group') in case-7";
    bea.wait_until([&](const std::string& s) { return flat(s).find(said) != std::string::npos; },
                   said);
    // Another room, made while the chat is open.
    ok(*t.ann, "room_create", {{"room", "case-8"}, {"members", {"bea"}}});
    bea.wait_until(
        [](const std::string& s) {
            return flat(s).find("You are in a new room, case-8 ('liaise chat case-8' opens it).") !=
                   std::string::npos;
        },
        "the new room");
}

TEST_CASE(
    "liaise chat refuses an unknown /command, sends //text as /text, asks before "
    "discarding a draft",
    "[e2e][chat][commands]") {
    CaseRoom t;
    const Terminal ann(t.server, "ann", "case-7");
    ann.wait_until(is_ready, "the chat, online");
    ann.type("/hlep");
    ann.keys("Enter");
    const auto refused = flat(ann.wait_for("is not a command"));
    CHECK_THAT(refused, Catch::Contains("/help /quit /verify /explain TERM /actions"));
    CHECK(t.texts().empty());  // nothing went to the room
    ann.keys("C-u");
    ann.type("/help");
    ann.keys("Enter");
    ann.wait_for("Commands:");
    ann.type("/explain CIN");
    ann.keys("Enter");
    ann.wait_for("CIN (social-care)");
    ann.type("/actions");
    ann.keys("Enter");
    ann.wait_for("You have no open actions.");
    ann.type("//shrug");
    ann.keys("Enter");
    ann.wait_for("Send it to them? [y/N]");  // ann has not written to bea before
    ann.keys("y");
    CHECK(t.nth_text(1) == "/shrug");
    CHECK(t.texts().size() == 1);

    // Ctrl-C with a half-written draft asks; n keeps it, y quits.
    ann.type("Half a sentence");
    ann.keys("C-c");
    ann.wait_for("Discard the draft? (y/n)");
    ann.keys("n");
    ann.wait_for("The draft is kept.");
    CHECK_THAT(ann.screen(), Catch::Contains("> Half a sentence"));
    ann.keys("C-c");
    ann.wait_for("Discard the draft? (y/n)");
    ann.keys("y");
    CHECK(ann.exit_status() == 0);
}
