// Which circulation clocks a meeting gets (app/meeting_clocks.hpp): the kind's own, overlaid by
// the operator's settings for the agency of the meeting's chair, against a real SQLite store.
#include "app/meeting_clocks.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "../server/temp_db.hpp"
#include "app/minutes_template.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace liaise;
using namespace liaise::server;
using calendar::Clock;
namespace json = boost::json;

namespace {

calendar::ClockSettings settings(std::string_view toml) {
    auto s = calendar::ClockSettings::parse(toml, "clocks.toml", [](std::string_view kind) {
        return meeting_kinds::Catalogue::shipped().kind(kind) != nullptr;
    });
    REQUIRE(s.ok());
    return std::move(s).value();
}

constexpr const char* kSettings = R"(
[default]
accuracy_comments = 8
[agencies."riverside council"]
full_record = 12
[agencies."Riverside Council".kinds.core-group]
full_record = 5
accuracy_comments = 3
)";

/// Rita chairs for Riverside Council, Hal for Hillside Health (no settings of its own).
struct Accounts {
    liaise::server::testing::TempDb tmp;
    Storage storage{tmp.path, nullptr};
    store::sqlite::SqliteStore store{storage};
    store::Id riverside = 0, rita = 0, hal = 0;

    Accounts() {
        store.write_and_wait([&](store::Tx& tx) {
            riverside = *tx.accounts().add_agency("Riverside Council", "social-care", 1);
            const auto hillside = *tx.accounts().add_agency("Hillside Health", "health", 1);
            rita = *tx.accounts().add("rita", "Rita", riverside, protocol::Role::member, 1);
            hal = *tx.accounts().add("hal", "Hal", hillside, protocol::Role::member, 1);
        });
    }

    MeetingClocks clocks(std::string_view kind, store::Id chair, const calendar::ClockSettings& s) {
        return store.read_now(
            [&](const store::ReadTx& tx) { return meeting_clocks(tx.accounts(), s, kind, chair); });
    }
};

}  // namespace

TEST_CASE("a meeting's clocks are its chair's agency's, most specific setting first",
          "[minutes][clocks]") {
    Accounts a;
    const auto s = settings(kSettings);
    // Riverside's chair, core group: the agency's kind table (names match in any case).
    auto c = a.clocks("core-group", a.rita, s);
    CHECK(c.agency() == "Riverside Council");
    CHECK(c.days().get(Clock::full_record) == 5);
    CHECK(c.days().get(Clock::accuracy_comments) == 3);
    CHECK_FALSE(c.days().get(Clock::decision_summary));  // a core group has none
    // Riverside's chair, a strategy discussion: the agency's table over [default].
    c = a.clocks("strategy", a.rita, s);
    CHECK(c.days().get(Clock::full_record) == 12);
    CHECK(c.days().get(Clock::accuracy_comments) == 8);
    CHECK(c.days().get(Clock::decision_summary) == 1);  // the kind's own
    // Hillside's chair: [default] over the kind's own.
    c = a.clocks("core-group", a.hal, s);
    CHECK(c.agency() == "Hillside Health");
    CHECK(c.days().get(Clock::full_record) == 15);
    CHECK(c.days().get(Clock::accuracy_comments) == 8);
    // A chair whose account is gone: no agency, [default] only.
    c = a.clocks("core-group", 9999, s);
    CHECK(c.agency().empty());
    CHECK(c.days().get(Clock::full_record) == 15);
    CHECK(c.days().get(Clock::accuracy_comments) == 8);
    // A kind the catalogue no longer has counts as "other".
    c = a.clocks("board-meeting", a.rita, s);
    CHECK(c.days().get(Clock::full_record) == 12);
    // No settings: every kind keeps its own clocks, whoever chairs.
    c = a.clocks("core-group", a.rita, calendar::ClockSettings{});
    CHECK(c.days().get(Clock::full_record) == 15);
    CHECK(c.days().get(Clock::accuracy_comments) == 10);
    // The agency as its name is now: renamed, the settings for the old name no longer apply.
    a.store.write_and_wait(
        [&](store::Tx& tx) { REQUIRE(tx.accounts().rename_agency(a.riverside, "Riverside CC")); });
    c = a.clocks("core-group", a.rita, s);
    CHECK(c.agency() == "Riverside CC");
    CHECK(c.days().get(Clock::full_record) == 15);
}

TEST_CASE("the comment window and the accuracy comments deadline are the same date",
          "[minutes][clocks]") {
    Accounts a;
    const auto s = settings(kSettings);
    // Circulated on Thursday 17 December 2026 at noon (London = UTC in winter).
    const std::int64_t circulated = 1'797'508'800'000;
    REQUIRE(calendar::iso_text(calendar::london_date(circulated)) == "2026-12-17");
    for (const auto chair : {a.rita, a.hal}) {
        const auto clocks = a.clocks("core-group", chair, s);
        const auto closes = minutes_template::comments_close_on(clocks, circulated);
        REQUIRE(closes);
        std::string due;
        for (const auto& v :
             minutes_template::deadlines_json(clocks, "2026-12-16 10:00", circulated, circulated))
            if (protocol::str(v.as_object(), "clock") == "accuracy_comments")
                due = protocol::str(v.as_object(), "due");
        CHECK(due == calendar::iso_text(*closes));
        // 3 working days for Riverside: 18, 21, 22 December; 8 for Hillside: 18 to 31
        // December, without Christmas Day and Boxing Day's substitute (the 28th).
        CHECK(due == (chair == a.rita ? "2026-12-22" : "2026-12-31"));
    }
}
