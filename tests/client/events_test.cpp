// Membership events in words (client/src/events.hpp), as `liaise read` and `chat` show them.
#include "events.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

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
