// Membership events in words (client/src/events.hpp), as `liaise read` and `chat` show them.
#include "events.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "liaise/client/local_time.hpp"

using liaise::client::describe_event;
namespace json = boost::json;

namespace {

json::object event(std::string_view text) {
    return json::parse(text).as_object();
}

// 2026-12-06 12:00 UTC: the same day in every time zone from UTC-11 to UTC+11.
constexpr const char* kDec6 = "1796558400000";

}  // namespace

TEST_CASE("membership events read as sentences naming who did what", "[events]") {
    const auto [text, says] = GENERATE(table<std::string, std::string>({
        {R"({"kind":"member_added","user":"sam","display_name":"Sam Jones",
             "agency":"Westshire Police","by":"hana","by_display_name":"Hana Ali"})",
         "Sam Jones, Westshire Police, was added by Hana Ali"},
        {R"({"kind":"member_removed","user":"sam","display_name":"Sam Jones",
             "agency":"Westshire Police","by":"hana","by_display_name":"Hana Ali"})",
         "Sam Jones, Westshire Police, was removed by Hana Ali"},
        {R"({"kind":"member_removed","user":"sam","display_name":"Sam Jones",
             "agency":"Westshire Police","by":"sam","by_display_name":"Sam Jones"})",
         "Sam Jones, Westshire Police, left the room"},
        {R"({"kind":"account_suspended","user":"bea","display_name":"Bea Patel",
             "agency":"Riverside Primary","by":"hana","by_display_name":"Hana Ali"})",
         "Bea Patel's account was suspended by Hana Ali: new messages no longer go to them"},
        {R"({"kind":"account_reinstated","user":"bea","display_name":"Bea Patel",
             "agency":"Riverside Primary","by":"hana","by_display_name":"Hana Ali"})",
         "Bea Patel's account was reinstated by Hana Ali: new messages go to them again"},
        {R"({"kind":"audience_changed","public":true,"by":"hana","by_display_name":"Hana Ali"})",
         "The room now includes the public (changed by Hana Ali)"},
        {R"({"kind":"audience_changed","public":false,"by":"hana","by_display_name":"Hana Ali"})",
         "The room is now for professionals only (changed by Hana Ali)"},
        {R"({"kind":"role_changed","user":"bea","display_name":"Bea Patel","agency":"R",
             "role":"chair","previous_role":"member","by":"ann","by_display_name":"Ann Lee"})",
         "Bea Patel's role changed from member to chair (changed by Ann Lee)"},
        {R"({"kind":"room_created","by":"hana","by_display_name":"Hana Ali","members":[
             {"user":"hana","display_name":"Hana Ali","agency":"Westshire Council"},
             {"user":"bea","display_name":"Bea Patel","agency":"Riverside Primary"}]})",
         "Hana Ali created the room for Hana Ali, Westshire Council; Bea Patel, Riverside "
         "Primary"},
        {std::string(R"({"kind":"device_replaced","user":"bea","display_name":"Bea Patel",
             "agency":"Riverside Primary","device":"9","replaces":"4","issued_by":"hana",
             "issued_by_display_name":"Hana Ali","issued_at":)") +
             kDec6 + "}",
         "New device for Bea Patel (Riverside Primary), issued by admin Hana Ali on 6 Dec 2026: "
         "verify Bea Patel again before trusting it"},
        // Without a display name, the user name.
        {R"({"kind":"member_added","user":"sam","agency":"Westshire Police","by":"hana"})",
         "sam, Westshire Police, was added by hana"},
        // A kind this version does not know is still shown.
        {R"({"kind":"room_renamed","by":"hana"})",
         "The room changed ('room_renamed'; a newer liaise shows it in words)"},
    }));
    CAPTURE(text);
    CHECK(describe_event(event(text)) == says);
}

TEST_CASE("names in events cannot draw on the terminal", "[events]") {
    // A display name is whatever an admin typed: escape sequences, carriage returns and C1
    // controls must not reach the terminal.
    const auto said = describe_event(event(
        R"({"kind":"member_added","user":"x","display_name":"Sam\u001b[2K\rhana: ok\u009b",
            "agency":"P\nQ","by":"hana"})"));
    CHECK(said == "Sam?[2K?hana: ok, P?Q, was added by hana");
    for (const char c : said)
        CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7F));
}

TEST_CASE("notices the server pushes read as sentences, messages are not notices", "[events]") {
    using liaise::client::describe_notice;
    const auto [text, says] = GENERATE(table<std::string, std::string>({
        {R"({"type":"action_assigned","id":3,"room":"case-2041","meeting":1,
             "meeting_title":"Core group","what":"Send Kelly the attendance letter",
             "due":"2026-12-04","status":"open","overdue":false})",
         "Action for you: 'Send Kelly the attendance letter', due 4 Dec 2026, from meeting 1 "
         "('Core group') in case-2041 ('liaise actions --mine' lists yours)"},
        {R"({"type":"action_assigned","id":3,"room":"case-2041","meeting":1,
             "what":"Visit","due":"2026-01-10","overdue":true})",
         "Action for you: 'Visit', due 10 Jan 2026, from meeting 1 in case-2041: already overdue "
         "('liaise actions --mine' lists yours)"},
        {R"({"type":"minutes_circulated","meeting":2,"room":"case-2041","version":3})",
         "Minutes of meeting 2 in case-2041 were circulated (version 3): 'liaise meeting show 2' "
         "shows them"},
        {R"({"type":"membership","room":"case-9","change":"created"})",
         "You are in a new room, case-9 ('liaise chat case-9' opens it)"},
        {R"({"type":"membership","room":"case-9","change":"added","user":"bea"})",
         "You were added to case-9 ('liaise chat case-9' opens it)"},
        {R"({"type":"membership","room":"case-9","change":"removed","user":"bea"})",
         "You were removed from case-9: you can no longer read or send there"},
        {R"({"type":"membership","room":"case-9","change":"added","user":"sam"})",
         "sam was added to case-9"},
        {R"({"type":"membership","room":"case-9","change":"audience","public":true})",
         "case-9 now includes the public"},
        {R"({"type":"action_reminder","overdue":1,"due_soon":0,
             "actions":[{"id":4,"what":"Book the GP","due":"2026-12-01"}]})",
         "Reminder: you have 1 overdue action(s) and 0 due within two days: #4 Book the GP (due 1 "
         "Dec 2026). 'liaise actions --mine' lists them"},
        {R"({"type":"question","id":1,"term":"CIN","status":"answered","reply":"Child in need"})",
         "Your question about 'CIN' was answered: Child in need"},
        {R"({"type":"keys_changed","user":"sam"})",
         "sam has a new device: compare safety numbers ('liaise fingerprint sam'), then 'liaise "
         "verify sam NUMBER'"},
        {R"({"type":"dictionaries","version":7})", "The dictionaries were updated (version 7)"},
        {R"({"type":"new_thing"})",
         "The server sent a notice this liaise does not know ('new_thing'; a newer liaise shows "
         "it in words)"},
        {R"({"type":"action_assigned","room":"case-1","what":"Call\u001b[2J","due":"x"})",
         "Action for you: 'Call?[2J', due x in case-1 ('liaise actions --mine' lists yours)"},
    }));
    CAPTURE(text);
    const auto said = describe_notice(event(text), "bea", "case-2041");
    REQUIRE(said);
    CHECK(*said == says);
}

TEST_CASE("a room's own messages and membership are not shown as notices", "[events]") {
    using liaise::client::describe_notice;
    CHECK(!describe_notice(event(R"({"type":"message","room":"case-9","seq":4})"), "bea", "x"));
    CHECK(!describe_notice(event(R"({"type":"minutes_changed","room":"case-9","meeting":2,
                                     "by":"sam","version":1})"),
                           "bea", "x"));
    CHECK(!describe_notice(event(R"({"type":"membership","room":"case-9","change":"added",
                                     "user":"sam"})"),
                           "bea", "case-9"));
}

TEST_CASE("notices name a member of the room being read by name and agency", "[events][people]") {
    using liaise::client::describe_notice;
    const liaise::client::People people(json::parse(R"([
        {"user":"sam","display_name":"Sam Jones","agency":"Westshire Police"}])")
                                            .as_array());
    CHECK(describe_notice(event(R"({"type":"keys_changed","user":"sam"})"), "bea", "case-9",
                          people) ==
          "Sam Jones (Westshire Police) has a new device: compare safety numbers ('liaise "
          "fingerprint sam'), then 'liaise verify sam NUMBER'");
    CHECK(describe_notice(event(R"({"type":"membership","room":"case-2","change":"added",
                                    "user":"sam"})"),
                          "bea", "case-9",
                          people) == "Sam Jones (Westshire Police) was added to case-2");
    // Someone the room does not know: by account name.
    CHECK(describe_notice(event(R"({"type":"keys_changed","user":"kim"})"), "bea", "case-9", people)
              ->starts_with("kim has a new device"));
}

TEST_CASE("a withdrawal reads as who withdrew which message when, or as a warning if refused",
          "[events][withdraw]") {
    // The local time of day of kDec6 in whatever zone the test runs in.
    const auto clock = liaise::client::local_clock(1796558400000);
    CHECK(describe_event(event(R"({"kind":"message_withdrawn","seq":7,"by":"bea",
                                   "by_display_name":"Bea Patel","withdrawn_at":)" +
                               std::string(kDec6) + "}")) ==
          "A message (#7) was withdrawn by Bea Patel at " + clock +
              " on 6 Dec 2026; this device deleted its copy");
    CHECK(describe_event(event(R"({"kind":"message_withdrawn","seq":7,"by":"bea",
                                   "by_display_name":"Bea Patel","refused":true})")) ==
          "Warning: the server says Bea Patel withdrew message #7, but the withdrawal did not "
          "check out; it is refused and the message kept");
    CHECK(describe_event(event(R"({"kind":"withdrawn","by":"bea","by_display_name":"Bea Patel",
                                   "checked":true,"withdrawn_at":)" +
                               std::string(kDec6) + "}")) ==
          "A message was withdrawn by Bea Patel at " + clock);
    CHECK(describe_event(event(R"({"kind":"withdrawn","by":"bea","withdrawal_seq":9})")) ==
          "A message withdrawn by bea (see #9)");
}
