// End to end: action notices by email from the real liaise-server to a real SMTP server
// (aiosmtpd) over STARTTLS, with no case content in them, and a relay that hangs never holding
// up a request.
#include <netinet/in.h>
#include <sys/socket.h>

#include "../support/smtp_sink.hpp"
#include "mail_support.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// ann (admin), sam (chair) and tess (member) in room case-7; the server sends notices through
/// `smtp_port` (STARTTLS with `cert` unless `plain`), checking every second.
struct Mailing {
    explicit Mailing(std::uint16_t smtp_port, const smtp::Certificate* cert) {
        server.stop();
        std::string toml =
            "[smtp]\nhost = \"127.0.0.1\"\nport = " + std::to_string(smtp_port) +
            "\nfrom = \"liaise@council.example.org\"\ncheck_seconds = 1\n"
            "timeout_ms = 2000\nservice_url = \"https://liaise.council.example.org\"\n";
        if (cert != nullptr)
            toml += "ca_file = \"" + cert->cert.string() + "\"\n";
        else
            toml += "plain_loopback = true\n";
        server.set_config(toml);
        server.start();
        ann.emplace(server, "ann", server.admin_code());
        ok(**ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
        sam.emplace(server, "sam",
                    code_for(**ann, "sam", "Northshire Children's Services", "chair"));
        tess.emplace(server, "tess", code_for(**ann, "tess", "Riverside Primary"));
        ok(**sam, "room_create", {{"room", "case-7"}, {"members", {"tess"}}});
        meeting = ok(**sam, "meeting_create",
                     {{"room", "case-7"},
                      {"title", "Core group for Jamie Smith"},
                      {"kind", "core-group"},
                      {"starts_at", "2026-11-20 10:00"},
                      {"place", "Riverside Primary"},
                      {"minute_taker", "tess"},
                      {"marking", "OFFICIAL-SENSITIVE"}})
                      .at("meeting")
                      .as_int64();
    }
    json::object action(const std::string& owner, const std::string& due) {
        return ok(**tess, "action_add",
                  {{"meeting", meeting},
                   {"what", "Ask Kelly Smith about the bruise on Jamie's arm"},
                   {"owner", owner},
                   {"due", due}});
    }

    Server server;
    std::optional<Person> ann, sam, tess;
    std::int64_t meeting = 0;
};

/// No case content: not the action's words, the room, the meeting or the family's names.
void check_no_case_content(const std::string& mail) {
    for (const auto* secret :
         {"Kelly", "Jamie", "bruise", "case-7", "Core group", "Smith", "Riverside", "OFFICIAL"})
        CHECK_FALSE(has(mail, secret));
}

}  // namespace

TEST_CASE("an action given to someone with an email address is emailed once, without case content",
          "[e2e][mail]") {
    smtp::TempDir dir("mail-e2e");
    const auto cert = smtp::make_certificate(dir.path(), "relay", "IP:127.0.0.1");
    smtp::SinkOptions options;
    options.tls = cert;
    smtp::Sink sink(options);
    Mailing t(sink.port(), &cert);

    // Only accounts with an address get email; only an admin sets it.
    CHECK(error_code(**t.tess, "account_email", {{"user", "tess"}, {"email", "t@x.example"}}) ==
          "forbidden");
    CHECK(error_code(**t.ann, "account_email", {{"user", "tess"}, {"email", "not an address"}}) ==
          "bad_request");
    CHECK(error_code(**t.ann, "account_email", {{"user", "nobody"}, {"email", "n@x.example"}}) ==
          "not_found");
    const auto set =
        ok(**t.ann, "account_email", {{"user", "tess"}, {"email", "tess@riverside.example.org"}});
    CHECK(set.at("changed").as_bool());
    CHECK_FALSE(
        ok(**t.ann, "account_email", {{"user", "tess"}, {"email", "tess@riverside.example.org"}})
            .at("changed")
            .as_bool());

    const auto given = t.action("tess", "2030-01-10");
    t.action("sam", "2030-01-10");  // sam has no address: no email
    const auto mail = sink.wait_for(1);
    REQUIRE(mail.size() == 1);
    const auto& m = mail[0];
    CHECK(has(m, "X-Sink-Tls: yes\r\n"));
    CHECK(has(m, "X-Sink-Rcpt: tess@riverside.example.org\r\n"));
    CHECK(has(m, "Subject: An action has been given to you\r\n"));
    CHECK(has(m, "Action " + std::to_string(given.at("id").as_int64()) +
                     " has been given to you. It is due on Thursday 10 January 2030."));
    CHECK(has(m, "https://liaise.council.example.org"));
    check_no_case_content(m);

    // Sent once: a few more checks pass without another email.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(sink.received().size() == 1);
    // An action whose notice went out can still be removed from the draft.
    ok(**t.tess, "meeting_remove",
       {{"meeting", t.meeting}, {"section", "action"}, {"item", given.at("id").as_int64()}});
    // The change is in the audit log, without the address.
    const auto audit = json::serialize(ok(**t.ann, "audit"));
    CHECK(has(audit, "email_set"));
    CHECK_FALSE(has(audit, "tess@riverside.example.org"));
}

TEST_CASE("an overdue action is emailed to its owner as overdue", "[e2e][mail]") {
    smtp::Sink sink;
    Mailing t(sink.port(), nullptr);  // plain SMTP to a loopback relay, as configured
    ok(**t.ann, "account_email", {{"user", "tess"}, {"email", "tess@riverside.example.org"}});
    t.action("tess", "2026-01-05");
    const auto mail = sink.wait_for(2);
    REQUIRE(mail.size() == 2);
    std::string all = mail[0] + mail[1];
    CHECK(has(all, "Subject: An action has been given to you\r\n"));
    CHECK(has(all, "Subject: An action of yours is overdue\r\n"));
    CHECK(has(all, "was due on Monday 5 January 2026"));
    check_no_case_content(all);
    // Cleared address: no more email for tess.
    ok(**t.ann, "account_email", {{"user", "tess"}});
    t.action("tess", "2030-01-10");
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(sink.received().size() == 2);
}

TEST_CASE("a relay that hangs does not hold up requests, and mail goes once it answers",
          "[e2e][mail]") {
    // A socket that accepts connections and never speaks: every send times out.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    Mailing t(ntohs(addr.sin_port), nullptr);
    ok(**t.ann, "account_email", {{"user", "tess"}, {"email", "tess@riverside.example.org"}});
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        t.action("tess", "2030-01-10");
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500));
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
    }
    ::close(fd);
    // The server says why in its log, without the email's words.
    for (int i = 0; i < 100 && !has(t.server.log(), "did not answer"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(has(t.server.log(), "email notices: the mail relay 127.0.0.1"));
    CHECK_FALSE(has(t.server.log(), "bruise"));
}
