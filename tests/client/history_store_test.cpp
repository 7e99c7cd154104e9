// Unit tests of the history a device keeps (history_store.hpp), attacked the way someone with
// the file but not the keystore would: reading it, flipping bytes, moving and removing rows,
// copying it to another device. The same store is driven end to end in tests/e2e/offline_test.cpp.
#include "history_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace liaise;
using client::HistoryStore;
using client::ReadMessage;

namespace {

struct TempDir {
    fs::path dir =
        fs::temp_directory_path() / ("liaise-history-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    TempDir() { fs::create_directories(dir); }
    ~TempDir() { fs::remove_all(dir); }
    [[nodiscard]] fs::path file() const { return dir / client::kHistoryFile; }
};

ReadMessage message(std::int64_t seq, std::string text, std::string room = "case-2041") {
    ReadMessage m;
    m.room = std::move(room);
    m.seq = seq;
    m.sender = "bea";
    m.sender_device = "3";
    m.sent_at = 1'796'558'400'000 + seq * 60'000;
    m.text = std::move(text);
    return m;
}

std::vector<ReadMessage> three() {
    auto first = message(1, "Mum phoned the school about Tuesday.");
    auto second = message(2, "He was collected by his aunt.");
    second.warnings.push_back({"gap", "1 earlier message from bea is missing"});
    auto third = message(3, "");
    third.text.reset();
    third.error = {"not_a_recipient", "this message was not encrypted for this device"};
    return {first, second, third};
}

std::unique_ptr<HistoryStore> open(const fs::path& file, const crypto::DeviceKeys& keys,
                                   const std::string& device = "3") {
    auto s = HistoryStore::open_file(file, "bea", device, keys);
    REQUIRE(s.ok());
    return std::move(s).value();
}

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// The sealed bytes of row `seq` (of any room), as SQLite has them.
std::string sealed_row(const fs::path& file, std::int64_t seq) {
    SQLite::Database db(file.string());
    SQLite::Statement q(db, "SELECT sealed FROM rows WHERE seq = ?");
    q.bind(1, seq);
    REQUIRE(q.executeStep());
    const auto* b = static_cast<const char*>(q.getColumn(0).getBlob());
    return {b, b + q.getColumn(0).getBytes()};
}

}  // namespace

TEST_CASE("kept rows come back as they were kept, and the file shows none of them", "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    {
        auto store = open(t.file(), keys);
        REQUIRE(store->keep("case-2041", 0, three()));
        CHECK(store->tail("case-2041") == 3);
    }
    auto store = open(t.file(), keys);
    const auto kept = store->load("case-2041");
    REQUIRE(kept.messages.size() == 3);
    CHECK(kept.refused.empty());
    CHECK(kept.resume_after == 3);
    CHECK(kept.messages[0].text ==
          std::optional<std::string>("Mum phoned the school about Tuesday."));
    CHECK(kept.messages[0].sender == "bea");
    CHECK(kept.messages[0].sender_device == "3");
    CHECK(kept.messages[0].sent_at == 1'796'558'460'000);
    REQUIRE(kept.messages[1].warnings.size() == 1);
    CHECK(kept.messages[1].warnings[0].code == "gap");
    CHECK(!kept.messages[2].text);
    CHECK(kept.messages[2].error.code == "not_a_recipient");
    CHECK(store->load("case-9999").messages.empty());

    const auto on_disk = bytes_of(t.file());
    for (const char* secret : {"Mum phoned", "collected by his aunt", "bea", "case-2041",
                               "earlier message", "not_a_recipient"})
        CHECK(on_disk.find(secret) == std::string::npos);
    struct stat st {};
    REQUIRE(::stat(t.file().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a flipped byte in a kept row refuses that row only", "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    open(t.file(), keys)->keep("case-2041", 0, three());
    const auto row = sealed_row(t.file(), 2);
    auto file = bytes_of(t.file());
    const auto at = file.find(row);
    REQUIRE(at != std::string::npos);
    file[at + row.size() / 2] ^= 0x01;
    std::ofstream(t.file(), std::ios::binary | std::ios::trunc) << file;

    const auto kept = open(t.file(), keys)->load("case-2041");
    CHECK(kept.refused == std::vector<std::int64_t>{2});
    REQUIRE(kept.messages.size() == 2);  // 1 and 3 still open; the altered text is never shown
    CHECK(kept.messages[0].seq == 1);
    CHECK(kept.messages[1].seq == 3);
    CHECK(kept.resume_after == 1);  // 2 and after come from the server again
}

TEST_CASE("kept rows swapped, moved or removed do not open in their new place", "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    auto store = open(t.file(), keys);
    REQUIRE(store->keep("case-2041", 0, three()));
    REQUIRE(store->keep("case-7", 0, {message(1, "Another room's first message.", "case-7")}));
    store.reset();

    SECTION("two rows of a room swapped") {
        {
            SQLite::Database db(t.file().string(), SQLite::OPEN_READWRITE);
            const auto one = sealed_row(t.file(), 1);
            SQLite::Statement a(db,
                                "UPDATE rows SET sealed = (SELECT sealed FROM rows r2 WHERE "
                                "r2.seq = 2 AND r2.room = rows.room) WHERE seq = 1 AND "
                                "room = (SELECT room FROM rows WHERE seq = 3)");
            a.exec();
            SQLite::Statement b(db,
                                "UPDATE rows SET sealed = ? WHERE seq = 2 AND room = "
                                "(SELECT room FROM rows WHERE seq = 3)");
            b.bind(1, one.data(), static_cast<int>(one.size()));
            b.exec();
        }
        const auto kept = open(t.file(), keys)->load("case-2041");
        CHECK(kept.refused == std::vector<std::int64_t>{1, 2});
        CHECK(kept.resume_after == 0);
    }
    SECTION("a row of another room moved in") {
        {
            SQLite::Database db(t.file().string(), SQLite::OPEN_READWRITE);
            db.exec(
                "UPDATE rows SET sealed = (SELECT sealed FROM rows r2 WHERE r2.seq = 1 AND "
                "r2.room <> rows.room) WHERE seq = 1 AND room = (SELECT room FROM rows "
                "WHERE seq = 3)");
        }
        const auto kept = open(t.file(), keys)->load("case-2041");
        CHECK(kept.refused == std::vector<std::int64_t>{1});
    }
    SECTION("a row taken out of the middle") {
        {
            SQLite::Database db(t.file().string(), SQLite::OPEN_READWRITE);
            db.exec(
                "DELETE FROM rows WHERE seq = 2 AND room = (SELECT room FROM rows WHERE "
                "seq = 3)");
        }
        const auto kept = open(t.file(), keys)->load("case-2041");
        CHECK(kept.refused == std::vector<std::int64_t>{3});  // it followed 2, not 1
        CHECK(kept.resume_after == 1);
    }
}

TEST_CASE("a hole in the kept seqs or a key change is fetched again", "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    auto store = open(t.file(), keys);
    SECTION("a message the server withheld") {
        REQUIRE(store->keep("r", 0,
                            {message(1, "a", "r"), message(2, "b", "r"), message(4, "d", "r")}));
        const auto kept = store->load("r");
        CHECK(kept.messages.size() == 3);
        CHECK(kept.resume_after == 2);
    }
    SECTION("this account added again after a time out of the room") {
        auto rejoined = message(9, "", "r");
        rejoined.text.reset();
        rejoined.event = boost::json::object{{"kind", "member_added"}, {"user", "bea"}};
        REQUIRE(store->keep("r", 0, {message(1, "a", "r"), rejoined, message(10, "j", "r")}));
        CHECK(store->load("r").resume_after == 10);
    }
    SECTION("a message held back for a changed key") {
        auto changed = message(2, "", "r");
        changed.text.reset();
        changed.error = {"key_changed", "pat's device 4 has a new key since you verified them"};
        REQUIRE(store->keep("r", 0, {message(1, "a", "r"), changed, message(3, "c", "r")}));
        CHECK(store->load("r").resume_after == 1);
    }
}

TEST_CASE("another device's store, or a file that is not one, is set aside with a note",
          "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    open(t.file(), keys)->keep("case-2041", 0, three());

    SECTION("opened with another device's keys") {
        const auto other = crypto::DeviceKeys::generate();
        auto store = open(t.file(), other);
        const auto notes = store->take_notes();
        REQUIRE(notes.size() == 1);
        CHECK(notes[0].find("another device") != std::string::npos);
        CHECK(store->load("case-2041").messages.empty());
    }
    SECTION("the same keys under another device number") {
        auto store = open(t.file(), keys, "4");
        CHECK(store->take_notes().size() == 1);
        CHECK(store->load("case-2041").messages.empty());
    }
    SECTION("a file SQLite cannot read") {
        std::ofstream(t.file(), std::ios::binary | std::ios::trunc) << std::string(4096, '\x5a');
        auto store = open(t.file(), keys);
        const auto notes = store->take_notes();
        REQUIRE(!notes.empty());
        CHECK(notes[0].find("could not be read") != std::string::npos);
        CHECK(store->load("case-2041").messages.empty());
        CHECK(store->keep("case-2041", 0, three()));  // and it keeps again from here
        CHECK(store->load("case-2041").messages.size() == 3);
    }
}

TEST_CASE("kept_summary counts messages, not membership events, and names the last time",
          "[history]") {
    CHECK(client::kept_summary({}) == "the 0 messages kept on this device");
    auto event = message(2, "");
    event.text.reset();
    event.event = boost::json::object{{"kind", "member_added"}};
    const auto one = client::kept_summary({message(1, "a"), event});
    CHECK(one.rfind("the 1 message kept on this device, up to ", 0) == 0);
    CHECK(one.find("2026") != std::string::npos);
}

TEST_CASE("two processes of one home keep one history between them", "[history]") {
    const TempDir t;
    const auto keys = crypto::DeviceKeys::generate();
    auto chat = open(t.file(), keys);
    auto reader = open(t.file(), keys);
    REQUIRE(chat->keep("r", 0, {message(1, "a", "r"), message(2, "b", "r")}));
    CHECK(chat->tail("r") == 2);  // what the chat believes from here on
    REQUIRE(reader->keep("r", 2, {message(3, "c", "r"), message(4, "d", "r")}));
    CHECK(chat->append(message(5, "e", "r")));  // after 4, which the chat never saw kept
    CHECK_FALSE(chat->append(message(5, "e", "r")));
    const auto kept = reader->load("r");
    CHECK(kept.refused.empty());
    CHECK(kept.messages.size() == 5);
    CHECK(kept.resume_after == 5);
}
