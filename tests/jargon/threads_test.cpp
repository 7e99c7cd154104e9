#include <catch2/catch.hpp>
#include <thread>

#include "fixture.hpp"

using namespace liaise;

TEST_CASE("one engine is shared by many threads while a reload swaps it", "[threads]") {
    const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
    REQUIRE(set.ok());
    auto first = jargon::Engine::compile(set.value());
    REQUIRE(first.ok());
    jargon::SharedEngine shared(first.value());

    const std::string text = "The CIN core group will utilise the MASH going forward.";
    const auto expected = test::matched(shared.get()->check(text, jargon::Audience::everyone()));
    REQUIRE(expected.size() == 5);

    std::atomic<int> mismatches{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                const auto engine = shared.get();
                if (test::matched(engine->check(text, jargon::Audience::everyone())) != expected)
                    ++mismatches;
            }
        });
    }
    for (int i = 0; i < 20; ++i) {
        auto next = jargon::Engine::compile(set.value());
        REQUIRE(next.ok());
        shared.replace(next.value());
    }
    for (auto& r : readers)
        r.join();
    CHECK(mismatches == 0);
}

TEST_CASE("an engine outlives its replacement while a check holds it", "[threads]") {
    const auto set = jargon::load_dictionary_dir(LIAISE_TEST_DATA "/dicts");
    REQUIRE(set.ok());
    jargon::SharedEngine shared(jargon::Engine::compile(set.value()).value());
    const auto held = shared.get();
    jargon::DictionarySet empty_general;
    empty_general.dictionaries.push_back({"general", {}});
    shared.replace(jargon::Engine::compile(empty_general).value());
    CHECK(held->check("CIN", jargon::Audience::everyone()).findings.size() == 1);
    CHECK(shared.get()->entry_count() == 0);
}
