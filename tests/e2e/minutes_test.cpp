// End-to-end: meetings, minutes and actions against the real server, through the client
// library and the real `liaise` command.
#include <SQLiteCpp/SQLiteCpp.h>

#include <ctime>

#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// sam (a social-work chair) runs meetings in room case-7 with tess (a teacher, a member).
/// ann, the admin, is not in the room.
struct Meeting {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool agencies = add_agencies();
    Person sam{server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair")};
    Person tess{server, "tess", code_for(*ann, "tess", "Riverside Primary")};
    bool room = make_room();

    bool add_agencies() {
        ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
        return true;
    }
    bool make_room() {
        ok(*sam, "room_create", {{"room", "case-7"}, {"members", {"tess"}}});
        return true;
    }

    /// A draft chaired by sam with tess taking the minutes; returns its id.
    std::int64_t create(const std::string& title = "Core group for J") {
        const auto m = ok(*sam, "meeting_create",
                          {{"room", "case-7"},
                           {"title", title},
                           {"kind", "core-group"},
                           {"starts_at", "2026-11-20 10:00"},
                           {"place", "Riverside Primary"},
                           {"minute_taker", "tess"},
                           {"marking", "OFFICIAL-SENSITIVE"},
                           {"next_meeting", "2026-12-18"}});
        return m.at("meeting").as_int64();
    }
};

/// The next event of `type`, waiting up to `timeout`.
std::optional<json::object> wait_event(
    Person& p, std::string_view type,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        auto e = p->next_event(std::chrono::milliseconds(100));
        REQUIRE(e.ok());
        if (e.value() && e.value()->at("type").as_string() == type)
            return *e.value();
    }
    return std::nullopt;
}

std::string text(const json::value& v, std::string_view key) {
    return std::string(v.at(key).as_string());
}

}  // namespace

TEST_CASE("a whole meeting: record, check, circulate, approve and export", "[e2e][minutes]") {
    Meeting t;
    const auto id = t.create();
    const auto m = [id](json::object f) {
        f["meeting"] = id;
        return f;
    };
    // Attendance: accounts, a parent without one, a visiting professional who sent apologies.
    ok(*t.tess, "meeting_attend",
       m({{"user", "sam"}, {"role", "Social worker"}, {"status", "present"}}));
    ok(*t.tess, "meeting_attend",
       m({{"user", "tess"}, {"role", "Class teacher"}, {"status", "present"}}));
    const auto parent = ok(*t.tess, "meeting_attend",
                           m({{"name", "Kelly Smith"},
                              {"role", "Mother"},
                              {"family", true},
                              {"copy", true},
                              {"status", "present"}}));
    CHECK(parent.at("entry").at("family").as_bool());
    ok(*t.tess, "meeting_attend",
       m({{"name", "Dr Rao"},
          {"agency", "Northshire GP Practice"},
          {"role", "GP"},
          {"discipline", "health"},
          {"status", "apologies"}}));
    const auto item =
        ok(*t.tess, "meeting_agenda",
           m({{"title", "School attendance"},
              {"discussion",
               "J was in school 9 days out of 10.\nKelly said mornings are easier now."}}));
    const auto agenda_id = item.at("item").at("id").as_int64();
    ok(*t.sam, "meeting_decision",
       m({{"agenda", agenda_id},
          {"decision", "Mum & dad <agree> to keep the CIN plan"},
          {"reasons", "Attendance is improving."},
          {"dissent", "Kelly felt the plan asks too much of her."}}));
    const auto action = ok(*t.tess, "action_add",
                           m({{"what", "Send Kelly the attendance letter"},
                              {"outcome", "J attends school every day"},
                              {"owner", "tess"},
                              {"due", "2026-12-04"},
                              {"review", "2026-12-18"}}));
    CHECK(action.at("owner").at("user").as_string() == "tess");
    const auto assigned = wait_event(t.tess, "action_assigned");
    REQUIRE(assigned);
    CHECK(assigned->at("id") == action.at("id"));
    ok(*t.tess, "action_add",
       m({{"what", "Book a GP appointment for J"},
          {"owner_name", "Kelly Smith"},
          {"owner_agency", "Family"},
          {"due", "2026-12-01"}}));

    // The check: a parent attended, so every term counts.
    const auto check = ok(*t.sam, "meeting_check", m({}));
    CHECK(check.at("audience").as_string() == "public");
    CHECK(check.at("findings").as_int64() >= 1);
    bool flagged_cin = false;
    for (const auto& s : check.at("sections").as_array())
        for (const auto& f : s.at("findings").as_array())
            flagged_cin = flagged_cin || (f.at("term").as_string() == "CIN" &&
                                          s.at("section").as_string() == "decision");
    CHECK(flagged_cin);

    // Circulating needs the chair's acknowledgement of the findings.
    CHECK(error_code(*t.tess, "meeting_circulate",
                     signed_by(*t.tess, "meeting_circulate", m({}))) == "findings_unacknowledged");
    CHECK(error_code(*t.tess, "meeting_circulate",
                     signed_by(*t.tess, "meeting_circulate", m({{"acknowledge", true}}))) ==
          "findings_unacknowledged");
    const auto circulated = ok(*t.sam, "meeting_circulate",
                               signed_by(*t.sam, "meeting_circulate", m({{"acknowledge", true}})));
    CHECK(circulated.at("version").as_int64() == 1);
    std::vector<std::string> recipients;
    for (const auto& d : circulated.at("distribution").as_array())
        recipients.push_back(text(d, "name"));
    CHECK(recipients == std::vector<std::string>{"sam", "tess", "Kelly Smith"});
    CHECK(wait_event(t.tess, "minutes_circulated"));

    // Circulated minutes are fixed.
    CHECK(error_code(*t.tess, "meeting_agenda", m({{"title", "Late addition"}})) ==
          "minutes_locked");
    CHECK(error_code(*t.tess, "meeting_approve",
                     signed_by(*t.tess, "meeting_approve", m({{"acknowledge", true}}))) ==
          "forbidden");
    CHECK(error_code(*t.sam, "meeting_approve", signed_by(*t.sam, "meeting_approve", m({}))) ==
          "findings_unacknowledged");
    const auto approved = ok(*t.sam, "meeting_approve",
                             signed_by(*t.sam, "meeting_approve", m({{"acknowledge", true}})));
    CHECK(approved.at("approved_by").at("user").as_string() == "sam");
    CHECK(error_code(*t.sam, "meeting_approve",
                     signed_by(*t.sam, "meeting_approve", m({{"acknowledge", true}}))) ==
          "wrong_status");

    // Tess opens it; the distribution list records when.
    ok(*t.tess, "meeting_show", m({{"version", 1}}));
    ok(*t.tess, "actions", {});  // any later request: the receipt is written in order
    ok(*t.tess, "action_update", {{"action", action.at("id")}, {"status", "in_progress"}});
    const auto shown = ok(*t.sam, "meeting_show", m({}));
    CHECK(shown.at("status").as_string() == "approved");
    for (const auto& d : shown.at("distribution").as_array()) {
        if (d.at("name").as_string() == "tess")
            CHECK(d.at("received_at").is_int64());
        if (d.at("name").as_string() == "Kelly Smith")
            CHECK(d.at("received_at").is_null());
    }

    for (const std::string format : {"markdown", "html"}) {
        const auto exported = ok(*t.sam, "meeting_export", m({{"format", format}}));
        const auto doc = text(exported, "content");
        INFO(doc);
        CHECK(exported.at("status").as_string() == "approved");
        const auto first = doc.find("OFFICIAL-SENSITIVE");
        const auto last = doc.rfind("OFFICIAL-SENSITIVE");
        REQUIRE(first != std::string::npos);
        CHECK(first < 200);
        CHECK(last > doc.size() - 80);
        const auto body = doc.find("<body>");
        if (body != std::string::npos)  // and at the top of the printed page
            CHECK(doc.find("OFFICIAL-SENSITIVE", body) < body + 60);
        for (const auto* needle :
             {"Core group for J", "Version 1, approved by", "Attendance", "Kelly Smith (family)",
              "Dr Rao", "Apologies sent", "School attendance", "9 days out of 10", "Decisions",
              "Attendance is improving.", "Kelly felt the plan asks too much of her.", "Actions",
              "Send Kelly the attendance letter", "J attends school every day", "2026-12-04",
              "2026-12-18", "Book a GP appointment for J", "Distribution"})
            CHECK_THAT(doc, Catch::Contains(needle));
        CHECK(doc.find("carried forward") == std::string::npos);  // none were
        if (format == "html") {
            CHECK_THAT(doc, Catch::StartsWith("<!DOCTYPE html>"));
            CHECK_THAT(doc, Catch::Contains("<style>"));
            CHECK_THAT(doc, Catch::Contains("Mum &amp; dad &lt;agree&gt;"));
            CHECK(doc.find("<agree>") == std::string::npos);
            CHECK(doc.find("<link") == std::string::npos);  // self-contained
        } else {
            CHECK_THAT(doc, Catch::Contains("Mum & dad \\<agree\\>"));
            CHECK_THAT(doc, Catch::Contains("| Name | Agency | Role | Attendance |"));
        }
    }
}

TEST_CASE("the room's members hear that minutes changed with no text, and nobody else does",
          "[e2e][minutes][live]") {
    Meeting t;
    // uma chairs her own room in another agency; ann, the admin, is in neither room.
    Person uma{t.server, "uma", code_for(*t.ann, "uma", "Riverside Primary", "chair")};
    ok(*uma, "room_create", {{"room", "case-8"}, {"members", json::array{}}});
    const auto id = t.create();
    CHECK(wait_event(t.tess, "minutes_changed"));  // started: heard by the room
    while (wait_event(t.sam, "minutes_changed", std::chrono::milliseconds(300))) {
    }
    const auto secret = std::string("Dad's new partner has a conviction");
    ok(*t.tess, "meeting_agenda", {{"meeting", id}, {"title", "Home"}, {"discussion", secret}});
    const auto heard = wait_event(t.sam, "minutes_changed");
    REQUIRE(heard);
    CHECK(heard->at("meeting").as_int64() == id);
    CHECK(text(*heard, "room") == "case-7");
    CHECK(text(*heard, "by") == "tess");
    CHECK(json::serialize(*heard).find("conviction") == std::string::npos);
    CHECK(json::serialize(*heard).find("Home") == std::string::npos);
    CHECK_FALSE(wait_event(t.ann, "minutes_changed", std::chrono::milliseconds(500)));
    CHECK_FALSE(wait_event(uma, "minutes_changed", std::chrono::milliseconds(100)));

    // tess leaves the room: sam's next change reaches sam's own other pages, not her.
    ok(*t.sam, "meeting_update", {{"meeting", id}, {"minute_taker", "sam"}});
    ok(*t.sam, "room_remove", {{"room", "case-7"}, {"user", "tess"}});
    while (wait_event(t.tess, "minutes_changed", std::chrono::milliseconds(300))) {
    }
    while (wait_event(t.sam, "minutes_changed", std::chrono::milliseconds(300))) {
    }
    ok(*t.sam, "meeting_section", {{"meeting", id}, {"section", "purpose"}, {"text", secret}});
    CHECK(wait_event(t.sam, "minutes_changed"));  // the change is announced, to the room
    CHECK_FALSE(wait_event(t.tess, "minutes_changed", std::chrono::milliseconds(300)));
    CHECK_FALSE(wait_event(t.ann, "minutes_changed", std::chrono::milliseconds(100)));
    CHECK_FALSE(wait_event(uma, "minutes_changed", std::chrono::milliseconds(100)));
}

TEST_CASE("only the chair and minute-taker edit, only room members read, bad input is refused",
          "[e2e][minutes]") {
    Meeting t;
    // sam chairs and takes the minutes; tess is a member of the room, ann is not.
    const auto id = ok(*t.sam, "meeting_create",
                       {{"room", "case-7"},
                        {"title", "Strategy"},
                        {"kind", "strategy"},
                        {"starts_at", "2026-11-20 10:00"},
                        {"place", "remote"}})
                        .at("meeting")
                        .as_int64();
    CHECK(error_code(*t.tess, "meeting_agenda", {{"meeting", id}, {"title", "x"}}) == "forbidden");
    CHECK(error_code(*t.tess, "meeting_attend",
                     {{"meeting", id}, {"user", "tess"}, {"status", "present"}}) == "forbidden");
    CHECK(error_code(*t.tess, "meeting_update", {{"meeting", id}, {"title", "x"}}) == "forbidden");
    CHECK(error_code(*t.tess, "action_add",
                     {{"meeting", id}, {"what", "x"}, {"owner", "tess"}, {"due", "2026-12-01"}}) ==
          "forbidden");
    CHECK(error_code(*t.tess, "meeting_circulate",
                     signed_by(*t.tess, "meeting_circulate", {{"meeting", id}})) == "forbidden");
    CHECK(error_code(*t.tess, "meeting_remove",
                     {{"meeting", id}, {"section", "agenda"}, {"item", 1}}) == "forbidden");
    ok(*t.tess, "meeting_show", {{"meeting", id}});  // members may read
    CHECK(ok(*t.tess, "meetings", {{"room", "case-7"}}).at("meetings").as_array().size() == 1);
    // A minute-taker may not hand over the chair.
    ok(*t.sam, "meeting_update", {{"meeting", id}, {"minute_taker", "tess"}});
    ok(*t.tess, "meeting_agenda", {{"meeting", id}, {"title", "Now she may"}});
    CHECK(error_code(*t.tess, "meeting_update", {{"meeting", id}, {"chair", "tess"}}) ==
          "forbidden");
    CHECK(error_code(*t.sam, "meeting_update", {{"meeting", id}}) == "bad_request");  // nothing
    // ann (an admin, but not in the room) can neither read, list, check nor export: to her the
    // meeting and the room are as missing as ones that do not exist.
    CHECK(error_code(*t.ann, "meeting_show", {{"meeting", id}}) == "not_found");
    CHECK(error_code(*t.ann, "meeting_check", {{"meeting", id}}) == "not_found");
    CHECK(error_code(*t.ann, "meeting_export", {{"meeting", id}, {"format", "html"}}) ==
          "not_found");
    CHECK(error_code(*t.ann, "meetings", {{"room", "case-7"}}) == "not_found");
    CHECK(error_code(*t.ann, "actions", {{"room", "case-7"}}) == "not_found");
    CHECK(ok(*t.ann, "actions").at("actions").as_array().empty());
    const json::object base{{"room", "case-7"},
                            {"title", "x"},
                            {"kind", "core-group"},
                            {"starts_at", "2026-11-20 10:00"},
                            {"place", "remote"}};
    CHECK(error_code(*t.ann, "meeting_create", base) == "not_found");
    CHECK(error_code(*t.tess, "meeting_create", base) == "forbidden");  // members may not start one
    CHECK(error_code(*t.sam, "meeting_show", {{"meeting", 999}}) == "not_found");

    const auto refuse = [&](Person& p, std::string_view type, json::object f,
                            std::string_view starts) {
        auto r = p->call(type, std::move(f));
        INFO(type << " " << (r ? "ok" : r.error().message));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bad_request");
        CHECK_THAT(r.error().message, Catch::StartsWith(std::string(starts)));
    };
    auto with = [&](json::object f, std::string_view k, json::value v) {
        f[k] = v;
        return f;
    };
    refuse(t.sam, "meeting_create", with(base, "kind", "coffee"), "kind:");
    refuse(t.sam, "meeting_create", with(base, "starts_at", "2026-02-30 10:00"), "starts_at:");
    refuse(t.sam, "meeting_create", with(base, "starts_at", "tomorrow"), "starts_at:");
    refuse(t.sam, "meeting_create", with(base, "marking", "SECRET"), "marking:");
    refuse(t.sam, "meeting_create", with(base, "minute_taker", "ann"), "minute_taker:");
    refuse(t.sam, "meeting_create", with(base, "surprise", 1), "surprise:");
    refuse(t.sam, "meeting_create", with(base, "title", json::string(201, 'x')), "title:");
    refuse(t.sam, "meeting_create", with(base, "place", "a\nb"), "place:");
    refuse(t.sam, "meeting_attend", {{"meeting", id}, {"status", "present"}}, "user:");
    refuse(t.sam, "meeting_attend",
           {{"meeting", id}, {"user", "tess"}, {"name", "T"}, {"status", "present"}}, "user:");
    refuse(t.sam, "meeting_attend", {{"meeting", id}, {"name", "T"}, {"status", "late"}},
           "status:");
    refuse(t.sam, "meeting_attend",
           {{"meeting", id}, {"name", "T"}, {"discipline", "astrology"}, {"status", "present"}},
           "discipline:");
    refuse(t.sam, "meeting_agenda", {{"meeting", 0}, {"title", "x"}}, "meeting:");
    refuse(t.sam, "meeting_decision", {{"meeting", id}, {"decision", "x"}, {"agenda", 99}},
           "agenda:");
    refuse(t.sam, "meeting_remove", {{"meeting", id}, {"section", "title"}, {"item", 1}},
           "section:");
    refuse(t.sam, "meeting_export", {{"meeting", id}, {"format", "pdf"}}, "format:");
    refuse(t.sam, "action_add", {{"meeting", id}, {"what", "x"}, {"due", "2026-12-01"}}, "owner:");
    refuse(t.sam, "action_add",
           {{"meeting", id}, {"what", "x"}, {"owner", "sam"}, {"due", "12/01/2026"}}, "due:");
    refuse(t.sam, "action_add",
           {{"meeting", id}, {"what", "x"}, {"owner", "ann"}, {"due", "2026-12-01"}}, "owner:");
    refuse(t.sam, "action_update", {{"action", 1}}, "action:");
    refuse(t.sam, "action_update", {{"action", 1}, {"status", "finished"}}, "status:");
    CHECK(error_code(*t.sam, "meeting_remove",
                     {{"meeting", id}, {"section", "agenda"}, {"item", 42}}) == "not_found");
    CHECK(error_code(*t.sam, "action_update", {{"action", 42}, {"status", "done"}}) == "not_found");
    CHECK(error_code(*t.sam, "meeting_approve",
                     signed_by(*t.sam, "meeting_approve", {{"meeting", id}})) == "wrong_status");
    CHECK(error_code(*t.sam, "meeting_correct", {{"meeting", id}, {"reason", "x"}}) ==
          "wrong_status");
    // Multi-line text is allowed where minutes need it.
    ok(*t.sam, "meeting_agenda",
       {{"meeting", id}, {"title", "x"}, {"discussion", "line 1\nline 2\ttab"}});
}

TEST_CASE("approved minutes are locked and a correction keeps both versions", "[e2e][minutes]") {
    Meeting t;
    const auto id = t.create("Review meeting");
    ok(*t.tess, "meeting_attend", {{"meeting", id}, {"user", "sam"}, {"status", "present"}});
    const auto item =
        ok(*t.tess, "meeting_agenda",
           {{"meeting", id}, {"title", "Housing"}, {"discussion", "The family moved on Monday."}});
    const auto item_id = item.at("item").at("id").as_int64();
    ok(*t.sam, "meeting_circulate", signed_by(*t.sam, "meeting_circulate", {{"meeting", id}}));
    ok(*t.sam, "meeting_approve", signed_by(*t.sam, "meeting_approve", {{"meeting", id}}));
    const auto edit =
        t.tess->call("meeting_agenda", {{"meeting", id},
                                        {"item", item_id},
                                        {"title", "Housing"},
                                        {"discussion", "The family moved on Tuesday."}});
    REQUIRE_FALSE(edit.ok());
    CHECK(edit.error().code == "minutes_locked");
    CHECK_THAT(edit.error().message, Catch::Contains("locked"));
    CHECK(error_code(*t.ann, "meeting_correct", {{"meeting", id}, {"reason", "x"}}) == "not_found");

    const auto corrected =
        ok(*t.sam, "meeting_correct",
           {{"meeting", id}, {"reason", "The move was on Tuesday, not Monday."}});
    CHECK(corrected.at("version").as_int64() == 2);
    CHECK(corrected.at("status").as_string() == "draft");
    ok(*t.tess, "meeting_agenda",
       {{"meeting", id},
        {"item", item_id},
        {"title", "Housing"},
        {"discussion", "The family moved on Tuesday."}});
    ok(*t.sam, "meeting_circulate", signed_by(*t.sam, "meeting_circulate", {{"meeting", id}}));
    ok(*t.sam, "meeting_approve", signed_by(*t.sam, "meeting_approve", {{"meeting", id}}));

    const auto v1 = ok(*t.tess, "meeting_show", {{"meeting", id}, {"version", 1}});
    const auto v2 = ok(*t.tess, "meeting_show", {{"meeting", id}, {"version", 2}});
    CHECK(v1.at("status").as_string() == "approved");
    CHECK(v1.at("agenda").at(0).at("discussion").as_string() == "The family moved on Monday.");
    CHECK_FALSE(v1.contains("correction"));
    CHECK(v2.at("status").as_string() == "approved");
    CHECK(v2.at("agenda").at(0).at("discussion").as_string() == "The family moved on Tuesday.");
    CHECK(v2.at("correction").at("reason").as_string() == "The move was on Tuesday, not Monday.");
    CHECK(v2.at("correction").at("of_version").as_int64() == 1);
    CHECK(v2.at("versions").as_array().size() == 2);
    CHECK(error_code(*t.tess, "meeting_show", {{"meeting", id}, {"version", 3}}) == "not_found");
    const auto old =
        ok(*t.sam, "meeting_export", {{"meeting", id}, {"format", "markdown"}, {"version", 1}});
    CHECK_THAT(std::string(old.at("content").as_string()), Catch::Contains("moved on Monday"));
    const auto now = ok(*t.sam, "meeting_export", {{"meeting", id}, {"format", "markdown"}});
    CHECK_THAT(std::string(now.at("content").as_string()),
               Catch::Contains("Correction of version 1"));
}

TEST_CASE("open actions carry forward, and owners hear of theirs at login and live",
          "[e2e][minutes]") {
    Meeting t;
    const auto first = t.create("First");
    const auto open = ok(*t.sam, "action_add",
                         {{"meeting", first},
                          {"what", "Visit the family"},
                          {"owner", "sam"},
                          {"due", "2026-12-01"}});
    const auto done = ok(*t.sam, "action_add",
                         {{"meeting", first},
                          {"what", "Phone the school"},
                          {"owner", "tess"},
                          {"due", "2026-12-01"}});
    const auto dropped = ok(*t.sam, "action_add",
                            {{"meeting", first},
                             {"what", "Write to the landlord"},
                             {"owner_name", "Kelly Smith"},
                             {"due", "2026-12-01"}});
    CHECK(error_code(*t.tess, "action_update", {{"action", done.at("id")}, {"status", "done"}}) ==
          "bad_request");
    ok(*t.tess, "action_update",
       {{"action", done.at("id")}, {"status", "done"}, {"evidence", "Called on 21 Nov."}});
    ok(*t.sam, "action_update",
       {{"action", dropped.at("id")}, {"status", "cancelled"}, {"evidence", "Not needed."}});
    ok(*t.sam, "action_update", {{"action", open.at("id")}, {"status", "in_progress"}});

    const auto second = ok(*t.sam, "meeting_create",
                           {{"room", "case-7"},
                            {"title", "Second"},
                            {"kind", "core-group"},
                            {"starts_at", "2026-12-18 10:00"},
                            {"place", "remote"}});
    const auto& carried = second.at("carried_forward").as_array();
    REQUIRE(carried.size() == 1);
    CHECK(carried[0].at("id") == open.at("id"));
    CHECK(carried[0].at("status").as_string() == "carried_forward");
    CHECK(second.at("actions").as_array().empty());
    for (const std::string format : {"markdown", "html"}) {
        const auto doc = text(
            ok(*t.sam, "meeting_export", {{"meeting", second.at("meeting")}, {"format", format}}),
            "content");
        INFO(doc);
        CHECK_THAT(doc, Catch::Contains("Actions carried forward for review"));
    }
    // Reviewed at the second meeting, it closes there; a third meeting does not see it again.
    const auto second_id = second.at("meeting").as_int64();
    CHECK(error_code(*t.sam, "meeting_remove",
                     {{"meeting", second_id}, {"section", "action"}, {"item", open.at("id")}}) ==
          "bad_request");
    ok(*t.sam, "action_update",
       {{"action", open.at("id")}, {"status", "done"}, {"evidence", "Visited 2 Dec."}});
    const auto third = ok(*t.sam, "meeting_create",
                          {{"room", "case-7"},
                           {"title", "Third"},
                           {"kind", "core-group"},
                           {"starts_at", "2027-01-15 10:00"},
                           {"place", "remote"}});
    CHECK(third.at("carried_forward").as_array().empty());
    const auto listed = ok(*t.tess, "actions", {{"room", "case-7"}});
    CHECK(listed.at("actions").as_array().size() == 3);

    // Reminders: at login, of what is overdue or due within two days; live, of new actions.
    {
        const auto id = t.create();
        const auto late = ok(*t.sam, "action_add",
                             {{"meeting", id},
                              {"what", "Overdue thing"},
                              {"owner", "tess"},
                              {"due", protocol::utc_date(-3)}});
        CHECK(late.at("overdue").as_bool());
        ok(*t.sam, "action_add",
           {{"meeting", id},
            {"what", "Due tomorrow"},
            {"owner", "tess"},
            {"due", protocol::utc_date(1)}});
        ok(*t.sam, "action_add",
           {{"meeting", id},
            {"what", "Due next month"},
            {"owner", "tess"},
            {"due", protocol::utc_date(30)}});
        ok(*t.sam, "action_add",
           {{"meeting", id},
            {"what", "Sam's own"},
            {"owner", "sam"},
            {"due", protocol::utc_date(30)}});
        CHECK(wait_event(t.tess, "action_assigned"));

        t.tess.login();
        const auto reminder = wait_event(t.tess, "action_reminder");
        REQUIRE(reminder);
        CHECK(reminder->at("overdue").as_int64() == 1);
        CHECK(reminder->at("due_soon").as_int64() == 1);
        const auto& listed = reminder->at("actions").as_array();
        REQUIRE(listed.size() == 2);
        CHECK(listed[0].at("what").as_string() == "Overdue thing");
        CHECK(listed[1].at("what").as_string() == "Due tomorrow");
        t.sam.login();  // sam has nothing due soon: no reminder
        CHECK_FALSE(wait_event(t.sam, "action_reminder", std::chrono::milliseconds(300)));

        const auto mine = ok(*t.tess, "actions", {{"mine", true}, {"overdue", true}});
        REQUIRE(mine.at("actions").as_array().size() == 1);
        CHECK(mine.at("actions").at(0).at("meeting_title").as_string() == "Core group for J");
        // Her three new ones and the one she closed before.
        CHECK(ok(*t.tess, "actions", {{"mine", true}}).at("actions").as_array().size() == 4);
    }
}

TEST_CASE("the database files never hold minutes text in plain", "[e2e][minutes]") {
    Meeting t;
    const std::vector<std::string> secrets = {"Ellie-Mae Thornbury",
                                              "Flat 3 Quernmoor Court",
                                              "disclosed a burn on her wrist",
                                              "the panel voted to escalate",
                                              "Grandad Vosper disagreed strongly",
                                              "Arrange a Quernhill respite visit",
                                              "so Ellie-Mae feels safe at home",
                                              "Respite booked for 12 Jan",
                                              "the minutes misspelt Thornbury"};
    const auto m = ok(*t.sam, "meeting_create",
                      {{"room", "case-7"},
                       {"title", "Strategy for " + secrets[0]},
                       {"kind", "strategy"},
                       {"starts_at", "2026-11-20 10:00"},
                       {"place", secrets[1]}});
    const auto id = m.at("meeting").as_int64();
    ok(*t.sam, "meeting_attend",
       {{"meeting", id},
        {"name", secrets[4]},
        {"role", "Grandfather"},
        {"family", true},
        {"status", "present"}});
    ok(*t.sam, "meeting_agenda",
       {{"meeting", id}, {"title", "Injury"}, {"discussion", "She " + secrets[2] + "."}});
    ok(*t.sam, "meeting_decision",
       {{"meeting", id}, {"decision", secrets[3]}, {"dissent", secrets[4]}});
    const auto a = ok(*t.sam, "action_add",
                      {{"meeting", id},
                       {"what", secrets[5]},
                       {"outcome", secrets[6]},
                       {"owner", "sam"},
                       {"due", "2026-12-01"}});
    ok(*t.sam, "action_update",
       {{"action", a.at("id")}, {"status", "done"}, {"evidence", secrets[7]}});
    ok(*t.sam, "meeting_circulate",
       signed_by(*t.sam, "meeting_circulate", {{"meeting", id}, {"acknowledge", true}}));
    ok(*t.sam, "meeting_approve",
       signed_by(*t.sam, "meeting_approve", {{"meeting", id}, {"acknowledge", true}}));
    ok(*t.sam, "meeting_correct", {{"meeting", id}, {"reason", secrets[8]}});
    const auto check_files = [&] {
        for (const auto& entry : fs::directory_iterator(t.server.data())) {
            const auto bytes = slurp(entry.path());
            for (const auto& s : secrets) {
                INFO(entry.path() << " contains " << s);
                CHECK(bytes.find(s) == std::string::npos);
            }
        }
    };
    REQUIRE(fs::exists(t.server.data() / "liaise.db-wal"));
    check_files();
    CHECK(t.server.log().find("Thornbury") == std::string::npos);
    REQUIRE(t.server.stop() == 0);
    check_files();
    // The metadata stays queryable.
    SQLite::Database db((t.server.data() / "liaise.db").string());
    CHECK(db.execAndGet("SELECT status FROM actions").getString() == "done");
    CHECK(db.execAndGet("SELECT version FROM meetings").getInt64() == 2);
}

TEST_CASE("the liaise command records a meeting from creation to approved export",
          "[e2e][minutes]") {
    Server server;
    Cli liaise{server};
    liaise.enrol("ann", server.admin_code());
    liaise.ok("ann", "admin agency add 'Riverside Primary' --discipline education");
    const auto code =
        liaise.ok("ann", "admin enrol tess --agency 'Riverside Primary' --role member --json");
    liaise.enrol("tess", std::string(json::parse(code).at("code").as_string()));
    liaise.ok("ann", "room create case-9 --member tess");
    const auto created = json::parse(liaise.ok(
        "ann",
        "meeting create case-9 --title 'Team around the family' --kind team-around-the-family "
        "--at '2026-11-20 10:00' --place remote --minute-taker tess --json"));
    const auto id = std::to_string(created.at("meeting").as_int64());
    liaise.ok("tess",
              "meeting attend " + id + " --user ann --role 'Family support lead' --status present");
    liaise.ok("tess", "meeting attend " + id +
                          " --name 'Kelly Smith' --role Mother --family --copy --status present");
    liaise.ok("tess", "meeting agenda " + id + " 'How things are going' --discussion -",
              "Kelly said mornings are calmer.\nJ has joined a football club.\n");
    liaise.ok("tess", "meeting decision " + id +
                          " 'Keep the plan going' --reasons 'It is working.' "
                          "--dissent 'Kelly wants fewer visits.'");
    CHECK_THAT(liaise.ok("tess", "action add " + id +
                                     " 'Send the TAF plan to Kelly' --owner tess --due 2026-12-01"),
               Catch::Contains("Action 1 for tess"));
    const auto [held, why] = liaise("ann", "meeting circulate " + id);
    CHECK(held == 1);
    CHECK_THAT(why, Catch::Contains("findings_unacknowledged"));
    CHECK_THAT(why, Catch::Contains("TAF"));
    CHECK_THAT(liaise.ok("ann", "meeting circulate " + id + " --acknowledge"),
               Catch::Contains("Circulated version 1"));
    CHECK_THAT(liaise.ok("ann", "meeting approve " + id + " --acknowledge"),
               Catch::Contains("Approved version 1"));
    const auto html = (server.dir() / "minutes.html").string();
    liaise.ok("ann", "meeting export " + id + " --format html --output '" + html + "'");
    const auto page = slurp(html);
    CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(page, Catch::Contains("Kelly wants fewer visits."));
    // Without --format, the file's name says which: .html is a page, anything else Markdown.
    const auto guessed = (server.dir() / "guessed.html").string();
    CHECK_THAT(liaise.ok("ann", "meeting export " + id + " --output '" + guessed + "'"),
               Catch::Contains("(approved, html) to "));
    CHECK_THAT(slurp(guessed), Catch::StartsWith("<!DOCTYPE html>"));
    const auto md = (server.dir() / "minutes.md").string();
    liaise.ok("ann", "meeting export " + id + " --output '" + md + "'");
    CHECK(slurp(md).find("<!DOCTYPE") == std::string::npos);
    CHECK_THAT(slurp(md), Catch::Contains("Kelly wants fewer visits."));
    // A file that cannot be written says why, and nothing is exported (or recorded as such).
    const auto exports = [&] {
        const auto log = liaise.ok("ann", "admin audit --json");
        std::size_t n = 0;
        for (auto at = log.find("minutes_exported"); at != std::string::npos;
             at = log.find("minutes_exported", at + 1))
            ++n;
        return n;
    };
    const auto before = exports();
    CHECK(before == 3);
    const auto nowhere = (server.dir() / "no-such-folder" / "x.md").string();
    const auto [unwritable, why_not] =
        liaise("ann", "meeting export " + id + " --output '" + nowhere + "'");
    CHECK(unwritable == 1);
    CHECK_THAT(why_not, Catch::Contains("cannot write " + nowhere +
                                        ": No such file or directory "
                                        "(io_error)"));
    CHECK(exports() == before);
    // A refused export leaves an existing file as it was, with no partial file beside it.
    CHECK(liaise("ann", "meeting export " + id + " --version 7 --output '" + md + "'").first == 1);
    CHECK_THAT(slurp(md), Catch::Contains("Kelly wants fewer visits."));
    for (const auto& entry : fs::directory_iterator(server.dir()))
        CHECK(entry.path().filename().string().find(".partial") == std::string::npos);
    // A new file is its owner's only; a replaced one keeps its permissions; a link is written
    // through; a folder is refused before anything is exported.
    const auto perms = [](const std::string& p) {
        return fs::status(p).permissions() & fs::perms::all;
    };
    CHECK(perms(md) == (fs::perms::owner_read | fs::perms::owner_write));
    fs::permissions(md, fs::perms::owner_all | fs::perms::group_read);
    liaise.ok("ann", "meeting export " + id + " --output '" + md + "'");
    CHECK(perms(md) == (fs::perms::owner_all | fs::perms::group_read));
    const auto linked = (server.dir() / "linked.html").string();
    std::ofstream(linked) << "old";
    const auto link = (server.dir() / "link.html").string();
    fs::create_symlink(linked, link);
    liaise.ok("ann", "meeting export " + id + " --output '" + link + "'");
    CHECK(fs::is_symlink(link));
    CHECK_THAT(slurp(linked), Catch::StartsWith("<!DOCTYPE html>"));
    const auto [folder, folder_why] =
        liaise("ann", "meeting export " + id + " --output '" + server.dir().string() + "'");
    CHECK(folder == 1);
    CHECK_THAT(folder_why, Catch::Contains("it is a folder (io_error)"));
    CHECK(exports() == before + 2);
    const auto capitals = (server.dir() / "MINUTES.HTML").string();
    liaise.ok("ann", "meeting export " + id + " --output '" + capitals + "'");
    CHECK_THAT(slurp(capitals), Catch::StartsWith("<!DOCTYPE html>"));
    const auto shown = liaise.ok("tess", "meeting show " + id);
    CHECK_THAT(shown, Catch::Contains("version 1, approved"));
    // The approved record keeps the agencies as they were when it went out.
    CHECK_THAT(shown, Catch::Contains("  tess (Riverside Primary): "));
    liaise.ok("ann", "admin agency rename 'Riverside Primary' 'Riverside Primary School'");
    CHECK_THAT(liaise.ok("tess", "meeting show " + id),
               Catch::Contains("  tess (Riverside Primary): "));
    CHECK_THAT(liaise.ok("ann", "meeting export " + id),
               Catch::Contains("- tess (Riverside Primary): sent "));
    // Kelly has no account: hers is a copy for the team to give her, not one she can open.
    CHECK_THAT(shown, Catch::Contains("  Kelly Smith: a copy to be given to them (no account)\n"));
    CHECK_THAT(page, Catch::Contains("<li>Kelly Smith: a copy to be given to them (no account), "
                                     "circulated "));
    CHECK_THAT(slurp(md),
               Catch::Contains("- Kelly Smith: a copy to be given to them (no account)"));
    const auto mine = json::parse(liaise.ok("tess", "actions --mine --json"));
    CHECK(mine.at("actions").as_array().size() == 1);
    CHECK(liaise("tess", "action update 1 --status not-done").first == 1);  // needs evidence
    CHECK_THAT(liaise.ok("tess", "action update 1 --status done --evidence 'Posted on 25 Nov'"),
               Catch::Contains("Action 1 is done"));

    // Issue #27 from the command line: a kind from the catalogue, a case reference, a section,
    // what a family member may receive, the record's gaps and the deadlines.
    const auto at = std::string(" --at '2027-12-24 10:00' --place remote");
    const auto [bad_kind, bad_kind_why] =
        liaise("ann", "meeting create case-9 --title X --kind conference" + at);
    CHECK(bad_kind == 1);
    CHECK_THAT(bad_kind_why,
               Catch::Contains("initial-cp-conference") && Catch::Contains("(bad_request)"));
    const auto [bad_ref, bad_ref_why] =
        liaise("ann", "meeting create case-9 --title X --kind marac --case-ref '<1>'" + at);
    CHECK(bad_ref == 1);
    CHECK_THAT(bad_ref_why, Catch::Contains("--case-ref: must be"));
    const auto strategy =
        json::parse(liaise.ok("ann",
                              "meeting create case-9 --title 'Strategy discussion' --kind "
                              "strategy --case-ref SD-9/27 --json" +
                                  at));
    const auto sid = std::to_string(strategy.at("meeting").as_int64());
    liaise.ok("ann", "meeting section " + sid + " purpose 'Concerns raised by the school.'");
    liaise.ok("ann", "meeting attend " + sid +
                         " --name 'Kelly Smith' --role Mother --family --copy --status absent");
    const auto [leak, leak_why] =
        liaise("ann", "meeting attend " + sid +
                          " --entry 1 --name 'Kelly Smith' --role Mother --family --copy "
                          "--status absent --receives purpose");
    CHECK(leak == 1);
    CHECK_THAT(leak_why, Catch::Contains("(professionals_only)"));
    const auto record = liaise.ok("ann", "meeting show " + sid);
    CHECK_THAT(record, Catch::Contains("case reference SD-9/27"));
    CHECK_THAT(record, Catch::Contains("Strategy meeting or discussion"));
    CHECK_THAT(record, Catch::Contains("Decision summary: by 29 Dec 2027 (1 working days), due"));
    CHECK_THAT(record, Catch::Contains("Concerns raised by the school."));
    CHECK_THAT(record, Catch::Contains("PROFESSIONALS ONLY"));
    CHECK_THAT(record, Catch::Contains("MISSING Risks"));
    const auto [incomplete, incomplete_why] =
        liaise("ann", "meeting circulate " + sid + " --acknowledge");
    CHECK(incomplete == 1);
    CHECK_THAT(incomplete_why, Catch::Contains("(sections_missing)"));
    CHECK_THAT(
        liaise.ok("ann", "meeting list case-9"),
        Catch::Contains("case SD-9/27") && Catch::Contains("Decision summary due 29 Dec 2027"));
}

TEST_CASE("a hostile name or minute cannot forge a line or reorder text in an export",
          "[e2e][minutes]") {
    Meeting t;
    const auto id = t.create(
        "Core group \xE2\x80\xAE"
        "rof J");
    const auto m = [id](json::object f) {
        f["meeting"] = id;
        return f;
    };
    // Control characters other than line breaks are refused at input, as before.
    CHECK(error_code(*t.tess, "meeting_attend",
                     m({{"name", "Kelly\x1b[2K"}, {"family", true}, {"status", "present"}})) ==
          "bad_request");
    // Bidirectional overrides and C1 controls are text to the server: the export shows them.
    ok(*t.tess, "meeting_attend",
       m({{"name",
           "Kelly \xE2\x80\xAE"
           "htimS\xE2\x81\xA6"},
          {"family", true},
          {"status", "present"}}));
    ok(*t.tess, "meeting_agenda",
       m({{"title", "School"},
          {"discussion",
           "Fine.\r\n## Decisions\n1. **Police: no further action**\n---\n"
           "   - Agreed by all\n> quoted\n\xC2\x85"
           "end"}}));
    const auto hazard = [](const std::string& doc) {
        for (const auto* bad : {"\xE2\x80\xAE", "\xE2\x81\xA6", "\xC2\x85", "\r"})
            if (doc.find(bad) != std::string::npos)
                return true;
        return false;
    };
    const auto lines_starting = [](const std::string& doc, const std::string& prefix) {
        int n = 0;
        std::istringstream in(doc);
        for (std::string line; std::getline(in, line);)
            n += line.starts_with(prefix) ? 1 : 0;
        return n;
    };

    const auto markdown =
        text(ok(*t.sam, "meeting_export", m({{"format", "markdown"}})), "content");
    INFO(markdown);
    CHECK_FALSE(hazard(markdown));
    CHECK(lines_starting(markdown, "## Decisions") == 1);  // the export's own heading only
    CHECK(lines_starting(markdown, "1.") == 0);
    CHECK(lines_starting(markdown, "---") == 0);
    CHECK(lines_starting(markdown, "- Agreed") == 0);
    CHECK(lines_starting(markdown, " ") == 0);
    for (const auto* shown : {"\\#\\# Decisions", "1\\. \\*\\*Police: no further action\\*\\*",
                              "\\---", "\\- Agreed by all", "\\> quoted"})
        CHECK(lines_starting(markdown, shown) == 1);
    CHECK_THAT(markdown, Catch::Contains("Core group \xEF\xBF\xBDrof J"));
    CHECK_THAT(markdown, Catch::Contains("Kelly \xEF\xBF\xBDhtimS\xEF\xBF\xBD (family)"));

    const auto html = text(ok(*t.sam, "meeting_export", m({{"format", "html"}})), "content");
    INFO(html);
    CHECK_FALSE(hazard(html));
    CHECK(html.find("<h2>Decisions</h2>") == html.rfind("<h2>Decisions</h2>"));
    CHECK_THAT(html, Catch::Contains("Fine.<br>## Decisions<br>1. **Police"));
    CHECK_THAT(html, Catch::Contains("Kelly \xEF\xBF\xBDhtimS\xEF\xBF\xBD"));
}

// Issue #27: meeting kinds with their templates, the case reference, professionals-only sections
// and per-recipient copies, and circulation deadlines in working days. One server for all of it.
TEST_CASE(
    "a conference record follows its template, and a parent's copy never holds what only "
    "professionals may see",
    "[e2e][minutes][template]") {
    Meeting t;
    const json::object base{{"room", "case-7"},
                            {"title", "Initial child protection conference for J"},
                            {"starts_at", "2027-12-24 10:00"},
                            {"place", "Civic Centre"},
                            {"minute_taker", "tess"}};
    const auto with = [&base](json::object extra) {
        auto f = base;
        for (auto& [k, v] : extra)
            f[k] = v;
        return f;
    };
    // Kinds come from the catalogue; a wrong one, or a malformed case reference, is refused.
    auto bad = t.sam->call("meeting_create", with({{"kind", "case-conference"}}));
    REQUIRE(!bad);
    CHECK(bad.error().code == "bad_request");
    CHECK(bad.error().message.find("initial-cp-conference") != std::string::npos);
    for (const auto* ref :
         {"<b>CP</b>", " CP-1", "CP\n1", "0123456789012345678901234567890123456789X"})
        CHECK(error_code(*t.sam, "meeting_create",
                         with({{"kind", "initial-cp-conference"}, {"case_reference", ref}})) ==
              "bad_request");
    // A meeting of an earlier kind keeps working as before: no template binds its circulation.
    const auto old = t.create();
    const auto old_minutes = ok(*t.sam, "meeting_show", {{"meeting", old}});
    CHECK(old_minutes.at("kind_label").as_string() == "Core group");
    CHECK_FALSE(old_minutes.at("templated").as_bool());

    const auto made =
        ok(*t.sam, "meeting_create",
           with({{"kind", "initial-cp-conference"}, {"case_reference", "CP-2041/26"}}));
    const auto id = made.at("meeting").as_int64();
    CHECK(made.at("case_reference").as_string() == "CP-2041/26");
    CHECK(made.at("kind_label").as_string() == "Initial child protection conference");
    CHECK(made.at("templated").as_bool());
    CHECK(made.at("missing_sections").as_array().size() == 14);
    const auto m = [id](json::object f) {
        f["meeting"] = id;
        return f;
    };
    CHECK(error_code(*t.sam, "meeting_update", m({{"case_reference", "CP/<1>"}})) == "bad_request");
    CHECK(ok(*t.sam, "meeting_show", m({})).at("case_reference").as_string() == "CP-2041/26");

    // Deadlines in working days from the kind's clocks: Christmas and Boxing Day 2027 fall on a
    // weekend, so their substitute days (27 and 28 December) do not count.
    const auto shown = ok(*t.sam, "meeting_show", m({}));
    std::map<std::string, json::object> clocks;
    for (const auto& d : shown.at("deadlines").as_array())
        clocks[text(d, "clock")] = d.as_object();
    REQUIRE(clocks.size() == 4);
    CHECK(text(clocks["decision_summary"], "due") == "2027-12-29");
    CHECK(text(clocks["decision_summary"], "status") == "due");
    CHECK(text(clocks["outline_plan"], "due") == "2028-01-05");  // and 3 Jan, New Year's substitute
    CHECK(text(clocks["accuracy_comments"], "status") == "not started");

    // Circulating an empty record is refused, naming what it lacks.
    auto refused = t.sam->call("meeting_circulate",
                               signed_by(*t.sam, "meeting_circulate", m({{"acknowledge", true}})));
    REQUIRE(!refused);
    CHECK(refused.error().code == "sections_missing");
    CHECK(refused.error().message.find("The child's views and wishes") != std::string::npos);

    // The record.
    ok(*t.tess, "meeting_attend", m({{"user", "sam"}, {"role", "Chair"}, {"status", "present"}}));
    const auto kelly = ok(*t.tess, "meeting_attend",
                          m({{"name", "Kelly Smith"},
                             {"role", "Mother"},
                             {"family", true},
                             {"copy", true},
                             {"status", "present"}}))
                           .at("entry")
                           .at("id")
                           .as_int64();
    const auto gp = ok(*t.tess, "meeting_attend",
                       m({{"name", "Dr Rao"},
                          {"agency", "Northshire GP Practice"},
                          {"role", "GP"},
                          {"copy", true},
                          {"status", "apologies"}}))
                        .at("entry")
                        .at("id")
                        .as_int64();
    const std::string secret = "Police hold intelligence about the partner (PNC 77-SECRET)";
    const std::map<std::string, std::string> texts{
        {"purpose", "Concerns about J's injuries."},
        {"non-attendance", "J is 4 and did not attend."},
        {"quoracy", "Quorate: social care, police and health stayed throughout."},
        {"child-views", "J said he likes nursery and is scared when there is shouting."},
        {"parent-views", "Kelly said things are calmer now."},
        {"strengths", "Kelly takes J to nursery every day."},
        {"risks", "Risk of harm from the partner's violence."},
        {"professional-information", secret},
        {"dissent", "None."},
        {"next-meetings", "Core group on 7 January; review conference by 24 March."}};
    for (const auto& [section, body] : texts)
        ok(*t.tess, "meeting_section", m({{"section", section}, {"text", body}}));
    CHECK(error_code(*t.tess, "meeting_section", m({{"section", "section-47"}, {"text", "x"}})) ==
          "bad_request");
    CHECK(error_code(*t.tess, "meeting_section",
                     m({{"section", "reports"}, {"report", "GP letter"}})) ==
          "bad_request");  // whether it was shared with the parents must be said
    ok(*t.tess, "meeting_section",
       m({{"section", "reports"},
          {"report", "Health visitor's report"},
          {"report_by", "Northshire Health"},
          {"shared_with_parents", true}}));
    ok(*t.sam, "meeting_decision",
       m({{"decision",
           "J is made the subject of a child protection plan (category: physical "
           "abuse)."},
          {"reasons", "Significant harm is likely without a plan."}}));
    ok(*t.tess, "action_add",
       m({{"what", "Visit J at home weekly"}, {"owner", "sam"}, {"due", "2028-01-07"}}));
    auto still = ok(*t.sam, "meeting_show", m({})).at("missing_sections").as_array();
    std::set<std::string> lacking;
    for (const auto& v : still)
        lacking.insert(text(v, "id"));
    // The child's views need how they were gathered; a conference's decision each agency's view.
    CHECK(lacking == std::set<std::string>{"child-views", "decision"});
    ok(*t.tess, "meeting_section",
       m({{"section", "child-views"}, {"how_gathered", "Drawings with the nursery key worker."}}));
    ok(*t.tess, "meeting_section",
       m({{"section", "decision"},
          {"agency", "Northshire Police"},
          {"view", "Agrees: plan needed."}}));
    CHECK(ok(*t.sam, "meeting_show", m({})).at("missing_sections").as_array().empty());

    // Professionals-only: marked by the kind by default; only the chair changes markings and
    // decides what a recipient receives; a family member is never given a marked section.
    CHECK(error_code(*t.tess, "meeting_section",
                     m({{"section", "risks"}, {"professionals_only", true}})) == "forbidden");
    const json::object kelly_entry{{"entry", kelly},   {"name", "Kelly Smith"},
                                   {"role", "Mother"}, {"family", true},
                                   {"copy", true},     {"status", "present"}};
    const auto kelly_gets = [&](json::array sections) {
        auto f = m(kelly_entry);
        f["receives"] = std::move(sections);
        return f;
    };
    CHECK(error_code(*t.tess, "meeting_attend", kelly_gets({"purpose"})) == "forbidden");
    CHECK(error_code(*t.sam, "meeting_attend",
                     kelly_gets({"purpose", "professional-information"})) == "professionals_only");
    CHECK(error_code(*t.sam, "meeting_attend", kelly_gets({"no-such-section"})) == "bad_request");
    ok(*t.sam, "meeting_attend",
       kelly_gets({"purpose", "child-views", "parent-views", "risks", "decision", "plan"}));
    // Marked after the chair chose: circulation refuses rather than send it to her.
    ok(*t.sam, "meeting_section", m({{"section", "risks"}, {"professionals_only", true}}));
    auto leak = t.sam->call("meeting_circulate",
                            signed_by(*t.sam, "meeting_circulate", m({{"acknowledge", true}})));
    REQUIRE(!leak);
    CHECK(leak.error().code == "professionals_only");
    ok(*t.sam, "meeting_attend",
       kelly_gets({"purpose", "child-views", "parent-views", "decision", "plan"}));
    // The minute-taker records that Kelly sent apologies after all: the chair's choice stays.
    auto apologies = m(kelly_entry);
    apologies["status"] = "apologies";
    ok(*t.tess, "meeting_attend", apologies);

    // The check gives the reading age of Kelly's copy, measured on what her copy holds: a hard
    // sentence in a section she receives raises it; one in a professionals-only section (which
    // her copy never holds) is never quoted. Dr Rao's copy is a professional's: no figure.
    const std::string hard =
        "Following the multi-agency strategy discussion, the local authority determined that "
        "the threshold for statutory intervention under section forty-seven had been met.";
    const std::string hidden =
        "Intelligence indicates that the partner's antecedent convictions necessitate "
        "comprehensive multi-agency safeguarding arrangements notwithstanding parental objection.";
    ok(*t.tess, "meeting_section", m({{"section", "parent-views"}, {"text", hard}}));
    ok(*t.tess, "meeting_section", m({{"section", "professional-information"}, {"text", hidden}}));
    const auto checked = ok(*t.sam, "meeting_check", m({}));
    const auto& copies = checked.at("copies").as_array();
    REQUIRE(copies.size() == 1);
    const auto& kellys = copies[0].as_object();
    CHECK(kellys.at("entry").as_int64() == kelly);
    CHECK(kellys.at("sections").as_int64() == 5);
    const auto& age = kellys.at("reading_age").as_object();
    CHECK(age.at("above_aim").as_bool());
    bool quoted = false;
    for (const auto& h : age.at("hardest").as_array()) {
        const auto sentence = std::string(h.at("text").as_string());
        quoted = quoted || sentence == hard;
        CHECK(sentence.find("antecedent") == std::string::npos);
    }
    CHECK(quoted);
    ok(*t.tess, "meeting_section",
       m({{"section", "parent-views"}, {"text", "Kelly said things are calmer now."}}));
    ok(*t.tess, "meeting_section", m({{"section", "professional-information"}, {"text", secret}}));
    ok(*t.sam, "meeting_circulate",
       signed_by(*t.sam, "meeting_circulate", m({{"acknowledge", true}})));

    // The distribution records the version and the sections each copy holds.
    const auto v1 = ok(*t.sam, "meeting_show", m({{"version", 1}}));
    bool kelly_listed = false, gp_listed = false;
    for (const auto& v : v1.at("distribution").as_array()) {
        const auto& d = v.as_object();
        if (d.contains("user"))
            continue;
        std::set<std::string> got;
        for (const auto& s : d.at("sections").as_array())
            got.insert(std::string(s.as_string()));
        if (d.at("entry").as_int64() == kelly) {
            kelly_listed = true;
            CHECK(got == std::set<std::string>{"purpose", "child-views", "parent-views", "decision",
                                               "plan"});
        } else if (d.at("entry").as_int64() == gp) {
            gp_listed = true;  // a professional without an account: every section by default
            CHECK(got.contains("professional-information"));
            CHECK(got.size() == 14);
        }
    }
    CHECK(kelly_listed);
    CHECK(gp_listed);
    const auto deadlines = ok(*t.sam, "meeting_show", m({})).at("deadlines").as_array();
    for (const auto& d : deadlines)
        if (text(d, "clock") == "decision_summary")
            CHECK(text(d, "status") == "met");  // circulated before the meeting's day was out

    const auto export_for = [&](json::object extra) {
        auto f = m({{"format", "markdown"}});
        for (auto& [k, v] : extra)
            f[k] = v;
        return t.sam->call("meeting_export", std::move(f));
    };
    const auto content = [](const protocol::Expected<json::object>& r) {
        REQUIRE(r.ok());
        return std::string(r.value().at("content").as_string());
    };
    const auto parent_copy = content(export_for({{"recipient", kelly}}));
    CHECK(parent_copy.find("Copy for:** Kelly Smith (Mother), a partial copy") !=
          std::string::npos);
    CHECK(parent_copy.find("Concerns about J") != std::string::npos);
    CHECK(parent_copy.find("PNC 77") == std::string::npos);
    CHECK(parent_copy.find("partner's violence") == std::string::npos);
    CHECK(parent_copy.find("Information for professionals only") == std::string::npos);
    CHECK(parent_copy.find("CP-2041/26") != std::string::npos);
    CHECK(content(export_for({{"recipient", gp}})).find("PNC 77") != std::string::npos);
    CHECK(content(export_for({})).find("PNC 77") != std::string::npos);
    // Forged requests: extra fields, someone with an account, an entry that got no copy.
    for (const auto& forged :
         {json::object{{"recipient", kelly}, {"sections", json::array{"professional-information"}}},
          json::object{{"recipient", kelly}, {"receives", "professional-information"}},
          json::object{{"recipient", kelly}, {"family", false}}})
        CHECK(!export_for(forged));
    CHECK(export_for({{"recipient", 1}}).error().code == "not_found");  // sam's own entry
    CHECK(export_for({{"recipient", 999}}).error().code == "not_found");
    CHECK(export_for({{"recipient", kelly}, {"format", "html"}}).ok());
    CHECK(content(export_for({{"recipient", kelly}, {"format", "html"}})).find("PNC 77") ==
          std::string::npos);

    // The marking cannot change once circulated; a corrected version that lifts it (the chair's
    // decision for that version) leaves version 1's copy as it was sent.
    CHECK(error_code(*t.sam, "meeting_section",
                     m({{"section", "professional-information"}, {"professionals_only", false}})) ==
          "minutes_locked");
    ok(*t.sam, "meeting_correct", m({{"reason", "Police agreed the family may know."}}));
    ok(*t.sam, "meeting_section",
       m({{"section", "professional-information"}, {"professionals_only", false}}));
    ok(*t.sam, "meeting_attend", kelly_gets({"purpose", "professional-information"}));
    ok(*t.sam, "meeting_circulate",
       signed_by(*t.sam, "meeting_circulate", m({{"acknowledge", true}})));
    CHECK(content(export_for({{"recipient", kelly}, {"version", 1}})).find("PNC 77") ==
          std::string::npos);
    CHECK(content(export_for({{"recipient", kelly}, {"version", 2}})).find("PNC 77") !=
          std::string::npos);
    // A draft has no recipients' copies.
    ok(*t.sam, "meeting_correct", m({{"reason", "Typo."}}));
    CHECK(export_for({{"recipient", kelly}}).error().code == "wrong_status");
}
