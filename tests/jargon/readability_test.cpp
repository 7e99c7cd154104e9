#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "readability.hpp"

using namespace liaise;
using liaise::test::test_engine;

TEST_CASE("short texts get no readability", "[readability]") {
    CHECK_FALSE(test_engine().check("Hello there.", jargon::Audience::everyone()).readability);
    CHECK_FALSE(test_engine().check("One. Two.", jargon::Audience::everyone()).readability);
}

TEST_CASE("readability of a three-sentence text", "[readability]") {
    const auto r = test_engine().check("The cat sat on the mat. The dog ran. A bird sang.",
                                       jargon::Audience::everyone());
    REQUIRE(r.readability);
    CHECK(r.readability->sentences == 3);
    CHECK(r.readability->words == 12);
    CHECK(r.readability->average_sentence_length == Approx(4.0));
    // 12 one-syllable words: 206.835 - 1.015 * 4 - 84.6 * 1
    CHECK(r.readability->flesch_reading_ease == Approx(118.175));
    CHECK(r.readability->long_sentence_share == Approx(0.0));
}

TEST_CASE("long sentences are counted", "[readability]") {
    std::string text = "Short one. Another short one.";
    text += " This";
    for (int i = 0; i < 30; ++i)
        text += " word";
    text += ".";
    const auto r = test_engine().check(text, jargon::Audience::everyone());
    REQUIRE(r.readability);
    CHECK(r.readability->sentences == 3);
    CHECK(r.readability->long_sentence_share == Approx(1.0 / 3.0));
}

TEST_CASE("abbreviations inside a sentence do not end it", "[readability]") {
    const auto r = test_engine().check("We met e.g. on site. It went well. We agreed a date.",
                                       jargon::Audience::everyone());
    REQUIRE(r.readability);
    CHECK(r.readability->sentences == 3);
}

TEST_CASE("syllable estimates", "[readability]") {
    using jargon::detail::syllables;
    CHECK(syllables("cat") == 1);
    CHECK(syllables("care") == 1);
    CHECK(syllables("table") == 2);
    CHECK(syllables("meeting") == 2);
    CHECK(syllables("family") == 3);
    CHECK(syllables("psychology") == 4);
    CHECK(syllables("b") == 1);
}
