// Reading age for families (reading_age.hpp), on texts worked out by hand.
#include <catch2/catch.hpp>
#include <string>

#include "liaise/jargon/reading_age.hpp"

using namespace liaise::jargon;

namespace {

const std::string kHard =
    "Following the multi-agency strategy discussion, the local authority determined that the "
    "threshold for statutory intervention under section forty-seven had been met, and an "
    "initial child protection conference will be convened.";

}  // namespace

TEST_CASE("plain words in short sentences are within the aim", "[reading_age]") {
    const auto r =
        reading_age("We met on Monday. Sam is safe at home. We will talk again next week.");
    REQUIRE(r);
    CHECK(r->sentences == 3);
    CHECK(r->words == 15);
    // 15 words, 17 syllables: 0.39 * 5 + 11.8 * 17 / 15 - 15.59 + 5 = 4.73, under the floor.
    CHECK(r->years == Approx(kReadingAgeFloor));
    CHECK_FALSE(r->above_aim());
    CHECK(r->hardest.empty());
}

TEST_CASE("a professional's long sentence is far over the aim and named", "[reading_age]") {
    const auto r = reading_age(kHard);
    REQUIRE(r);
    CHECK(r->sentences == 1);
    CHECK(r->words == 32);
    // 32 words, 67 syllables: 0.39 * 32 + 11.8 * 67 / 32 - 15.59 + 5.
    CHECK(r->years == Approx(0.39 * 32 + 11.8 * 67 / 32.0 - 15.59 + 5));
    CHECK(r->above_aim());
    REQUIRE(r->hardest.size() == 1);
    CHECK(r->hardest[0].start == 0);
    CHECK(r->hardest[0].end == kHard.size());  // with its full stop
}

TEST_CASE("the sentences that raise the reading age most come first", "[reading_age]") {
    const std::string text = "We met on Monday. " + kHard +
                             " Sam is safe at home. The arrangements were satisfactory overall.";
    const auto r = reading_age(text);
    REQUIRE(r);
    CHECK(r->sentences == 4);
    REQUIRE(r->hardest.size() == 2);
    CHECK(text.substr(r->hardest[0].start, r->hardest[0].end - r->hardest[0].start) == kHard);
    CHECK(text.substr(r->hardest[1].start, r->hardest[1].end - r->hardest[1].start) ==
          "The arrangements were satisfactory overall.");
    CHECK(r->hardest[0].reading_age > r->hardest[1].reading_age);
    CHECK(r->above_aim());
    // Asking for one gives the hardest only.
    const auto one = reading_age(text, 1);
    REQUIRE(one);
    REQUIRE(one->hardest.size() == 1);
    CHECK(one->hardest[0].start == r->hardest[0].start);
}

TEST_CASE("a text without words has no reading age", "[reading_age]") {
    CHECK_FALSE(reading_age(""));
    CHECK_FALSE(reading_age("12 34. 56!"));
    CHECK_FALSE(reading_age(std::string("\xff\xfe", 2)));
}
