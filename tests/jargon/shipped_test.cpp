// The dictionaries Liaise ships: they must load cleanly and be worth shipping.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "liaise/jargon/engine.hpp"

using namespace liaise::jargon;

namespace {

const DictionarySet& shipped() {
    static const auto set = [] {
        auto r = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
        std::string all;
        for (const auto& p : r.problems())
            all += p.to_string() + "\n";
        INFO(all);
        REQUIRE(r.ok());
        return std::move(r).value();
    }();
    return set;
}

}  // namespace

TEST_CASE("every shipped dictionary loads with no validation errors", "[shipped]") {
    std::map<std::string, std::size_t> counts;
    std::size_t total = 0;
    for (const auto& d : shipped().dictionaries) {
        counts[d.discipline] = d.entries.size();
        total += d.entries.size();
    }
    const std::map<std::string, std::size_t> minimum = {
        {"health", 120},    {"mental-health", 120},  {"social-care", 120},
        {"education", 120}, {"police-justice", 120}, {"housing-benefits", 120},
        {"general", 150}};
    for (const auto& [discipline, least] : minimum) {
        INFO(discipline);
        CHECK(counts[discipline] >= least);
    }
    CHECK(counts.size() == minimum.size());
    CHECK(total >= 900);
    CHECK(!shipped().common_acronyms.empty());
    REQUIRE(Engine::compile(shipped()).ok());
}

TEST_CASE("shipped alternatives are plain: checking them finds nothing", "[shipped]") {
    const auto engine = Engine::compile(shipped()).value();
    std::vector<std::string> noisy;
    for (const auto& d : shipped().dictionaries) {
        for (const auto& e : d.entries) {
            for (const auto& alt : e.alternatives) {
                const auto r = engine->check(alt, Audience::everyone());
                for (const auto& f : r.findings)
                    noisy.push_back(d.discipline + ": '" + e.term + "' -> '" + alt + "' has '" +
                                    f.text + "'");
            }
        }
    }
    std::string report;
    for (const auto& n : noisy)
        report += n + "\n";
    INFO(report);
    CHECK(noisy.empty());
}

TEST_CASE("shipped dictionaries catch the terms the brief names", "[shipped]") {
    const auto engine = Engine::compile(shipped()).value();
    for (const char* term : {"CIN", "LAC", "CLA", "CAMHS", "EHCP", "SENCO", "MASH", "MARAC", "DoLS",
                             "s47", "NFA", "TTO", "core group", "stepped down", "presenting needs",
                             "utilise", "facilitate", "going forward"}) {
        INFO(term);
        CHECK(engine->check(term, Audience::everyone()).findings.size() == 1);
    }
    const auto cp = engine->check("CP", Audience::everyone());
    REQUIRE(cp.findings.size() == 1);
    CHECK(cp.findings.front().meanings.size() >= 2);
    const auto pep = engine->check("PEP", Audience::everyone());
    REQUIRE(pep.findings.size() == 1);
    CHECK(pep.findings.front().meanings.size() >= 2);
}

TEST_CASE("ordinary English passes the shipped dictionaries", "[shipped]") {
    const auto engine = Engine::compile(shipped()).value();
    const char* texts[] = {
        "Please send the report to me by Friday.",
        "This is the core of the problem, and the family is in need of help.",
        "He gave the team a pep talk before the match.",
        "We met at school and talked about how she is getting on with her friends.",
        "Mae'r plentyn yn hapus iawn heddiw.",
        "L'enfant est tr\u00e8s heureux aujourd'hui.",
    };
    for (const char* text : texts) {
        const auto r = engine->check(text, Audience::everyone());
        std::string found;
        for (const auto& f : r.findings)
            found += f.text + " (" + f.term + ") ";
        INFO(text << " -> " << found);
        CHECK(r.findings.empty());
    }
}

TEST_CASE("a shipped entry with fit= says why in a comment above it", "[shipped][fit]") {
    // dictionaries/README.md: each shipped dictionary records the reason for a fit= (as for a
    // known=) in a '#' line above the entry, so a reviewer can check it.
    std::size_t with_fit = 0;
    for (const auto& file : std::filesystem::directory_iterator(LIAISE_SOURCE_DICTIONARIES)) {
        if (file.path().extension() != ".tsv")
            continue;
        std::ifstream in(file.path());
        std::string line, comments;
        while (std::getline(in, line)) {
            if (line.starts_with("#")) {
                comments += line + "\n";
                continue;
            }
            const auto options = line.substr(line.rfind('\t') + 1);
            if (const auto at = options.find("fit="); at != std::string::npos) {
                ++with_fit;
                auto value = options.substr(at, options.find(',', at) - at);
                INFO(file.path().filename().string() << ": " << line);
                CHECK(comments.find("# " + value + ": ") != std::string::npos);
            }
            comments.clear();
        }
    }
    CHECK(with_fit >= 20);
}
