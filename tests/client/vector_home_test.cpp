// The keystore golden vector (protocol/testdata/vectors/passphrase-sealed-device.json, written by
// an independent Python implementation) as the client meets it: a file in $LIAISE_HOME that a home
// opens.
#include <unistd.h>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "liaise/client/home.hpp"
#include "liaise/protocol/crypto.hpp"

using namespace liaise;
namespace fs = std::filesystem;

namespace {

boost::json::object keystore_vector() {
    std::ifstream in(LIAISE_VECTORS "/passphrase-sealed-device.json");
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return boost::json::parse(buf.str()).as_object();
}

/// A fresh home directory holding the vector's keystore file, removed afterwards.
struct VectorHome {
    fs::path dir =
        fs::temp_directory_path() / ("liaise-keystore-vector-" + std::to_string(::getpid()));
    explicit VectorHome(const std::string& keystore_text) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        std::ofstream(dir / "keystore.json") << keystore_text;
        fs::permissions(dir / "keystore.json", fs::perms::owner_read | fs::perms::owner_write);
    }
    ~VectorHome() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

}  // namespace

TEST_CASE("a home opens the golden keystore file with its passphrase", "[client][vectors]") {
    const auto v = keystore_vector();
    const std::string text(v.at("keystore_text").as_string());
    const std::string passphrase(v.at("passphrase").as_string());
    const auto& device = v.at("device").as_object();

    VectorHome h(text);
    const client::Home home(h.dir, crypto::KeystoreCost::interactive);
    const auto wrong = home.open_keys(passphrase + " ");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_passphrase");

    const auto keys = home.open_keys(passphrase);
    REQUIRE(keys.ok());
    CHECK(keys.value().identity().sign_key.to_base64() == device.at("sign_key").as_string());
    CHECK(keys.value().identity().box_key.to_base64() == device.at("box_key").as_string());
    CHECK(keys.value().identity().box_key_signature.to_base64() ==
          device.at("box_key_signature").as_string());
    // Its limits are the lowest allowed, not below this home's: the file is left as it was.
    CHECK_FALSE(home.resealed());
    CHECK(home.read_file("keystore.json").value_or("") == text);
}

TEST_CASE("a home with moderate limits seals the golden keystore again on opening",
          "[client][vectors]") {
    const auto v = keystore_vector();
    const std::string text(v.at("keystore_text").as_string());
    const std::string passphrase(v.at("passphrase").as_string());

    VectorHome h(text);
    const client::Home home(h.dir, crypto::KeystoreCost::moderate);
    const auto keys = home.open_keys(passphrase);
    REQUIRE(keys.ok());
    CHECK(home.resealed());
    const auto again = home.read_file("keystore.json");
    REQUIRE(again);
    CHECK(*again != text);
    const auto doc = boost::json::parse(*again).as_object();
    CHECK(doc.at("opslimit").as_int64() == 3);  // MODERATE
    CHECK(doc.at("memlimit").as_int64() == 268435456);
    const auto reopened = crypto::open_keystore(*again, passphrase);
    REQUIRE(reopened.ok());
    CHECK(reopened.value().identity().sign_key == keys.value().identity().sign_key);
}
