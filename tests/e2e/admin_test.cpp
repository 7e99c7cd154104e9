// Administration end to end: agencies and accounts, dictionaries with versions, questions about
// terms, noisy entries and the audit log, each through the real server and client.
#include <SQLiteCpp/SQLiteCpp.h>

#include <map>

#include "liaise/protocol/messages.hpp"
#include "server_fixture.hpp"

namespace liaise::test {
namespace {

namespace json = boost::json;

constexpr const char* kCare = "Northshire Children's Services";  // social-care, from init
constexpr const char* kHealth = "Northshire Health";

/// ann (admin), ben (social-care member) and cara (health chair), all online.
struct Agencies {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool agencies = add_agency();
    Person ben{server, "ben", code_for(*ann, "ben", kCare)};
    Person cara{server, "cara", code_for(*ann, "cara", kHealth, "chair")};

    bool add_agency() {
        ok(*ann, "agency_add", {{"name", kHealth}, {"discipline", "health"}});
        return true;
    }
    std::int64_t dictionary_version() { return ok(*ann, "dict_versions").at("version").as_int64(); }
    std::size_t audit_records() { return ok(*ann, "audit").at("records").as_array().size(); }
};

/// The next event of `type` within `timeout`; other events are skipped.
std::optional<json::object> wait_event(
    Person& p, std::string_view type, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        auto e = p->next_event(std::chrono::milliseconds(100));
        if (!e)
            return std::nullopt;
        if (e.value() && e.value()->at("type").as_string() == type)
            return *e.value();
    }
    return std::nullopt;
}

std::string tsv_of(Person& admin, const std::string& discipline) {
    return std::string(
        ok(*admin, "dict_export", {{"discipline", discipline}}).at("tsv").as_string());
}

bool flags(Person& p, std::string_view text, const std::string& discipline) {
    auto engine = p->engine();
    REQUIRE(engine.ok());
    const auto result = engine.value()->check(text, jargon::Audience::of({discipline}));
    return !result.findings.empty();
}

const char* kHeader = "term\tvariants\talternatives\texplanation\tkind\toptions\n";

}  // namespace

TEST_CASE("only admins may administer: every admin request, tried as a member and as a chair",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.ben, "ask", {{"term", "genogram"}});
    // Valid fields for every admin request, so that only the role can be what refuses it.
    const std::map<std::string, json::object> fields = {
        {"agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}}},
        {"agency_list", {}},
        {"enrol_code", {{"user", "zed"}, {"agency", kCare}, {"role", "admin"}}},
        {"agency_rename", {{"name", kCare}, {"new_name", "Renamed"}}},
        {"account_list", {}},
        {"account_role", {{"user", "ben"}, {"role", "admin"}}},
        {"account_suspend", {{"user", "ann"}}},
        {"account_reinstate", {{"user", "ann"}}},
        {"device_replace", {{"user", "ann"}}},
        {"account_email", {{"user", "ann"}, {"email", "ann@example.org"}}},
        {"dict_add",
         {{"discipline", "social-care"},
          {"term", "strengths huddle"},
          {"alternatives", {"short team talk"}},
          {"explanation", "A short meeting."}}},
        {"dict_edit", {{"discipline", "social-care"}, {"term", "genogram"}, {"explanation", "x"}}},
        {"dict_remove", {{"discipline", "social-care"}, {"term", "genogram"}}},
        {"dict_discipline_add", {{"discipline", "youth-work"}}},
        {"dict_discipline_remove", {{"discipline", "housing-benefits"}}},
        {"dict_import", {{"discipline", "social-care"}, {"tsv", kHeader}}},
        {"dict_export", {{"discipline", "social-care"}}},
        {"dict_versions", {}},
        {"dict_revert", {{"version", 1}}},
        {"dict_noisy", {}},
        {"question_list", {}},
        {"question_answer", {{"question", 1}, {"reply", "It is a family tree."}}},
        {"question_dismiss", {{"question", 1}}},
        {"audit", {}},
        {"retention_show", {}},
        {"retention_set", {{"agency", kCare}, {"record", "chat"}, {"days", 1}, {"reason", "x"}}},
        {"retention_sweep", {}},
        {"hold_place", {{"room", "any"}, {"reason", "an inquiry"}}},
        {"hold_lift", {{"room", "any"}, {"reason", "the inquiry ended"}}},
        {"hold_targets", {}},
        {"governance_grant", {{"user", "ben"}, {"grant", true}, {"reason", "IG officer"}}},
        {"governance_list", {}},
        {"digest_run", {}},
    };
    const auto version = t.dictionary_version();
    const auto records = t.audit_records();
    const auto before = tsv_of(t.ann, "social-care");
    int admin_requests = 0;
    for (const auto& spec : protocol::request_specs()) {
        if (spec.access != protocol::Access::admin)
            continue;
        ++admin_requests;
        const std::string type(spec.type);
        INFO(type);
        if (type == "agency_list")
            continue;  // any account may list agencies
        REQUIRE(fields.contains(type));
        CHECK(error_code(*t.ben, type, fields.at(type)) == "forbidden");
        CHECK(error_code(*t.cara, type, fields.at(type)) == "forbidden");
    }
    CHECK(admin_requests == static_cast<int>(fields.size()) - 1);
    // Nothing was changed by any refused request.
    CHECK(t.dictionary_version() == version);
    CHECK(t.audit_records() == records);
    CHECK(tsv_of(t.ann, "social-care") == before);
    CHECK(ok(*t.ann, "question_list").at("questions").as_array().size() == 1);
    const auto accounts = ok(*t.ann, "account_list").at("accounts").as_array();
    for (const auto& a : accounts) {
        CHECK_FALSE(a.at("suspended").as_bool());
        if (a.at("user").as_string() == "ben")
            CHECK(a.at("role").as_string() == "member");
    }
}

TEST_CASE("agencies are renamed and listed, accounts are listed", "[e2e][admin]") {
    Agencies t;
    const auto renamed =
        ok(*t.ann, "agency_rename", {{"name", kHealth}, {"new_name", "Northshire NHS Trust"}});
    CHECK(renamed.at("previous").as_string() == kHealth);
    CHECK(error_code(*t.ann, "agency_rename", {{"name", "Nowhere"}, {"new_name", "X"}}) ==
          "not_found");
    CHECK(error_code(*t.ann, "agency_rename",
                     {{"name", "Northshire NHS Trust"}, {"new_name", kCare}}) == "conflict");
    const auto agencies = ok(*t.ann, "agency_list").at("agencies").as_array();
    REQUIRE(agencies.size() == 2);
    CHECK(agencies[0].at("name").as_string() == kCare);
    CHECK(agencies[1].at("name").as_string() == "Northshire NHS Trust");
    // The account's agency follows the rename.
    CHECK(ok(*t.cara, "whoami").at("agency").as_string() == "Northshire NHS Trust");

    const auto all = ok(*t.ann, "account_list").at("accounts").as_array();
    REQUIRE(all.size() == 3);
    CHECK(all[0].at("user").as_string() == "ann");
    CHECK(all[2].at("role").as_string() == "chair");
    CHECK(all[2].at("devices").as_int64() == 1);
    const auto care = ok(*t.ann, "account_list", {{"agency", kCare}}).at("accounts").as_array();
    CHECK(care.size() == 2);
    CHECK(error_code(*t.ann, "account_list", {{"agency", "Nowhere"}}) == "not_found");
}

TEST_CASE("a suspended account is cut off mid-session, cannot log in, and can be reinstated",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.cara, "room_create", {{"room", "case-1"}, {"members", {"ben"}}});
    REQUIRE(t.ben->send("case-1", "Visit booked for Tuesday").ok());

    const auto r = ok(*t.ann, "account_suspend", {{"user", "ben"}, {"reason", "left the service"}});
    CHECK(r.at("changed").as_bool());
    CHECK(cut_off_within(t.ben, std::chrono::seconds(3)));
    CHECK_FALSE(t.ben->call("rooms").ok());
    auto again = client::Client::login(*t.ben.home, kPassphrase);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "suspended");
    // The account stays in the record, with its messages.
    const auto listed = ok(*t.ann, "account_list", {{"suspended", true}}).at("accounts").as_array();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].at("user").as_string() == "ben");
    const auto page = ok(*t.cara, "sync", {{"room", "case-1"}}).at("messages").as_array();
    CHECK(std::count_if(page.begin(), page.end(), [](const json::value& m) {
              return !m.as_object().contains("event");
          }) == 1);
    // And the room's members see, in its history, that ben was suspended and by whom.
    REQUIRE_FALSE(page.empty());
    CHECK(page.back().at("event").at("kind").as_string() == "account_suspended");
    CHECK(page.back().at("event").at("user").as_string() == "ben");
    CHECK(page.back().at("event").at("by").as_string() == "ann");

    // Admins cannot lock everyone out.
    CHECK(error_code(*t.ann, "account_suspend", {{"user", "ann"}}) == "conflict");
    CHECK(error_code(*t.ann, "account_role", {{"user", "ann"}, {"role", "member"}}) == "conflict");
    CHECK(error_code(*t.ann, "account_suspend", {{"user", "nobody"}}) == "not_found");

    CHECK(ok(*t.ann, "account_reinstate", {{"user", "ben"}}).at("changed").as_bool());
    t.ben.login();
    CHECK(ok(*t.ben, "whoami").at("user").as_string() == "ben");
}

TEST_CASE("a role change takes effect at once", "[e2e][admin]") {
    Agencies t;
    CHECK(error_code(*t.ben, "room_create", {{"room", "case-2"}}) == "forbidden");
    const auto r = ok(*t.ann, "account_role", {{"user", "ben"}, {"role", "chair"}});
    CHECK(r.at("previous").as_string() == "member");
    CHECK(error_code(*t.ann, "account_role", {{"user", "ben"}, {"role", "boss"}}) == "bad_request");
    // The session that logged in as a member ends; the next one is a chair's.
    CHECK(cut_off_within(t.ben, std::chrono::seconds(3)));
    t.ben.login();
    ok(*t.ben, "room_create", {{"room", "case-2"}});
}

TEST_CASE("a lost device is replaced: the old one stops working, contacts see a key change",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.cara, "room_create", {{"room", "case-3"}, {"members", {"ben"}}});
    REQUIRE(t.ben->send("case-3", "Hello from my old laptop").ok());
    REQUIRE(t.cara->read("case-3", 0).ok());  // cara pins ben's first device

    const auto code = ok(*t.ann, "device_replace", {{"user", "ben"}}).at("code").as_string();
    client::Home new_home(t.server.dir() / "home-ben-new");
    const auto enrolled = client::Client::enrol(new_home, t.server.url(), std::string(code),
                                                kPassphrase, "ben-new-laptop");
    INFO((enrolled ? "" : enrolled.error().message));
    REQUIRE(enrolled.ok());
    CHECK(enrolled.value().at("user").as_string() == "ben");

    // The old device was connected: it is cut off and cannot log in again.
    CHECK(cut_off_within(t.ben, std::chrono::seconds(3)));
    const auto old_login = client::Client::login(*t.ben.home, kPassphrase);
    REQUIRE_FALSE(old_login.ok());
    CHECK(old_login.error().code == "device_replaced");
    CHECK_THAT(old_login.error().message, Catch::Contains("this device was replaced"));
    // cara is told; she has not verified ben, so her next message goes to the new device
    // with a notice that ben has a new device.
    CHECK(wait_event(t.cara, "keys_changed").has_value());
    REQUIRE(t.cara->send("case-3", "Can you confirm?").ok());
    REQUIRE(t.cara->last_notices().size() == 1);
    CHECK_THAT(t.cara->last_notices()[0].message, Catch::Contains("ben has a new device"));
    auto ben = client::Client::login(new_home, kPassphrase);
    REQUIRE(ben.ok());
    // The new device was not a recipient of what came before it: it says so, and pins
    // nothing from it; it can send to the room without being asked about its own key.
    auto messages = ben.value()->read("case-3", 0);
    REQUIRE(messages.ok());
    std::erase_if(messages.value(),
                  [](const client::ReadMessage& m) { return m.event.has_value(); });
    REQUIRE(messages.value().size() == 2);
    CHECK_FALSE(messages.value()[0].text);
    CHECK(messages.value()[0].error.code == "not_a_recipient");
    CHECK(messages.value()[1].text == "Can you confirm?");
    REQUIRE(ben.value()->send("case-3", "Confirmed, from my new laptop").ok());
    // Trusting ben's new device kept the old one's pin: cara still reads what it sent.
    const auto seen_by_cara = t.cara->read("case-3", 0);
    REQUIRE(seen_by_cara.ok());
    // #1 the room's creation, #2 hello, #3 the replacement, #4 cara's question, #5 the answer.
    REQUIRE(seen_by_cara.value().size() == 5);
    INFO(seen_by_cara.value()[1].error.message);
    CHECK(seen_by_cara.value()[1].text == "Hello from my old laptop");
    CHECK(seen_by_cara.value()[4].text == "Confirmed, from my new laptop");
    // The replacement is in the room's history, naming the admin who issued the code.
    const auto& replaced = seen_by_cara.value()[2];
    REQUIRE(replaced.event);
    CHECK(replaced.event->at("kind").as_string() == "device_replaced");
    CHECK(replaced.event->at("user").as_string() == "ben");
    CHECK(replaced.event->at("issued_by").as_string() == "ann");
    CHECK(replaced.event->at("device").as_string() == enrolled.value().at("device").as_string());
    // And room_show says so of the device itself.
    const auto shown = ok(*t.cara, "room_show", {{"room", "case-3"}});
    for (const auto& m : shown.at("members").as_array()) {
        if (m.at("user").as_string() != "ben")
            continue;
        const auto& devices = m.at("devices").as_array();
        REQUIRE(devices.size() == 1);
        CHECK(devices[0].at("issued_by").as_string() == "ann");
        CHECK(devices[0].at("issued_at").as_int64() > 0);
        CHECK(devices[0].at("replaces").as_string() == replaced.event->at("replaces").as_string());
    }
    // The same code does not work twice.
    client::Home third(t.server.dir() / "home-ben-third");
    const auto reused =
        client::Client::enrol(third, t.server.url(), std::string(code), kPassphrase, "x");
    REQUIRE_FALSE(reused.ok());
    CHECK(reused.error().code == "code_used");
}

TEST_CASE("dictionary changes are versioned, reach connected clients and the server's checks",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.cara, "room_create", {{"room", "case-4"}, {"members", {"ben"}}});
    const std::string text = "We held a strengths huddle with the family.";
    CHECK_FALSE(flags(t.ben, text, "health"));
    const auto v1 = t.dictionary_version();

    const auto added =
        ok(*t.ann, "dict_add",
           {{"discipline", "social-care"},
            {"term", "strengths huddle"},
            {"alternatives", {"short meeting about what is going well"}},
            {"explanation", "A short team talk about what is working for a family."}});
    CHECK(added.at("version").as_int64() == v1 + 1);
    // ben's client hears of the new version, fetches it, and its checks use it.
    const auto event = wait_event(t.ben, "dictionaries");
    REQUIRE(event);
    CHECK(event->at("version").as_int64() == v1 + 1);
    REQUIRE(t.ben->dictionary_refresh().ok());
    CHECK(flags(t.ben, text, "health"));
    CHECK_FALSE(flags(t.ben, text, "social-care"));
    // The server's minutes check uses it at once.
    const auto meeting = ok(*t.cara, "meeting_create",
                            {{"room", "case-4"},
                             {"title", "Review"},
                             {"kind", "core-group"},
                             {"starts_at", "2026-11-20 10:00"},
                             {"place", "Clinic"}})
                             .at("meeting");
    ok(*t.cara, "meeting_agenda",
       {{"meeting", meeting}, {"title", "Progress"}, {"discussion", text}});
    bool found = false;
    const auto check = ok(*t.cara, "meeting_check", {{"meeting", meeting}});
    for (const auto& s : check.at("sections").as_array())
        for (const auto& f : s.at("findings").as_array())
            found = found || f.at("term").as_string() == "strengths huddle";
    CHECK(found);

    // Duplicates, unknown entries and bad entries are refused and change nothing.
    CHECK(error_code(*t.ann, "dict_add",
                     {{"discipline", "social-care"},
                      {"term", "Strengths Huddle"},
                      {"alternatives", {"x"}},
                      {"explanation", "y"}}) == "conflict");
    CHECK(error_code(*t.ann, "dict_add",
                     {{"discipline", "social-care"},
                      {"term", "care plan review"},
                      {"alternatives", {"care plan review meeting"}},
                      {"explanation", "y"}}) == "invalid_dictionary");
    CHECK(error_code(*t.ann, "dict_edit", {{"discipline", "social-care"}, {"term", "nope"}}) ==
          "not_found");
    CHECK(error_code(*t.ann, "dict_add",
                     {{"discipline", "no-such"},
                      {"term", "x"},
                      {"alternatives", {"y"}},
                      {"explanation", "z"}}) == "not_found");
    CHECK(t.dictionary_version() == v1 + 1);

    const auto edited = ok(*t.ann, "dict_edit",
                           {{"discipline", "social-care"},
                            {"term", "strengths huddle"},
                            {"alternatives", {"quick team talk"}}});
    CHECK(edited.at("version").as_int64() == v1 + 2);
    CHECK(tsv_of(t.ann, "social-care").find("strengths huddle\t\tquick team talk\tA short team") !=
          std::string::npos);
    ok(*t.ann, "dict_remove", {{"discipline", "social-care"}, {"term", "strengths huddle"}});
    CHECK(tsv_of(t.ann, "social-care").find("strengths huddle") == std::string::npos);

    // Versions record who, when and what; a revert is itself a new version.
    const auto versions = ok(*t.ann, "dict_versions").at("versions").as_array();
    REQUIRE(versions.size() == 4);
    CHECK(versions[0].at("by").as_string() == "ann");
    CHECK(versions[0].at("summary").as_string() == "removed 'strengths huddle' from social-care");
    CHECK(versions[2].at("summary").as_string() == "added 'strengths huddle' in social-care");
    CHECK(versions[3].at("by").as_string() == "operator");
    const auto reverted = ok(*t.ann, "dict_revert", {{"version", v1 + 2}});
    CHECK(reverted.at("version").as_int64() == v1 + 4);
    CHECK(tsv_of(t.ann, "social-care").find("quick team talk") != std::string::npos);
    CHECK(error_code(*t.ann, "dict_revert", {{"version", 999}}) == "not_found");

    // Disciplines: added empty, removed only when no agency has them, never `general`.
    ok(*t.ann, "dict_discipline_add", {{"discipline", "youth-work"}});
    ok(*t.ann, "agency_add", {{"name", "Northshire Youth Service"}, {"discipline", "youth-work"}});
    CHECK(error_code(*t.ann, "dict_discipline_remove", {{"discipline", "youth-work"}}) ==
          "conflict");
    CHECK(error_code(*t.ann, "dict_discipline_remove", {{"discipline", "general"}}) == "conflict");
    ok(*t.ann, "dict_discipline_remove", {{"discipline", "housing-benefits"}});
    CHECK(error_code(*t.ann, "dict_export", {{"discipline", "housing-benefits"}}) == "not_found");
}

TEST_CASE("a bad import changes nothing and reports each bad line, export and import round-trip",
          "[e2e][admin]") {
    Agencies t;
    const auto before = tsv_of(t.ann, "education");
    const auto version = t.dictionary_version();
    const std::string bad = std::string(kHeader) +
                            "SENCO\t\tspecial needs teacher\tThe teacher who leads on special "
                            "needs.\tacronym\t\n"
                            "EHCP\t\t\tmissing alternatives\tacronym\t\n"
                            "phonics\t\treading by sounds\tTeaching reading by sounds.\tterm\t\n"
                            "SATs\t\tnational tests\tTests.\tshape\t\n";
    const auto r = t.ann->call("dict_import", {{"discipline", "education"}, {"tsv", bad}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_dictionary");
    const auto& problems = t.ann->connection().last_error_body().at("problems").as_array();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].at("line").as_int64() == 3);
    CHECK(problems[1].at("line").as_int64() == 5);
    CHECK(t.dictionary_version() == version);
    CHECK(tsv_of(t.ann, "education") == before);

    // Export, then import what was exported: the same dictionary, so no new version.
    const auto same = ok(*t.ann, "dict_import", {{"discipline", "education"}, {"tsv", before}});
    CHECK_FALSE(same.at("changed").as_bool());
    CHECK(tsv_of(t.ann, "education") == before);
    // A changed line is one change.
    auto edited = before;
    const auto at = edited.find("\nSENCO\t");
    REQUIRE(at != std::string::npos);
    const auto end = edited.find('\n', at + 1);
    edited.replace(at + 1, end - at - 1,
                   "SENCO\tSENCo\tspecial needs lead teacher\tThe teacher in charge of support "
                   "for children with special needs.\tacronym\t");
    const auto changed = ok(*t.ann, "dict_import", {{"discipline", "education"}, {"tsv", edited}});
    CHECK(changed.at("changed").as_bool());
    CHECK(changed.at("summary").as_string() ==
          "imported education (0 added, 0 removed, 1 changed)");
    CHECK(tsv_of(t.ann, "education") == edited);

    // The command line: every bad line named, nonzero exit, nothing applied; export to a file.
    Cli cli{t.server};
    cli.enrol("ann2", code_for(*t.ann, "ann2", kCare, "admin"));
    std::ofstream(t.server.dir() / "bad.tsv") << bad;
    const auto [status, out] =
        cli("ann2", "admin dict import education '" + (t.server.dir() / "bad.tsv").string() + "'");
    CHECK(status == 1);
    CHECK(out.find("education:3:") != std::string::npos);
    CHECK(out.find("education:5:") != std::string::npos);
    // Two rows with the same fault: each is named.
    std::ofstream(t.server.dir() / "same.tsv") << std::string(kHeader)
                                               << "ZAP\t\tzap\t\tacronym\t\n"
                                                  "phonics\t\treading by sounds\tSounds.\tterm\t\n"
                                                  "ZOP\t\tzop\t\tacronym\t\n";
    const auto [same_status, same_out] =
        cli("ann2", "admin dict import education '" + (t.server.dir() / "same.tsv").string() + "'");
    CHECK(same_status == 1);
    CHECK(same_out.find("education:2: empty explanation") != std::string::npos);
    CHECK(same_out.find("education:4: empty explanation") != std::string::npos);
    // One bad entry: its problem said once, in the error line.
    const auto [bad_entry, why] =
        cli("ann2",
            "admin dict add education 'bad term' --alt 'a bad term' --explanation 'Something.'");
    CHECK(bad_entry == 1);
    CHECK_THAT(why, Catch::Contains("(invalid_dictionary)"));
    CHECK(why.find('\n') == why.size() - 1);  // one line
    const auto file = (t.server.dir() / "education.tsv").string();
    cli.ok("ann2", "admin dict export education '" + file + "'");
    CHECK(slurp(file) == edited);
    CHECK(cli.ok("ann2", "admin dict import education '" + file + "'").find("No change") !=
          std::string::npos);
}

TEST_CASE("questions about terms are answered, by reply or by a new entry, or dismissed",
          "[e2e][admin]") {
    Agencies t;
    const auto q1 = ok(*t.ben, "ask", {{"term", "PLO"}}).at("id").as_int64();
    const auto q2 = ok(*t.ben, "ask", {{"term", "teams huddle"}}).at("id").as_int64();
    const auto q3 = ok(*t.cara, "ask", {{"term", "wibble"}}).at("id").as_int64();
    const auto open = ok(*t.ann, "question_list").at("questions").as_array();
    REQUIRE(open.size() == 3);
    CHECK(open[0].at("asked_by").as_string() == "ben");

    ok(*t.ann, "question_answer",
       {{"question", q1}, {"reply", "Public Law Outline: the steps before care proceedings."}});
    auto told = wait_event(t.ben, "question");
    REQUIRE(told);
    CHECK(told->at("id").as_int64() == q1);
    CHECK(told->at("status").as_string() == "answered");

    const auto added =
        ok(*t.ann, "question_answer",
           {{"question", q2},
            {"discipline", "social-care"},
            {"alternatives", {"short team meeting"}},
            {"explanation", "A quick meeting of the people working with a family."}});
    CHECK(added.at("changed").as_bool());
    told = wait_event(t.ben, "question");
    REQUIRE(told);
    CHECK(told->at("reply").as_string().find("Added to the social-care dictionary") == 0);
    CHECK(tsv_of(t.ann, "social-care").find("teams huddle\t") != std::string::npos);

    ok(*t.ann, "question_dismiss", {{"question", q3}, {"reply", "Not a work term."}});
    CHECK(wait_event(t.cara, "question").has_value());

    CHECK(error_code(*t.ann, "question_answer", {{"question", q1}, {"reply", "again"}}) ==
          "wrong_status");
    CHECK(error_code(*t.ann, "question_answer", {{"question", 99}, {"reply", "x"}}) == "not_found");
    CHECK(error_code(*t.ann, "question_answer", {{"question", q3}}) == "bad_request");
    CHECK(ok(*t.ann, "question_list").at("questions").as_array().empty());
    CHECK(ok(*t.ann, "question_list", {{"status", "all"}}).at("questions").as_array().size() == 3);
    const auto mine = ok(*t.ben, "questions").at("questions").as_array();
    REQUIRE(mine.size() == 2);
    CHECK(mine[1].at("reply").as_string().find("Public Law Outline") == 0);
}

/// The server's noisy-entry rows, "discipline:term day fixed/sent_anyway", and how many rows
/// its two other feedback tables hold.
std::vector<std::string> feedback_rows(const Server& server) {
    SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db,
                        "SELECT discipline || ':' || term || ' ' || day || ' ' || fixed || '/' "
                        "|| sent_anyway FROM dictionary_feedback ORDER BY discipline, term, day");
    std::vector<std::string> out;
    while (q.executeStep())
        out.push_back(q.getColumn(0).getString());
    return out;
}

std::int64_t rows_in(const Server& server, const std::string& table) {
    SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

/// Today as the server's SQLite says it, UTC.
std::string server_today(const Server& server) {
    SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT date('now')").getString();
}

/// Moves a home's noisy-entry counts back to an earlier day, as if counted and last reported
/// before today: the next login reports them.
void back_date_feedback(const fs::path& home) {
    client::Home h(home);
    auto state = json::parse(*h.read_file("feedback.json")).as_object();
    state["counted"] = "2000-01-01";
    state["reported"] = "2000-01-01";
    REQUIRE(h.write_file("feedback.json", json::serialize(state)).ok());
}

json::object counts_of(const fs::path& home) {
    return json::parse(slurp(home / "feedback.json")).at("counts").as_object();
}

json::object report(std::initializer_list<std::pair<std::string, std::int64_t>> sent_anyway) {
    json::object counts;
    for (const auto& [entry, n] : sent_anyway)
        counts[entry] = {{"fixed", 0}, {"sent_anyway", n}};
    return {{"counts", counts}};
}

TEST_CASE("findings are counted on the device and reported a day later, by the day",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.cara, "room_create", {{"room", "case-5"}, {"members", {"ben"}}});
    Cli cli{t.server};
    cli.enrol("bea", code_for(*t.ann, "bea", kCare));
    ok(*t.cara, "room_add", {{"room", "case-5"}, {"user", "bea"}});
    const auto bea = t.server.dir() / "cli-bea";
    // Sent as written twice, fixed once: counted on bea's device, nothing told to the server.
    cli.ok("bea", "send --accept-new-readers case-5 --anyway The CIN plan is agreed.");
    CHECK(rows_in(t.server, "dictionary_feedback") == 0);
    cli.ok("bea", "send --accept-new-readers case-5 --anyway Next CIN review in May.");
    cli.ok("bea", "send --accept-new-readers case-5 --fix --yes The CIN plan is agreed.");
    const auto counted = counts_of(bea);
    CHECK(json::serialize(counted) == R"({"social-care:CIN":{"fixed":1,"sent_anyway":2}})");
    CHECK((fs::status(bea / "feedback.json").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    // Another command the same day logs in, and still sends nothing: counted today.
    cli.ok("bea", "rooms");
    CHECK(rows_in(t.server, "dictionary_feedback") == 0);
    CHECK(rows_in(t.server, "dictionary_feedback_reporters") == 0);
    CHECK(rows_in(t.server, "dictionary_feedback_days") == 0);

    // A day later, the first command that logs in reports the totals, stored by the day.
    back_date_feedback(bea);
    cli.ok("bea", "rooms");
    const auto today = server_today(t.server);
    CHECK(feedback_rows(t.server) == std::vector<std::string>{"social-care:CIN " + today + " 1/2"});
    CHECK(counts_of(bea).empty());
    CHECK(json::parse(slurp(bea / "feedback.json")).at("reported").as_string() == today);

    // A second report the same day is refused and stores nothing; the device keeps its counts.
    cli.ok("bea", "send --accept-new-readers case-5 --anyway The CIN plan is agreed.");
    back_date_feedback(bea);
    cli.ok("bea", "rooms");
    CHECK(feedback_rows(t.server) == std::vector<std::string>{"social-care:CIN " + today + " 1/2"});
    CHECK(json::serialize(counts_of(bea)) == R"({"social-care:CIN":{"fixed":0,"sent_anyway":1}})");
    CHECK(error_code(*t.ben, "dict_feedback", report({{"social-care:CIN", 1}})) == "");
    auto again = t.ben->call("dict_feedback", report({{"social-care:CIN", 1}}));
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "already_reported");
    CHECK(again.error().message == "this account has already reported today; try again tomorrow");
    CHECK(feedback_rows(t.server) == std::vector<std::string>{"social-care:CIN " + today + " 1/3"});

    // Only entries of the current dictionaries: the first unknown one is named, nothing is
    // stored, and the refusal does not use up the day.
    auto unknown = t.cara->call("dict_feedback",
                                report({{"social-care:CIN", 4}, {"social-care:no such term", 1}}));
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == "bad_request");
    CHECK(unknown.error().message ==
          "counts: 'social-care:no such term' is not an entry of the dictionaries");
    for (const auto& bad :
         {report({{"nocolon", 1}}), report({{"social-care:CIN", 1001}}),
          report({{"social-care:CIN", 0}}), json::object{{"counts", json::object{}}},
          json::object{{"counts", {{"social-care:CIN", {{"fixed", 1}, {"at", 5}}}}}},
          json::object{{"outcome", "fixed"}, {"entries", {"social-care:CIN"}}}}) {
        INFO(json::serialize(bad));
        CHECK(error_code(*t.cara, "dict_feedback", bad) == "bad_request");
    }
    CHECK(feedback_rows(t.server) == std::vector<std::string>{"social-care:CIN " + today + " 1/3"});
    CHECK(rows_in(t.server, "dictionary_feedback_reporters") == 2);  // bea, ben
    CHECK(error_code(*t.cara, "dict_feedback", report({{"social-care:CIN", 4}})) == "");
}

TEST_CASE("admin dict noisy shows an entry only once three accounts have reported it",
          "[e2e][admin]") {
    Agencies t;
    Cli cli{t.server};
    cli.enrol("ann3", code_for(*t.ann, "ann3", kCare, "admin"));
    ok(*t.ben, "dict_feedback", report({{"social-care:CIN", 5}, {"social-care:genogram", 1}}));
    ok(*t.cara, "dict_feedback",
       {{"counts", {{"social-care:CIN", {{"fixed", 1}, {"sent_anyway", 2}}}}}});
    // Two accounts: one of them could be read off the figures.
    CHECK(ok(*t.ann, "dict_noisy").at("entries").as_array().empty());
    CHECK(cli.ok("ann3", "admin dict noisy").find("CIN") == std::string::npos);
    // A third: shown, with everyone's counts; genogram (one account) still is not.
    ok(*t.ann, "dict_feedback", report({{"social-care:CIN", 1}}));
    const auto noisy = ok(*t.ann, "dict_noisy").at("entries").as_array();
    REQUIRE(noisy.size() == 1);
    CHECK(noisy[0].at("term").as_string() == "CIN");
    CHECK(noisy[0].at("sent_anyway").as_int64() == 8);
    CHECK(noisy[0].at("fixed").as_int64() == 1);
    const auto shown = cli.ok("ann3", "admin dict noisy");
    CHECK_THAT(shown, Catch::Contains("social-care:"));
    CHECK_THAT(shown, Catch::Contains("CIN  sent as written 8, fixed 1"));
    CHECK_THAT(shown, Catch::Contains("liaise admin dict known social-care 'CIN'"));
    CHECK_THAT(shown, !Catch::Contains("genogram"));
}

TEST_CASE("the audit log records administration and minutes, --verify finds an edited record",
          "[e2e][admin]") {
    Agencies t;
    ok(*t.cara, "room_create", {{"room", "case-6"}, {"members", {"ben"}}});
    ok(*t.cara, "room_remove", {{"room", "case-6"}, {"user", "ben"}});
    ok(*t.ann, "account_role", {{"user", "ben"}, {"role", "chair"}});
    ok(*t.ann, "account_suspend", {{"user", "cara"}});
    ok(*t.ann, "dict_add",
       {{"discipline", "general"},
        {"term", "synergy sprint"},
        {"alternatives", {"joint push"}},
        {"explanation", "A short burst of work done together."}});
    const auto records = ok(*t.ann, "audit").at("records").as_array();
    std::vector<std::string> kinds;
    for (const auto& r : records)
        kinds.emplace_back(r.at("kind").as_string());
    for (const auto* kind :
         {"enrolment_code_issued", "enrolled", "agency_added", "room_created",
          "room_member_removed", "role_changed", "account_suspended", "dictionary_changed"}) {
        INFO(kind);
        CHECK(std::find(kinds.begin(), kinds.end(), kind) != kinds.end());
    }
    CHECK(records[0].at("actor").as_string() == "operator");  // ann's code, issued by init
    CHECK(
        ok(*t.ann, "audit", {{"since", records.back().at("at")}}).at("records").as_array().size() >=
        1);

    auto verdict = ok(*t.ann, "audit", {{"verify", true}});
    CHECK(verdict.at("verified").as_bool());
    CHECK(verdict.at("records").as_int64() == static_cast<std::int64_t>(records.size()));
    Cli cli{t.server};
    cli.enrol("ann4", code_for(*t.ann, "ann4", kCare, "admin"));
    CHECK(cli.ok("ann4", "admin audit --verify").find("verifies") != std::string::npos);
    const auto log = cli.ok("ann4", "admin audit");
    CHECK(log.find("account suspended  user ") != std::string::npos);
    CHECK(log.find("account_suspended") == std::string::npos);  // the record's name, for people
    CHECK(log.find("{\"") == std::string::npos);                // no JSON
    CHECK(cli.ok("ann4", "admin audit --json").find("\"account_suspended\"") != std::string::npos);

    // The body is sealed: nothing readable in the database.
    std::string original_kind;
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement q(db, "SELECT body FROM audit WHERE kind = 'account_suspended'");
        REQUIRE(q.executeStep());
        const std::string body(static_cast<const char*>(q.getColumn(0).getBlob()),
                               q.getColumn(0).getBytes());
        CHECK(body.find("cara") == std::string::npos);
        original_kind = db.execAndGet("SELECT kind FROM audit WHERE seq = 4").getString();
        db.exec("UPDATE audit SET kind = 'room_created' WHERE seq = 4");
    }
    t.server.start();
    const auto [status, out] = cli("ann4", "admin audit --verify");
    CHECK(status == 1);
    CHECK(out.find("record 4 does not fit") != std::string::npos);

    // Cutting records off the end shows too.
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement restore(db, "UPDATE audit SET kind = ? WHERE seq = 4");
        restore.bind(1, original_kind);
        restore.exec();
        db.exec("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
    }
    t.server.start();
    t.ann.login();
    verdict = ok(*t.ann, "audit", {{"verify", true}});
    CHECK_FALSE(verdict.at("verified").as_bool());
    CHECK(verdict.at("reason").as_string().find("missing from the end") != std::string::npos);
}

}  // namespace liaise::test
