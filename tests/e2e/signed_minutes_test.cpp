// End-to-end: signed circulation and approval of minutes, and no leaks by error (PROTOCOL.md,
// "Signed minutes" and "Errors"). The server is played as an adversary by opening its database
// as the server does and changing what it stores.
#include <SQLiteCpp/SQLiteCpp.h>

#include "server_fixture.hpp"
#include "store/at_rest.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

constexpr const char* kCare = "Northshire Children's Services";  // from init

/// Rewrites the stored snapshot of `version` of `meeting` through `edit`, as an operator with
/// the database and the key file could. The server must be stopped.
void tamper(const Server& server, std::int64_t meeting, std::int64_t version,
            const std::function<void(json::object&)>& edit) {
    auto key = server::AtRestKey::load(at_rest_key_file(server));
    REQUIRE(key.ok());
    SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
    SQLite::Statement q(db,
                        "SELECT body FROM minutes_versions WHERE meeting_id = ? AND version = ?");
    q.bind(1, meeting);
    q.bind(2, version);
    REQUIRE(q.executeStep());
    const auto c = q.getColumn(0);
    const auto* p = static_cast<const unsigned char*>(c.getBlob());
    const std::vector<unsigned char> sealed(p, p + c.getBytes());
    const server::RecordId where{"minutes_versions", meeting, version};
    auto opened = key.value().open(sealed, where);
    REQUIRE(opened.ok());
    auto body = json::parse(opened.value()).as_object();
    edit(body);
    const auto resealed = key.value().seal(json::serialize(body), where);
    SQLite::Statement u(
        db, "UPDATE minutes_versions SET body = ? WHERE meeting_id = ? AND version = ?");
    u.bind(1, resealed.data(), static_cast<int>(resealed.size()));
    u.bind(2, meeting);
    u.bind(3, version);
    REQUIRE(u.exec() == 1);
}

/// ann (admin, library), hana (a chair, "Hana Ali") and tess (a member) on the real `liaise`
/// command, in room case-9.
struct Signed {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Cli liaise{server};
    bool people = enrol_people();

    bool enrol_people() {
        liaise.enrol("hana", text(ok(*ann, "enrol_code",
                                     {{"user", "hana"},
                                      {"display_name", "Hana Ali"},
                                      {"agency", kCare},
                                      {"role", "chair"}}),
                                  "code"));
        liaise.enrol("tess", code_for(*ann, "tess", kCare));
        liaise.ok("hana", "room create case-9 --member tess");
        return true;
    }
    static std::string text(const json::object& o, std::string_view key) {
        return std::string(o.at(key).as_string());
    }
    /// A meeting chaired by hana with a decision, circulated and approved with `liaise`.
    std::string approved_meeting() const {
        const auto created = json::parse(
            liaise.ok("hana",
                      "meeting create case-9 --title 'Strategy meeting for J' --kind strategy "
                      "--at '2030-01-10 10:00' --place 'Room 4' --json"));
        const auto id = std::to_string(created.at("meeting").as_int64());
        liaise.ok("hana", "meeting decision " + id +
                              " 'Start a child protection enquiry' "
                              "--reasons 'J disclosed being hit'");
        liaise.ok("hana", "meeting circulate " + id + " --acknowledge");
        liaise.ok("hana", "meeting approve " + id + " --acknowledge");
        return id;
    }
};

}  // namespace

TEST_CASE("approved minutes changed on the server fail to verify for every client",
          "[e2e][signed-minutes]") {
    Signed t;
    const auto id = t.approved_meeting();

    // On an honest server every reader's device checks both signatures.
    const auto verified = t.liaise.ok("tess", "meeting verify " + id);
    CHECK_THAT(verified, Catch::Contains("circulated by Hana Ali (hana, " + std::string(kCare)));
    CHECK_THAT(verified, Catch::Contains("approved by Hana Ali (hana, " + std::string(kCare)));
    CHECK_THAT(verified, Catch::Contains("signature verified"));
    CHECK_THAT(verified, !Catch::Contains("NOT"));
    CHECK_THAT(t.liaise.ok("tess", "meeting show " + id), Catch::Contains("signature verified"));
    CHECK_THAT(t.liaise.ok("tess", "meeting export " + id + " --format markdown"),
               Catch::Contains("approved by Hana Ali"));

    // The operator rewrites the approved decision.
    t.server.stop();
    tamper(t.server, std::stoll(id), 1, [](json::object& body) {
        body["decisions"].as_array()[0].as_object()["decision"] = "No further action";
    });
    t.server.start();

    for (const std::string who : {"tess", "hana"}) {
        INFO(who);
        const auto [status, out] = t.liaise(who, "meeting verify " + id);
        CHECK(status == 1);
        CHECK_THAT(out, Catch::Contains("approved by Hana Ali"));
        CHECK_THAT(out, Catch::Contains("signature does NOT verify \u2014 this version is not the "
                                        "one Hana Ali approved"));
        CHECK_THAT(out, Catch::Contains("this version is not the one Hana Ali circulated"));
    }
    const auto [shown_status, shown] = t.liaise("tess", "meeting show " + id);
    CHECK(shown_status == 1);
    CHECK_THAT(shown, Catch::Contains("No further action"));  // what the server now says …
    CHECK_THAT(shown, Catch::Contains("signature does NOT verify"));  // … is not what was signed
    const auto [md_status, md] = t.liaise("tess", "meeting export " + id + " --format markdown");
    CHECK(md_status == 1);
    CHECK_THAT(md, Catch::Contains("## Signatures"));
    CHECK_THAT(md, Catch::Contains("signature does NOT verify"));
    const auto html_file = t.server.dir() / "minutes.html";
    const auto [html_status, html_out] =
        t.liaise("tess", "meeting export " + id + " --output '" + html_file.string() + "'");
    CHECK(html_status == 1);
    const auto html = slurp(html_file);
    CHECK_THAT(html, Catch::Contains("<h2>Signatures</h2>"));
    CHECK_THAT(html, Catch::Contains("signature does NOT verify"));
    CHECK(html.find("signature does NOT verify") < html.rfind("<div class=\"marking\">"));
}

TEST_CASE("approvals from before signatures stay readable and say they are not signed",
          "[e2e][signed-minutes]") {
    Signed t;
    const auto id = t.approved_meeting();
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        CHECK(db.exec("DELETE FROM minutes_signatures WHERE meeting_id = " + id) == 2);
    }
    t.server.start();
    const auto out = t.liaise.ok("tess", "meeting verify " + id);
    CHECK_THAT(out, Catch::Contains("approved by Hana Ali (hana): not signed (approved before "
                                    "signatures)"));
    CHECK_THAT(t.liaise.ok("tess", "meeting show " + id), Catch::Contains("not signed"));
}

TEST_CASE("a forged, misdirected or stale minutes signature is refused and changes nothing",
          "[e2e][signed-minutes]") {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Person sam{server, "sam", code_for(*ann, "sam", kCare, "chair")};
    ok(*sam, "room_create", {{"room", "case-7"}});
    const auto id = ok(*sam, "meeting_create",
                       {{"room", "case-7"},
                        {"title", "Core group"},
                        {"kind", "core-group"},
                        {"starts_at", "2030-01-10 10:00"},
                        {"place", "remote"}})
                        .at("meeting")
                        .as_int64();
    const json::object m{{"meeting", id}, {"acknowledge", true}};
    ok(*sam, "meeting_circulate", signed_by(*sam, "meeting_circulate", m));
    const auto circulated = ok(*sam, "meeting_show", {{"meeting", id}, {"version", 1}});

    const auto approve = [&](const json::object& minutes, protocol::MinutesAct act,
                             const crypto::DeviceKeys& keys, std::int64_t signed_at) {
        auto f = m;
        f["signed_at"] = signed_at;
        f["signature"] =
            protocol::sign_minutes(keys, protocol::minutes_digest(minutes, {act, "sam", signed_at}))
                .to_base64();
        return error_code(*sam, "meeting_approve", f);
    };
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // Another device's key; other minutes than those stored; a circulation signature reused.
    CHECK(approve(circulated, protocol::MinutesAct::approve, crypto::DeviceKeys::generate(), now) ==
          "bad_signature");
    auto other = circulated;
    other["title"] = "Core group (amended)";
    CHECK(approve(other, protocol::MinutesAct::approve, sam->keys(), now) == "bad_signature");
    CHECK(approve(circulated, protocol::MinutesAct::circulate, sam->keys(), now) ==
          "bad_signature");
    // A clock an hour out, and a signature that is not one.
    CHECK(approve(circulated, protocol::MinutesAct::approve, sam->keys(), now - 3'600'000) ==
          "bad_request");
    auto junk = m;
    junk["signed_at"] = now;
    junk["signature"] = "not-a-signature";
    CHECK(error_code(*sam, "meeting_approve", junk) == "bad_request");

    // Nothing was recorded: still circulated, signed once; then the real approval goes through.
    const auto still = ok(*sam, "meeting_show", {{"meeting", id}, {"version", 1}});
    CHECK(still.at("status").as_string() == "circulated");
    CHECK(still.at("signatures").as_array().size() == 1);
    CHECK(approve(circulated, protocol::MinutesAct::approve, sam->keys(), now).empty());
    const auto approved = ok(*sam, "meeting_show", {{"meeting", id}, {"version", 1}});
    CHECK(approved.at("status").as_string() == "approved");
    const auto check = sam->check_minutes(approved);
    CHECK(check.ok());
    REQUIRE(check.signatures.size() == 2);
    CHECK(check.signatures[1].act == "approve");
}

TEST_CASE("a room, meeting or action one may not see answers exactly as a missing one",
          "[e2e][signed-minutes][authz]") {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Person sam{server, "sam", code_for(*ann, "sam", kCare, "chair")};
    Person tess{server, "tess", code_for(*ann, "tess", kCare)};
    Person mo{server, "mo", code_for(*ann, "mo", kCare, "chair")};
    ok(*sam, "room_create", {{"room", "op-police"}, {"members", {"tess"}}});
    ok(*mo, "room_create", {{"room", "mo-room"}});
    const auto meeting = ok(*sam, "meeting_create",
                            {{"room", "op-police"},
                             {"title", "Strategy"},
                             {"kind", "strategy"},
                             {"starts_at", "2030-01-10 10:00"},
                             {"place", "remote"}})
                             .at("meeting")
                             .as_int64();
    const auto action =
        ok(*sam, "action_add",
           {{"meeting", meeting}, {"what", "Visit"}, {"owner", "tess"}, {"due", "2030-01-20"}})
            .at("id")
            .as_int64();

    // The whole error reply, with the thing asked for written as X.
    const auto refusal = [&](Person& p, std::string_view type, json::object fields,
                             const std::string& asked) {
        auto r = p->call(type, std::move(fields));
        REQUIRE_FALSE(r.ok());
        auto body = p->connection().last_error_body();
        body.erase("re");  // the request id it answers
        auto s = json::serialize(body);
        for (auto at = s.find(asked); at != std::string::npos; at = s.find(asked, at + 1))
            s.replace(at, asked.size(), "X");
        CHECK(s.find("op-police") == std::string::npos);  // never names the room
        return s;
    };
    const std::string m = std::to_string(meeting), a = std::to_string(action), none = "987654";
    for (const auto* type : {"meeting_show", "meeting_check", "meeting_correct"}) {
        INFO(type);
        json::object seen{{"meeting", meeting}}, missing{{"meeting", 987654}};
        if (std::string_view(type) == "meeting_correct")
            seen["reason"] = missing["reason"] = "x";
        const auto unseen = refusal(mo, type, seen, m);
        CHECK(unseen == refusal(mo, type, missing, none));
        CHECK_THAT(unseen, Catch::Contains("not_found"));
        CHECK(unseen == refusal(ann, type, seen, m));  // admins are not exempt
    }
    CHECK(refusal(mo, "meeting_export", {{"meeting", meeting}, {"format", "html"}}, m) ==
          refusal(mo, "meeting_export", {{"meeting", 987654}, {"format", "html"}}, none));
    CHECK(refusal(mo, "action_update", {{"action", action}, {"status", "in_progress"}}, a) ==
          refusal(mo, "action_update", {{"action", 987654}, {"status", "in_progress"}}, none));
    for (const auto* type : {"meetings", "sync", "room_show", "room_add"}) {
        INFO(type);
        json::object seen{{"room", "op-police"}}, missing{{"room", "no-such-room"}};
        if (std::string_view(type) == "room_add")
            seen["user"] = missing["user"] = "mo";
        auto r = mo->call(type, seen);
        REQUIRE_FALSE(r.ok());
        auto body = mo->connection().last_error_body();
        body.erase("re");  // the request id it answers
        auto s = json::serialize(body);
        const auto at = s.find("op-police");
        if (at != std::string::npos)
            s.replace(at, 9, "X");
        CHECK(s == refusal(mo, type, missing, "no-such-room"));
        CHECK_THAT(s, Catch::Contains("not_found"));
    }

    // user_keys: only for people who share a room with the asker, and for admins.
    const auto stranger = refusal(mo, "user_keys", {{"user", "sam"}}, "sam");
    CHECK(stranger == refusal(mo, "user_keys", {{"user", "nobody"}}, "nobody"));
    CHECK_THAT(stranger, Catch::Contains("not_found"));
    CHECK(ok(*tess, "user_keys", {{"user", "sam"}}).at("devices").as_array().size() == 1);
    CHECK(ok(*ann, "user_keys", {{"user", "sam"}}).at("devices").as_array().size() == 1);
    CHECK(ok(*mo, "user_keys", {{"user", "mo"}}).at("user").as_string() == "mo");
}

TEST_CASE(
    "changed minutes re-signed with a key of the server's own fail where the signer is "
    "pinned",
    "[e2e][signed-minutes]") {
    Signed t;
    const auto id = t.approved_meeting();
    // tess compares safety numbers with hana, then checks: a verified contact, and her device
    // now holds hana's key.
    const auto number =
        json::parse(t.liaise.ok("tess", "fingerprint --json hana")).at("safety_number").as_string();
    t.liaise.ok("tess", "verify hana '" + std::string(number) + "'");
    CHECK_THAT(t.liaise.ok("tess", "meeting verify " + id),
               Catch::Contains("signature verified (a verified contact)"));

    // The operator changes the decision, gives hana's device a key of its own and signs the
    // changed minutes with it, as hana, at the times she signed.
    t.server.stop();
    json::object changed;
    tamper(t.server, std::stoll(id), 1, [&](json::object& body) {
        body["decisions"].as_array()[0].as_object()["decision"] = "No further action";
        changed = body;
    });
    const auto mallory = crypto::DeviceKeys::generate();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement q(db,
                            "SELECT act, signed_at, device_id FROM minutes_signatures WHERE "
                            "meeting_id = ?");
        q.bind(1, static_cast<std::int64_t>(std::stoll(id)));
        int resigned = 0;
        while (q.executeStep()) {
            const auto act = q.getColumn(0).getString() == "approve"
                                 ? protocol::MinutesAct::approve
                                 : protocol::MinutesAct::circulate;
            const auto digest =
                protocol::minutes_digest(changed, {act, "hana", q.getColumn(1).getInt64()});
            SQLite::Statement u(db,
                                "UPDATE minutes_signatures SET signature = ? WHERE meeting_id = "
                                "? AND act = ?");
            u.bind(1, protocol::sign_minutes(mallory, digest).to_base64());
            u.bind(2, static_cast<std::int64_t>(std::stoll(id)));
            u.bind(3, q.getColumn(0).getString());
            u.exec();
            SQLite::Statement k(db,
                                "UPDATE devices SET sign_key = ?, box_key = ?, box_key_signature "
                                "= ? WHERE id = ?");
            const auto& pub = mallory.identity();
            k.bind(1, pub.sign_key.to_base64());
            k.bind(2, pub.box_key.to_base64());
            k.bind(3, pub.box_key_signature.to_base64());
            k.bind(4, q.getColumn(2).getInt64());
            k.exec();
            ++resigned;
        }
        CHECK(resigned == 2);
    }
    t.server.start();

    const auto [status, out] = t.liaise("tess", "meeting verify " + id);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("signature does NOT verify \u2014 this version is not the one "
                                    "Hana Ali approved"));
    CHECK_THAT(out, Catch::Contains("the server shows another key for hana's device"));
}

TEST_CASE(
    "a record's sections are signed: a client still signing v1 is refused, and a signature "
    "from before v2 verifies saying what it does not protect",
    "[e2e][signed-minutes][template]") {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Person sam{server, "sam", code_for(*ann, "sam", kCare, "chair")};
    ok(*sam, "room_create", {{"room", "case-8"}});
    const auto id = ok(*sam, "meeting_create",
                       {{"room", "case-8"},
                        {"title", "Meeting about J"},
                        {"kind", "other"},
                        {"case_reference", "CP-8/26"},
                        {"starts_at", "2030-01-10 10:00"},
                        {"place", "remote"}})
                        .at("meeting")
                        .as_int64();
    const json::object m{{"meeting", id}, {"acknowledge", true}};
    for (const auto* section : {"purpose", "attendance", "decision", "plan"})
        ok(*sam, "meeting_section",
           {{"meeting", id}, {"section", section}, {"text", std::string("The ") + section + "."}});
    ok(*sam, "meeting_attend",
       {{"meeting", id},
        {"name", "Kelly Smith"},
        {"role", "Mother"},
        {"family", true},
        {"copy", true},
        {"status", "present"},
        {"receives", json::array{"purpose"}}});
    const auto draft = ok(*sam, "meeting_show", {{"meeting", id}});
    REQUIRE(draft.at("templated").as_bool());
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto signed_with = [&](protocol::MinutesDigestVersion version) {
        auto f = m;
        f["signed_at"] = now;
        f["signature"] =
            protocol::sign_minutes(
                sam->keys(), protocol::minutes_digest(
                                 draft, {protocol::MinutesAct::circulate, "sam", now}, version))
                .to_base64();
        return f;
    };
    // A client that signs the old digest signs less than the record: refused, nothing stored.
    CHECK(error_code(*sam, "meeting_circulate", signed_with(protocol::MinutesDigestVersion::v1)) ==
          "bad_signature");
    CHECK(ok(*sam, "meeting_show", {{"meeting", id}}).at("status").as_string() == "draft");
    ok(*sam, "meeting_circulate", signed_with(protocol::MinutesDigestVersion::v2));
    ok(*sam, "meeting_approve", signed_by(*sam, "meeting_approve", m));
    const auto fixed = [&] { return ok(*sam, "meeting_show", {{"meeting", id}, {"version", 1}}); };
    auto check = sam->check_minutes(fixed());
    REQUIRE(check.signatures.size() == 2);
    CHECK(check.ok());
    for (const auto& s : check.signatures)
        CHECK_FALSE(s.before_sections);

    const auto original = fixed();

    // The operator changes the purpose section: both v2 signatures fail, and no v1 reading
    // rescues them.
    const auto restart = [&](const std::function<void()>& as_operator) {
        server.stop();
        as_operator();
        server.start();
        sam.login();
    };
    restart([&] {
        tamper(server, id, 1, [](json::object& body) {
            // The fixed version holds the sections as meeting_show lists them.
            for (auto& v : body["sections"].as_array())
                if (v.at("id") == "purpose")
                    v.as_object()["text"] = "No concerns.";
        });
    });
    REQUIRE(fixed().at("sections").as_array()[0].at("text").as_string() == "No concerns.");
    check = sam->check_minutes(fixed());
    CHECK_FALSE(check.ok());
    for (const auto& s : check.signatures) {
        CHECK(s.result == client::MinutesSignatureCheck::Result::does_not_verify);
        CHECK_FALSE(s.before_sections);
    }

    // Had sam signed before v2 (v1, over the record as it was): the signatures still verify
    // the changed section, and say that sections are not protected by them; what v1 covered
    // still is.
    restart([&] {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement q(db,
                            "SELECT act, signed_at FROM minutes_signatures WHERE meeting_id = ?");
        q.bind(1, id);
        int resigned = 0;
        while (q.executeStep()) {
            const auto act = q.getColumn(0).getString();
            const auto digest = protocol::minutes_digest(
                original,
                {act == "approve" ? protocol::MinutesAct::approve : protocol::MinutesAct::circulate,
                 "sam", q.getColumn(1).getInt64()},
                protocol::MinutesDigestVersion::v1);
            SQLite::Statement u(
                db, "UPDATE minutes_signatures SET signature = ? WHERE meeting_id = ? AND act = ?");
            u.bind(1, protocol::sign_minutes(sam->keys(), digest).to_base64());
            u.bind(2, id);
            u.bind(3, act);
            resigned += u.exec();
        }
        CHECK(resigned == 2);
    });
    check = sam->check_minutes(fixed());
    CHECK(check.ok());
    REQUIRE(check.signatures.size() == 2);
    for (const auto& s : check.signatures) {
        CHECK(s.before_sections);
        CHECK_THAT(s.describe(),
                   Catch::EndsWith("signature verified (signed before the record sections were "
                                   "covered: its case reference, sections, reports, agency views "
                                   "and the sections each copy holds are not protected by it)"));
    }
    restart([&] {
        tamper(server, id, 1, [](json::object& body) { body["title"] = "Meeting about K"; });
    });
    check = sam->check_minutes(fixed());
    CHECK_FALSE(check.ok());
    for (const auto& s : check.signatures)
        CHECK_FALSE(s.before_sections);
}
