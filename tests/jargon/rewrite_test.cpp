#include <catch2/catch.hpp>

#include "fixture.hpp"

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
        {"The CIN plan.", "The child who needs extra help plan."},
        {"CIN plan agreed.", "Child who needs extra help plan agreed."},
        {"Agreed. CIN plan next.", "Agreed. Child who needs extra help plan next."},
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
        {"We need an LAC review.", "We need a child in care review."},
        {"The EHC needs assessment is due.", "The council check of a child's needs is due."},
        {"EHC needs assessment due.", "Council check of a child's needs due."},
    };
    for (const auto& row : rows) {
        INFO(row.in);
        CHECK(fix(row.in) == row.out);
    }
}

TEST_CASE("a rewritten text has no findings left from the rewrite", "[rewrite]") {
    const std::string text = "The CIN core group will facilitate a step down. The GP's TTO.";
    const auto once = fix(text);
    const auto again = test_engine().check(once, jargon::Audience::everyone());
    CHECK(again.findings.empty());
}
