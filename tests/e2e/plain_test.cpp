// End-to-end: plain language in the conversation — checks before sending, explanations on
// reading — against the real server, through the real `liaise` command.
#include <SQLiteCpp/SQLiteCpp.h>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// ann (admin) and sam are social workers; tess is a teacher.
struct Partnership {
    Server server;
    Cli liaise{server};

    Partnership() {
        liaise.enrol("ann", server.admin_code());
        liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
        for (const auto& [who, agency, role] :
             {std::tuple{"sam", "Northshire Children's Services", "chair"},
              std::tuple{"tess", "Riverside Primary", "member"}}) {
            const auto out = liaise.ok("ann", std::string("admin enrol ") + who + " --agency \"" +
                                                  agency + "\" --role " + role + " --json");
            liaise.enrol(who, std::string(json::parse(out).at("code").as_string()));
        }
        liaise.ok("ann", "room create mixed --member sam --member tess");
        liaise.ok("ann", "room create social --member sam");
    }

    /// Messages in `room` as `who` reads them, as JSON lines, without membership events.
    std::vector<json::object> read(const std::string& who, const std::string& room) const {
        std::vector<json::object> out;
        std::istringstream lines(liaise.ok(who, "read " + room + " --json"));
        for (std::string line; std::getline(lines, line);)
            if (!line.empty())
                if (auto o = json::parse(line).as_object(); !o.contains("event"))
                    out.push_back(std::move(o));
        return out;
    }

    /// Changes the server's stored dictionary behind its back, as an admin tool will.
    void add_server_entry(const std::string& discipline, const std::string& row,
                          int version) const {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        db.setBusyTimeout(5000);
        SQLite::Statement q(db, "UPDATE dictionaries SET tsv = tsv || ? WHERE discipline = ?");
        q.bind(1, row + "\n");
        q.bind(2, discipline);
        REQUIRE(q.exec() == 1);
        SQLite::Statement v(db, "UPDATE meta SET value = ? WHERE key = 'dictionary_version'");
        v.bind(1, std::to_string(version));
        REQUIRE(v.exec() == 1);
    }
};

const std::string kDraft = "The CIN plan was agreed at core group.";

}  // namespace

TEST_CASE(
    "a social worker's jargon is held back in a room with a teacher and sent among social workers",
    "[e2e][plain]") {
    Partnership p;
    const auto [held, why] = p.liaise("sam", "send --accept-new-readers mixed '" + kDraft + "'");
    CHECK(held == 1);
    CHECK_THAT(why, Catch::Contains("Not sent"));
    CHECK_THAT(why, Catch::Contains("CIN (social-care)"));
    CHECK_THAT(why, Catch::Contains("core group (social-care)"));
    CHECK_THAT(why, Catch::Contains("--fix"));
    CHECK(p.read("tess", "mixed").empty());  // nothing was sent

    const auto json_held =
        p.liaise("sam", "send --accept-new-readers mixed --json '" + kDraft + "'");
    CHECK(json_held.first == 1);
    const auto doc = json::parse(json_held.second).as_object();
    CHECK_FALSE(doc.at("sent").as_bool());
    CHECK(doc.at("findings").as_array().size() == 2);
    CHECK(doc.at("findings").as_array()[0].at("term").as_string() ==
          "CIN");  // same form as check --json
    CHECK(doc.at("audience").as_string() == "education,social-care");

    CHECK_THAT(p.liaise.ok("sam", "send --accept-new-readers social '" + kDraft + "'"),
               Catch::Contains("Sent #2"));
    const auto among_social = p.read("ann", "social");
    REQUIRE(among_social.size() == 1);
    CHECK(among_social[0].at("text").as_string() == kDraft);
}

TEST_CASE(
    "send --accept-new-readers with --fix sends the rewritten text and with --anyway the text as "
    "written",
    "[e2e][plain]") {
    Partnership p;
    const auto fixed =
        p.liaise.ok("sam", "send --accept-new-readers mixed --fix --yes '" + kDraft + "'");
    CHECK_THAT(fixed, Catch::Contains("CIN -> "));
    const auto received = p.read("tess", "mixed");
    REQUIRE(received.size() == 1);
    const std::string text(received[0].at("text").as_string());
    // "CIN plan" is explained in brackets (CIN describes the plan); "at core group" is replaced.
    CHECK(text ==
          "The CIN (child in need) plan was agreed at the group of the family and key "
          "workers.");

    p.liaise.ok("sam", "send --accept-new-readers mixed --anyway '" + kDraft + "'");
    const auto both = p.read("tess", "mixed");
    REQUIRE(both.size() == 2);
    CHECK(both[1].at("text").as_string() == kDraft);
    CHECK(p.liaise("sam", "send --accept-new-readers mixed --fix --anyway hello").first == 2);
}

TEST_CASE("send --fix leaves a term that means different things as written, and says so",
          "[e2e][plain]") {
    Partnership p;
    // CP is child protection to social care and cerebral palsy to health; tess, a teacher, has
    // no meaning of her own for it: only she can say which she meant.
    const auto out = p.liaise.ok(
        "tess",
        "send --accept-new-readers mixed --fix --yes 'The CP plan was agreed at core group.'");
    CHECK_THAT(out, Catch::Contains("core group -> "));
    CHECK_THAT(out, Catch::Contains("Left as written (it means different things to different "
                                    "disciplines, or has no plain alternative): CP"));
    CHECK_THAT(out, !Catch::Contains("CP -> "));
    const auto received = p.read("sam", "mixed");
    REQUIRE(received.size() == 1);
    const std::string text(received[0].at("text").as_string());
    CHECK(text == "The CP plan was agreed at the group of the family and key workers.");

    // The noisy-entry counts say what happened: core group fixed, CP sent as written (counted
    // on tess's device, for the server a day later).
    const auto counts =
        boost::json::parse(slurp(p.server.dir() / "cli-tess" / "feedback.json")).at("counts");
    CHECK(counts.at("social-care:CP").at("sent_anyway").as_int64() == 1);
    CHECK(counts.at("social-care:CP").at("fixed").as_int64() == 0);
    CHECK(counts.at("social-care:core group").at("fixed").as_int64() == 1);
    CHECK(counts.at("social-care:core group").at("sent_anyway").as_int64() == 0);

    // Written by a social worker, CP has one meaning, his: --fix can use its plain words. "CP"
    // describes "plan" here, and "child protection" can stand before a noun (fit=both in
    // social-care.tsv), so it goes in CP's place.
    const auto sams =
        p.liaise.ok("sam", "send --accept-new-readers mixed --fix --yes 'The CP plan was agreed.'");
    CHECK_THAT(sams, Catch::Contains("CP -> child protection"));
    CHECK_THAT(sams, Catch::Contains("Sent: The child protection plan was agreed."));
    CHECK_THAT(sams, !Catch::Contains("cerebral palsy"));
}

TEST_CASE("a teacher reading a social worker's message sees the explanations", "[e2e][plain]") {
    Partnership p;
    p.liaise.ok("sam", "send --accept-new-readers mixed --anyway '" + kDraft + "'");
    const auto shown = p.liaise.ok("tess", "read mixed");
    // Only numbered markers in the sender's words; the dictionaries' words on their own lines.
    CHECK_THAT(shown, Catch::Contains("sam (Northshire Children's Services): The CIN[1] plan was "
                                      "agreed at core group[2].\n"));
    CHECK_THAT(shown, Catch::Contains("\n    dictionary: [1] CIN (social-care) \u2014 "));
    CHECK_THAT(shown, Catch::Contains("\n    dictionary: [2] core group (social-care) \u2014 "));
    const auto plain = p.liaise.ok("tess", "read mixed --plain");
    CHECK_THAT(plain, Catch::Contains(kDraft));
    CHECK(plain.find("[1]") == std::string::npos);
    const auto structured = p.read("tess", "mixed");
    REQUIRE(structured.size() == 1);
    const auto& explanations = structured[0].at("explanations").as_array();
    REQUIRE(explanations.size() == 2);
    CHECK(explanations[0].at("disciplines").as_array()[0].as_string() == "social-care");
    CHECK_FALSE(explanations[0].at("explanation").as_string().empty());
    // Another social worker sees no explanations of social-care terms.
    CHECK(p.liaise.ok("ann", "read mixed").find("[1]") == std::string::npos);
}

TEST_CASE("a reader is told when a term of their own may mean something else to the writer",
          "[e2e][plain]") {
    Partnership p;
    p.liaise.ok("ann", "admin agency add 'Northshire GP Practice' --discipline health");
    for (const auto* nurse : {"hana", "hal"}) {
        const auto code = p.liaise.ok("ann", std::string("admin enrol ") + nurse +
                                                 " --agency 'Northshire GP Practice' --role chair "
                                                 "--json");
        p.liaise.enrol(nurse, std::string(json::parse(code).at("code").as_string()));
    }
    p.liaise.ok("ann", "room create clinic --member sam --member hana --member hal");
    // CP is cerebral palsy to health and child protection to social care.
    const std::string draft = "The CP plan was agreed.";
    p.liaise.ok("sam", "send --accept-new-readers clinic --anyway '" + draft + "'");
    const auto shown = p.liaise.ok("hana", "read clinic");
    CHECK_THAT(shown, Catch::Contains(
                          "sam (Northshire Children's Services): The CP[1] plan was agreed.\n"));
    // The writer is a social worker: it is child protection, and only that is explained.
    CHECK_THAT(shown,
               Catch::Contains("\n    dictionary: [1] CP (social-care) \u2014 child protection: "));
    CHECK(shown.find("cerebral palsy") == std::string::npos);
    // The same words from a nurse mean what a nurse reads them as: no note, in the same room.
    p.liaise.ok("hal", "send --accept-new-readers clinic --anyway '" + draft + "'");
    const auto both = p.liaise.ok("hana", "read clinic --since 2");  // #1: the room's creation
    CHECK(both.find("[1]") == std::string::npos);
    // Sam's own needs no note for him; the nurse's CP does: she meant cerebral palsy.
    const auto sams = p.liaise.ok("sam", "read clinic");
    const auto second = sams.find("#3 ");
    REQUIRE(second != std::string::npos);
    CHECK(sams.substr(0, second).find("cerebral palsy") == std::string::npos);
    CHECK_THAT(sams.substr(second),
               Catch::Contains("hal (Northshire GP Practice): The CP[1] plan was agreed.\n"));
    CHECK_THAT(sams.substr(second),
               Catch::Contains("dictionary: [1] CP (health) \u2014 cerebral palsy: "));
    CHECK(sams.substr(second).find("child protection") == std::string::npos);
    // Among social workers only, nothing is added either.
    p.liaise.ok("sam", "send --accept-new-readers social --anyway '" + draft + "'");
    CHECK(p.liaise.ok("ann", "read social").find("[1]") == std::string::npos);
}

TEST_CASE("a public room flags general terms and every discipline's terms", "[e2e][plain]") {
    Partnership p;
    CHECK(p.liaise("tess", "room audience social --public on").first == 1);  // members may not
    CHECK_THAT(p.liaise.ok("sam", "room audience social --public on"),
               Catch::Contains("includes the public"));
    const auto [held, why] = p.liaise(
        "sam", "send --accept-new-readers social 'Going forward we will utilise the CIN plan.'");
    CHECK(held == 1);
    CHECK_THAT(why, Catch::Contains("CIN (social-care)"));
    CHECK_THAT(why, Catch::Contains("utilise (general)"));
    CHECK_THAT(why, Catch::Contains("Going forward (general)"));
    p.liaise.ok("sam", "room audience social --public off");
    const auto [still, why2] = p.liaise(
        "sam", "send --accept-new-readers social 'Going forward we will utilise the CIN plan.'");
    CHECK(still == 1);  // officialese is flagged for everyone
    CHECK(why2.find("CIN (social-care)") == std::string::npos);
}

TEST_CASE("the client keeps checking with its cached dictionaries when the server is down",
          "[e2e][plain]") {
    Partnership p;
    p.add_server_entry("social-care",
                       "FLIBB\t\tfamily link worker\tA made-up test entry.\tacronym\t", 2);
    p.liaise.ok("sam", "whoami");  // log in: fetches version 2
    REQUIRE(p.server.stop() == 0);
    const auto [status, out] =
        p.liaise("sam", "check --audience education -", "The FLIBB called.\n");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("FLIBB (social-care) -> family link worker"));
    const auto explained = p.liaise.ok("sam", "explain FLIBB");
    CHECK_THAT(explained, Catch::Contains("family link worker"));
    CHECK(p.liaise("sam", "explain NOSUCHTERM").first == 1);
    // Someone who never logged in still has the shipped dictionaries.
    const auto [s2, o2] = p.liaise("stranger", "check -", "The FLIBB and the CIN.\n");
    CHECK(s2 == 1);
    CHECK_THAT(o2, Catch::Contains("FLIBB (unknown acronym)"));
}

TEST_CASE("a dictionary update on the server reaches a client at its next login", "[e2e][plain]") {
    Partnership p;
    const client::Home tess_home(p.server.dir() / "cli-tess");
    p.liaise.ok("tess", "whoami");  // the first login fills the cache
    CHECK(client::DictionaryCache(tess_home).version() == std::optional<std::int64_t>(1));
    CHECK(p.liaise("tess", "explain WOBBL").first == 1);

    // A damaged update (an invalid kind) is refused by the client, which keeps its cache and
    // still logs in.
    p.add_server_entry("education",
                       "WOBBL\t\twhole-school wellbeing plan\tA made-up test entry.\tnoun\t", 2);
    CHECK_THAT(p.liaise.ok("tess", "whoami"), Catch::Contains("tess"));
    CHECK(client::DictionaryCache(tess_home).version() == std::optional<std::int64_t>(1));

    // A good update arrives at the next login.
    {
        SQLite::Database db((p.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        db.setBusyTimeout(5000);
        db.exec(
            "UPDATE dictionaries SET tsv = replace(tsv, char(9) || 'noun' || char(9), char(9) || "
            "'acronym' || char(9)) "
            "WHERE discipline = 'education'");
        db.exec("UPDATE meta SET value = '3' WHERE key = 'dictionary_version'");
    }
    CHECK_THAT(p.liaise.ok("tess", "whoami"), Catch::Contains("tess"));
    CHECK(client::DictionaryCache(tess_home).version() == std::optional<std::int64_t>(3));
    CHECK_THAT(p.liaise.ok("tess", "explain WOBBL"),
               Catch::Contains("whole-school wellbeing plan"));
}

TEST_CASE("asking about an unknown term records the question", "[e2e][plain]") {
    Partnership p;
    const auto asked = p.liaise.ok("tess", "ask ZORP --room mixed");
    CHECK_THAT(asked, Catch::Contains("was recorded"));
    CHECK(asked.find("already explain") == std::string::npos);
    CHECK_THAT(p.liaise.ok("tess", "ask 'core group'"),
               Catch::Contains("The dictionaries already explain it (social-care): liaise explain "
                               "\"core group\""));
    CHECK(p.liaise("tess", "ask ZORP --room social").first == 1);  // not her room
    SQLite::Database db((p.server.data() / "liaise.db").string());
    CHECK(db.execAndGet("SELECT COUNT(*) FROM questions WHERE term = 'ZORP'").getInt64() == 1);
}

TEST_CASE("a client fetches the server's dictionaries at login and caches them", "[e2e][plain]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    const client::DictionaryCache cache(*ann.home);
    REQUIRE(cache.version());
    CHECK(*cache.version() == 1);
    CHECK(fs::exists(cache.dir() / "social-care.tsv"));
    auto engine = ann->engine();
    REQUIRE(engine.ok());
    CHECK(engine.value()->entry_count() > 900);
}
