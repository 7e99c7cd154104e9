#include <catch2/catch.hpp>

#include "fixture.hpp"

using namespace liaise;
using liaise::test::audience;
using liaise::test::matched;
using liaise::test::test_engine;
using Texts = std::vector<std::string>;

namespace {

struct Row {
    const char* name;
    const char* text;
    Texts expected;  // matched texts, in order
};

void run_table(const std::vector<Row>& rows, const std::string& who = "public") {
    for (const auto& row : rows) {
        INFO(row.name << ": " << row.text);
        CHECK(matched(test_engine().check(row.text, audience(who))) == row.expected);
    }
}

}  // namespace

TEST_CASE("acronyms match case-sensitively, with plurals and possessives", "[matcher]") {
    run_table({
        {"SEND found", "Does he get SEND support?", {"SEND"}},
        {"send is a verb", "Please send the report today.", {}},
        {"lac is not LAC", "The lac insect makes a resin.", {}},
        {"LAC", "She is LAC now.", {"LAC"}},
        {"pep talk", "He gave the team a pep talk.", {}},
        {"plural", "Two CINs were opened.", {"CINs"}},
        {"possessive", "The GP's letter arrived.", {"GP's"}},
        {"curly possessive", "The GP\u2019s letter arrived.", {"GP\u2019s"}},
        {"plural possessive", "Both GPs' letters arrived.", {"GPs"}},
        {"past tense", "She was DNA'd twice.", {"DNA'd"}},
        {"case-insensitive acronym", "An s47 and an S47.", {"s47", "S47"}},
        {"spelled-out variant in any case", "A Child In Need plan.", {"Child In Need"}},
        {"mixed-case variant", "Ask the SENCo or the SENCO.", {"SENCo", "SENCO"}},
        {"acronym inside a hyphenated word", "A MASH-led review.", {"MASH"}},
    });
}

TEST_CASE("phrases, hyphens, spaces and line breaks", "[matcher]") {
    run_table({
        {"phrase", "The core group met.", {"core group"}},
        {"capitalised phrase", "Core Group notes.", {"Core Group"}},
        {"runs of spaces", "The core    group met.", {"core    group"}},
        {"wrapped over two lines", "The core\ngroup met.", {"core\ngroup"}},
        {"CRLF wrap", "The core\r\n  group met.", {"core\r\n  group"}},
        {"non-breaking space", "The core\u00A0group met.", {"core\u00A0group"}},
        {"hyphen variant", "A core-group meeting.", {"core-group meeting"}},
        {"hyphenated term", "multi-agency work", {"multi-agency"}},
        {"spaced term", "multi agency work", {"multi agency"}},
        {"closed term", "multiagency work", {"multiagency"}},
        {"non-breaking hyphen", "multi\u2011agency work", {"multi\u2011agency"}},
        {"punctuation breaks a phrase", "At the core. Group work follows.", {}},
        {"the core of the problem", "This is the core of the problem.", {}},
        {"in need of", "The family is in need of help.", {}},
        {"longest match wins", "The core group meeting is on Monday.", {"core group meeting"}},
        {"spelled-out variant", "He is a child in need.", {"child in need"}},
    });
}

TEST_CASE("inflections are generated unless an entry opts out", "[matcher]") {
    run_table({
        {"plural", "Both core groups met.", {"core groups"}},
        {"past of first word", "The case was stepped down.", {"stepped down"}},
        {"-ing of first word", "We are stepping down the case.", {"stepping down"}},
        {"-s of first word", "She steps down the case.", {"steps down"}},
        {"-ed", "We facilitated it.", {"facilitated"}},
        {"-ing dropping e", "We are utilising it.", {"utilising"}},
        {"-ise / -ize", "They utilized the room.", {"utilized"}},
        {"possessive of a phrase", "The core group's view.", {"core group's"}},
        {"no-inflection entry", "He was sectioned; sectioneds is not a word.", {"sectioned"}},
    });
}

TEST_CASE("URLs, e-mail addresses and backticks are skipped", "[matcher]") {
    run_table({
        {"url", "See https://example.org/CIN/core-group for more.", {}},
        {"www", "See www.example.org/SEND today.", {}},
        {"email", "Write to cin.team@council.example.uk about it.", {}},
        {"backticks", "The code `CIN` and `core group` are literal.", {}},
        {"unmatched backtick", "A ` then CIN", {"CIN"}},
        {"text after a url still checked", "See https://example.org, then the CIN.", {"CIN"}},
    });
}

TEST_CASE("other languages and emoji give no findings", "[matcher]") {
    run_table({
        {"Welsh", "Mae'r plentyn yn hapus iawn heddiw. Diolch yn fawr am eich help.", {}},
        {"French",
         "L'enfant est tr\u00e8s heureux aujourd'hui. \u00c7a va tr\u00e8s bien, merci.",
         {}},
        {"emoji", "Great news \U0001F389\U0001F44D see you soon \u2764\uFE0F", {}},
        {"decomposed accents", "Cafe\u0301 au lait, cre\u0300me bru\u0302le\u0301e.", {}},
    });
}

TEST_CASE("unknown acronyms, the common list, definitions and shouting", "[matcher]") {
    run_table({
        {"unknown acronym", "The XYZ panel met.", {"XYZ"}},
        {"unknown with ampersand", "She stayed at a B&B.", {"B&B"}},
        {"common acronyms", "The NHS in the UK runs A&E.", {}},
        {"too long to be an acronym", "ABCDEFG is a long token.", {}},
        {"single capital", "I think A is right.", {}},
        {"digits are not acronyms", "Meet in room B12 at 3PM.", {}},
        {"definition after", "Team Around the Family (TAF) met; the TAF agreed.", {}},
        {"definition before", "TAF (Team Around the Family) met; the TAF agreed.", {}},
        {"use before definition is flagged",
         "The TAF met. Team Around the Family (TAF) is new.",
         {"TAF"}},
        {"defined dictionary acronym",
         "SEND (special educational needs and disabilities) matters. SEND support helps.",
         {}},
        {"dictionary acronym defined by initials",
         "Multi Agency Support Hub (MASH) staff; the MASH called.",
         {"Multi Agency"}},
        {"brackets that do not define", "The TAF (see below) met.", {"TAF"}},
        {"shouting is not acronyms", "PLEASE CALL ME BACK", {}},
        {"unknown plural", "Two XYZs met.", {"XYZs"}},
        {"curly possessive unknown", "The XYZ\u2019s view.", {"XYZ\u2019s"}},
    });
}

TEST_CASE("an ambiguous acronym gives one finding with every meaning", "[matcher]") {
    const auto r = test_engine().check("The CP plan was discussed.", jargon::Audience::everyone());
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings.front();
    CHECK(f.text == "CP");
    CHECK(f.disciplines() == std::vector<std::string>{"health", "social-care"});
    CHECK(f.alternatives() == std::vector<std::string>{"cerebral palsy", "child protection"});
    CHECK_THAT(f.explanation(), Catch::Contains("health: ") && Catch::Contains("social-care: "));
}

TEST_CASE("audience rules", "[matcher][audience]") {
    struct Row {
        const char* who;
        const char* text;
        Texts expected;
    };
    const std::vector<Row> rows = {
        {"social-care", "The core group met.", {}},
        {"social-care,education", "The core group met.", {"core group"}},
        {"education", "The core group met.", {"core group"}},
        {"public", "The core group met.", {"core group"}},
        {"social-care", "We will utilise the room going forward.", {"utilise", "going forward"}},
        {"social-care", "The XYZ met.", {"XYZ"}},
        {"social-care", "The CP plan.", {}},
        {"health", "The CP clinic.", {}},
        {"health,social-care", "The CP plan.", {"CP"}},
        {"education", "The PEP is due.", {}},
        {"education,health", "The PEP is due.", {"PEP"}},
        {"health", "The TTO is ready.", {}},
        {"social-care", "The TTO is ready.", {"TTO"}},
        {"social-care,parent-carer", "The core group met.", {"core group"}},
    };
    for (const auto& row : rows) {
        INFO(row.who << ": " << row.text);
        CHECK(matched(test_engine().check(row.text, audience(row.who))) == row.expected);
    }
    CHECK(matched(test_engine().check("The core group met.", jargon::Audience::of({}))).empty());
}

TEST_CASE("a term is never flagged inside its own alternative", "[matcher]") {
    run_table({
        {"the term alone", "We safeguard children.", {"safeguard"}},
        {"inflected term inside its alternative", "There are safeguards for the child here.", {}},
        {"inflected term elsewhere", "Safeguards matter.", {"Safeguards"}},
    });
}

TEST_CASE("findings carry byte range, line, column, term, kind and meaning", "[matcher]") {
    const std::string text = "Caf\u00e9 \u2013 notes\nThe \u2018CIN\u2019 plan";
    const auto r = test_engine().check(text, jargon::Audience::everyone());
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings.front();
    CHECK(text.substr(f.start, f.end - f.start) == "CIN");
    CHECK(f.line == 2);
    CHECK(f.column == 6);  // T h e space ‘ C: code points, not bytes
    CHECK(f.term == "CIN");
    CHECK(f.kind == jargon::Kind::acronym);
    REQUIRE(f.meanings.size() == 1);
    CHECK(f.meanings.front().discipline == "social-care");
    CHECK(f.meanings.front().alternatives.front() == "child who needs extra help");
    CHECK(!f.explanation().empty());

    const auto phrase = test_engine().check("Core groups", jargon::Audience::everyone());
    REQUIRE(phrase.findings.size() == 1);
    CHECK(phrase.findings.front().term == "core group");
    CHECK(phrase.findings.front().kind == jargon::Kind::phrase);

    const auto unknown = test_engine().check("\n\nXYZ", jargon::Audience::everyone());
    REQUIRE(unknown.findings.size() == 1);
    CHECK(unknown.findings.front().kind == jargon::Kind::unknown_acronym);
    CHECK(unknown.findings.front().line == 3);
    CHECK(unknown.findings.front().column == 1);
    CHECK(unknown.findings.front().meanings.empty());
}

TEST_CASE("findings share their meanings and keep them after the engine is gone", "[matcher]") {
    // Nine disciplines give the acronym more meanings than a finding holds without allocating.
    jargon::DictionarySet set;
    for (int d = 9; d >= 1; --d) {  // out of order: meanings come in discipline order
        jargon::Entry e;
        e.term = "QQX";
        e.alternatives = {"plain " + std::to_string(d)};
        e.explanation = "Meaning " + std::to_string(d) + ".";
        e.kind = jargon::Kind::acronym;
        set.dictionaries.push_back({"discipline-" + std::to_string(d), {e}});
    }
    set.dictionaries.push_back({"one", {set.dictionaries.front().entries.front()}});
    set.dictionaries.back().entries.front().term = "ZZY";

    std::vector<jargon::Finding> kept;
    {
        auto engine = jargon::Engine::compile(set).value();
        auto r = engine->check("The QQX and the ZZY met.", jargon::Audience::everyone());
        REQUIRE(r.findings.size() == 2);
        kept = r.findings;  // copies outlive the result and the engine
    }
    const auto& many = kept.front();
    REQUIRE(many.meanings.size() == 9);
    std::vector<std::string> disciplines;
    for (const auto& m : many.meanings)
        disciplines.push_back(m.discipline);
    CHECK(disciplines == many.disciplines());
    CHECK(disciplines.front() == "discipline-1");
    CHECK(disciplines.back() == "discipline-9");
    CHECK(many.meanings[4].explanation == "Meaning 5.");
    CHECK(many.meanings.back().alternatives == std::vector<std::string>{"plain 9"});
    CHECK(std::distance(many.meanings.begin(), many.meanings.end()) == 9);

    const auto one = kept.back();  // a copy of a copy
    REQUIRE(one.meanings.size() == 1);
    CHECK(one.meanings.front().discipline == "one");
    CHECK(one.meanings.front().explanation == "Meaning 9.");
    CHECK(one.explanation() == "Meaning 9.");
    const jargon::Meanings none;
    CHECK(none.empty());
    CHECK(none.begin() == none.end());
}

TEST_CASE("invalid UTF-8 never crashes a check", "[matcher]") {
    const std::string text = "bad \xC3\x28 byte \xFF\xFE then CIN and \xE2\x82";
    const auto r = test_engine().check(text, jargon::Audience::everyone());
    CHECK(matched(r) == Texts{"CIN"});
    CHECK(test_engine().check("", jargon::Audience::everyone()).findings.empty());
}

TEST_CASE("explain finds every meaning of a term", "[matcher]") {
    CHECK(test_engine().explain("CP").size() == 2);
    CHECK(test_engine().explain("cp").size() == 2);  // falls back to any case
    CHECK(test_engine().explain("core groups").size() == 1);
    CHECK(test_engine().explain("Core-Group").size() == 1);
    CHECK(test_engine().explain("no such thing").empty());
}

TEST_CASE("audience parsing", "[audience]") {
    CHECK(jargon::Audience::parse("public").value().is_public());
    const auto a = jargon::Audience::parse("education, social-care,education");
    REQUIRE(a.ok());
    CHECK(a.value().disciplines() == std::vector<std::string>{"education", "social-care"});
    CHECK(a.value().to_string() == "education,social-care");
    CHECK_FALSE(jargon::Audience::parse("").ok());
    CHECK_FALSE(jargon::Audience::parse("education,,health").ok());
    CHECK_FALSE(jargon::Audience::parse("public,health").ok());
}
