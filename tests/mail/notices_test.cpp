#include <catch2/catch.hpp>
#include <string>

#include "liaise/mail/notices.hpp"

using namespace liaise::mail;

namespace {

const Recipient kBea{"bea@school.example.org", "Bea Patel"};
const Where kWhere{"https://liaise.council.example.org"};

liaise::calendar::Date d(const char* iso) {
    return *liaise::calendar::parse_date(iso);
}

void check_common(const Message& m) {
    CHECK(m.to == "bea@school.example.org");
    CHECK(m.body.starts_with("Hello Bea Patel,\n\n"));
    CHECK(m.body.find("Open Liaise to see it: https://liaise.council.example.org\n") !=
          std::string::npos);
    CHECK(m.body.find("no details on purpose") != std::string::npos);
    for (char c : m.subject)
        CHECK((c >= ' ' && c <= '~'));
}

}  // namespace

TEST_CASE("an action notice gives the number and the date in UK order, nothing more", "[mail]") {
    const auto m = action_assigned(kBea, kWhere, 12, d("2026-12-29"));
    check_common(m);
    CHECK(m.subject == "An action has been given to you");
    CHECK(m.body.find("Action 12 has been given to you. It is due on Tuesday 29 December 2026.") !=
          std::string::npos);
    const auto late = action_overdue(kBea, kWhere, 12, d("2026-12-29"));
    check_common(late);
    CHECK(late.subject == "An action of yours is overdue");
    CHECK(late.body.find("was due on Tuesday 29 December 2026") != std::string::npos);
}

TEST_CASE("the minutes and digest notices say only that something is waiting", "[mail]") {
    const auto m = minutes_circulated(kBea, kWhere, d("2027-01-11"));
    check_common(m);
    CHECK(m.body.find("acknowledge them by Monday 11 January 2027") != std::string::npos);
    const auto one = unread_digest(kBea, kWhere, 1);
    check_common(one);
    CHECK(one.body.find("1 room has messages you have not read yet.") != std::string::npos);
    CHECK(unread_digest(kBea, kWhere, 3).body.find("3 rooms have messages") != std::string::npos);
}

TEST_CASE("a notice without a display name or address still reads well", "[mail]") {
    const auto m = action_assigned({"x@y.example", ""}, {}, 3, d("2026-12-24"));
    CHECK(m.body.starts_with("Hello,\n\n"));
    CHECK(m.body.find("Open Liaise to see it.\n") != std::string::npos);
}

TEST_CASE("a chair's deadline reminder names the meeting by number and the clock, nothing more",
          "[mail]") {
    const auto soon = minutes_deadline(kBea, kWhere, 7, "Full record", d("2026-12-29"), false);
    check_common(soon);
    CHECK(soon.subject == "Minutes due soon: Full record");
    CHECK(soon.body.find("The full record of meeting 7 is due on Tuesday 29 December 2026 and "
                         "has not been circulated yet.") != std::string::npos);
    const auto late = minutes_deadline(kBea, kWhere, 7, "Decision summary", d("2026-12-29"), true);
    check_common(late);
    CHECK(late.subject == "Minutes are late: Decision summary");
    CHECK(late.body.find("The decision summary of meeting 7 was due on Tuesday 29 December 2026") !=
          std::string::npos);
}
