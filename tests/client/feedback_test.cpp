// Unit tests of the noisy-entry counts kept on the device (feedback.hpp): what is counted, the
// cap, and what the file holds. Reporting them is tested end to end (tests/e2e/admin_test.cpp).
#include "liaise/client/feedback.hpp"

#include <unistd.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace liaise;
namespace feedback = liaise::client::feedback;

namespace {

/// A home in a fresh temporary directory, removed afterwards.
struct TempHome {
    fs::path dir =
        fs::temp_directory_path() / ("liaise-feedback-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    client::Home home{dir};
    ~TempHome() { fs::remove_all(dir); }
    json::object state() const {
        std::ifstream in(dir / "feedback.json");
        std::stringstream text;
        text << in.rdbuf();
        return json::parse(text.str()).as_object();
    }
};

/// A finding of `term` meaning these (discipline, first alternative) pairs.
jargon::Finding finding(std::string term,
                        std::vector<std::pair<std::string, std::string>> meanings) {
    auto table = std::make_shared<std::vector<jargon::Meaning>>();
    std::vector<std::uint32_t> ids;
    for (auto& [discipline, alternative] : meanings) {
        ids.push_back(static_cast<std::uint32_t>(table->size()));
        table->push_back({discipline, {alternative}, "explained", {}, {jargon::Fit::noun}, false});
    }
    jargon::Finding f;
    f.text = f.term = std::move(term);
    f.meanings = jargon::Meanings(table, ids);
    return f;
}

}  // namespace

TEST_CASE("findings are counted per entry and outcome, with no text, room or time of day",
          "[client][feedback]") {
    TempHome t;
    const auto cin = finding("CIN", {{"social-care", "child in need"}});
    // CP: child protection or cerebral palsy: a fix leaves it as written.
    const auto cp =
        finding("CP", {{"health", "cerebral palsy"}, {"social-care", "child protection"}});
    const auto unknown = finding("XYZ", {});
    auto n = feedback::record(t.home, "sent_anyway", {cin, unknown}, "2026-12-06");
    REQUIRE(n.ok());
    CHECK(n.value() == 1);
    n = feedback::record(t.home, "fixed", {cin, cp}, "2026-12-06");
    REQUIRE(n.ok());
    CHECK(n.value() == 3);
    CHECK(
        json::serialize(t.state()) ==
        R"({"counts":{"social-care:CIN":{"fixed":1,"sent_anyway":1},)"
        R"("health:CP":{"fixed":0,"sent_anyway":1},"social-care:CP":{"fixed":0,"sent_anyway":1}},)"
        R"("counted":"2026-12-06","reported":"2026-12-06"})");
    CHECK((fs::status(t.dir / "feedback.json").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    // Nothing to count writes nothing new.
    CHECK(feedback::record(t.home, "fixed", {unknown}, "2026-12-07").value() == 0);
    CHECK(t.state().at("counted").as_string() == "2026-12-06");
    // A later count moves `counted`, not `reported`.
    REQUIRE(feedback::record(t.home, "sent_anyway", {cin}, "2026-12-08").ok());
    CHECK(t.state().at("counted").as_string() == "2026-12-08");
    CHECK(t.state().at("reported").as_string() == "2026-12-06");
}

TEST_CASE("a count stops at the cap", "[client][feedback]") {
    TempHome t;
    const auto cin = finding("CIN", {{"social-care", "child in need"}});
    const std::vector<jargon::Finding> many(feedback::kMaxCount + 5, cin);
    REQUIRE(feedback::record(t.home, "sent_anyway", many, "2026-12-06").ok());
    REQUIRE(feedback::record(t.home, "sent_anyway", {cin}, "2026-12-06").ok());
    CHECK(t.state().at("counts").at("social-care:CIN").at("sent_anyway").as_int64() ==
          feedback::kMaxCount);
}

TEST_CASE("days are UTC and written YYYY-MM-DD", "[client][feedback]") {
    using namespace std::chrono;
    // 2026-12-06 23:59:59 UTC and one second later.
    const sys_seconds late{seconds{1796601599}};
    CHECK(feedback::utc_day(late) == "2026-12-06");
    CHECK(feedback::utc_day(late + seconds{1}) == "2026-12-07");
}
