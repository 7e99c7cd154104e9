// End to end: what follows the circulation of minutes, against the real liaise-server and a real
// SMTP server (aiosmtpd): acknowledgement by recipients only, accuracy comments within the
// window (and refused after it, time moved by backdating the circulation in the stopped server's
// database), the chair's resolution by answer and by correction, the due list, and the emails
// (circulated for acknowledgement, a chair's deadline reminder) with no case content.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <array>
#include <ctime>

#include "../support/smtp_sink.hpp"
#include "data_scan.hpp"
#include "mail_support.hpp"
#include "server_fixture.hpp"
#include "signed_receipts.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

std::string clock_status(const json::object& m, std::string_view clock) {
    for (const auto& v : m.at("deadlines").as_array())
        if (v.at("clock").as_string() == clock)
            return std::string(v.at("status").as_string());
    return "";
}

constexpr const char* kComment = "Kelly did not agree to the plan; she asked for time to think";
constexpr const char* kAnswer = "Kelly's words are recorded as she said them in the dissent";

}  // namespace

TEST_CASE(
    "after circulation: acknowledge, comment in and after the window, resolve, due list, "
    "emails",
    "[e2e][mail][followup]") {
    smtp::Sink sink;
    Server server;
    server.stop();
    server.set_config("[smtp]\nhost = \"127.0.0.1\"\nport = " + std::to_string(sink.port()) +
                      "\nfrom = \"liaise@council.example.org\"\ncheck_seconds = 1\n"
                      "timeout_ms = 2000\nplain_loopback = true\n"
                      "service_url = \"https://liaise.council.example.org\"\n");
    server.start();
    Person ann(server, "ann", server.admin_code());
    ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
    Person sam(server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair"));
    Person tess(server, "tess", code_for(*ann, "tess", "Riverside Primary"));
    Person uma(server, "uma", code_for(*ann, "uma", "Riverside Primary"));
    ok(*ann, "account_email", {{"user", "tess"}, {"email", "tess@riverside.example.org"}});
    ok(*ann, "account_email", {{"user", "sam"}, {"email", "sam@northshire.example.org"}});
    ok(*sam, "room_create", {{"room", "case-7"}, {"members", {"tess"}}});
    const auto held = today() + " 10:00";
    const auto meeting = ok(*sam, "meeting_create",
                            {{"room", "case-7"},
                             {"title", "Core group for Jamie Smith"},
                             {"kind", "core-group"},
                             {"starts_at", held},
                             {"place", "Riverside Primary"}})
                             .at("meeting")
                             .as_int64();
    // A strategy discussion today: its decision summary is due within a working day, so the
    // chair is reminded by email.
    const auto strategy = ok(*sam, "meeting_create",
                             {{"room", "case-7"},
                              {"title", "Strategy discussion for Jamie Smith"},
                              {"kind", "strategy"},
                              {"starts_at", held},
                              {"place", "Northshire Police"},
                              {"minute_taker", "tess"}})
                              .at("meeting")
                              .as_int64();
    auto mail = sink.wait_for(1);
    REQUIRE(mail.size() == 1);
    CHECK(has(mail[0], "X-Sink-Rcpt: sam@northshire.example.org\r\n"));
    CHECK(has(mail[0], "Subject: Minutes due soon: Decision summary\r\n"));
    CHECK(
        has(mail[0], "The decision summary of meeting " + std::to_string(strategy) + " is due on"));

    // The due list: sam chairs both; tess takes the minutes of the strategy discussion only.
    auto due = ok(*sam, "minutes_due");
    CHECK(due.at("today").as_string() == today());
    REQUIRE(find_meeting(due, strategy) != nullptr);
    CHECK(clock_status(*find_meeting(due, strategy), "decision_summary") == "due");
    CHECK(find_meeting(due, strategy)->at("role").as_string() == "chair");
    REQUIRE(find_meeting(due, meeting) != nullptr);
    CHECK(clock_status(*find_meeting(due, meeting), "full_record") == "due");
    due = ok(*tess, "minutes_due");
    REQUIRE(due.at("meetings").as_array().size() == 1);
    REQUIRE(find_meeting(due, strategy) != nullptr);
    CHECK(find_meeting(due, strategy)->at("role").as_string() == "minute_taker");
    CHECK(ok(*uma, "minutes_due").at("meetings").as_array().empty());

    // Nothing to acknowledge before circulation.
    CHECK(error_code(*tess, "minutes_acknowledge",
                     {{"meeting", meeting},
                      {"signed_at", now_ms_for_tests()},
                      {"signature", crypto::Signature{}.to_base64()}}) == "wrong_status");
    ok(*sam, "meeting_circulate",
       signed_by(*sam, "meeting_circulate", {{"meeting", meeting}, {"acknowledge", true}}));
    // uma joins after circulation: in the room, but version 1 was not sent to her.
    ok(*sam, "room_add", {{"room", "case-7"}, {"user", "uma"}});

    // tess (an address) is emailed for acknowledgement; sam's copy is mailed too.
    mail = sink.wait_for(3);
    REQUIRE(mail.size() == 3);
    std::string circulated;
    for (const auto& m : mail)
        if (has(m, "X-Sink-Rcpt: tess@riverside.example.org\r\n"))
            circulated = m;
    CHECK(has(circulated, "Subject: Minutes are waiting for your acknowledgement\r\n"));
    CHECK(has(circulated, "acknowledge them by "));
    for (const auto& m : mail)
        for (const auto* secret : {"Jamie", "Smith", "case-7", "Core group", "Riverside Primary",
                                   "Strategy", "Northshire Police"})
            CHECK_FALSE(has(m.substr(m.find("\r\n\r\n")), secret));

    // Acknowledgement: once, by a recipient only; the chair sees who has and who has not.
    const auto ack = ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    CHECK(ack.at("version").as_int64() == 1);
    CHECK_FALSE(ack.at("already").as_bool());
    const auto again =
        ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    CHECK(again.at("already").as_bool());
    CHECK(again.at("acknowledged_at") == ack.at("acknowledged_at"));
    CHECK(error_code(*uma, "minutes_acknowledge", ack_signed_by(*uma, {{"meeting", meeting}})) ==
          "not_recipient");
    CHECK(error_code(*ann, "minutes_acknowledge", ack_signed_by(*ann, {{"meeting", meeting}})) ==
          "not_found");
    CHECK(error_code(*tess, "minutes_acknowledge",
                     ack_signed_by(*tess, {{"meeting", meeting}, {"version", 2}})) == "not_found");
    const auto shown = ok(*sam, "meeting_show", {{"meeting", meeting}});
    int acknowledged = 0, waiting = 0;
    for (const auto& d : shown.at("distribution").as_array()) {
        if (!d.as_object().contains("user"))
            continue;
        const bool done = d.at("acknowledged_at").is_int64();
        CHECK(done == (d.at("user").as_string() == "tess"));
        (done ? acknowledged : waiting) += 1;
    }
    CHECK(acknowledged == 1);
    CHECK(waiting == 1);  // sam

    // Accuracy comments within the window, by recipients only, on a part of the record.
    const auto c1 =
        ok(*tess, "minutes_comment",
           comment_signed_by(*tess,
                             {{"meeting", meeting}, {"section", "dissent"}, {"text", kComment}}));
    CHECK(c1.at("status").as_string() == "open");
    CHECK(c1.at("window_closes").as_string() > today());
    const auto c2 =
        ok(*tess, "minutes_comment",
           comment_signed_by(
               *tess, {{"meeting", meeting}, {"section", "general"}, {"text", "Date is wrong"}}));
    CHECK(error_code(*tess, "minutes_comment",
                     comment_signed_by(
                         *tess, {{"meeting", meeting}, {"section", "weather"}, {"text", "x"}})) ==
          "bad_request");
    CHECK(error_code(*uma, "minutes_comment",
                     comment_signed_by(
                         *uma, {{"meeting", meeting}, {"section", "general"}, {"text", "x"}})) ==
          "not_recipient");
    // The chair sees every comment; a recipient only their own.
    auto list = ok(*sam, "minutes_comments", {{"meeting", meeting}});
    CHECK(list.at("all").as_bool());
    CHECK(list.at("open").as_int64() == 2);
    CHECK(list.at("comments").as_array()[0].at("text").as_string() == kComment);
    CHECK(ok(*uma, "minutes_comments", {{"meeting", meeting}}).at("comments").as_array().empty());

    // Resolved by the chair only: by an answer, then (once a correction is started) by it.
    const auto id1 = c1.at("comment").as_int64();
    const auto id2 = c2.at("comment").as_int64();
    CHECK(error_code(*tess, "minutes_comment_resolve",
                     {{"meeting", meeting}, {"comment", id1}, {"answer", kAnswer}}) == "forbidden");
    CHECK(error_code(*sam, "minutes_comment_resolve", {{"meeting", meeting}, {"comment", id1}}) ==
          "bad_request");
    const auto answered = ok(*sam, "minutes_comment_resolve",
                             {{"meeting", meeting}, {"comment", id1}, {"answer", kAnswer}});
    CHECK(answered.at("status").as_string() == "answered");
    CHECK(error_code(*sam, "minutes_comment_resolve",
                     {{"meeting", meeting}, {"comment", id1}, {"answer", "again"}}) == "conflict");
    CHECK(error_code(*sam, "minutes_comment_resolve",
                     {{"meeting", meeting}, {"comment", id2}, {"corrected_in", 2}}) ==
          "bad_request");  // no version 2 yet
    ok(*sam, "meeting_correct", {{"meeting", meeting}, {"reason", "The date was wrong"}});
    const auto corrected = ok(*sam, "minutes_comment_resolve",
                              {{"meeting", meeting}, {"comment", id2}, {"corrected_in", 2}});
    CHECK(corrected.at("status").as_string() == "corrected");
    CHECK(corrected.at("corrected_in").as_int64() == 2);
    // The commenter sees each resolution.
    list = ok(*tess, "minutes_comments", {{"meeting", meeting}});
    CHECK_FALSE(list.at("all").as_bool());
    CHECK(list.at("open").as_int64() == 0);
    REQUIRE(list.at("comments").as_array().size() == 2);
    CHECK(list.at("comments").as_array()[0].at("answer").as_string() == kAnswer);
    CHECK(list.at("comments").as_array()[1].at("corrected_in").as_int64() == 2);

    // The audit log has each event, never a comment's words.
    const auto audit = json::serialize(ok(*ann, "audit"));
    for (const auto* kind :
         {"minutes_acknowledged", "minutes_comment_sent", "minutes_comment_resolved"})
        CHECK(has(audit, kind));
    CHECK_FALSE(has(audit, "Kelly did not agree"));
    CHECK_FALSE(has(audit, "recorded as she said"));

    // After the window: the circulation moved 30 days back (the server stopped), the comment is
    // refused with the closing date. Comment text is sealed at rest: not in any file in plain.
    server.stop();
    CHECK_FALSE(any_file_holds(server.dir() / "data", "Kelly did not agree"));
    CHECK_FALSE(any_file_holds(server.dir() / "data", "recorded as she said"));
    CHECK_FALSE(has(server.log(), "Kelly did not agree"));
    {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement back(db,
                               "UPDATE minutes_versions SET circulated_at = circulated_at - "
                               "30 * 86400000 WHERE meeting_id = ? AND version = 1");
        back.bind(1, static_cast<std::int64_t>(meeting));
        REQUIRE(back.exec() == 1);
    }
    server.start();
    tess.login();
    auto late =
        tess->call("minutes_comment", comment_signed_by(*tess, {{"meeting", meeting},
                                                                {"version", 1},
                                                                {"section", "general"},
                                                                {"text", "One more thing"}}));
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == "comments_closed");
    CHECK(has(late.error().message, "closed at the end of "));
    sam.login();
    CHECK(ok(*sam, "minutes_comments", {{"meeting", meeting}}).at("comments").as_array().size() ==
          2);
}

TEST_CASE("the command acknowledges, comments, resolves and lists what is due", "[e2e][followup]") {
    Server server;
    Cli cli{server};
    cli.two_in_a_room();  // ann (an admin, so a chair) and bea in case-2041
    const auto created = cli.ok("ann",
                                "meeting create case-2041 --title \"Core group for J\" "
                                "--kind core-group --at \"" +
                                    today() + " 10:00\" --place remote --json");
    const auto id = std::to_string(json::parse(created).at("meeting").as_int64());
    CHECK(cli.ok("ann", "meetings due").find("Full record: due ") != std::string::npos);
    cli.ok("ann", "meeting circulate " + id + " --acknowledge");
    CHECK(
        has(cli.ok("bea", "meeting acknowledge " + id), "Acknowledged version 1 of meeting " + id));
    CHECK(has(cli.ok("bea", "meeting acknowledge " + id), "You had already acknowledged"));
    const auto sent = cli.ok("bea", "meeting comment " + id + " general \"The date is wrong\"");
    CHECK(has(sent, "Sent comment 1 on version 1 of meeting " + id + " to the chair."));
    CHECK(has(sent, "Comments close at the end of "));
    const auto [bad, why] = cli("bea", "meeting comment " + id + " weather \"x\"");
    CHECK(bad == 1);
    CHECK(has(why, "not a part of this Core group's record"));
    const auto shown = cli.ok("ann", "meeting show " + id);
    CHECK(has(shown, "): acknowledged "));  // bea's copy, with the date
    // Checked on ann's device against bea's key: signed by bea's device.
    CHECK(has(shown, ", signature verified"));
    CHECK(has(shown, "acknowledged by "));
    const auto due = cli.ok("ann", "meetings due");
    CHECK(has(due, "1 accuracy comment(s) to resolve"));
    CHECK(has(due, "1 recipient(s) acknowledged version 1, signatures verified"));
    CHECK_FALSE(has(due, "did not sign"));
    const auto all = cli.ok("ann", "meeting comments " + id);
    CHECK(has(all, "signed by "));
    CHECK(has(all, "'s device, signature verified"));
    const auto [wrong, both] =
        cli("ann", "meeting resolve " + id + " 1 --answer \"x\" --corrected-in 2");
    CHECK(wrong != 0);
    cli.ok("ann", "meeting resolve " + id + " 1 --answer \"The date is the meeting's own\"");
    const auto listed = cli.ok("bea", "meeting comments " + id);
    CHECK(has(listed, "(yours): 1, 0 open"));
    CHECK(has(listed, "answered by "));
    CHECK(has(listed, "The date is the meeting's own"));
}

TEST_CASE(
    "acknowledgements and comments are signed by the recipient's device, and a bad signature is "
    "refused and stores nothing",
    "[e2e][followup][signed]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
    Person sam(server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair"));
    Person tess(server, "tess", code_for(*ann, "tess", "Riverside Primary"));
    Person bea(server, "bea", code_for(*ann, "bea", "Riverside Primary"));
    ok(*sam, "room_create", {{"room", "case-7"}, {"members", {"tess", "bea"}}});
    const auto meeting = ok(*sam, "meeting_create",
                            {{"room", "case-7"},
                             {"title", "Core group for Jamie Smith"},
                             {"kind", "core-group"},
                             {"starts_at", today() + " 10:00"},
                             {"place", "Riverside Primary"}})
                             .at("meeting")
                             .as_int64();
    ok(*sam, "meeting_circulate",
       signed_by(*sam, "meeting_circulate", {{"meeting", meeting}, {"acknowledge", true}}));

    const auto tess_acknowledged = [&] {
        const auto shown = ok(*sam, "meeting_show", {{"meeting", meeting}, {"version", 1}});
        for (const auto& d : shown.at("distribution").as_array())
            if (protocol::str(d.as_object(), "user") == "tess")
                return d.at("acknowledged_at").is_int64();
        return false;
    };
    const auto refused = [&](Person& who, std::string_view type, json::object fields) {
        auto r = who->call(type, std::move(fields));
        REQUIRE_FALSE(r.ok());
        return r.error();
    };

    // No signature, a malformed one, one made long ago: bad_request, before anything is read.
    auto e = refused(tess, "minutes_acknowledge", {{"meeting", meeting}});
    CHECK(e.code == "bad_request");
    auto fields = ack_signed_by(*tess, {{"meeting", meeting}});
    fields["signature"] = "not-a-signature";
    CHECK(refused(tess, "minutes_acknowledge", fields).code == "bad_request");
    fields = ack_signed_by(*tess, {{"meeting", meeting}});
    fields["signed_at"] = fields.at("signed_at").as_int64() - 3'600'000;
    CHECK(refused(tess, "minutes_acknowledge", fields).code == "bad_request");
    // Signatures that are not tess's over this acknowledgement: bad_signature, nothing stored.
    fields = ack_signed_by(*tess, {{"meeting", meeting}});
    auto sig = crypto::Signature::from_base64(fields.at("signature").as_string());
    REQUIRE(sig);
    std::array<unsigned char, crypto::Signature::size()> raw{};
    std::copy(sig->bytes().begin(), sig->bytes().end(), raw.begin());
    raw[0] ^= 1;
    fields["signature"] = crypto::Signature(raw).to_base64();
    e = refused(tess, "minutes_acknowledge", fields);
    CHECK(e.code == "bad_signature");
    CHECK(has(e.message, "does not match your acknowledgement of version 1"));
    // bea's own signature, sent on tess's session: signed by another device, for another account.
    CHECK(refused(tess, "minutes_acknowledge", ack_signed_by(*bea, {{"meeting", meeting}})).code ==
          "bad_signature");
    // tess's signature over the acknowledgement of another meeting's number.
    auto other = ack_signed_as(tess->connection(), tess->keys(), "tess", {{"meeting", meeting}});
    other["meeting"] = meeting + 1;
    CHECK(refused(tess, "minutes_acknowledge", other).code == "not_found");
    CHECK_FALSE(tess_acknowledged());
    CHECK_FALSE(has(json::serialize(ok(*ann, "audit")), "minutes_acknowledged"));

    // Honest: stored with its signature and the signer's device, which verify as shown.
    ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    CHECK(tess_acknowledged());
    const auto v1 = ok(*sam, "meeting_show", {{"meeting", meeting}, {"version", 1}});
    const json::object* entry = nullptr;
    for (const auto& d : v1.at("distribution").as_array())
        if (protocol::str(d.as_object(), "user") == "tess")
            entry = &d.as_object();
    REQUIRE(entry != nullptr);
    const auto& shown_sig = entry->at("ack_signature").as_object();
    CHECK(shown_sig.at("device").as_string() == tess->profile().device);
    CHECK(shown_sig.at("signer_keys").at("sign_key").as_string() ==
          tess->keys().identity().sign_key.to_base64());
    const auto check = sam->check_minutes(v1);
    REQUIRE(check.acknowledgements.size() == 1);
    CHECK(check.acknowledgements[0].result == client::ReceiptCheck::Result::verified);
    CHECK(check.ok());
    // The due list carries it too, for the chair's device to check.
    const auto due = ok(*sam, "minutes_due");
    const auto* listed = find_meeting(due, meeting);
    REQUIRE(listed != nullptr);
    REQUIRE(listed->at("acknowledged").as_array().size() == 1);
    CHECK(sam->check_acknowledgement(v1, listed->at("acknowledged").as_array()[0].as_object())
              .result == client::ReceiptCheck::Result::verified);

    // Replayed onto version 2: tess's acknowledgement of version 1 does not acknowledge it.
    ok(*sam, "meeting_correct", {{"meeting", meeting}, {"reason", "The date was wrong"}});
    ok(*sam, "meeting_circulate",
       signed_by(*sam, "meeting_circulate", {{"meeting", meeting}, {"acknowledge", true}}));
    auto replayed = ack_signed_as(tess->connection(), tess->keys(), "tess",
                                  {{"meeting", meeting}, {"version", 1}});
    replayed["version"] = 2;
    CHECK(refused(tess, "minutes_acknowledge", replayed).code == "bad_signature");

    // A comment signed over other words (or another section) is refused and not stored.
    auto comment = comment_signed_by(
        *tess, {{"meeting", meeting}, {"section", "general"}, {"text", "The date is wrong"}});
    comment["text"] = "The plan was never agreed";
    e = refused(tess, "minutes_comment", comment);
    CHECK(e.code == "bad_signature");
    comment = comment_signed_by(
        *tess, {{"meeting", meeting}, {"section", "general"}, {"text", "The date is wrong"}});
    comment["section"] = "attendance";
    CHECK(refused(tess, "minutes_comment", comment).code == "bad_signature");
    CHECK(refused(tess, "minutes_comment",
                  {{"meeting", meeting}, {"section", "general"}, {"text", "Unsigned"}})
              .code == "bad_request");
    CHECK(ok(*sam, "minutes_comments", {{"meeting", meeting}}).at("comments").as_array().empty());
    // Honest: shown with its signature, which the chair's device verifies.
    ok(*tess, "minutes_comment",
       comment_signed_by(
           *tess, {{"meeting", meeting}, {"section", "general"}, {"text", "The date is wrong"}}));
    const auto list = ok(*sam, "minutes_comments", {{"meeting", meeting}});
    REQUIRE(list.at("comments").as_array().size() == 1);
    auto shown = list.at("comments").as_array()[0].as_object();
    CHECK(shown.at("version").as_int64() == 2);
    CHECK(sam->check_comment(shown).result == client::ReceiptCheck::Result::verified);
    // The same comment with its words changed, as a server could show it, does not verify.
    shown["text"] = "The plan was never agreed";
    CHECK(sam->check_comment(shown).result == client::ReceiptCheck::Result::does_not_verify);
}

TEST_CASE(
    "an acknowledgement from before they were signed takes the recipient's signature when they "
    "acknowledge again, a signed one is never replaced, and forged ones change nothing",
    "[e2e][followup][signed]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
    Person sam(server, "sam", code_for(*ann, "sam", "Northshire Children's Services", "chair"));
    Person tess(server, "tess", code_for(*ann, "tess", "Riverside Primary"));
    Person bea(server, "bea", code_for(*ann, "bea", "Riverside Primary"));
    ok(*sam, "room_create", {{"room", "case-8"}, {"members", {"tess", "bea"}}});
    const auto meeting = ok(*sam, "meeting_create",
                            {{"room", "case-8"},
                             {"title", "Core group for Jamie Smith"},
                             {"kind", "core-group"},
                             {"starts_at", today() + " 10:00"},
                             {"place", "Riverside Primary"}})
                             .at("meeting")
                             .as_int64();
    ok(*sam, "meeting_circulate",
       signed_by(*sam, "meeting_circulate", {{"meeting", meeting}, {"acknowledge", true}}));
    // Tess's entry in version 1's distribution as the chair is shown it, and what his device
    // makes of her acknowledgement.
    const auto tess_entry = [&] {
        const auto shown = ok(*sam, "meeting_show", {{"meeting", meeting}, {"version", 1}});
        for (const auto& d : shown.at("distribution").as_array())
            if (protocol::str(d.as_object(), "user") == "tess")
                return d.as_object();
        FAIL("tess is not in the distribution");
        return json::object{};
    };
    const auto sam_sees = [&] {
        const auto check =
            sam->check_minutes(ok(*sam, "meeting_show", {{"meeting", meeting}, {"version", 1}}));
        REQUIRE(check.acknowledgements.size() == 1);
        return check.acknowledgements[0].result;
    };
    const auto flipped = [](json::object fields) {
        auto sig = crypto::Signature::from_base64(fields.at("signature").as_string());
        REQUIRE(sig);
        std::array<unsigned char, crypto::Signature::size()> raw{};
        std::copy(sig->bytes().begin(), sig->bytes().end(), raw.begin());
        raw[5] ^= 1;
        fields["signature"] = crypto::Signature(raw).to_base64();
        return fields;
    };
    const auto refused = [&](Person& who, json::object fields) {
        auto r = who->call("minutes_acknowledge", std::move(fields));
        REQUIRE_FALSE(r.ok());
        return r.error().code;
    };

    // Tess acknowledged before acknowledgements were signed: her record has no signature (the
    // server stopped, the signature taken out as an old database has none).
    ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    const auto first_at = tess_entry().at("acknowledged_at").as_int64();
    server.stop();
    {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement old(db,
                              "UPDATE minutes_distribution SET ack_device = NULL, ack_signed_at = "
                              "NULL, ack_signature = NULL WHERE meeting_id = ? AND account_id = "
                              "(SELECT id FROM accounts WHERE username = 'tess')");
        old.bind(1, static_cast<std::int64_t>(meeting));
        REQUIRE(old.exec() == 1);
    }
    server.start();
    ann.login();
    sam.login();
    tess.login();
    bea.login();
    CHECK(tess_entry().at("ack_signature").is_null());
    CHECK(sam_sees() == client::ReceiptCheck::Result::not_signed);

    // Forged signatures on tess's session (a flipped bit; bea's device's, for bea) are refused and
    // do not sign her old acknowledgement.
    CHECK(refused(tess, flipped(ack_signed_by(*tess, {{"meeting", meeting}}))) == "bad_signature");
    CHECK(refused(tess, ack_signed_by(*bea, {{"meeting", meeting}})) == "bad_signature");
    CHECK(tess_entry().at("ack_signature").is_null());
    CHECK_FALSE(has(json::serialize(ok(*ann, "audit")), "minutes_acknowledgement_signed"));

    // Tess acknowledges again, signed: her acknowledgement keeps its time and now has her
    // signature, which the chair's device verifies.
    const auto again =
        ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    CHECK(again.at("already").as_bool());
    CHECK(again.at("acknowledged_at").as_int64() == first_at);
    const auto signed_entry = tess_entry();
    CHECK(signed_entry.at("acknowledged_at").as_int64() == first_at);
    REQUIRE(signed_entry.at("ack_signature").is_object());
    CHECK(signed_entry.at("ack_signature").at("device").as_string() == tess->profile().device);
    CHECK(sam_sees() == client::ReceiptCheck::Result::verified);
    CHECK(has(json::serialize(ok(*ann, "audit")), "minutes_acknowledgement_signed"));

    // Signed, it is never replaced: not by her own later signature, nor by a forged one.
    ok(*tess, "minutes_acknowledge", ack_signed_by(*tess, {{"meeting", meeting}}));
    CHECK(refused(tess, flipped(ack_signed_by(*tess, {{"meeting", meeting}}))) == "bad_signature");
    CHECK(refused(tess, ack_signed_by(*bea, {{"meeting", meeting}})) == "bad_signature");
    CHECK(tess_entry().at("ack_signature") == signed_entry.at("ack_signature"));
    CHECK(sam_sees() == client::ReceiptCheck::Result::verified);
    // Bea acknowledging her own copy leaves tess's as it was.
    ok(*bea, "minutes_acknowledge", ack_signed_by(*bea, {{"meeting", meeting}}));
    CHECK(tess_entry().at("ack_signature") == signed_entry.at("ack_signature"));
}
