// TLS: the real liaise-server serving wss:// with a certificate from a private authority that
// the test makes with the openssl command, and real clients that verify it.
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;

namespace {

/// A private certificate authority and server certificates it signed, in a temporary folder.
class Pki {
  public:
    Pki() {
        dir_ = fs::temp_directory_path() /
               ("liaise-pki-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        make_ca("ca", "Liaise Test Authority");
        make_ca("other-ca", "Another Test Authority");
        issue("server", "ca", "IP:127.0.0.1");  // the address only, not "localhost"
    }

    /// An RSA server certificate, `name`.pem and .key, signed by "ca": with it, RSA key
    /// exchange suites could be chosen (an ECDSA key cannot use them, refused or not).
    void issue_rsa(const std::string& name) { issue(name, "ca", "IP:127.0.0.1", "rsa:2048"); }
    ~Pki() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    Pki(const Pki&) = delete;
    Pki& operator=(const Pki&) = delete;

    [[nodiscard]] fs::path pem(const std::string& name) const { return dir_ / (name + ".pem"); }
    [[nodiscard]] fs::path key(const std::string& name) const { return dir_ / (name + ".key"); }

  private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::string q(const fs::path& p) const { return "'" + p.string() + "'"; }

    void make_ca(const std::string& name, const std::string& cn) {
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "
            "'/CN=" +
            cn +
            "' -addext 'basicConstraints=critical,CA:TRUE' -addext "
            "'keyUsage=critical,keyCertSign,cRLSign' -keyout " +
            q(key(name)) + " -out " + q(pem(name)) + " 2>&1");
    }

    void issue(const std::string& name, const std::string& ca, const std::string& san,
               const std::string& key_type = "ec -pkeyopt ec_paramgen_curve:P-256") {
        const auto ext = dir_ / (name + ".ext");
        std::ofstream(ext) << "basicConstraints=CA:FALSE\n"
                           << "keyUsage=critical,digitalSignature,keyEncipherment\n"
                           << "extendedKeyUsage=serverAuth\nsubjectAltName=" << san << "\n";
        const auto csr = dir_ / (name + ".csr");
        run("openssl req -new -newkey " + key_type +
            " -nodes -subj "
            "'/CN=liaise test server' -keyout " +
            q(key(name)) + " -out " + q(csr) + " 2>&1");
        run("openssl x509 -req -days 2 -in " + q(csr) + " -CA " + q(pem(ca)) + " -CAkey " +
            q(key(ca)) + " -CAcreateserial -extfile " + q(ext) + " -out " + q(pem(name)) + " 2>&1");
    }

    fs::path dir_;
};

/// A server restarted to serve wss:// with a certificate signed by the test authority.
void serve_tls(Server& server, const Pki& pki) {
    server.stop();
    server.use_tls(pki.pem("server"), pki.key("server"), pki.pem("ca"));
    server.start();
}

}  // namespace

TEST_CASE("wss:// with the private authority works end to end", "[e2e][tls]") {
    Pki pki;
    Server server;
    serve_tls(server, pki);
    REQUIRE(server.url().starts_with("wss://"));

    // Library clients: enrol, log in, send, read.
    Person ann(server, "ann", server.admin_code());
    Person bea(server, "bea", code_for(*ann, "bea", "Northshire Children's Services"));
    ok(*ann, "room_create", {{"room", "case-9"}, {"members", {"bea"}}});
    auto seq = ann->send("case-9", "Visit on Tuesday went well.");
    INFO((seq ? "" : seq.error().message));
    REQUIRE(seq.ok());
    auto read = bea->read("case-9", 0);
    REQUIRE(read.ok());
    REQUIRE(read.value().size() == 2);  // the room's creation, then the message
    CHECK(read.value()[0].event);
    CHECK(read.value()[1].text == "Visit on Tuesday went well.");

    // The command: `liaise enrol --ca` keeps the authority, so later commands verify with it.
    Cli cli{server};
    const auto code = code_for(*ann, "cai", "Northshire Children's Services");
    cli.ok("cai", "enrol --server " + server.url() + " --ca '" + pki.pem("ca").string() +
                      "' --code " + code);
    ok(*ann, "room_add", {{"room", "case-9"}, {"user", "cai"}});
    cli.ok("cai", "send --accept-new-readers case-9 --anyway 'I will call the school.'");
    const auto out = cli.ok("cai", "read case-9 --plain");
    CHECK_THAT(out, Catch::Contains("I will call the school."));

    // The plain port is gone: a ws:// client cannot talk to a TLS server.
    const auto plain = client::Connection::open("ws://127.0.0.1:" + std::to_string(server.port()),
                                                std::chrono::milliseconds(2000));
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().code == "connection_failed");
    CHECK_THAT(plain.error().message, Catch::Contains("use wss://"));
    // And the server is still serving everyone else.
    CHECK(error_code(*bea, "whoami").empty());
}

TEST_CASE("a certificate the client cannot verify is refused, naming certificate verification",
          "[e2e][tls]") {
    Pki pki;
    Server server;
    serve_tls(server, pki);

    const auto refused = [](const protocol::Expected<std::unique_ptr<client::Connection>>& c) {
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == "connection_failed");
        CHECK_THAT(c.error().message, Catch::Contains("certificate verification failed"));
        CHECK_THAT(c.error().message, Catch::Contains("--ca"));
    };
    SECTION("no authority: the system's do not know ours") {
        refused(client::Connection::open(server.url(), client::ConnectOptions{}));
    }
    SECTION("the wrong authority") {
        refused(client::Connection::open(
            server.url(), client::ConnectOptions{std::chrono::seconds(5), pki.pem("other-ca")}));
    }
    SECTION("the right authority, but the certificate does not name the host") {
        refused(client::Connection::open(
            "wss://localhost:" + std::to_string(server.port()),
            client::ConnectOptions{std::chrono::seconds(5), pki.pem("ca")}));
    }
    SECTION("enrolment without the authority stores nothing and says why") {
        client::Home home(server.dir() / "home-nobody");
        const auto r =
            client::Client::enrol(home, server.url(), server.admin_code(), kPassphrase, "laptop");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "connection_failed");
        CHECK_THAT(r.error().message, Catch::Contains("certificate verification failed"));
        CHECK_FALSE(home.enrolled());
        Cli cli{server};
        const auto [status, out] =
            cli("dan", "enrol --server " + server.url() + " --code " + server.admin_code());
        CHECK(status != 0);
        CHECK_THAT(out, Catch::Contains("certificate verification failed"));
    }
    // The refusals did not disturb the server: the admin's code still works with the authority.
    Person ann(server, "ann", server.admin_code());
    CHECK(error_code(*ann, "whoami").empty());
}

TEST_CASE("serve refuses an incomplete or unreadable TLS setting", "[e2e][tls]") {
    Pki pki;
    Server server;
    server.stop();
    const auto serve = [&](const std::string& args) {
        const std::string cmd =
            std::string("'") + LIAISE_SERVER_BINARY + "' serve --data '" + server.data().string() +
            "' --listen 127.0.0.1:" + std::to_string(server.port()) + " " + args + " 2>&1";
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        char buf[4096];
        while (const auto n = std::fread(buf, 1, sizeof buf, p))
            out.append(buf, n);
        const int status = ::pclose(p);
        return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
    };
    auto [status, out] = serve("--tls-cert '" + pki.pem("server").string() + "'");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains("--tls-key"));
    std::tie(status, out) =
        serve("--tls-cert '" + pki.pem("server").string() + "' --tls-key /no/such/key.pem");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains("cannot use the TLS key /no/such/key.pem"));
}

namespace {

/// What `openssl s_client` makes of a handshake with `server` offering only `offer` (e.g.
/// "-tls1_2 -cipher AES128-SHA"): the negotiated "Protocol, Cipher is …" line, or "" when the
/// handshake failed.
std::string negotiated(const Server& server, const std::string& offer) {
    const auto ran = run_any("echo | timeout 10 openssl s_client -connect 127.0.0.1:" +
                             std::to_string(server.port()) + " " + offer + " 2>&1");
    for (const auto& line : lines_of(ran.out))
        if (line.starts_with("New, ") && line.find("(NONE)") == std::string::npos)
            return WEXITSTATUS(ran.status) == 0 ? line : "";
    return "";
}

}  // namespace

TEST_CASE("TLS 1.3, and TLS 1.2 with forward-secret AEAD suites only", "[e2e][tls][transport]") {
    Pki pki;
    pki.issue_rsa("rsa-server");
    Server server;
    server.stop();
    server.use_tls(pki.pem("rsa-server"), pki.key("rsa-server"), pki.pem("ca"));
    server.start();

    // Accepted: ECDHE with an AEAD cipher, and TLS 1.3.
    CHECK_THAT(negotiated(server, "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"),
               Catch::Contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256"));
    CHECK_THAT(negotiated(server, "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305"),
               Catch::Contains("Cipher is ECDHE-RSA-CHACHA20-POLY1305"));
    CHECK_THAT(negotiated(server, "-tls1_3"), Catch::Contains("TLSv1.3"));
    // Refused: RSA key exchange (no forward secrecy), CBC, SHA-1 MACs, finite-field DHE, and
    // TLS before 1.2.
    for (const char* offer :
         {"-tls1_2 -cipher AES128-SHA", "-tls1_2 -cipher AES256-GCM-SHA384",
          "-tls1_2 -cipher AES128-GCM-SHA256", "-tls1_2 -cipher ECDHE-RSA-AES128-SHA",
          "-tls1_2 -cipher ECDHE-RSA-AES256-SHA384", "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256",
          "-tls1_1 -cipher ALL:@SECLEVEL=0"}) {
        INFO(offer);
        CHECK(negotiated(server, offer).empty());
    }
    // Still serving.
    CHECK_THAT(negotiated(server, "-tls1_2"), Catch::Contains("ECDHE-RSA-"));
}
