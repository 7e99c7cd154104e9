#include <catch2/catch.hpp>
#include <string>

#include "liaise/calendar/clocks.hpp"

using namespace liaise::calendar;

namespace {

bool known(std::string_view kind) {
    return kind == "core-group" || kind == "marac";
}

std::string problem(std::string_view toml) {
    const auto r = ClockSettings::parse(toml, "clocks.toml", known);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "calendar_bad_config");
    return r.error().message;
}

}  // namespace

TEST_CASE("clock names round-trip and the defaults are 1, 5, 15 and 10", "[calendar]") {
    for (const auto c : kClocks)
        CHECK(clock_from_name(clock_name(c)) == c);
    CHECK_FALSE(clock_from_name("full-record"));
    const auto d = default_clock_days();
    CHECK(d.get(Clock::decision_summary) == 1);
    CHECK(d.get(Clock::outline_plan) == 5);
    CHECK(d.get(Clock::full_record) == 15);
    CHECK(d.get(Clock::accuracy_comments) == 10);
    CHECK(clock_label(Clock::full_record) == "Full record");
}

TEST_CASE("agency and kind settings override the kind's own clocks, most specific first",
          "[calendar]") {
    const auto r = ClockSettings::parse(R"(
[default]
full_record = 20
[default.kinds.core-group]
full_record = 10
[agencies."Riverside Council"]
outline_plan = 3
full_record = 18
[agencies."Riverside Council".kinds.core-group]
full_record = 8
)",
                                        "clocks.toml", known);
    REQUIRE(r.ok());
    const auto& s = r.value();
    const auto base = default_clock_days();
    // Another agency, another kind: [default] only.
    auto c = s.resolve("Hillside Health", "marac", base);
    CHECK(c.get(Clock::full_record) == 20);
    CHECK(c.get(Clock::outline_plan) == 5);
    // Another agency, core group: [default.kinds.core-group].
    CHECK(s.resolve("Hillside Health", "core-group", base).get(Clock::full_record) == 10);
    // Riverside (any case), MARAC: the agency's own.
    c = s.resolve("riverside council", "marac", base);
    CHECK(c.get(Clock::full_record) == 18);
    CHECK(c.get(Clock::outline_plan) == 3);
    CHECK(c.get(Clock::decision_summary) == 1);
    // Riverside, core group: the most specific.
    CHECK(s.resolve("Riverside Council", "core-group", base).get(Clock::full_record) == 8);
    // A kind without an outline plan keeps it unset unless a setting names it.
    ClockDays no_plan = base;
    no_plan.set(Clock::outline_plan, std::nullopt);
    CHECK_FALSE(s.resolve("Hillside Health", "marac", no_plan).get(Clock::outline_plan));
    CHECK(s.resolve("Riverside Council", "marac", no_plan).get(Clock::outline_plan) == 3);
}

TEST_CASE("empty clock settings change nothing", "[calendar]") {
    const auto r = ClockSettings::parse("", "clocks.toml", known);
    REQUIRE(r.ok());
    const auto c = r.value().resolve("Any", "marac", default_clock_days());
    CHECK(c.days == default_clock_days().days);
}

TEST_CASE("clock settings with mistakes are refused in plain words", "[calendar]") {
    CHECK(problem("[default]\nfull_recrod = 10\n").find("unknown setting 'full_recrod'") !=
          std::string::npos);
    // Each problem names the line it is on, so that an operator finds it in a long file.
    CHECK(problem("[default]\n\n# a comment\nfull_recrod = 10\n")
              .starts_with("clocks.toml: line 4: default: unknown setting"));
    CHECK(problem("[default]\nfull_record = 5\n[agencies.\"A\"]\noutline_plan = 99\n")
              .starts_with("clocks.toml: line 4: agencies.\"A\".outline_plan must be"));
    CHECK(problem("[default]\nfull_record = 61\n") ==
          "clocks.toml: line 2: default.full_record must be a whole number of working days from 0 "
          "to 60");
    CHECK(problem("[default]\nfull_record = -1\n").find("from 0 to 60") != std::string::npos);
    CHECK(problem("[default]\nfull_record = \"15\"\n").find("whole number") != std::string::npos);
    CHECK(problem("[default]\nfull_record = 1.5\n").find("whole number") != std::string::npos);
    CHECK(problem("[default.kinds.board]\nfull_record = 5\n") ==
          "clocks.toml: line 1: default.kinds: 'board' is not a meeting kind");
    CHECK(problem("[agencies.\"A\".kinds.core-group]\nfull = 5\n")
              .find("agencies.\"A\".kinds.core-group: unknown setting 'full'") !=
          std::string::npos);
    CHECK(problem("[clocks]\n").find("unknown table 'clocks'") != std::string::npos);
    CHECK(problem("agencies = 3\n").find("[agencies] must be a table") != std::string::npos);
    CHECK(problem("[default\n").find("clocks.toml: line 1") != std::string::npos);
    const auto missing = ClockSettings::load("/nonexistent/clocks.toml", known);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("cannot be read") != std::string::npos);
}

TEST_CASE("a clock's due date counts working days from its start", "[calendar]") {
    const auto due = due_date(BankHolidays::england_and_wales(), *parse_date("2026-12-24"), 1);
    REQUIRE(due.ok());
    CHECK(iso_text(due.value()) == "2026-12-29");
}
