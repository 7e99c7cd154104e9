// Who knows what: the known= option, the writer settling an ambiguous term, and sentences in
// other languages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>

#include "fixture.hpp"
#include "liaise/jargon/reader.hpp"

using namespace liaise::jargon;
using liaise::test::audience;
using liaise::test::matched;

namespace {

constexpr std::string_view kHead = "term\tvariants\talternatives\texplanation\tkind\toptions\n";

Dictionary dict(std::string_view discipline, const std::string& rows) {
    auto r =
        parse_dictionary(discipline, std::string(discipline) + ".tsv", std::string(kHead) + rows);
    std::string all;
    for (const auto& p : r.problems())
        all += p.to_string() + "\n";
    INFO(all);
    REQUIRE(r.ok());
    return std::move(r).value();
}

std::shared_ptr<const Engine> engine() {
    static const auto e = [] {
        DictionarySet set;
        set.dictionaries.push_back(
            dict("health",
                 "GP\t\tfamily doctor\tA family doctor.\tacronym\tknown=all-professionals\n"
                 "HV\t\thealth visitor\tA nurse who visits families with young children.\tacronym\t"
                 "known=education+social-care\n"
                 "TTO\t\tmedicines to take home\tMedicines given on leaving hospital.\tacronym\t\n"
                 "CP\t\tcerebral palsy\tA condition that affects movement.\tacronym\t"
                 "known=all-professionals\n"
                 "A&E\t\temergency department\tThe hospital's emergency department.\tacronym\t"
                 "known=everyone\n"));
        set.dictionaries.push_back(dict(
            "social-care",
            "CP\t\tchild protection\tWork to keep a child safe from harm.\tacronym\t"
            "known=all-professionals\n"
            "NFA\t\tno further action\tNothing more will be done.\tacronym\t\n"
            "core group\t\tsmall team of workers\tThe family and the key workers.\tphrase\t\n"));
        set.dictionaries.push_back(dict(
            "police-justice", "NFA\t\tno further action\tNothing more will be done.\tacronym\t\n"));
        set.dictionaries.push_back(dict("education",
                                        "SENCO\t\tspecial needs teacher\tThe "
                                        "teacher who leads on special needs.\tacronym\t\n"));
        set.dictionaries.push_back(
            dict("general",
                 "going forward\t\tfrom now on\tFrom now on.\tphrase\t\n"
                 "liaise\t\ttalk\tTalk to each other.\tterm\tknown=all-professionals\n"));
        return Engine::compile(set).value();
    }();
    return e;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("known= parses, round-trips and rejects bad values", "[known]") {
    const auto d = dict("health",
                        "GP\t\tfamily doctor\tA doctor.\tacronym\tknown=all-professionals\n"
                        "HV\t\thealth visitor\tA nurse.\tacronym\tcase-sensitive,known=social-care+"
                        "education+social-care\n"
                        "AE\t\temergency department\tHospital.\tacronym\tknown=everyone\n"
                        "TTO\t\tmedicines to take home\tMedicines.\tacronym\t\n");
    REQUIRE(d.entries.size() == 4);
    CHECK(d.entries[0].known_by == KnownBy::all_professionals);
    CHECK(d.entries[1].known_by == KnownBy::listed);
    CHECK(d.entries[1].known_disciplines == Strings{"education", "social-care"});
    CHECK(d.entries[2].known_by == KnownBy::everyone);
    CHECK(d.entries[3].known_by == KnownBy::own_discipline);
    const auto written = write_dictionary(d);
    CHECK_THAT(written, Catch::Contains("\tcase-sensitive,known=education+social-care\n"));
    const auto again = parse_dictionary("health", "again.tsv", written);
    REQUIRE(again.ok());
    for (std::size_t i = 0; i < d.entries.size(); ++i) {
        CHECK(again.value().entries[i].known_by == d.entries[i].known_by);
        CHECK(again.value().entries[i].known_disciplines == d.entries[i].known_disciplines);
    }
    for (const char* bad : {"known=", "known=Health", "known=health+", "known=all"}) {
        INFO(bad);
        const auto r = parse_dictionary(
            "health", "h.tsv",
            std::string(kHead) + "GP\t\tfamily doctor\tA doctor.\tacronym\t" + bad + "\n");
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("a term is flagged only for readers who do not know it", "[known]") {
    const auto& e = *engine();
    struct Row {
        const char* text;
        const char* audience;
        Strings expected;
    } rows[] = {
        // The default: its own discipline only.
        {"TTO today.", "health", {}},
        {"TTO today.", "health,education", {"TTO"}},
        // All professionals, whoever they are, but never the public.
        {"Ask the GP.", "health,education,social-care", {}},
        {"Ask the GP.", "police-justice,housing", {}},
        {"Ask the GP.", "public", {"GP"}},
        // Listed disciplines, with its own.
        {"The HV came.", "health,education,social-care", {}},
        {"The HV came.", "education", {}},
        {"The HV came.", "health,police-justice", {"HV"}},
        // Everyone, the public included.
        {"Seen in A&E.", "public", {}},
        // Officialese is nobody's own language, unless its entry says who knows it.
        {"Going forward we liaise weekly.", "health", {"Going forward"}},
        {"Going forward we liaise weekly.", "public", {"Going forward", "liaise"}},
        // Two meanings known to the readers, different in plain words: still flagged.
        {"CP concerns.", "health,education,social-care", {"CP"}},
        // Two meanings that agree: a room of both shares it.
        {"NFA by police.", "police-justice,social-care", {}},
        {"NFA by police.", "police-justice,education", {"NFA"}},
    };
    for (const auto& row : rows) {
        INFO(row.text << " for " << row.audience);
        CHECK(matched(e.check(row.text, audience(row.audience))) == row.expected);
    }
}

TEST_CASE("the writer's discipline settles an ambiguous term", "[known]") {
    const auto& e = *engine();
    // A teacher reads a social worker's "CP": child protection, one explanation.
    const auto teacher = check_for_reader(e, "CP concerns remain.", "education", {"social-care"});
    REQUIRE(teacher.findings.size() == 1);
    REQUIRE(teacher.findings[0].meanings.size() == 1);
    CHECK(teacher.findings[0].meanings[0].discipline == "social-care");
    // One explanation, led by the expansion its plain words spell.
    CHECK(teacher.findings[0].explanation() ==
          "child protection \u2014 work to keep a child safe from harm.");
    // A nurse reads the same: her own meaning is not the writer's, so she is told the writer's.
    const auto nurse = check_for_reader(e, "CP concerns remain.", "health", {"social-care"});
    REQUIRE(nurse.findings.size() == 1);
    REQUIRE(nurse.findings[0].meanings.size() == 1);
    CHECK(nurse.findings[0].meanings[0].alternatives == Strings{"child protection"});
    // Writer not known, the room has both meanings: both are shown.
    const auto unsure =
        check_for_reader(e, "CP concerns remain.", "education", {"health", "social-care"});
    REQUIRE(unsure.findings.size() == 1);
    CHECK(unsure.findings[0].meanings.size() == 2);
    // The send side: the writer's own check shows the meaning they use.
    auto sent = e.check("CP concerns remain.", audience("public"));
    REQUIRE(sent.findings.at(0).meanings.size() == 2);
    settle_meanings(sent, {"health"});
    REQUIRE(sent.findings[0].meanings.size() == 1);
    CHECK(sent.findings[0].meanings[0].discipline == "health");
    // A writer with no meaning of it changes nothing.
    auto other = e.check("CP concerns remain.", audience("public"));
    settle_meanings(other, {"education"});
    CHECK(other.findings.at(0).meanings.size() == 2);
}

TEST_CASE("Welsh and Polish sentences are not checked for English jargon", "[known][language]") {
    const auto set = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
    REQUIRE(set.ok());
    const auto shipped = Engine::compile(set.value()).value();
    const char* foreign[] = {
        "Mae'r teulu wedi symud i Gaerdydd ac mae'r plant yn hapus yn yr ysgol newydd.",
        "Roedd y cyfarfod gyda Mrs Evans a'r tîm TAC yn dda iawn heddiw.",
        "Bydd yr adolygiad nesaf ym mis Mawrth, ac mae Dylan yn cytuno gyda'r cynllun.",
        "Mae’r CAMHS wedi ffonio’r fam ddoe.",
        "Matka powiedziała, że dziecko nie chodzi do szkoły od poniedziałku.",
        "Spotkanie z PCPR jest jutro w Krakowie, a pani Nowak będzie obecna.",
        "Syn był u lekarza w piątek i czuje się już lepiej.",
    };
    for (const char* text : foreign) {
        INFO(text << " -> "
                  << ::Catch::Detail::stringify(matched(shipped->check(text, audience("public")))));
        CHECK(shipped->check(text, audience("public")).findings.empty());
    }
    // An English sentence next to a Welsh one is still checked, and so is English that happens
    // to use a Welsh or Polish word.
    CHECK(matched(shipped->check("Diolch yn fawr iawn. The CIN plan was agreed.",
                                 audience("public"))) == Strings{"CIN"});
    CHECK(matched(shipped->check("The CIN plan for Ffion is in the ysgol file.",
                                 audience("public"))) == Strings{"CIN"});
    CHECK(matched(shipped->check("Pan and Nowak spoke to the SENCO about the plan.",
                                 audience("public"))) == Strings{"SENCO"});
}

namespace {

std::vector<std::string> data_lines(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.front() != '#')
            out.push_back(line);
    return out;
}

/// The shipped dictionaries as they were before known=: every entry known by its own
/// discipline only.
DictionarySet without_known(DictionarySet set) {
    for (auto& d : set.dictionaries)
        for (auto& e : d.entries) {
            e.known_by = KnownBy::own_discipline;
            e.known_disciplines.clear();
        }
    return set;
}

struct Figures {
    std::size_t held = 0, drafts = 0, found = 0, expected = 0;
};

Figures measure(const Engine& engine) {
    Figures out;
    const auto room = audience("health,education,social-care");
    for (const auto& draft : data_lines(LIAISE_TEST_DATA "/plain/professional-drafts.txt")) {
        ++out.drafts;
        if (!engine.check(draft, room).findings.empty())
            ++out.held;
    }
    for (const auto& line : data_lines(LIAISE_TEST_DATA "/plain/public-heldout.tsv")) {
        const auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        const auto result = engine.check(line.substr(0, tab), Audience::everyone());
        std::string_view terms = std::string_view(line).substr(tab + 1);
        while (!terms.empty()) {
            const auto bar = std::min(terms.find('|'), terms.size());
            const auto term = terms.substr(0, bar);
            ++out.expected;
            const bool hit = std::any_of(result.findings.begin(), result.findings.end(),
                                         [&](const Finding& f) { return f.term == term; });
            out.found += hit ? 1 : 0;
            INFO(line);
            terms.remove_prefix(std::min(bar + 1, terms.size()));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("measured: fewer professional drafts held back, no less recall for the public",
          "[known][measure]") {
    const auto set = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
    REQUIRE(set.ok());
    const auto before = measure(*Engine::compile(without_known(set.value())).value());
    const auto after = measure(*Engine::compile(set.value()).value());
    const auto share = [](std::size_t a, std::size_t b) { return 100.0 * double(a) / double(b); };
    // Printed for bench/RESULTS.md.
    std::cout << "professional room (health, education, social-care): " << before.drafts
              << " drafts, held back before " << before.held << " ("
              << share(before.held, before.drafts) << "%), after " << after.held << " ("
              << share(after.held, after.drafts) << "%)\n"
              << "held-out recall for the public: before " << before.found << "/" << before.expected
              << " (" << share(before.found, before.expected) << "%), after " << after.found << "/"
              << after.expected << " (" << share(after.found, after.expected) << "%)\n";
    REQUIRE(before.drafts >= 200);
    CHECK(after.held * 2 <= before.held);
    CHECK(after.found >= before.found);
    CHECK(after.expected == before.expected);
}
