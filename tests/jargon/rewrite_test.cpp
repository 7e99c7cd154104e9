#include <catch2/catch.hpp>

#include <fstream>

#include "fixture.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/reader.hpp"

using namespace liaise;
using liaise::test::test_engine;

namespace {

std::string fix(const std::string& text) {
    const auto r = test_engine().check(text, jargon::Audience::everyone());
    return jargon::rewrite(text, r.findings);
}

}  // namespace

TEST_CASE("rewrite applies the first alternative and keeps capitals", "[rewrite]") {
    struct Row {
        const char* in;
        const char* out;
    };
    const Row rows[] = {
        {"The CIN plan.", "The CIN (child in need) plan."},  // a modifier: explained
        {"CIN plan agreed.", "CIN (child in need) plan agreed."},
        {"Agreed. CIN plan next.", "Agreed. CIN (child in need) plan next."},
        {"Core group met.", "Small team around the child met."},
        {"The core group met.", "The small team around the child met."},
        {"The GP's letter.", "The family doctor's letter."},
        {"The GP\u2019s letter.", "The family doctor\u2019s letter."},
        {"We will utilise it going forward.", "We will use it from now on."},
        {"No jargon here.", "No jargon here."},
        {"The CP plan and the XYZ.", "The CP plan and the XYZ."},  // ambiguous and unknown stay
        {"Caf\u00e9: CIN \U0001F389", "Caf\u00e9: child who needs extra help \U0001F389"},
        {"The NFA was agreed.", "The no further action was agreed."},  // meanings agree
        {"A holistic plan.", "An all-round plan."},                    // article follows
        {"We need an LAC review.", "We need an LAC (looked-after child) review."},
        {"The EHC needs assessment is due.", "The council check of a child's needs is due."},
        {"EHC needs assessment due.", "Council check of a child's needs due."},
    };
    for (const auto& row : rows) {
        INFO(row.in);
        CHECK(fix(row.in) == row.out);
    }
}

TEST_CASE("a rewritten text has nothing left to fix", "[rewrite]") {
    const std::string text = "The CIN core group will facilitate a step down. The GP's TTO.";
    const auto once = fix(text);
    CHECK(once != text);
    CHECK(fix(once) == once);
}

TEST_CASE("a noun replaced, a modifier explained", "[rewrite]") {
    CHECK(fix("The CIN was closed.") == "The child who needs extra help was closed.");
    CHECK(fix("The CIN plan was closed.") == "The CIN (child in need) plan was closed.");
}

namespace {

const jargon::Engine& shipped_engine() {
    static const auto engine = [] {
        const auto set = jargon::load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
        REQUIRE(set.ok());
        auto compiled = jargon::Engine::compile(set.value());
        REQUIRE(compiled.ok());
        return compiled.value();
    }();
    return *engine;
}

struct HeldOut {
    std::string draft, replaced, explained;
};

std::vector<HeldOut> held_out() {
    std::ifstream in(LIAISE_TEST_DATA "/fixes/held-out.tsv");
    REQUIRE(in);
    std::vector<HeldOut> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#')
            continue;
        const auto a = line.find('\t');
        const auto b = line.find('\t', a + 1);
        REQUIRE(a != std::string::npos);
        REQUIRE(b != std::string::npos);
        rows.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    return rows;
}

}  // namespace

TEST_CASE("held-out drafts get the fixes a reader checked", "[rewrite][held-out]") {
    const auto rows = held_out();
    REQUIRE(rows.size() >= 40);
    for (const auto& row : rows) {
        INFO(row.draft);
        const auto r = shipped_engine().check(row.draft, jargon::Audience::everyone());
        CHECK(jargon::fix_text(row.draft, r.findings, jargon::FixMode::replace_where_it_fits) ==
              row.replaced);
        CHECK(jargon::fix_text(row.draft, r.findings, jargon::FixMode::explain_only) ==
              row.explained);
        CHECK(jargon::rewrite(row.draft, r.findings) == row.replaced);
    }
}

TEST_CASE("fixing a fixed draft changes nothing more", "[rewrite][held-out]") {
    for (const auto& row : held_out()) {
        for (const auto mode :
             {jargon::FixMode::replace_where_it_fits, jargon::FixMode::explain_only}) {
            const auto once_checked =
                shipped_engine().check(row.draft, jargon::Audience::everyone());
            const auto once = jargon::fix_text(row.draft, once_checked.findings, mode);
            const auto again = shipped_engine().check(once, jargon::Audience::everyone());
            INFO(once);
            CHECK(jargon::fix_text(once, again.findings, jargon::FixMode::explain_only) == once);
        }
    }
}

TEST_CASE("each finding is offered the fixes that fit where it stands", "[rewrite]") {
    const std::string text = "The CIN plan was agreed at core group. The CIN was closed.";
    const auto r = shipped_engine().check(text, jargon::Audience::everyone());
    const auto choices = jargon::offer_fixes(text, r.findings);
    REQUIRE(choices.size() == 3);
    // "CIN plan": a modifier, and no alternative of CIN is one, so only explaining fits.
    CHECK(choices[0].modifier);
    CHECK(!choices[0].replace);
    REQUIRE(choices[0].explain);
    CHECK(choices[0].explain->text == "CIN (child in need)");
    // "at core group": a noun phrase used as a name, so "the" comes with either fix.
    REQUIRE(choices[1].replace);
    CHECK(choices[1].replace->text == "the group of the family and key workers");
    REQUIRE(choices[1].explain);
    CHECK(choices[1].explain->text == "the core group (the group of the family and key workers)");
    // The second CIN is a noun: it may be replaced; explaining it again is offered but not chosen.
    REQUIRE(choices[2].replace);
    CHECK(choices[2].replace->text == "child needing extra council help");
    const auto fixes = jargon::choose_fixes(choices, jargon::FixMode::explain_only);
    CHECK(fixes.size() == 2);
}

TEST_CASE("acronym explanations lead with the expansion", "[rewrite][expansion]") {
    const auto r = shipped_engine().check("The EHCP and the CIN.", jargon::Audience::everyone());
    REQUIRE(r.findings.size() == 2);
    CHECK(
        r.findings[0].explanation().starts_with("Education, Health and Care Plan \u2014 a legal"));
    CHECK(r.findings[1].explanation().starts_with("child in need \u2014 a child the council"));
}

namespace {

/// The matched texts of a check of `text` for the public, with the shipped dictionaries.
std::vector<std::string> flagged_for_public(const std::string& text) {
    return liaise::test::matched(shipped_engine().check(text, jargon::Audience::everyone()));
}

}  // namespace

TEST_CASE("a term explained in brackets after it is explained for the rest of the text",
          "[rewrite][explained]") {
    using Texts = std::vector<std::string>;
    struct Row {
        const char* text;
        Texts expected;
    };
    const Row rows[] = {
        // The engine's own explain form, and what a person types instead.
        {"The CIN (child in need) plan was agreed.", {}},
        {"The CIN (Child in Need) plan was agreed.", {}},
        {"The CIN (Child In Need) plan was agreed.", {}},
        {"The CIN - child in need - plan was agreed.", {}},
        {"The CIN \u2013 child in need \u2013 plan was agreed.", {}},
        {"CIN - child in need. The plan was agreed.", {}},
        {"The CIN (a child needing extra council help) plan.", {}},
        {"The CIN (child needing extra council help) plan.", {}},
        {"The CIN ( child in need ) plan.", {}},
        {"The CIN (child in need ) plan.", {}},
        {"The CIN\u00a0(child in need) plan.", {}},
        {"The core group (the group of the family and key workers) met.", {}},
        {"The core group (small team of workers around the child) met.", {}},
        {"Utilise (use) the room.", {}},
        {"We will utilise (use) it going forward (from now on).", {}},
        // For the rest of the text: later uses need no second explanation.
        {"The CIN (child in need) plan was agreed. The CIN plan ends in May. Two CINs.", {}},
        {"At the core group (the group of the family and key workers) we met. Core groups help.",
         {}},
        // Only after the explanation: a use before it is still flagged.
        {"The CIN plan. Later: CIN (child in need).", {"CIN"}},
        // Brackets that say something else do not explain the term.
        {"The CIN (see below) plan.", {"CIN"}},
        {"The CIN (2024) plan.", {"CIN"}},
        {"The CIN (child protection) plan.", {"CIN"}},
        {"The CIN (child in need plan) was agreed.", {"CIN", "child in need"}},
        {"The CIN - see below.", {"CIN"}},
        {"The CIN (children) plan.", {"CIN"}},
        // An explanation of one term explains that term only.
        {"The CIN (child in need) plan and the EHCP.", {"EHCP"}},
        {"The CIN (child in need) and the LAC.", {"LAC"}},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        CHECK(flagged_for_public(row.text) == row.expected);
    }
}

TEST_CASE("a draft fixed by explaining is not flagged again for what it explains",
          "[rewrite][explained][held-out]") {
    for (const auto& row : held_out()) {
        const auto first = shipped_engine().check(row.draft, jargon::Audience::everyone());
        const auto choices = jargon::offer_fixes(row.draft, first.findings);
        const auto fixed =
            jargon::fix_text(row.draft, first.findings, jargon::FixMode::explain_only);
        // Every term that got an explain fix is explained for the rest of the fixed draft.
        std::vector<std::string> explained;
        for (const auto& fix : jargon::choose_fixes(choices, jargon::FixMode::explain_only))
            for (std::size_t k = 0; k < choices.size(); ++k)
                if (choices[k].explain && choices[k].explain->start == fix.start)
                    explained.push_back(choices[k].term);
        const auto again = shipped_engine().check(fixed, jargon::Audience::everyone());
        for (const auto& f : again.findings) {
            INFO(fixed << " -> flags " << f.text);
            std::string term = f.term;
            for (auto& c : term)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            CHECK(std::find(explained.begin(), explained.end(), term) == explained.end());
        }
        if (!explained.empty())
            CHECK(again.findings.size() < first.findings.size());
    }
}

namespace {

/// An engine of two disciplines that agree on what NFA is, from these dictionary rows.
std::shared_ptr<const jargon::Engine> nfa_engine(const std::string& police_row,
                                                 const std::string& social_care_row) {
    const std::string header = std::string(jargon::kDictionaryHeader) + "\n";
    auto police = jargon::parse_dictionary("police-justice", "p.tsv", header + police_row + "\n");
    auto social = jargon::parse_dictionary("social-care", "s.tsv", header + social_care_row + "\n");
    REQUIRE(police.ok());
    REQUIRE(social.ok());
    jargon::DictionarySet set;
    set.dictionaries = {police.value(), social.value()};
    auto engine = jargon::Engine::compile(set);
    REQUIRE(engine.ok());
    return engine.value();
}

std::string fix_with(const jargon::Engine& engine, const std::string& text,
                     const std::vector<std::string>& writers = {}) {
    auto r = engine.check(text, jargon::Audience::everyone());
    if (!writers.empty())
        jargon::settle_meanings(r, writers);
    return jargon::fix_text(text, r.findings, jargon::FixMode::replace_where_it_fits);
}

}  // namespace

TEST_CASE("an unsettled term is replaced only by words every meaning lets stand there",
          "[rewrite][fit]") {
    const std::string kind = "\tNothing more will be done.\tacronym\t";
    SECTION("meanings that differ on fit: the stricter wins until the writer settles it") {
        const auto engine = nfa_engine("NFA\t\tno further action" + kind + "fit=both",
                                       "NFA\t\tno further action" + kind);
        // A noun phrase either way.
        CHECK(fix_with(*engine, "Police took NFA.") == "Police took no further action.");
        // Before a noun: social care's words are a noun phrase only, so it is explained.
        CHECK(fix_with(*engine, "The NFA decision was made.") ==
              "The NFA (no further action) decision was made.");
        // A police officer wrote it: police words, and police say they fit there.
        CHECK(fix_with(*engine, "The NFA decision was made.", {"police-justice"}) ==
              "The no further action decision was made.");
        CHECK(fix_with(*engine, "The NFA decision was made.", {"social-care"}) ==
              "The NFA (no further action) decision was made.");
    }
    SECTION("both meanings let the words stand before a noun") {
        const auto engine = nfa_engine("NFA\t\tno further action" + kind + "fit=both",
                                       "NFA\t\tno further action" + kind + "fit=both");
        CHECK(fix_with(*engine, "The NFA decision was made.") ==
              "The no further action decision was made.");
    }
    SECTION("words only one meaning offers are not used while the meaning is unsettled") {
        const auto engine =
            nfa_engine("NFA\t\tno further action|closed case" + kind + "fit=noun|modifier",
                       "NFA\t\tno further action" + kind);
        CHECK(fix_with(*engine, "The NFA decision was made.") ==
              "The NFA (no further action) decision was made.");
        CHECK(fix_with(*engine, "The NFA decision was made.", {"police-justice"}) ==
              "The closed case decision was made.");
    }
}

TEST_CASE("the writer's discipline settles which words fit before a noun", "[rewrite][fit]") {
    const std::string text = "The CP plan was agreed.";
    const auto fixed_by = [&](const std::vector<std::string>& writers) {
        auto r = shipped_engine().check(text, jargon::Audience::everyone());
        if (!writers.empty())
            jargon::settle_meanings(r, writers);
        return jargon::fix_text(text, r.findings, jargon::FixMode::replace_where_it_fits);
    };
    // Unsettled: child protection or cerebral palsy, the writer's to say.
    CHECK(fixed_by({}) == text);
    CHECK(fixed_by({"education"}) == text);
    // A social worker's CP is child protection, whose words stand before a noun.
    CHECK(fixed_by({"social-care"}) == "The child protection plan was agreed.");
    // A nurse's CP is cerebral palsy, whose words do not: explained instead.
    CHECK(fixed_by({"health"}) == "The CP (cerebral palsy) plan was agreed.");
}
