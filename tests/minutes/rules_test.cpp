// The minutes rules (app/minutes_rules.hpp) called directly: no store, no key, no server.
#include "app/minutes_rules.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "app/error.hpp"

using namespace liaise::server;
using namespace liaise::server::minutes_rules;
namespace json = boost::json;

namespace {

/// The code of the ServiceError `fn` throws; "" when it throws nothing.
template <class Fn>
std::string code_of(Fn&& fn) {
    try {
        fn();
    } catch (const ServiceError& e) {
        return e.error.code;
    }
    return "";
}

template <class Fn>
std::string message_of(Fn&& fn) {
    try {
        fn();
    } catch (const ServiceError& e) {
        return e.error.message;
    }
    return "";
}

std::string user_of(std::int64_t id) {
    return id == 1 ? "chair.person" : "taker.person";
}

}  // namespace

TEST_CASE("minutes rules: calendar dates, leap years and the range", "[minutes_rules]") {
    CHECK(valid_date("2024-02-29"));
    CHECK_FALSE(valid_date("2023-02-29"));
    CHECK(valid_date("2000-02-29"));
    CHECK_FALSE(valid_date("1900-02-29"));
    CHECK_FALSE(valid_date("2026-04-31"));
    CHECK(valid_date("2026-12-31"));
    CHECK_FALSE(valid_date("2026-13-01"));
    CHECK_FALSE(valid_date("2026-00-10"));
    CHECK_FALSE(valid_date("1899-12-31"));
    CHECK_FALSE(valid_date("2201-01-01"));
    CHECK_FALSE(valid_date("2026-1-01"));
    CHECK_FALSE(valid_date("2026/01/01"));
    CHECK_FALSE(valid_date("２026-01-01"));
    CHECK_FALSE(valid_date(""));
}

TEST_CASE("minutes rules: a date and time is stored with a space", "[minutes_rules]") {
    CHECK(parse_datetime("2026-03-04T09:30") == std::optional<std::string>("2026-03-04 09:30"));
    CHECK(parse_datetime("2026-03-04 23:59") == std::optional<std::string>("2026-03-04 23:59"));
    CHECK_FALSE(parse_datetime("2026-03-04 24:00"));
    CHECK_FALSE(parse_datetime("2026-03-04 10:60"));
    CHECK_FALSE(parse_datetime("2026-03-04x10:00"));
    CHECK_FALSE(parse_datetime("2026-02-30 10:00"));
    CHECK(parse_when("2026-03-04") == std::optional<std::string>("2026-03-04"));
    CHECK(parse_when("2026-03-04T10:00") == std::optional<std::string>("2026-03-04 10:00"));
    CHECK_FALSE(parse_when("next tuesday"));

    CHECK(message_of([] { (void)require_datetime("starts_at", "soon"); }) ==
          "starts_at: must be a date and time, YYYY-MM-DD HH:MM");
    CHECK(message_of([] { (void)require_date("due", "2026-02-30"); }) ==
          "due: must be a date, YYYY-MM-DD");
    CHECK(code_of([] { (void)require_when("next_meeting", "2026-02-30"); }) == "bad_request");
    CHECK(require_date("due", "2026-02-28") == "2026-02-28");
}

TEST_CASE("minutes rules: vocabularies", "[minutes_rules]") {
    CHECK(require_marking("OFFICIAL-SENSITIVE") == "OFFICIAL-SENSITIVE");
    CHECK(code_of([] { (void)require_marking("SECRET"); }) == "bad_request");
    CHECK(code_of([] { (void)require_marking("official"); }) == "bad_request");
    CHECK(code_of([] { require_attendance_status("present"); }).empty());
    CHECK(message_of([] {
              require_attendance_status("asleep");
          }).starts_with("status: must be one of "));
    CHECK(code_of([] { require_action_status("done"); }).empty());
    CHECK(code_of([] { require_action_status("finished"); }) == "bad_request");

    for (const auto& s : open_statuses())
        CHECK(is_open(s));
    CHECK_FALSE(is_open("done"));
    CHECK(is_closed("cancelled"));
    CHECK_FALSE(is_closed("carried_forward"));
    CHECK(code_of([] { require_evidence("done", ""); }) == "bad_request");
    CHECK(code_of([] { require_evidence("done", "the referral letter of 3 March"); }).empty());
    CHECK(code_of([] { require_evidence("open", ""); }).empty());
}

TEST_CASE("minutes rules: only the chair and minute-taker edit, and only a draft",
          "[minutes_rules]") {
    const MeetingState draft{1, 2, "draft", 1};
    CHECK(runs(draft, 1));
    CHECK(runs(draft, 2));
    CHECK_FALSE(runs(draft, 3));
    CHECK(code_of([&] { require_editor(draft, 2, user_of); }).empty());
    CHECK(message_of([&] { require_editor(draft, 3, user_of); }) ==
          "only the meeting's chair (chair.person) and minute-taker (taker.person) may edit "
          "these minutes");
    const MeetingState circulated{1, 2, "circulated", 3};
    CHECK(code_of([&] { require_editor(circulated, 1, user_of); }) == "minutes_locked");
    CHECK(message_of([&] {
              require_draft(circulated);
          }).starts_with("version 3 of these minutes is circulated and locked"));
    // Refused as not an editor before the lock: a stranger learns nothing of the status.
    CHECK(code_of([&] { require_editor(circulated, 3, user_of); }) == "forbidden");
}

TEST_CASE("minutes rules: draft, circulated, approved, corrected", "[minutes_rules]") {
    const MeetingState draft{1, 2, "draft", 1};
    const MeetingState circulated{1, 2, "circulated", 1};
    const MeetingState approved{1, 2, "approved", 1};

    CHECK(code_of([&] { require_may_circulate(draft, 2); }).empty());
    CHECK(code_of([&] { require_may_circulate(draft, 3); }) == "forbidden");
    CHECK(message_of([&] { require_may_circulate(circulated, 1); }) ==
          "version 1 of these minutes is already circulated");

    CHECK(code_of([&] { require_may_approve(circulated, 1, user_of); }).empty());
    CHECK(message_of([&] { require_may_approve(circulated, 2, user_of); }) ==
          "only the meeting's chair (chair.person) may approve its minutes");
    CHECK(message_of([&] { require_may_approve(draft, 1, user_of); }) ==
          "circulate the minutes before approving them");
    CHECK(code_of([&] { require_may_approve(approved, 1, user_of); }) == "wrong_status");

    CHECK(code_of([&] { require_may_correct(circulated, 2); }).empty());
    CHECK(code_of([&] { require_may_correct(approved, 1); }).empty());
    CHECK(code_of([&] { require_may_correct(approved, 3); }) == "forbidden");
    CHECK(message_of([&] { require_may_correct(draft, 1); }) ==
          "version 1 is still a draft: edit it directly");
    CHECK(status_after_correction("circulated") == "superseded");
    CHECK(status_after_correction("approved") == "approved");
}

TEST_CASE("minutes rules: findings need the chair's acknowledgement", "[minutes_rules]") {
    const json::object clean{{"findings", 0}, {"audience", "everyone"}};
    const json::object found{{"findings", 2}, {"audience", "everyone"}};
    CHECK(code_of([&] { require_acknowledged(clean, false, false, "circulating"); }).empty());
    CHECK(code_of([&] { require_acknowledged(found, true, true, "circulating"); }).empty());
    try {
        require_acknowledged(found, false, true, "circulating");
        FAIL("not refused");
    } catch (const ServiceError& e) {
        CHECK(e.error.code == "findings_unacknowledged");
        CHECK_THAT(e.error.message, Catch::Contains("2 plain-language findings") &&
                                        Catch::EndsWith("before circulating"));
        CHECK(e.extra.at("check").as_object() == found);
    }
    CHECK(message_of([&] { require_acknowledged(found, true, false, "approving"); }) ==
          "only the chair may acknowledge plain-language findings");
}

TEST_CASE("minutes rules: a signature's time must be near the server's", "[minutes_rules]") {
    const std::int64_t now = 1'800'000'000'000;
    CHECK(code_of([&] { require_signed_near(now - kSignatureSkewMs, now); }).empty());
    CHECK(code_of([&] { require_signed_near(now + kSignatureSkewMs, now); }).empty());
    CHECK(code_of([&] { require_signed_near(now + kSignatureSkewMs + 1, now); }) == "bad_request");
    CHECK(code_of([&] { require_signed_near(0, now); }) == "bad_request");
}

TEST_CASE("minutes rules: numbered items are never reused", "[minutes_rules]") {
    json::object body;
    json::object a{{"title", "one"}};
    put_item(body, "agenda", nullptr, a);
    json::object b{{"title", "two"}};
    put_item(body, "agenda", nullptr, b);
    CHECK(a.at("id").as_int64() == 1);
    CHECK(b.at("id").as_int64() == 2);
    json::object d{{"decision", "refer"}, {"agenda", 2}};
    put_item(body, "decisions", nullptr, d);
    CHECK(d.at("id").as_int64() == 1);  // each section counts on its own

    // Replacing keeps the id.
    json::object b2{{"title", "two, renamed"}};
    put_item(body, "agenda", existing_item(body, "agenda", 2, "item", "agenda item"), b2);
    CHECK(b2.at("id").as_int64() == 2);
    CHECK(array_of(std::as_const(body), "agenda").size() == 2);
    CHECK(message_of([&] { (void)existing_item(body, "agenda", 7, "item", "agenda item"); }) ==
          "item: no agenda item 7 in this meeting");
    CHECK(existing_item(body, "agenda", 0, "item", "agenda item") == nullptr);

    // Removing agenda item 2 unties the decision under it; its id is not handed out again.
    CHECK(remove_item(body, "agenda", 2));
    CHECK_FALSE(remove_item(body, "agenda", 2));
    CHECK(array_of(std::as_const(body), "decisions")[0].as_object().at("agenda").is_null());
    json::object c{{"title", "three"}};
    put_item(body, "agenda", nullptr, c);
    CHECK(c.at("id").as_int64() == 3);
    CHECK(remove_item(body, "decision", 1));
    CHECK(array_of(std::as_const(body), "decisions").empty());
}
