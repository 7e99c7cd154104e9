// Test helpers: the small test dictionaries in tests/data/dicts, compiled once.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "liaise/jargon/engine.hpp"

namespace liaise::test {

inline const jargon::Engine& test_engine() {
    static const auto engine = [] {
        const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
        REQUIRE(set.ok());
        auto compiled = jargon::Engine::compile(set.value());
        REQUIRE(compiled.ok());
        return compiled.value();
    }();
    return *engine;
}

/// The matched texts of a check, for compact table-driven expectations.
inline std::vector<std::string> matched(const jargon::CheckResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings)
        out.push_back(f.text);
    return out;
}

inline jargon::Audience audience(const std::string& spec) {
    auto a = jargon::Audience::parse(spec);
    REQUIRE(a.ok());
    return a.value();
}

}  // namespace liaise::test
