// End-to-end: a room's shared language (PROTOCOL.md, "Room glossary") against the real server,
// through the real `liaise` command: a chair agrees terms, members are not stopped for them, a
// room that includes the public still is, and a newcomer sees the glossary and meets each term
// explained once.
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// ann (admin) and sam (chair) are social workers; tess is a teacher; in room `mixed`.
struct Room {
    Server server;
    Cli liaise{server};

    Room() {
        liaise.enrol("ann", server.admin_code());
        liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
        liaise.ok("ann", "admin agency add 'Westshire Police' --discipline police-justice");
        for (const auto& [who, agency, role] :
             {std::tuple{"sam", "Northshire Children's Services", "chair"},
              std::tuple{"tess", "Riverside Primary", "member"},
              std::tuple{"pat", "Westshire Police", "member"}}) {
            const auto out = liaise.ok("ann", std::string("admin enrol ") + who + " --agency \"" +
                                                  agency + "\" --role " + role + " --json");
            liaise.enrol(who, std::string(json::parse(out).at("code").as_string()));
        }
        liaise.ok("ann", "room create mixed --member sam --member tess");
    }

    /// Messages in `room` as `who` reads them, as JSON lines, without membership events.
    std::vector<json::object> read(const std::string& who) const {
        std::vector<json::object> out;
        std::istringstream lines(liaise.ok(who, "read mixed --json"));
        for (std::string line; std::getline(lines, line);)
            if (!line.empty())
                if (auto o = json::parse(line).as_object(); !o.contains("event"))
                    out.push_back(std::move(o));
        return out;
    }
};

const std::string kDraft = "The CIN plan was agreed at core group.";
const std::string kCin = "a child the council must help under section 17, as agreed for Sam";

std::vector<std::string> field_of(const json::value& list, std::string_view key) {
    std::vector<std::string> out;
    for (const auto& x : list.as_array())
        out.emplace_back(x.at(key).as_string());
    return out;
}

}  // namespace

TEST_CASE("a chair agrees terms and members are no longer stopped for them", "[e2e][glossary]") {
    Room r;
    // Before: the social worker's draft is held back for the teacher.
    CHECK(r.liaise("sam", "send --accept-new-readers mixed '" + kDraft + "'").first == 1);

    CHECK_THAT(r.liaise.ok("sam", "room glossary add mixed CIN '" + kCin + "'"),
               Catch::Contains("Agreed in mixed: CIN (glossary version 1)"));
    const auto half = r.liaise("sam", "send --accept-new-readers mixed '" + kDraft + "'");
    CHECK(half.first == 1);  // core group is not agreed yet
    CHECK_THAT(half.second, Catch::Contains("core group (social-care)"));
    CHECK_THAT(half.second, !Catch::Contains("CIN (social-care)"));

    r.liaise.ok("sam",
                "room glossary add mixed 'core group' 'the family and the workers on the "
                "plan, who meet every six weeks'");
    CHECK_THAT(r.liaise.ok("sam", "send --accept-new-readers mixed '" + kDraft + "'"),
               Catch::Contains("Sent #"));

    // The same meaning again changes nothing; a new meaning is a new version.
    CHECK_THAT(r.liaise.ok("sam", "room glossary add mixed cin '" + kCin + "'"),
               Catch::Contains("New meaning agreed in mixed: cin (glossary version 3)"));
    CHECK_THAT(r.liaise.ok("sam", "room glossary add mixed cin '" + kCin + "'"),
               Catch::Contains("Already agreed with that meaning"));
    const auto g = json::parse(r.liaise.ok("tess", "room glossary list mixed --history --json"));
    CHECK(g.at("version").as_int64() == 3);
    CHECK(field_of(g.at("terms"), "term") == std::vector<std::string>{"cin", "core group"});
    CHECK(field_of(g.at("history"), "change") ==
          std::vector<std::string>{"changed", "added", "added"});
    CHECK(field_of(g.at("terms"), "by") == std::vector<std::string>{"sam", "sam"});

    // Withdrawn, the term is held back again.
    CHECK_THAT(r.liaise.ok("sam", "room glossary remove mixed CIN"),
               Catch::Contains("No longer agreed in mixed: cin (glossary version 4)"));
    CHECK(r.liaise("sam", "send --accept-new-readers mixed '" + kDraft + "'").first == 1);
    CHECK_THAT(r.liaise.ok("sam", "room glossary remove mixed CIN"),
               Catch::Contains("Not agreed in this room: CIN"));
}

TEST_CASE("agreed terms are still flagged when the room includes the public", "[e2e][glossary]") {
    Room r;
    r.liaise.ok("sam", "room glossary add mixed CIN '" + kCin + "'");
    r.liaise.ok("sam", "room glossary add mixed 'core group' 'the family and the workers'");
    r.liaise.ok("sam", "room audience mixed --public on");
    const auto [status, why] = r.liaise("sam", "send --accept-new-readers mixed '" + kDraft + "'");
    CHECK(status == 1);
    CHECK_THAT(why, Catch::Contains("CIN (social-care)"));
    CHECK_THAT(why, Catch::Contains("core group (social-care)"));
    CHECK_THAT(r.liaise.ok("tess", "room show mixed"),
               Catch::Contains("agreed ones too") && Catch::Contains("CIN \u2014 " + kCin));
}

TEST_CASE("only a chair who is a member changes a room's glossary, with a plain error",
          "[e2e][glossary]") {
    Room r;
    const auto [status, why] = r.liaise("tess", "room glossary add mixed PEP 'the school plan'");
    CHECK(status == 1);
    CHECK_THAT(why, Catch::Contains("forbidden"));
    // A chair outside the room is answered as if it did not exist; bad terms name the field.
    r.liaise.ok("ann", "room create other --member tess");
    CHECK_THAT(r.liaise("sam", "room glossary add other PEP 'the plan'").second,
               Catch::Contains("no room named 'other'"));
    CHECK_THAT(r.liaise("sam", "room glossary add mixed '(PEP)' 'the plan'").second,
               Catch::Contains("term: a term cannot hold brackets"));
    CHECK_THAT(r.liaise("sam", "room glossary add mixed PEP ''").second,
               Catch::Contains("meaning"));
    // Nothing refused was stored.
    const auto g = json::parse(r.liaise.ok("sam", "room glossary list mixed --json"));
    CHECK(g.at("version").as_int64() == 0);
    CHECK(g.at("terms").as_array().empty());
}

TEST_CASE("the audit log and the room's history record each change", "[e2e][glossary]") {
    Room r;
    r.liaise.ok("sam", "room glossary add mixed CIN '" + kCin + "'");
    r.liaise.ok("sam", "room glossary remove mixed CIN");
    const auto audit = r.liaise.ok("ann", "admin audit --json");
    CHECK_THAT(audit, Catch::Contains("\"room_glossary_changed\""));
    CHECK_THAT(audit, Catch::Contains("\"removed\""));
    const auto history = r.liaise.ok("tess", "read mixed");
    CHECK_THAT(history, Catch::Contains("agreed the term CIN for this room: " + kCin));
    CHECK_THAT(history, Catch::Contains("withdrew the agreed term CIN from this room"));
}

TEST_CASE("a newcomer sees the glossary and meets each agreed term explained once",
          "[e2e][glossary]") {
    Room r;
    r.liaise.ok("sam", "room glossary add mixed CIN '" + kCin + "'");
    r.liaise.ok("sam", "send --accept-new-readers mixed 'The CIN plan is on the shared drive.'");
    r.liaise.ok("sam", "send --accept-new-readers mixed 'The CIN review is on Friday.'");
    r.liaise.ok("ann", "room add mixed pat");
    // A police officer joins: `room show` lists the agreed terms.
    const auto shown = r.liaise.ok("pat", "room show mixed");
    CHECK_THAT(shown, Catch::Contains("Terms agreed in this room (version 1)"));
    CHECK_THAT(shown, Catch::Contains("CIN \u2014 " + kCin + " (agreed by sam)"));
    // Messages sent after pat joined: the first CIN is explained in the room's words, once, and
    // never by the dictionaries' note.
    r.liaise.ok("sam", "send --accept-new-readers mixed 'Pat, the CIN plan needs your view.'");
    r.liaise.ok("sam", "send --accept-new-readers mixed 'The CIN plan meets at 10.'");
    const auto messages = r.read("pat");
    REQUIRE(messages.size() == 2);
    const auto& first = messages[0];
    REQUIRE(first.at("room_terms").as_array().size() == 1);
    CHECK(first.at("room_terms").as_array()[0].at("term").as_string() == "CIN");
    CHECK(first.at("room_terms").as_array()[0].at("meaning").as_string() == kCin);
    CHECK(first.at("explanations").as_array().empty());
    CHECK(messages[1].at("room_terms").as_array().empty());
    CHECK(messages[1].at("explanations").as_array().empty());
    const auto text = r.liaise.ok("pat", "read mixed");
    CHECK_THAT(text, Catch::Contains("room's term: CIN \u2014 " + kCin));
}
