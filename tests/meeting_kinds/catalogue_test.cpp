#include <catch2/catch.hpp>
#include <string>

#include "liaise/meeting_kinds/catalogue.hpp"
#include "liaise/protocol/minutes_export.hpp"

using namespace liaise::meeting_kinds;
using liaise::calendar::Clock;

namespace {

const Catalogue& shipped() {
    return Catalogue::shipped();
}

std::string problem(std::string_view toml) {
    const auto r = Catalogue::parse(toml, "kinds.toml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "kinds_bad_data");
    return r.error().message;
}

constexpr const char* kSection =
    "[sections.plan]\nlabel = \"Plan\"\nguidance = \"Who does what.\"\n";

}  // namespace

TEST_CASE("the shipped catalogue has every kind practice asks for, in file order",
          "[meeting_kinds]") {
    std::vector<std::string> ids;
    for (const auto& k : shipped().kinds())
        ids.push_back(k.id);
    CHECK(ids == std::vector<std::string>{"initial-cp-conference", "review-cp-conference",
                                          "core-group", "strategy", "child-in-need",
                                          "children-in-care-review", "ehcp-annual-review", "marac",
                                          "team-around-the-family", "professionals", "other"});
    // Every kind the protocol knows today is in the catalogue, so records made before it still
    // have a template.
    for (const auto& term : liaise::protocol::kMeetingKinds) {
        REQUIRE(shipped().kind(term.code) != nullptr);
        // and names it as the catalogue does, so that an export shows the catalogue's label.
        CHECK(shipped().kind(term.code)->label == term.label);
    }
    CHECK(std::size(liaise::protocol::kMeetingKinds) == shipped().kinds().size());
}

TEST_CASE("child protection conferences carry the record the guidance requires",
          "[meeting_kinds]") {
    for (const auto* id : {"initial-cp-conference", "review-cp-conference"}) {
        const auto* k = shipped().kind(id);
        REQUIRE(k != nullptr);
        for (const auto* s : {"child-views", "parent-views", "reports", "risks", "strengths",
                              "decision", "dissent", "non-attendance", "plan"})
            CHECK(k->has_section(s));
        CHECK(k->vote_recorded);
        CHECK(k->is_professionals_only("professional-information"));
        CHECK_FALSE(k->is_professionals_only("parent-views"));
        CHECK(k->clocks.get(Clock::decision_summary) == 1);
        CHECK(k->clocks.get(Clock::outline_plan) == 5);
        CHECK(k->clocks.get(Clock::full_record) == 15);
        CHECK(k->clocks.get(Clock::accuracy_comments) == 10);
    }
    CHECK(shipped().kind("review-cp-conference")->has_section("progress"));
    CHECK_FALSE(shipped().kind("initial-cp-conference")->has_section("progress"));
}

TEST_CASE("strategy, MARAC and professionals' records reach no family member by default",
          "[meeting_kinds]") {
    for (const auto* id : {"strategy", "marac", "professionals"}) {
        const auto* k = shipped().kind(id);
        REQUIRE(k != nullptr);
        for (const auto& s : k->sections)
            CHECK(k->is_professionals_only(s));
    }
    CHECK(shipped().kind("marac")->has_section("confidentiality"));
    CHECK(shipped().kind("strategy")->has_section("section-47"));
    CHECK_FALSE(shipped().kind("strategy")->clocks.get(Clock::outline_plan));
}

TEST_CASE("every section of every shipped kind has a label and guidance", "[meeting_kinds]") {
    for (const auto& k : shipped().kinds()) {
        CHECK_FALSE(k.label.empty());
        CHECK(k.clocks.get(Clock::full_record));
        CHECK(k.clocks.get(Clock::accuracy_comments) == 10);
        for (const auto& s : k.sections) {
            const auto* section = shipped().section(s);
            REQUIRE(section != nullptr);
            CHECK_FALSE(section->label.empty());
            CHECK_FALSE(section->guidance.empty());
        }
    }
}

TEST_CASE("the source file parses to the same catalogue as the built-in copy", "[meeting_kinds]") {
    const auto r = Catalogue::load(LIAISE_KINDS_DATA "/kinds.toml");
    REQUIRE(r.ok());
    REQUIRE(r.value().kinds().size() == shipped().kinds().size());
    for (std::size_t i = 0; i < shipped().kinds().size(); ++i)
        CHECK(r.value().kinds()[i].sections == shipped().kinds()[i].sections);
}

TEST_CASE("missing sections are listed in the kind's order", "[meeting_kinds]") {
    const auto r = shipped().missing_sections("other", {"plan", "purpose"});
    REQUIRE(r.ok());
    CHECK(r.value() == std::vector<std::string>{"attendance", "decision"});
    CHECK(shipped()
              .missing_sections("other", {"purpose", "attendance", "decision", "plan"})
              .value()
              .empty());
    CHECK(shipped().missing_sections("board", {}).error().code == "kinds_unknown");
    CHECK(shipped().missing_sections("other", {"risks"}).error().code == "kinds_unknown_section");
}

TEST_CASE("an agency's clock settings override a kind's own clocks", "[meeting_kinds]") {
    const auto settings = liaise::calendar::ClockSettings::parse(
        "[agencies.\"Riverside Council\".kinds.initial-cp-conference]\nfull_record = 20\n",
        "clocks.toml", [](std::string_view id) { return shipped().kind(id) != nullptr; });
    REQUIRE(settings.ok());
    const auto riverside =
        shipped().clocks("initial-cp-conference", "Riverside Council", settings.value());
    REQUIRE(riverside);
    CHECK(riverside->get(Clock::full_record) == 20);
    CHECK(riverside->get(Clock::decision_summary) == 1);
    CHECK(shipped()
              .clocks("initial-cp-conference", "Hillside", settings.value())
              ->get(Clock::full_record) == 15);
    CHECK_FALSE(shipped().clocks("board", "Hillside", settings.value()));
    const auto bad = shipped().load_clock_settings("/nonexistent/clocks.toml");
    CHECK(bad.error().code == "calendar_bad_config");
}

TEST_CASE("catalogues with mistakes are refused in plain words", "[meeting_kinds]") {
    const std::string s = kSection;
    CHECK(problem("[kinds.a]\nlabel = \"A\"\nsections = [\"plan\"]\n") ==
          "kinds.toml: no [sections.ID] tables");
    CHECK(problem(s) == "kinds.toml: no [kinds.ID] tables");
    CHECK(problem(s + "[kinds.A]\nlabel = \"A\"\nsections = [\"plan\"]\n")
              .find("kinds.A: an id is lower-case") != std::string::npos);
    CHECK(problem(s + "[kinds.a]\nsections = [\"plan\"]\n") == "kinds.toml: kinds.a needs a label");
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = []\n").find("one or more") !=
          std::string::npos);
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = [\"risks\"]\n") ==
          "kinds.toml: kinds.a.sections: 'risks' is not a defined section");
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = [\"plan\", \"plan\"]\n")
              .find("named twice") != std::string::npos);
    CHECK(problem(s + "[sections.risks]\nlabel = \"R\"\nguidance = \"G\"\n[kinds.a]\nlabel = "
                      "\"A\"\nsections = [\"plan\"]\nprofessionals_only = [\"risks\"]\n") ==
          "kinds.toml: kinds.a.professionals_only: 'risks' is not one of the kind's sections");
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = [\"plan\"]\nvote = true\n") ==
          "kinds.toml: kinds.a: unknown setting 'vote'");
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = [\"plan\"]\n[kinds.a.clocks]\n"
                      "full = 3\n") == "kinds.toml: kinds.a.clocks: unknown clock 'full'");
    CHECK(problem(s + "[kinds.a]\nlabel = \"A\"\nsections = [\"plan\"]\n[kinds.a.clocks]\n"
                      "full_record = 90\n")
              .find("from 0 to 60") != std::string::npos);
    CHECK(problem("[sections.plan]\nlabel = \"Plan\"\n[kinds.a]\nlabel = \"A\"\nsections = "
                  "[\"plan\"]\n") == "kinds.toml: sections.plan needs a label and guidance");
    CHECK(problem("[kinds\n").find("kinds.toml: line 1") != std::string::npos);
    CHECK(Catalogue::load("/nonexistent/kinds.toml").error().message.find("cannot be read") !=
          std::string::npos);
}

TEST_CASE("a small valid catalogue parses", "[meeting_kinds]") {
    const auto r = Catalogue::parse(std::string(kSection) +
                                        "[kinds.b]\nlabel = \"B\"\nsections = [\"plan\"]\n"
                                        "[kinds.a]\nlabel = \"A\"\nsections = [\"plan\"]\n"
                                        "professionals_only = [\"plan\"]\nvote_recorded = true\n",
                                    "mine.toml");
    REQUIRE(r.ok());
    REQUIRE(r.value().kinds().size() == 2);
    CHECK(r.value().kinds()[0].id == "b");  // file order, not sorted
    CHECK(r.value().kind("a")->vote_recorded);
    CHECK(r.value().kind("a")->is_professionals_only("plan"));
    CHECK_FALSE(r.value().kind("b")->clocks.get(Clock::full_record));
}
