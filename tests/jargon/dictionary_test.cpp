#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "liaise/jargon/dictionary.hpp"

using namespace liaise::jargon;

namespace {

const std::string kHeader = std::string(kDictionaryHeader) + "\n";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::vector<std::string> problem_lines(const Result<Dictionary>& r) {
    std::vector<std::string> out;
    for (const auto& p : r.problems())
        out.push_back(p.to_string());
    return out;
}

}  // namespace

TEST_CASE("a well-formed dictionary parses with defaults and options", "[dictionary]") {
    const auto r = parse_dictionary(
        "social-care", "sc.tsv",
        kHeader +
            "# a comment\n\n"
            "CIN\tchild in need\tchild who needs extra help|child needing help\tA child the "
            "council helps.\tacronym\t\n"
            "core group\t\tsmall team\tThe team around the child.\tphrase\tno-inflection\n"
            "s47\t\tchild protection enquiry\tAn enquiry.\tacronym\tcase-insensitive\n");
    REQUIRE(r.ok());
    const auto& d = r.value();
    CHECK(d.discipline == "social-care");
    REQUIRE(d.entries.size() == 3);
    CHECK(d.entries[0].term == "CIN");
    CHECK(d.entries[0].variants == std::vector<std::string>{"child in need"});
    CHECK(d.entries[0].alternatives ==
          std::vector<std::string>{"child who needs extra help", "child needing help"});
    CHECK(d.entries[0].kind == Kind::acronym);
    CHECK(d.entries[0].line == 4);
    CHECK(matches_case_sensitively(d.entries[0], 1));
    CHECK_FALSE(matches_case_sensitively(d.entries[0], 3));  // "child in need" in any case
    CHECK_FALSE(d.entries[1].inflect);
    CHECK_FALSE(matches_case_sensitively(d.entries[1], 2));
    CHECK_FALSE(matches_case_sensitively(d.entries[2], 1));
}

TEST_CASE("every bad row is reported with file, line and reason", "[dictionary]") {
    struct Case {
        const char* row;
        const char* reason;
    };
    const Case cases[] = {
        {"CIN\tchild in need\tchild who needs help\tA child.\tacronym", "missing column"},
        {"CIN\t\thelp\tA child.\tacronym\t\textra", "too many columns"},
        {"\t\thelp\tA child.\tterm\t", "empty term"},
        {"core group\t\t\tThe team.\tphrase\t", "empty alternative"},
        {"core group\t\tsmall team||other\tThe team.\tphrase\t", "empty alternative"},
        {"core group\t\tsmall team|\tThe team.\tphrase\t", "empty alternative"},
        {"core group\t\tthe core group of workers\tThe team.\tphrase\t", "contains the term"},
        {"LAC\tlooked-after child\tchild in care|Looked After Child\tA child.\tacronym\t",
         "contains the term"},
        {"core group\t\tsmall team\t\tphrase\t", "empty explanation"},
        {"core group\t\tsmall team\tThe team.\tnoun\t", "unknown kind"},
        {"core group\t\tsmall team\tThe team.\t\t", "empty kind"},
        {"core group\t\tsmall team\tThe team.\tphrase\tloud", "unknown option"},
        {"core group\t\tsmall team\tThe team.\tphrase\tcase-sensitive,case-insensitive",
         "conflicting options"},
        {"core group\t|x\tsmall team\tThe team.\tphrase\t", "empty variant"},
        {"---\t\tsmall team\tThe team.\tterm\t", "no letters or digits"},
        {"core group\t\tsmall team\tThe \x01team.\tphrase\t", "control character in explanation"},
    };
    for (const auto& c : cases) {
        INFO(c.row);
        const auto r = parse_dictionary("social-care", "sc.tsv", kHeader + c.row + "\n");
        REQUIRE_FALSE(r.ok());
        REQUIRE(!r.problems().empty());
        CHECK(r.problems().front().file == "sc.tsv");
        CHECK(r.problems().front().line == 2);
        CHECK_THAT(r.problems().front().reason, Catch::Contains(c.reason));
    }
}

TEST_CASE("duplicates fold case, hyphens and spaces, acronyms may differ in case", "[dictionary]") {
    const auto dup = [](const std::string& rows) {
        return parse_dictionary("x", "x.tsv", kHeader + rows);
    };
    CHECK_FALSE(dup("core group\t\ta\tb.\tphrase\t\nCore Group\t\tc\td.\tphrase\t\n").ok());
    CHECK_FALSE(dup("multi-agency\t\ta\tb.\tterm\t\nmulti agency\t\tc\td.\tphrase\t\n").ok());
    CHECK_FALSE(dup("multi-agency\t\ta\tb.\tterm\t\nmultiagency\t\tc\td.\tterm\t\n").ok());
    CHECK_FALSE(dup("CIN\t\ta\tb.\tacronym\t\nX\tCIN\tc\td.\tacronym\t\n").ok());
    const auto r = dup("CIN\t\ta\tb.\tacronym\t\nCIN\t\tc\td.\tacronym\t\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.problems().front().to_string() == "x.tsv:3: duplicate term 'CIN' (already on line 2)");
    // Exact-case acronyms are distinct spellings, so both may be listed.
    CHECK(dup("SENCO\tSENCo\ta\tb.\tacronym\t\n").ok());
}

TEST_CASE("header, encoding and empty files", "[dictionary]") {
    CHECK_FALSE(parse_dictionary("x", "x.tsv", "").ok());
    CHECK_FALSE(parse_dictionary("x", "x.tsv", "# only a comment\n").ok());
    const auto wrong = parse_dictionary("x", "x.tsv", "term\talternatives\nCIN\tchild\n");
    REQUIRE_FALSE(wrong.ok());
    CHECK_THAT(wrong.problems().front().reason, Catch::Contains("header"));
    const auto bad_utf8 =
        parse_dictionary("x", "x.tsv", kHeader + "caf\xC3\x28\t\ta\tb.\tterm\t\n");
    REQUIRE_FALSE(bad_utf8.ok());
    CHECK(bad_utf8.problems().front().to_string() == "x.tsv:2: invalid UTF-8");
    // A byte-order mark and CRLF line ends are accepted.
    CHECK(parse_dictionary(
              "x", "x.tsv",
              "\xEF\xBB\xBF" + std::string(kDictionaryHeader) + "\r\nCIN\t\ta\tb.\tacronym\t\r\n")
              .ok());
    CHECK_FALSE(parse_dictionary("Bad Name", "x.tsv", kHeader).ok());
}

TEST_CASE("golden: a file with many bad rows reports each one and loads nothing", "[dictionary]") {
    const auto text = slurp(LIAISE_TEST_DATA "/bad/bad-rows.tsv");
    const auto r = parse_dictionary("bad-rows", "bad-rows.tsv", text);
    REQUIRE_FALSE(r.ok());
    std::vector<std::string> expected;
    std::istringstream lines(slurp(LIAISE_TEST_DATA "/bad/bad-rows.expected"));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty())
            expected.push_back(line);
    CHECK(problem_lines(r) == expected);
}

TEST_CASE("write_dictionary round-trips", "[dictionary]") {
    const auto text = slurp(LIAISE_TEST_DATA "/dicts/social-care.tsv");
    const auto first = parse_dictionary("social-care", "a", text);
    REQUIRE(first.ok());
    const auto written = write_dictionary(first.value());
    const auto second = parse_dictionary("social-care", "b", written);
    REQUIRE(second.ok());
    CHECK(write_dictionary(second.value()) == written);
    REQUIRE(second.value().entries.size() == first.value().entries.size());
    for (std::size_t i = 0; i < first.value().entries.size(); ++i) {
        const auto& a = first.value().entries[i];
        const auto& b = second.value().entries[i];
        CHECK(a.term == b.term);
        CHECK(a.variants == b.variants);
        CHECK(a.alternatives == b.alternatives);
        CHECK(a.explanation == b.explanation);
        CHECK(a.kind == b.kind);
        CHECK(a.case_rule == b.case_rule);
        CHECK(a.inflect == b.inflect);
    }
}

TEST_CASE("a folder with one bad file loads nothing and names the bad file", "[dictionary]") {
    const auto r = load_dictionary_dir(LIAISE_TEST_DATA "/bad");
    REQUIRE_FALSE(r.ok());
    for (const auto& p : r.problems())
        CHECK_THAT(p.file, Catch::Contains("bad-rows.tsv"));
    CHECK_FALSE(load_dictionary_dir(LIAISE_TEST_DATA "/no-such-folder").ok());
}

TEST_CASE("common acronyms list", "[dictionary]") {
    const auto ok = parse_common_acronyms("c.txt", "# comment\nUK\n\n  NHS  \nA&E\n");
    REQUIRE(ok.ok());
    CHECK(ok.value() == std::vector<std::string>{"UK", "NHS", "A&E"});
    const auto bad = parse_common_acronyms("c.txt", "UK\nNOT ONE\n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.problems().front().line == 2);
}

TEST_CASE("fit=, bare-name and expansion= options parse, are checked and round-trip",
          "[dictionary][fix]") {
    const auto r = parse_dictionary(
        "education", "ed.tsv",
        kHeader +
            "EHCP\t\tlegal plan for extra help|special needs\tA legal plan.\tacronym\t"
            "fit=noun|modifier,expansion=Education, Health and Care Plan\n"
            "core group\t\tgroup of the family\tThe team.\tphrase\tbare-name,no-inflection\n"
            "holistic\t\tall-round\tWhole-person.\tterm\t\n");
    REQUIRE(r.ok());
    const auto& e = r.value().entries;
    REQUIRE(e.size() == 3);
    CHECK(e[0].expansion == "Education, Health and Care Plan");
    CHECK(e[0].fits == std::vector<Fit>{Fit::noun, Fit::modifier});
    CHECK_FALSE(e[0].bare_name);
    CHECK(e[1].bare_name);
    CHECK_FALSE(e[1].inflect);
    CHECK(e[1].fits.empty());  // the engine's default: noun for a phrase
    CHECK(e[2].expansion.empty());

    const auto written = write_dictionary(r.value());
    const auto again = parse_dictionary("education", "again.tsv", written);
    REQUIRE(again.ok());
    CHECK(write_dictionary(again.value()) == written);
    CHECK(again.value().entries[0].expansion == e[0].expansion);
    CHECK(again.value().entries[0].fits == e[0].fits);
    CHECK(again.value().entries[1].bare_name);

    struct Bad {
        const char* options;
        const char* reason;
    };
    for (const auto& bad : {
             Bad{"fit=noun", "fit lists 1 forms for 2 alternatives"},
             Bad{"fit=noun|adverb", "unknown fit 'adverb': expected noun, modifier or both"},
             Bad{"expansion=", "empty expansion"},
         }) {
        INFO(bad.options);
        const auto b = parse_dictionary(
            "x", "x.tsv",
            kHeader + "EHCP\t\tlegal plan|plan\tA plan.\tacronym\t" + bad.options + "\n");
        REQUIRE_FALSE(b.ok());
        CHECK(problem_lines(b).front() == std::string("x.tsv:2: ") + bad.reason);
    }
    const auto not_acronym = parse_dictionary(
        "x", "x.tsv", kHeader + "core group\t\tteam\tA team.\tphrase\texpansion=Core Group\n");
    REQUIRE_FALSE(not_acronym.ok());
    CHECK(problem_lines(not_acronym) ==
          std::vector<std::string>{"x.tsv:2: expansion on an entry that is not an acronym"});
}
