// End-to-end: plain language in the conversation (issue: checks before sending, explanations on
// reading), against the real server.
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

TEST_CASE("a client fetches the server's dictionaries at login and caches them", "[e2e][plain]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    const client::DictionaryCache cache(*ann.home);
    REQUIRE(cache.version());
    CHECK(*cache.version() == 1);
    CHECK(fs::exists(cache.dir() / "social-care.tsv"));
    auto engine = ann->engine();
    REQUIRE(engine.ok());
    CHECK(engine.value()->entry_count() > 900);
}
