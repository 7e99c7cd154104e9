// A room's agreed terms (glossary.hpp), on the shipped dictionaries.
#include <catch2/catch.hpp>

#include "liaise/jargon/glossary.hpp"
#include "liaise/jargon/reader.hpp"

using namespace liaise::jargon;

namespace {

const Engine& shipped_engine() {
    static const auto engine = [] {
        const auto set = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
        REQUIRE(set.ok());
        auto compiled = Engine::compile(set.value());
        REQUIRE(compiled.ok());
        return compiled.value();
    }();
    return *engine;
}

Glossary glossary(std::vector<AgreedTerm> terms) {
    auto g = Glossary::make(std::move(terms));
    REQUIRE(g.ok());
    return std::move(g).value();
}

std::vector<std::string> texts(const CheckResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings)
        out.push_back(f.text);
    return out;
}

const Audience kPolice = Audience::of({"police-justice", "housing-benefits"});

}  // namespace

TEST_CASE("agreed terms are not held back in a room of professionals", "[glossary]") {
    const auto g = glossary({{"IRO", "the independent reviewing officer, Pat"},
                             {"PEP", "the personal education plan"}});
    const std::string draft = "The IRO wants the PEP and the EHCP before the review.";
    auto result = shipped_engine().check(draft, kPolice);
    REQUIRE(texts(result) == std::vector<std::string>{"IRO", "PEP", "EHCP"});
    CHECK(apply_glossary(result, g, kPolice) == 2);
    CHECK(texts(result) == std::vector<std::string>{"EHCP"});
}

TEST_CASE("agreed terms are still flagged when the room includes the public", "[glossary]") {
    const auto g = glossary({{"IRO", "the independent reviewing officer"}});
    auto result = shipped_engine().check("The IRO will ring you.", Audience::everyone());
    REQUIRE(texts(result) == std::vector<std::string>{"IRO"});
    CHECK(apply_glossary(result, g, Audience::everyone()) == 0);
    CHECK(texts(result) == std::vector<std::string>{"IRO"});
}

TEST_CASE("terms in capitals match only in capitals, other terms in any case", "[glossary]") {
    const auto g = glossary({{"IRO", "m1"}, {"core group", "m2"}, {"the Hub", "m3"}});
    const std::string text = "iro? The IROs met. Core Group at the hub; IRO's notes, core groups.";
    const auto uses = g.uses(text);
    std::vector<std::string> seen;
    for (const auto& u : uses)
        seen.push_back(text.substr(u.start, u.end - u.start));
    CHECK(seen ==
          std::vector<std::string>{"IROs", "Core Group", "the hub", "IRO's", "core groups"});
    CHECK(g.find("Core  group") == &g.terms()[1]);
    CHECK(g.find("CORE GROUP") == &g.terms()[1]);
    CHECK(g.find("core") == nullptr);
}

TEST_CASE("a reader meets each agreed term explained once", "[glossary]") {
    const auto g = glossary({{"IRO", "the independent reviewing officer, Pat Lee"},
                             {"blue folder", "the shared case file in the school office"}});
    const auto& engine = shipped_engine();
    std::set<std::string> met;
    // A police officer reading a social worker: IRO is flagged, and the room's own term is in no
    // dictionary: both are explained the first time, in text order, and no longer flagged.
    const std::string first = "The IRO has the blue folder. Ask the IRO.";
    auto explained = check_for_reader(engine, first, "police-justice", {"social-care"});
    REQUIRE(texts(explained) == std::vector<std::string>{"IRO", "IRO"});
    const auto once = meet_agreed_terms(first, explained, g, engine, met);
    REQUIRE(once.size() == 2);
    CHECK(once[0].term == "IRO");
    CHECK(once[0].meaning == "the independent reviewing officer, Pat Lee");
    CHECK(once[1].term == "blue folder");
    CHECK(explained.findings.empty());
    CHECK(met == std::set<std::string>{"iro", "blue folder"});
    // The second time, nothing is explained and nothing flagged.
    const std::string second = "The IRO rang.";
    auto again = check_for_reader(engine, second, "police-justice", {"social-care"});
    REQUIRE(texts(again) == std::vector<std::string>{"IRO"});
    CHECK(meet_agreed_terms(second, again, g, engine, met).empty());
    CHECK(again.findings.empty());
}

TEST_CASE("a reader's own term is not explained, only marked as met", "[glossary]") {
    const auto g = glossary({{"IRO", "the independent reviewing officer"}});
    std::set<std::string> met;
    const std::string text = "The IRO rang.";
    auto explained = check_for_reader(shipped_engine(), text, "social-care", {"social-care"});
    CHECK(explained.findings.empty());
    CHECK(meet_agreed_terms(text, explained, g, shipped_engine(), met).empty());
    CHECK(met.contains("iro"));
}

TEST_CASE("bad agreed terms are refused with every problem", "[glossary]") {
    CHECK(agreed_term_problem("").size() > 0);
    CHECK(agreed_term_problem(std::string(65, 'a')).size() > 0);
    CHECK(agreed_term_problem("IRO\n") == "a term cannot hold line breaks or control characters");
    CHECK(agreed_term_problem("(IRO)") == "a term cannot hold brackets");
    CHECK(agreed_term_problem("--") == "a term needs at least one letter or digit");
    CHECK(agreed_term_problem("core group").empty());
    CHECK(agreed_meaning_problem("") == "give the meaning the room uses for the term");
    CHECK(agreed_meaning_problem(std::string(301, 'a')).size() > 0);
    const auto bad = Glossary::make({{"IRO", "one"}, {"iro", "two"}, {"PEP", ""}});
    REQUIRE_FALSE(bad.ok());
    REQUIRE(bad.problems().size() == 2);
    CHECK(bad.problems()[0].line == 2);
    CHECK(bad.problems()[0].reason == "'iro' is agreed twice");
    CHECK(bad.problems()[1].line == 3);
}
