// End-to-end: what a member or the server's data can make a reader's terminal show. A message,
// a name or a dictionary entry is someone else's text: it must not move the cursor, reorder the
// line, start a line that passes for another message, or read as part of the sender's words.
// The real server and the real `liaise` binary.
#include <sys/wait.h>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// ann (admin), hana and mallory are social workers; pat is a police officer.
struct Room {
    Server server;
    Cli liaise{server};

    Room() {
        liaise.enrol("ann", server.admin_code());
        liaise.ok("ann", "admin agency add 'Northshire Police' --discipline police-justice");
        for (const auto& [who, agency] : {std::pair{"hana", "Northshire Children's Services"},
                                          std::pair{"mallory", "Northshire Children's Services"},
                                          std::pair{"pat", "Northshire Police"}}) {
            const auto out = liaise.ok("ann", std::string("admin enrol ") + who + " --agency \"" +
                                                  agency + "\" --role member --json");
            liaise.enrol(who, std::string(json::parse(out).at("code").as_string()));
        }
        liaise.ok("ann", "room create case-3 --member hana --member mallory --member pat");
    }

    /// `liaise ARGS` as `who` in a new session with no controlling terminal (setsid), so that
    /// /dev/tty cannot be opened whatever terminal the tests run in. {exit status, output}.
    std::pair<int, std::string> detached(const std::string& who, const std::string& args) const {
        const std::string cmd = "LIAISE_HOME='" + (server.dir() / ("cli-" + who)).string() +
                                "' LIAISE_PASSPHRASE='" + kPassphrase + "' setsid -w '" +
                                LIAISE_BINARY + "' " + args + " < /dev/null 2>&1";
        const auto ran = run_any(cmd);
        return {WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, ran.out};
    }

    /// The texts of `room` as `who` reads them (--json: the raw text).
    std::vector<std::string> texts(const std::string& who, const std::string& room) const {
        std::vector<std::string> out;
        std::istringstream lines(liaise.ok(who, "read " + room + " --json"));
        for (std::string line; std::getline(lines, line);)
            if (const auto v = line.empty() ? json::value() : json::parse(line);
                v.is_object() && v.as_object().contains("text"))
                out.emplace_back(v.at("text").as_string());  // messages, not room events
        return out;
    }
};

const std::string kHostile =
    "ok\r\x1b[2K#3 10:02 hana: UPDATE from Health: police say J can go home with dad tonight.\n"
    "#9 10:00 hana: forged\n"
    "\xE2\x80\xAE"
    "dlrow olleh \xE2\x81\xA6 \xC2\x9B"
    "2K \x07\x7f end";

/// Every character in `out` that could move the cursor, clear the screen or reorder a line:
/// C0 controls other than line feed, DEL, C1 controls (U+0080-U+009F), bidirectional overrides,
/// isolates and marks. Empty when there are none. `out` must be valid UTF-8.
std::string hazards(const std::string& out) {
    std::string found;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto b = static_cast<unsigned char>(out[i]);
        if ((b < 0x20 && b != '\n') || b == 0x7F)
            found += "byte " + std::to_string(b) + "; ";
        const auto next = i + 1 < out.size() ? static_cast<unsigned char>(out[i + 1]) : 0;
        const auto third = i + 2 < out.size() ? static_cast<unsigned char>(out[i + 2]) : 0;
        if (b == 0xC2 && next >= 0x80 && next <= 0x9F)
            found += "C1 control; ";
        if (b == 0xE2 && next == 0x80 &&
            ((third >= 0xAA && third <= 0xAE) || third == 0x8E || third == 0x8F || third == 0xA8 ||
             third == 0xA9))
            found += "bidi override or mark; ";
        if (b == 0xE2 && next == 0x81 && third >= 0xA6 && third <= 0xA9)
            found += "bidi isolate; ";
        if (b == 0xD8 && next == 0x9C)
            found += "Arabic letter mark; ";
    }
    return found;
}

/// The lines of `out` that begin with '#' (what a reader takes for message headers).
std::vector<std::string> headers(const std::string& out) {
    std::vector<std::string> found;
    for (const auto& line : lines_of(out))
        if (line.starts_with("#") && line.find(" \u2014 ") == std::string::npos)
            found.push_back(line);  // a message's header, not a room event's line
    return found;
}

}  // namespace

TEST_CASE("a member's message cannot forge lines or hide text on a reader's terminal",
          "[e2e][display]") {
    Room r;
    r.liaise.ok("hana", "send --accept-new-readers case-3 --anyway 'Visit planned for Tuesday.'");
    r.liaise.ok("mallory", "send --accept-new-readers case-3 --anyway", kHostile);

    const auto out = r.liaise.ok("hana", "read case-3 --plain");
    INFO(out);
    CHECK(hazards(out).empty());
    const auto shown = headers(out);
    REQUIRE(shown.size() == 2);  // the two true headers, nothing forged
    CHECK_THAT(shown[0],
               Catch::StartsWith("#2 ") &&
                   Catch::Contains(" hana (Northshire Children's Services): Visit planned"));
    CHECK_THAT(shown[1], Catch::StartsWith("#3 ") &&
                             Catch::Contains(" mallory (Northshire Children's Services): ok"));
    // Every other line of mallory's message is indented, and what was hidden is visible.
    const auto lines = lines_of(out);
    const auto at = std::find(lines.begin(), lines.end(), shown[1]);
    REQUIRE(std::distance(at, lines.end()) == 4);
    CHECK(at[1] ==
          "    \xEF\xBF\xBD[2K#3 10:02 hana: UPDATE from Health: police say J can go home "
          "with dad tonight.");
    CHECK(at[2] == "    #9 10:00 hana: forged");
    CHECK_THAT(at[3], Catch::StartsWith("    \xEF\xBF\xBD"
                                        "dlrow olleh"));

    // With the explanations too (the default), the same holds.
    const auto explained = r.liaise.ok("hana", "read case-3");
    CHECK(hazards(explained).empty());
    CHECK(headers(explained).size() == 2);

    // --json stays JSON and carries the text exactly as sent.
    const auto raw = r.texts("hana", "case-3");
    REQUIRE(raw.size() == 2);
    CHECK(raw[1] == kHostile);
}

TEST_CASE("read --follow shows a hostile message as safely as read", "[e2e][display]") {
    Room r;
    const Cli::Running follow(r.liaise, "hana", "read case-3 --follow --plain");
    follow.wait_for("created the room");
    r.liaise.ok("mallory", "send --accept-new-readers case-3 --anyway", kHostile);
    r.liaise.ok("pat", "send --accept-new-readers case-3 --anyway 'Noted.'");
    const auto out = follow.wait_for("pat (Northshire Police): Noted.");
    INFO(out);
    CHECK(hazards(out).empty());
    const auto shown = headers(out);
    REQUIRE(shown.size() == 2);
    CHECK_THAT(shown[0], Catch::StartsWith("#2 ") &&
                             Catch::Contains(" mallory (Northshire Children's Services): ok"));
    CHECK_THAT(shown[1],
               Catch::StartsWith("#3 ") && Catch::Contains(" pat (Northshire Police): Noted."));
}

TEST_CASE("a dictionary's words never sit inside a message, only in a labelled note",
          "[e2e][display]") {
    Room r;
    // Whoever controls the dictionaries tries to change what pat's message says.
    r.liaise.ok("ann",
                "admin dict add police-justice tonight --alt 'UPDATE: police say do not visit' "
                "--explanation 'Ignore the message above.'");
    r.liaise.ok("pat",
                "send --accept-new-readers case-3 --anyway 'Please visit J at home tonight.'");
    const auto out = r.liaise.ok("hana", "read case-3");
    INFO(out);
    const auto lines = lines_of(out);
    const auto message = std::find_if(lines.begin(), lines.end(),
                                      [](const auto& l) { return l.starts_with("#2 "); });
    REQUIRE(message != lines.end());
    CHECK_THAT(*message,
               Catch::EndsWith(" pat (Northshire Police): Please visit J at home tonight[1]."));
    CHECK(message->find("UPDATE") == std::string::npos);
    // Every line that carries the dictionary's words is an indented, labelled note.
    int notes = 0;
    for (const auto& line : lines) {
        if (line.find("UPDATE: police say do not visit") == std::string::npos)
            continue;
        ++notes;
        CHECK_THAT(line, Catch::StartsWith("    dictionary: [1] tonight (police-justice) \u2014 "
                                           "UPDATE: police say do not visit: Ignore the"));
    }
    CHECK(notes == 1);
    // --plain shows the message as written, with neither markers nor notes.
    const auto plain = r.liaise.ok("hana", "read case-3 --plain");
    CHECK_THAT(plain,
               Catch::Contains("pat (Northshire Police): Please visit J at home tonight.\n"));
    CHECK(plain.find("dictionary:") == std::string::npos);
}

TEST_CASE("a dictionary entry's hostile text is shown as text in the notes", "[e2e][display]") {
    Room r;
    // The server refuses control characters in entries; bidirectional overrides are text to it.
    r.liaise.ok("ann",
                "admin dict add police-justice tonight --alt 'at night' "
                "--explanation \"$(printf 'Evening \\342\\200\\256reversed')\"");
    r.liaise.ok("pat",
                "send --accept-new-readers case-3 --anyway 'Please visit J at home tonight.'");
    const auto out = r.liaise.ok("hana", "read case-3");
    INFO(out);
    CHECK(hazards(out).empty());
    CHECK_THAT(out, Catch::Contains("dictionary: [1] tonight (police-justice) \u2014 at night: "
                                    "Evening \xEF\xBF\xBDreversed"));
}

TEST_CASE("send --fix shows the rewritten message and sends it only when told to",
          "[e2e][display]") {
    Room r;
    const std::string draft = "'The CIN plan was agreed.'";
    // No terminal to ask on, no --yes: nothing is sent.
    const auto [status, out] =
        r.detached("hana", "send --accept-new-readers case-3 --fix " + draft);
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("not sent") && Catch::Contains("--yes"));
    CHECK(r.texts("pat", "case-3").empty());
    // --json with --fix needs --yes: the output is for a program, nobody sees the rewrite.
    CHECK(r.detached("hana", "send --accept-new-readers case-3 --fix --json " + draft).first == 2);
    CHECK(r.texts("pat", "case-3").empty());

    // On a terminal: the rewritten message is shown and "n" sends nothing ...
    const auto on_terminal = [&](const std::string& answer) {
        const std::string cmd =
            "printf '" + answer + "\\n' | LIAISE_HOME='" + (r.server.dir() / "cli-hana").string() +
            "' LIAISE_PASSPHRASE='" + kPassphrase + "' script -qec \"'" + LIAISE_BINARY +
            "' send case-3 --accept-new-readers --fix " + draft + "\" /dev/null";
        return run_any(cmd);
    };
    const auto refused = on_terminal("n");
    INFO(refused.out);
    CHECK_THAT(refused.out, Catch::Contains("Send this? [y/N]"));
    CHECK_THAT(refused.out, Catch::Contains("    The CIN (child in need) plan"));
    CHECK(r.texts("pat", "case-3").empty());
    // ... and "y" sends it.
    const auto agreed = on_terminal("y");
    INFO(agreed.out);
    CHECK_THAT(agreed.out, Catch::Contains("Sent #2"));
    auto sent = r.texts("pat", "case-3");
    REQUIRE(sent.size() == 1);
    CHECK_THAT(sent[0], Catch::StartsWith("The CIN (child in need) plan"));

    // --yes sends the rewritten message without asking, terminal or not.
    const auto [yes_status, yes_out] =
        r.detached("hana", "send --accept-new-readers case-3 --fix --yes " + draft);
    INFO(yes_out);
    CHECK(yes_status == 0);
    sent = r.texts("pat", "case-3");
    REQUIRE(sent.size() == 2);
    CHECK(sent[1] == "The CIN (child in need) plan was agreed.");
}

TEST_CASE("names from the server are shown as text", "[e2e][display]") {
    Room r;
    // A display name and an agency name with a right-to-left override in them.
    r.liaise.ok("ann",
                "admin agency add \"$(printf 'Evil \\342\\200\\256ycnega')\" "
                "--discipline education");
    const auto code = r.liaise.ok(
        "ann",
        "admin enrol eve --agency \"$(printf 'Evil \\342\\200\\256ycnega')\" "
        "--role member --display-name \"$(printf 'Eve \\342\\200\\256evE \\302\\233')\" --json");
    r.liaise.enrol("eve", std::string(json::parse(code).at("code").as_string()));
    r.liaise.ok("ann", "room add case-3 eve");
    r.liaise.ok("eve", "send --accept-new-readers case-3 --anyway 'Hello.'");
    for (const auto& [who, args] :
         {std::pair{"hana", "room show case-3"}, std::pair{"ann", "admin agency list"},
          std::pair{"ann", "admin account list"}, std::pair{"hana", "read case-3"},
          std::pair{"eve", "whoami"}}) {
        const auto out = r.liaise.ok(who, args);
        INFO(args << "\n" << out);
        CHECK(hazards(out).empty());
    }
}

TEST_CASE("read on a terminal breaks long rows itself, so none wraps to column 0",
          "[e2e][display]") {
    Room r;
    // Spaces to push the rest of the message to the start of the terminal's next row.
    r.liaise.ok("mallory", "send --accept-new-readers case-3 --anyway 'ok" + std::string(100, ' ') +
                               "#9 10:00 hana: forged'");
    const std::string cmd = "LIAISE_HOME='" + (r.server.dir() / "cli-hana").string() +
                            "' LIAISE_PASSPHRASE='" + kPassphrase +
                            "' script -qec \"stty cols 40; '" + LIAISE_BINARY +
                            "' read case-3 --plain\" /dev/null < /dev/null";
    auto out = run_any(cmd).out;
    std::erase(out, '\r');  // the terminal's line endings
    INFO(out);
    const auto shown = headers(out);
    REQUIRE(shown.size() == 1);
    // The name is broken onto the next row too, at 40 columns.
    CHECK_THAT(shown[0],
               Catch::StartsWith("#2 ") && Catch::Contains(" mallory (Northshire Children's"));
    for (const auto& row : lines_of(out)) {
        INFO(row);
        // Characters, not bytes: an event's dash is one character of three bytes.
        CHECK(std::count_if(row.begin(), row.end(), [](char c) {
                  return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
              }) <= 40);
    }
    CHECK_THAT(out, Catch::Contains("#9 10:00 hana: fo"));  // inside an indented row
}
