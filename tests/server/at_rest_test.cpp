// Encryption at rest: what is sealed for one record opens only as that record, with that key.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "store/at_rest.hpp"

using liaise::server::AtRestKey;
using liaise::server::RecordId;

TEST_CASE("a sealed record opens with the same key and record id", "[minutes]") {
    const auto key = AtRestKey::generate();
    const std::string text = "Mum said the family will move to 14 Larch Close \u2014 \U0001F3E0";
    const auto sealed = key.seal(text, {"meetings", 7, 3});
    CHECK(std::string(sealed.begin(), sealed.end()).find("Larch") == std::string::npos);
    const auto opened = key.open(sealed, {"meetings", 7, 3});
    REQUIRE(opened.ok());
    CHECK(opened.value() == text);
    // A fresh nonce each time: the same text never seals to the same bytes.
    CHECK(key.seal(text, {"meetings", 7, 3}) != sealed);
    const auto empty = key.seal("", {"actions", 1, 1});
    REQUIRE(key.open(empty, {"actions", 1, 1}).ok());
    CHECK(key.open(empty, {"actions", 1, 1}).value().empty());
}

TEST_CASE("a tampered, moved, truncated or foreign record does not open", "[minutes]") {
    const auto key = AtRestKey::generate();
    const auto sealed =
        key.seal("Strategy meeting decided on a section 47 enquiry", {"meetings", 1, 1});
    for (std::size_t i = 0; i < sealed.size(); i += 7) {
        auto tampered = sealed;
        tampered[i] ^= 0x01;
        const auto r = key.open(tampered, {"meetings", 1, 1});
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bad_ciphertext");
    }
    CHECK_FALSE(key.open(sealed, {"meetings", 2, 1}).ok());               // another row
    CHECK_FALSE(key.open(sealed, {"meetings", 1, 2}).ok());               // another version
    CHECK_FALSE(key.open(sealed, {"actions", 1, 1}).ok());                // another table
    CHECK_FALSE(key.open({sealed.data(), 10}, {"meetings", 1, 1}).ok());  // truncated
    CHECK_FALSE(key.open({}, {"meetings", 1, 1}).ok());
    const auto other = AtRestKey::generate();
    CHECK_FALSE(other.open(sealed, {"meetings", 1, 1}).ok());
}

TEST_CASE("the key file must hold exactly 32 bytes", "[minutes]") {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("liaise-at-rest-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto write = [&](const std::string& name, std::size_t n) {
        std::ofstream(dir / name, std::ios::binary) << std::string(n, 'k');
        return dir / name;
    };
    const auto good = AtRestKey::load(write("good.key", 32));
    REQUIRE(good.ok());
    const auto sealed = good.value().seal("x", {"meetings", 1, 1});
    const auto again = AtRestKey::load(dir / "good.key");
    REQUIRE(again.ok());
    CHECK(again.value().open(sealed, {"meetings", 1, 1}).ok());  // the same key from the file
    for (const std::size_t n : {0, 31, 33, 64}) {
        const auto bad = AtRestKey::load(write("bad.key", n));
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().code == "bad_key_file");
        CHECK(bad.error().message.find("kkkk") == std::string::npos);
    }
    CHECK_FALSE(AtRestKey::load(dir / "missing.key").ok());
    fs::remove_all(dir);
}

TEST_CASE("a key's id and check value tell keys apart and give nothing of the key away", "[keys]") {
    namespace fs = std::filesystem;
    const auto a = AtRestKey::generate();
    const auto b = AtRestKey::generate();
    CHECK(a.id().size() == 16);
    CHECK(a.check_value().size() == 64);
    CHECK(a.id() != b.id());
    CHECK(a.check_value() != b.check_value());
    // Two independent values: the id is not a prefix of the check value.
    CHECK(a.check_value().substr(0, 16) != a.id());
    CHECK(a.same_as(a));
    CHECK_FALSE(a.same_as(b));

    // Saved to a new file (0600) it loads as the same key, with the same id; never over a file.
    const auto dir = fs::temp_directory_path() / ("liaise-key-id-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    REQUIRE(a.save(dir / "a.key").ok());
    CHECK((fs::status(dir / "a.key").permissions() &
           (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    const auto loaded = AtRestKey::load(dir / "a.key");
    REQUIRE(loaded.ok());
    CHECK(loaded.value().id() == a.id());
    CHECK(loaded.value().check_value() == a.check_value());
    CHECK(loaded.value().same_as(a));
    const auto again = b.save(dir / "a.key");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "key_exists");
    CHECK(AtRestKey::load(dir / "a.key").value().same_as(a));  // untouched
    // The file's bytes appear in neither value.
    std::ifstream in(dir / "a.key", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), {});
    std::string raw_hex;
    for (const unsigned char c : raw) {
        static const char* digits = "0123456789abcdef";
        raw_hex += digits[c >> 4];
        raw_hex += digits[c & 15];
    }
    CHECK(a.check_value().find(raw_hex.substr(0, 16)) == std::string::npos);
    CHECK(raw_hex.find(a.id()) == std::string::npos);
    fs::remove_all(dir);
}
