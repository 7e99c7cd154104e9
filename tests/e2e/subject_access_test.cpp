// End-to-end: subject access requests (PROTOCOL.md, "Subject access requests") against the real
// server: the information-governance permission, what a request finds for an account and for a
// parent's name (and what it must not), bad input, the audit record, and the bundle the real
// `liaise admin sar` writes.
#include <set>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

std::string s(const json::value& v, std::string_view key) {
    const auto* x = v.as_object().if_contains(key);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
}

/// Every page of a request's bundle joined: the first page's header with every page's items.
json::object bundle_of(client::Client& c, json::object fields) {
    json::object first;
    json::array items;
    std::int64_t pages = 1;
    for (std::int64_t page = 1; page <= pages; ++page) {
        fields["page"] = page;
        auto r = ok(c, "subject_access", fields);
        pages = r.at("pages").as_int64();
        auto& b = r.at("bundle").as_object();
        for (auto& i : b.at("items").as_array())
            items.push_back(i);
        if (page == 1)
            first = b;
    }
    first["items"] = std::move(items);
    return first;
}

/// The items of `source`, each as "section|text" for messages that show what was found.
std::vector<json::object> of(const json::object& bundle, std::string_view source) {
    std::vector<json::object> out;
    for (const auto& v : bundle.at("items").as_array())
        if (s(v, "source") == source)
            out.push_back(v.as_object());
    return out;
}

std::string error_message(client::Client& c, std::string_view type, json::object fields) {
    auto r = c.call(type, std::move(fields));
    return r ? std::string() : r.error().code + ": " + r.error().message;
}

}  // namespace

TEST_CASE("subject access: an IG officer finds what names an account or a parent, and only that",
          "[e2e][sar]") {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
    Person sam{server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair")};
    Person tess{server, "tess", code_for(*ann, "tess", "Riverside Primary")};
    Person una{server, "una", code_for(*ann, "una", "Northshire Children's Services")};
    ok(*sam, "room_create", {{"room", "case-7"}, {"members", {"tess"}}});
    ok(*sam, "room_create", {{"room", "case-9"}});
    REQUIRE(tess->send("case-7", "I will post the letter today").ok());

    // A core group in case-7: Kelly Smith (mother) attends and is named in the decision; tess
    // owns an action and Kelly another.
    const auto m7 = ok(*sam, "meeting_create",
                       {{"room", "case-7"},
                        {"title", "Core group for J"},
                        {"kind", "core-group"},
                        {"starts_at", "2026-11-20 10:00"},
                        {"place", "Riverside Primary"},
                        {"minute_taker", "tess"}})
                        .at("meeting")
                        .as_int64();
    ok(*tess, "meeting_attend",
       {{"meeting", m7}, {"user", "tess"}, {"role", "Class teacher"}, {"status", "present"}});
    ok(*tess, "meeting_attend",
       {{"meeting", m7},
        {"name", "Kelly Smith"},
        {"role", "Mother"},
        {"family", true},
        {"copy", true},
        {"status", "present"}});
    const auto item = ok(*tess, "meeting_agenda",
                         {{"meeting", m7},
                          {"title", "School attendance"},
                          {"discussion", "J was in school 9 days out of 10."}})
                          .at("item")
                          .at("id")
                          .as_int64();
    ok(*sam, "meeting_decision",
       {{"meeting", m7},
        {"agenda", item},
        {"decision", "KELLY SMITH agreed to walk J to school; the plan continues"},
        {"reasons", "Attendance is improving."}});
    ok(*tess, "action_add",
       {{"meeting", m7},
        {"what", "Send the attendance letter"},
        {"owner", "tess"},
        {"due", "2026-12-04"}});
    ok(*tess, "action_add",
       {{"meeting", m7},
        {"what", "Book a GP appointment for J"},
        {"owner_name", "Kelly Smith"},
        {"owner_agency", "Family"},
        {"due", "2026-12-01"}});
    // Another family in case-9: Jo Brown, and a Kelly Smithson who is not Kelly Smith.
    const auto m9 = ok(*sam, "meeting_create",
                       {{"room", "case-9"},
                        {"title", "Strategy for K"},
                        {"kind", "strategy"},
                        {"starts_at", "2026-11-21 14:30"},
                        {"place", "remote"}})
                        .at("meeting")
                        .as_int64();
    ok(*sam, "meeting_attend",
       {{"meeting", m9}, {"name", "Jo Brown"}, {"role", "Father"}, {"status", "present"}});
    const auto item9 = ok(*sam, "meeting_agenda",
                          {{"meeting", m9},
                           {"title", "Contact"},
                           {"discussion", "Kelly Smithson visits on Fridays"}})
                           .at("item")
                           .at("id")
                           .as_int64();
    ok(*sam, "meeting_decision",
       {{"meeting", m9}, {"agenda", item9}, {"decision", "Jo Brown to attend a parenting course"}});
    ok(*sam, "action_add",
       {{"meeting", m9},
        {"what", "Refer Jo Brown to the course"},
        {"owner", "sam"},
        {"due", "2026-12-10"}});

    const json::object for_kelly{{"name", "kelly  smith"}, {"reason", "SAR-2026-014"}};

    // whoami says who holds the permission (a client shows the entry only to them): nobody yet,
    // not even an admin.
    CHECK_FALSE(ok(*una, "whoami").at("governance").as_bool());
    CHECK_FALSE(ok(*ann, "whoami").at("governance").as_bool());

    // Without the permission: refused, for a member and for an admin alike; only admins give it.
    CHECK(error_code(*una, "subject_access", for_kelly) == "forbidden");
    CHECK(error_code(*ann, "subject_access", for_kelly) == "forbidden");
    CHECK(error_message(*una, "subject_access", for_kelly).find("information-governance") !=
          std::string::npos);
    CHECK(error_code(*tess, "governance_grant",
                     {{"user", "tess"}, {"grant", true}, {"reason", "I asked"}}) == "forbidden");
    CHECK(error_code(*ann, "governance_grant", {{"user", "una"}, {"grant", true}}) ==
          "bad_request");  // no reason
    const auto granted =
        ok(*ann, "governance_grant",
           {{"user", "una"}, {"grant", true}, {"reason", "IG officer, ticket 88"}});
    CHECK(granted.at("changed").as_bool());
    CHECK_FALSE(
        ok(*ann, "governance_grant", {{"user", "una"}, {"grant", true}, {"reason", "again"}})
            .at("changed")
            .as_bool());
    CHECK(ok(*una, "whoami").at("governance").as_bool());
    CHECK_FALSE(ok(*ann, "whoami").at("governance").as_bool());
    const auto officers = ok(*ann, "governance_list").at("officers").as_array();
    REQUIRE(officers.size() == 1);
    CHECK(s(officers[0], "user") == "una");
    CHECK(s(officers[0], "granted_by") == "ann");

    // Bad input, refused in plain words.
    const auto refused = [&](json::object f, std::string_view code, std::string_view words) {
        const auto msg = error_message(*una, "subject_access", std::move(f));
        INFO(msg);
        CHECK(msg.starts_with(std::string(code) + ":"));
        CHECK(msg.find(words) != std::string::npos);
    };
    refused({{"user", "nobody"}, {"reason", "SAR-1"}}, "not_found", "nobody");
    refused({{"name", ""}, {"reason", "SAR-1"}}, "bad_request", "name");
    refused({{"name", " - "}, {"reason", "SAR-1"}}, "bad_request", "letter or digit");
    refused({{"name", "Kelly Smith"}}, "bad_request", "reason");
    refused({{"name", "Kelly Smith"}, {"reason", "   "}}, "bad_request", "reason");
    refused({{"reason", "SAR-1"}}, "bad_request", "user name");
    refused({{"user", "tess"}, {"name", "Kelly Smith"}, {"reason", "SAR-1"}}, "bad_request",
            "not both");
    refused({{"name", "Kelly Smith"}, {"reason", "SAR-1"}, {"page", 5}}, "bad_request", "page");

    // The parent's name: her attendance, the decision naming her (in capitals), the action she
    // owns; nothing of case-9 (Jo Brown, Kelly Smithson) and not tess's own entries.
    const auto kelly = bundle_of(*una, for_kelly);
    CHECK(s(kelly.at("subject"), "name") == "kelly  smith");
    CHECK(s(kelly.at("notes"), "matching").find("whole word") != std::string::npos);
    CHECK(s(kelly.at("notes"), "messages").find("end-to-end encrypted") != std::string::npos);
    std::multiset<std::string> sections;
    for (const auto& i : of(kelly, "minutes")) {
        sections.insert(s(i, "section"));
        CHECK(i.at("meeting").as_int64() == m7);
        CHECK(s(i, "date") == "20 Nov 2026 10:00");
        CHECK(s(i, "room") == "case-7");
    }
    CHECK(sections == std::multiset<std::string>{"Attendance", "Decisions"});
    const auto kelly_actions = of(kelly, "action");
    REQUIRE(kelly_actions.size() == 1);
    CHECK(s(kelly_actions[0], "text").find("Book a GP appointment") != std::string::npos);
    const auto kelly_text = json::serialize(kelly.at("items"));  // the notes give examples
    CHECK(kelly_text.find("Jo Brown") == std::string::npos);
    CHECK(kelly_text.find("Smithson") == std::string::npos);
    CHECK(kelly_text.find("attendance letter") == std::string::npos);
    REQUIRE(kelly.at("rooms").as_array().size() == 1);
    CHECK(s(kelly.at("rooms").as_array()[0], "room") == "case-7");

    // The account: attendance, minute-taker, the action tess owns, her room with the message she
    // sent, audit records about her; nothing of Kelly's action or of case-9.
    const auto t = bundle_of(*una, {{"user", "tess"}, {"reason", "SAR-2026-015"}});
    std::set<std::string> tess_sections;
    for (const auto& i : of(t, "minutes")) {
        tess_sections.insert(s(i, "section"));
        CHECK(i.at("meeting").as_int64() == m7);
    }
    CHECK(tess_sections.contains("Attendance"));
    CHECK(tess_sections.contains("Minutes taken by"));
    const auto tess_actions = of(t, "action");
    REQUIRE(tess_actions.size() == 1);
    CHECK(s(tess_actions[0], "text").find("attendance letter") != std::string::npos);
    CHECK_FALSE(of(t, "audit").empty());
    const auto t_text = json::serialize(t.at("items"));
    CHECK(t_text.find("Jo Brown") == std::string::npos);
    CHECK(t_text.find("GP appointment") == std::string::npos);
    const auto& rooms = t.at("rooms").as_array();
    REQUIRE(rooms.size() == 1);
    CHECK(s(rooms[0], "room") == "case-7");
    CHECK(rooms[0].at("member").as_bool());
    CHECK(rooms[0].at("messages_sent").as_int64() == 1);

    // The requests are in the audit log, who, for whom and why, with none of what was found.
    const auto records = ok(*ann, "audit").at("records").as_array();
    std::vector<json::object> sars;
    for (const auto& r : records)
        if (s(r, "kind") == "subject_access")
            sars.push_back(r.as_object());
    REQUIRE(sars.size() == 2);
    CHECK(s(sars[0], "actor") == "una");
    CHECK(s(sars[0].at("details"), "for_name") == "kelly  smith");
    CHECK(s(sars[0].at("details"), "reason") == "SAR-2026-014");
    CHECK(s(sars[1].at("details"), "for_user") == "tess");
    for (const auto& r : sars) {
        std::set<std::string> keys;
        for (const auto& kv : r.at("details").as_object())
            keys.insert(std::string(kv.key()));
        CHECK(keys == std::set<std::string>{"reason", "items", "page",
                                            r == sars[0] ? "for_name" : "for_user"});
    }
    const auto log_text = json::serialize(records);
    CHECK(log_text.find("walk J to school") == std::string::npos);
    CHECK(log_text.find("governance_granted") != std::string::npos);

    // Withdrawn, the permission no longer lets una ask.
    ok(*ann, "governance_grant",
       {{"user", "una"}, {"grant", false}, {"reason", "left the IG team"}});
    CHECK(error_code(*una, "subject_access", for_kelly) == "forbidden");
    CHECK_FALSE(ok(*una, "whoami").at("governance").as_bool());
}

TEST_CASE("subject access: `liaise admin sar` writes the bundle as JSON, Markdown and HTML",
          "[e2e][sar][cli]") {
    Server server;
    Cli cli{server};
    cli.two_in_a_room();  // ann (admin) and bea in case-2041
    const auto created =
        json::parse(cli.ok("ann",
                           "meeting create case-2041 --title 'Core group for J' --kind core-group "
                           "--at '2026-11-20 10:00' --place 'Riverside Primary' --json"));
    const auto id = created.at("meeting").as_int64();
    cli.ok("ann", "meeting attend " + std::to_string(id) +
                      " --name 'Kelly Smith' --role Mother --family --status present");
    cli.ok("ann", "admin governance bea --grant --reason \"IG officer\"");
    const auto out = server.dir() / "sar";
    const auto said = cli.ok(
        "bea", "admin sar --name \"Kelly Smith\" --reason \"SAR-7\" --out '" + out.string() + "'");
    CHECK(said.find("Found 1 item(s)") != std::string::npos);
    const auto bundle = json::parse(slurp(out / "bundle.json")).as_object();
    CHECK(bundle.at("total_items").as_int64() == 1);
    CHECK(bundle.at("items").as_array().size() == 1);
    const auto md = slurp(out / "bundle.md");
    CHECK(md.find("# Subject access bundle") != std::string::npos);
    CHECK(md.find("Kelly Smith") != std::string::npos);
    CHECK(md.find("20 Nov 2026 10:00") != std::string::npos);
    const auto html = slurp(out / "bundle.html");
    CHECK(html.find("<!DOCTYPE html>") == 0);
    CHECK(html.find("Core group for J") != std::string::npos);
    // Personal data: the owner alone may read the files.
    CHECK((fs::status(out / "bundle.json").permissions() & fs::perms::group_read) ==
          fs::perms::none);
    // Without the permission, the command fails with the server's words.
    const auto [status, refused] = cli(
        "ann", "admin sar bea --reason \"SAR-8\" --out '" + (server.dir() / "sar2").string() + "'");
    CHECK(status == 1);
    CHECK(refused.find("information-governance") != std::string::npos);
}
