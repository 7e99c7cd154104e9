// The server config's [smtp] table (docs/operator.md, "Email notices (SMTP)").
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "liaise/server/server.hpp"

using namespace liaise::server;
namespace fs = std::filesystem;

namespace {

fs::path write_file(const std::string& name, const std::string& text) {
    const auto p = fs::temp_directory_path() /
                   ("liaise-mail-config-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(p) << text;
    return p;
}

std::string problem(const std::string& toml) {
    const auto p = write_file("bad.toml", toml);
    const auto c = load_config(p, {});
    fs::remove(p);
    REQUIRE_FALSE(c.ok());
    // "FILE: problem"
    const auto& m = c.error().message;
    REQUIRE(m.starts_with(p.string() + ": "));
    return m.substr(p.string().size() + 2);
}

}  // namespace

TEST_CASE("no smtp table means no email", "[config][mail]") {
    const auto p = write_file("none.toml", "threads = 2\n");
    const auto c = load_config(p, {});
    fs::remove(p);
    REQUIRE(c.ok());
    CHECK_FALSE(c.value().mail);
}

TEST_CASE("the smtp table sets the relay, the sender and the password from its file",
          "[config][mail]") {
    const auto secret = write_file("password", "relay-pass\n");
    const auto p = write_file("mail.toml",
                              "[smtp]\nhost = \"smtp.council.example.org\"\nport = 2525\n"
                              "from = \"liaise@council.example.org\"\nusername = \"liaise\"\n"
                              "password_file = \"" +
                                  secret.string() +
                                  "\"\nservice_url = \"https://liaise.example.org\"\n"
                                  "timeout_ms = 5000\ncheck_seconds = 30\n");
    const auto c = load_config(p, {});
    fs::remove(p);
    fs::remove(secret);
    REQUIRE(c.ok());
    REQUIRE(c.value().mail);
    const auto& m = *c.value().mail;
    CHECK(m.smtp.host == "smtp.council.example.org");
    CHECK(m.smtp.port == 2525);
    CHECK(m.smtp.from == "liaise@council.example.org");
    CHECK(m.smtp.username == "liaise");
    CHECK(m.smtp.password == "relay-pass");  // without the file's line end
    CHECK(m.smtp.timeout == std::chrono::milliseconds(5000));
    CHECK_FALSE(m.smtp.plain_loopback);
    CHECK(m.service_url == "https://liaise.example.org");
    CHECK(m.check_seconds == 30);
    CHECK(m.digest);                    // the daily digest is on by default,
    CHECK(m.digest_minutes == 8 * 60);  // at 08:00 London time
}

TEST_CASE("the smtp table sets the daily digest's time, or turns it off", "[config][mail]") {
    const auto p = write_file("digest.toml",
                              "[smtp]\nhost = \"smtp.council.example.org\"\n"
                              "from = \"liaise@council.example.org\"\n"
                              "digest_time = \"17:45\"\ndigest = false\n");
    const auto c = load_config(p, {});
    fs::remove(p);
    REQUIRE(c.ok());
    REQUIRE(c.value().mail);
    CHECK(c.value().mail->digest_minutes == 17 * 60 + 45);
    CHECK_FALSE(c.value().mail->digest);
    const std::string base = "[smtp]\nhost = \"h.example\"\nfrom = \"a@b.example\"\n";
    for (const auto* bad : {"\"24:00\"", "\"8:00\"", "\"08:60\"", "\"0800\"", "800", "\"\""})
        CHECK(problem(base + "digest_time = " + bad + "\n") ==
              "smtp.digest_time must be a time of day like \"08:00\" (London time)");
    CHECK(problem(base + "digest = \"yes\"\n") == "smtp.digest must be true or false");
}

TEST_CASE("smtp settings with a mistake stop the server with the reason", "[config][mail]") {
    CHECK(problem("[smtp]\nfrom = \"a@b.example\"\n") == "smtp: no mail relay host is set");
    CHECK(problem("[smtp]\nhost = \"smtp.example.org\"\nfrom = \"nobody\"\n")
              .find("is not an email address") != std::string::npos);
    CHECK(problem("[smtp]\nhost = \"smtp.example.org\"\nfrom = \"a@b.example\"\n"
                  "plain_loopback = true\n")
              .find("only to a relay on this machine") != std::string::npos);
    CHECK(problem("[smtp]\nhost = \"h.example\"\nfrom = \"a@b.example\"\nport = 0\n") ==
          "smtp.port must be an integer from 1 to 65535");
    CHECK(problem("[smtp]\nhost = \"h.example\"\nfrom = \"a@b.example\"\nusername = \"u\"\n") ==
          "smtp.username is set without smtp.password_file");
    CHECK(problem("[smtp]\nhost = \"h.example\"\nfrom = \"a@b.example\"\n"
                  "password_file = \"/nonexistent/pw\"\n")
              .find("cannot be read") != std::string::npos);
    CHECK(problem("[smtp]\nhost = \"h.example\"\nfrom = \"a@b.example\"\npassword = \"x\"\n") ==
          "unknown setting 'smtp.password'");
    CHECK(problem("smtp = \"yes\"\n") == "smtp must be a table: [smtp]");
}
