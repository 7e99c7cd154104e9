// Unit tests of the ledger (ledger.hpp): what a device concludes from the history a server shows
// it. The same tampering is shown end to end by a malicious-server proxy (tests/mitm).
#include "liaise/client/ledger.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace liaise;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

struct TempHome {
    fs::path dir =
        fs::temp_directory_path() / ("liaise-ledger-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    client::Home home{dir};
    ~TempHome() { fs::remove_all(dir); }
};

/// One sender device in room "r": seals its messages with counters from 1, each after the
/// message the sender saw last.
struct Sender {
    std::string user;
    std::string device;
    crypto::DeviceKeys keys = crypto::DeviceKeys::generate();
    std::uint64_t counter = 0;

    crypto::Envelope seal(const std::string& text, std::int64_t previous_seq = 0,
                          const crypto::Envelope* previous = nullptr,
                          std::vector<std::string> readers = {"1", "2"}) {
        crypto::History h{user, ++counter, kNow, previous_seq, {}};
        if (previous != nullptr) {
            const auto hash = crypto::message_hash(*previous);
            h.previous_hash.assign(hash.begin(), hash.end());
        }
        std::vector<crypto::Recipient> to;
        for (const auto& d : readers)
            to.push_back({d, keys.identity().box_key});
        return crypto::seal(keys, device, "r", "m" + std::to_string(counter), text, to, h);
    }
};

std::vector<std::string> codes(const std::vector<client::Warning>& warnings) {
    std::vector<std::string> out;
    for (const auto& w : warnings)
        out.push_back(w.code);
    return out;
}

const auto kNoOwner = [](const std::string&) { return std::string(); };

}  // namespace

TEST_CASE("an honest history raises nothing, read once or again", "[ledger]") {
    TempHome t;
    Sender bea{"bea", "2"};
    client::Ledger ledger(t.home);
    const auto m1 = bea.seal("one");
    const auto m2 = bea.seal("two", 2, &m1);
    CHECK(ledger.observe_event("r", 1, false).empty());  // the room's creation
    CHECK(ledger.observe("r", 2, kNow, "bea", m1, kNoOwner).empty());
    CHECK(ledger.observe("r", 3, kNow + 1000, "bea", m2, kNoOwner).empty());
    ledger.flush();
    // Another process (a later `liaise read`) reads it all again from the saved ledger, which
    // remembers enough to catch an old message shown again as new.
    client::Ledger later(t.home);
    CHECK(later.observe_event("r", 1, false).empty());
    CHECK(later.observe("r", 2, kNow, "bea", m1, kNoOwner).empty());
    CHECK(later.observe("r", 3, kNow, "bea", m2, kNoOwner).empty());
    CHECK(codes(later.observe("r", 4, kNow, "bea", m1, kNoOwner)) ==
          std::vector<std::string>{"replay"});
}

TEST_CASE("a withheld, replayed, re-attributed or back-dated message is flagged", "[ledger]") {
    TempHome t;
    Sender bea{"bea", "2"};
    client::Ledger ledger(t.home);
    const auto m1 = bea.seal("safety plan agreed");
    const auto m2 = bea.seal("mum withdrew consent, do NOT release J", 1, &m1);
    const auto m3 = bea.seal("see you at the meeting", 2, &m2);
    REQUIRE(ledger.observe("r", 1, kNow, "bea", m1, kNoOwner).empty());

    SECTION("withheld: the counter jumps, and bea had seen a message this device was not shown") {
        // The server renumbers to hide the hole: m3 shown as #2.
        const auto w = ledger.observe("r", 2, kNow, "bea", m3, kNoOwner);
        CHECK(codes(w) == std::vector<std::string>{"gap", "gap"});
        CHECK_THAT(w[0].message, Catch::Contains("1 earlier message from bea is missing"));
    }
    SECTION("replayed as new, or a seq shown again with other content") {
        REQUIRE(ledger.observe("r", 2, kNow, "bea", m2, kNoOwner).empty());
        CHECK(codes(ledger.observe("r", 3, kNow, "bea", m1, kNoOwner)) ==
              std::vector<std::string>{"replay"});
        // m3 shown in m2's place: not what #2 was, and it claims to follow #2 itself.
        CHECK(codes(ledger.observe("r", 2, kNow, "bea", m3, kNoOwner)) ==
              std::vector<std::string>{"replay", "gap"});
    }
    SECTION("shown as someone else's") {
        const auto w = ledger.observe("r", 2, kNow, "pcarter", m2, kNoOwner);
        CHECK(codes(w) == std::vector<std::string>{"sender_mismatch"});
        CHECK_THAT(w[0].message, Catch::Contains("signed as a message from bea"));
    }
    SECTION("a server time far from the sender's") {
        CHECK(codes(ledger.observe("r", 2, kNow + 86'400'000, "bea", m2, kNoOwner)) ==
              std::vector<std::string>{"clock"});
        CHECK(ledger.observe("r", 3, kNow + 9 * 60'000, "bea", m3, kNoOwner).empty());
    }
}

TEST_CASE("a message encrypted for a device the room never had names the new reader", "[ledger]") {
    TempHome t;
    Sender bea{"bea", "2"};
    client::Ledger ledger(t.home);
    const auto m1 = bea.seal("one");
    const auto m2 = bea.seal("two", 1, &m1, {"1", "2", "9"});
    REQUIRE(ledger.observe("r", 1, kNow, "bea", m1, kNoOwner).empty());
    const auto w = ledger.observe("r", 2, kNow, "bea", m2, [](const std::string& d) {
        return d == "9" ? std::string("ghost") : std::string();
    });
    REQUIRE(codes(w) == std::vector<std::string>{"new_reader"});
    CHECK_THAT(w[0].message, Catch::Contains("ghost (device 9)"));
}

TEST_CASE("a sender's own counter survives restarts and is given back when nothing was stored",
          "[ledger]") {
    TempHome t;
    {
        client::Ledger ledger(t.home);
        CHECK(ledger.next("r", "hana", kNow).counter == 1);
        const auto second = ledger.next("r", "hana", kNow);
        CHECK(second.counter == 2);
        ledger.unsend("r", second.counter);  // refused by the server: not used
        CHECK(ledger.new_readers("r", {"bea/2", "hana/1"}) ==
              std::vector<std::string>{"bea/2", "hana/1"});
        ledger.encrypted_to("r", {"bea/2", "hana/1"});
    }
    client::Ledger again(t.home);
    CHECK(again.next("r", "hana", kNow).counter == 2);
    CHECK(again.new_readers("r", {"bea/2", "hana/1", "sam/7"}) ==
          std::vector<std::string>{"sam/7"});
    CHECK(fs::status(t.dir / "ledger-r.json").permissions() ==
          (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("a seq left out of the room's history is a gap, unless skipped on purpose or rejoined",
          "[ledger]") {
    TempHome t;
    Sender ann{"ann", "1"}, bea{"bea", "2"};
    client::Ledger ledger(t.home);
    const auto a1 = ann.seal("ann's first: the child must not go home");
    const auto b1 = bea.seal("bea's first");
    CHECK(ledger.observe_event("r", 1, false).empty());
    // #2 (ann's first message ever) withheld: nothing in #3 itself could tell.
    const auto w = ledger.observe("r", 3, kNow, "bea", b1, kNoOwner);
    REQUIRE(codes(w) == std::vector<std::string>{"gap"});
    CHECK_THAT(w[0].message, Catch::Contains("message #2 of this room was not shown"));
    // Shown later, it is no hole any more; the history goes on from #3.
    CHECK(ledger.observe("r", 4, kNow, "ann", a1, kNoOwner).empty());

    // `read --since 9` skips ahead on purpose: not a hole.
    ledger.reading_from("r", 9);
    CHECK(ledger.observe_event("r", 10, false).empty());
    // Removed at #11 and added again at #15: what was said between is not this device's.
    CHECK(ledger.observe_event("r", 11, false).empty());
    CHECK(ledger.observe_event("r", 15, true).empty());
    CHECK(codes(ledger.observe_event("r", 17, false)) == std::vector<std::string>{"gap"});
}

TEST_CASE("two processes of one home never hand out the same counter", "[ledger]") {
    TempHome t;
    client::Ledger chat(t.home), send(t.home);
    CHECK(chat.next("r", "hana", kNow).counter == 1);  // the chat has the room loaded
    CHECK(send.next("r", "hana", kNow).counter == 2);  // `liaise send` beside it
    CHECK(chat.next("r", "hana", kNow).counter == 3);  // not 2 again: a reader would see a replay
}
