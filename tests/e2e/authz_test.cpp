// The authorisation matrix (issue #7): every request type in protocol::request_specs(), tried as
// six people who differ only in role and room membership, each outcome checked against a table.
// A request type missing from the table fails the test, so a new request cannot be forgotten.
//
// The people talk to the real server over raw client::Connections with keys generated in
// memory: enrolment and login through Client would spend half a second each in Argon2.
#include <array>
#include <functional>
#include <map>
#include <set>

#include "frame_log.hpp"
#include "liaise/protocol/continuity.hpp"
#include "liaise/protocol/crypto.hpp"
#include "liaise/protocol/messages.hpp"
#include "liaise/protocol/withdrawal.hpp"
#include "server_fixture.hpp"
#include "signed_receipts.hpp"

namespace liaise::test {
namespace {

namespace json = boost::json;

constexpr const char* kCare = "Northshire Children's Services";  // social-care, from init
constexpr const char* kRoom = "case-1";     // the room of the matrix, with meeting and action
constexpr const char* kScratch = "case-2";  // same members: meetings made and spent per try

/// Who tries each request. "In" means a member of both rooms; everyone belongs to the agency
/// kCare. The room's chair (cal) created the rooms and chairs and minutes the meeting.
enum Who : std::size_t { member_out, member_in, chair_in, chair_out, admin_out, admin_in };
constexpr std::array kEveryone = {member_out, member_in, chair_in, chair_out, admin_out, admin_in};
constexpr std::array<const char*, 6> kWhoLabel = {
    "mo, a member outside the room",
    "mia, a member of the room",
    "cal, a chair of the room (and the meeting's chair and minute-taker)",
    "cho, a chair outside the room",
    "ann, an admin outside the room",
    "ada, an admin in the room"};

/// The expected outcome per person, in Who order: "" allowed, else the exact error code.
using Expect = std::array<std::string_view, 6>;
constexpr std::string_view Y = "";  // allowed
constexpr std::string_view F = "forbidden";
// A room, meeting or action someone may not see answers as one that does not exist.
constexpr std::string_view N = "not_found";
constexpr Expect kAnyone = {Y, Y, Y, Y, Y, Y};
constexpr Expect kAdmins = {F, F, F, F, Y, Y};
constexpr Expect kChairs = {F, F, Y, Y, Y, Y};
constexpr Expect kRoomMembers = {N, Y, Y, N, N, Y};          // admins are not exempt
constexpr Expect kRoomMembersOrAdmins = {N, Y, Y, N, Y, Y};  // room_show (names only if out)
// Chair and in the room; an admin outside it, who may list its members, is told why.
constexpr Expect kChairsInRoom = {F, F, Y, N, F, Y};
constexpr Expect kChairsInRoomMeeting = {F, F, Y, N, N, Y};   // meeting_create
constexpr Expect kMeetingEditors = {N, F, Y, N, N, F};        // the meeting's chair/minute-taker
constexpr Expect kOwnerOrEditors = {N, Y, Y, N, N, F};        // mia owns the action
constexpr Expect kSenderOrAdminsInRoom = {N, F, Y, N, N, Y};  // cal sent it; ada is an admin
constexpr Expect kOfficer = {F, Y, F, F, F, F};               // mia holds the governance permission

std::string text(const json::value& v, std::string_view key) {
    return std::string(v.at(key).as_string());
}

/// One account with its device keys and a logged-in connection of its own.
struct Account {
    std::string user;
    crypto::DeviceKeys keys = crypto::DeviceKeys::generate();
    std::string device;
    std::unique_ptr<client::Connection> conn;

    /// The error code of `type` ("" when it succeeded), with the server's message.
    std::pair<std::string, std::string> outcome(std::string_view type, json::object fields) {
        auto r = conn->request(type, std::move(fields));
        return r ? std::pair<std::string, std::string>{}
                 : std::pair{r.error().code, r.error().message};
    }
    /// Calls `type` and requires success.
    json::object ok(std::string_view type, json::object fields = {}) {
        auto r = conn->request(type, std::move(fields));
        INFO(user << " " << type << ": " << (r ? "" : r.error().code + ": " + r.error().message));
        REQUIRE(r.ok());
        return std::move(r).value();
    }
};

std::unique_ptr<client::Connection> connect(const Server& server) {
    auto c = client::Connection::open(server.url());
    INFO((c ? "" : c.error().message));
    REQUIRE(c.ok());
    return std::move(c).value();
}

/// The fields of an `enrol` for `keys`' public identity.
json::object enrol_fields(const std::string& code, const crypto::DeviceKeys& keys) {
    const auto& id = keys.identity();
    return {{"code", code},
            {"sign_key", id.sign_key.to_base64()},
            {"box_key", id.box_key.to_base64()},
            {"box_key_signature", id.box_key_signature.to_base64()}};
}

/// Enrols `user` with `code` and logs in on the same connection (hello's challenge is kept).
/// With a `log`, every frame of the connection is recorded there.
Account enrol(const Server& server, const std::string& user, const std::string& code,
              FrameLog* log = nullptr) {
    Account a;
    a.user = user;
    a.conn = connect(server);
    if (log != nullptr)
        log->watch(*a.conn);
    const auto hello = a.ok("hello", {{"version", protocol::kVersion}});
    const auto challenge = crypto::from_base64(text(hello, "challenge"));
    REQUIRE(challenge);
    a.device = text(a.ok("enrol", enrol_fields(code, a.keys)), "device");
    a.ok("login", {{"user", user},
                   {"device", a.device},
                   {"signature", crypto::sign_login(a.keys, *challenge).to_base64()}});
    return a;
}

/// The six people, the rooms, a draft meeting in kRoom and an action in it owned by mia, and
/// tom, an account for admin requests to act on (never logged in: nothing of his to cut off).
struct Matrix {
    FrameLog log;  // every frame of every connection below
    Server server;
    Account ann = enrol(server, "ann", server.admin_code(), &log);
    Account mo = enrol(server, "mo", code_for("mo", "member"), &log);
    Account mia = enrol(server, "mia", code_for("mia", "member"), &log);
    Account cal = enrol(server, "cal", code_for("cal", "chair"), &log);
    Account cho = enrol(server, "cho", code_for("cho", "chair"), &log);
    Account ada = enrol(server, "ada", code_for("ada", "admin"), &log);
    Account tom = enrol(server, "tom", code_for("tom", "member"), &log);
    std::int64_t meeting = 0;  // in kRoom, chaired and minuted by cal
    std::int64_t action = 0;   // raised in `meeting`, owned by mia
    int counter = 0;

    Matrix() {
        tom.conn.reset();
        for (const auto* room : {kRoom, kScratch})
            cal.ok("room_create", {{"room", room}, {"members", {"mia", "ada"}}});
        meeting = new_meeting(kRoom);
        action = cal.ok("action_add", {{"meeting", meeting},
                                       {"what", "Send the attendance letter"},
                                       {"owner", "mia"},
                                       {"due", "2026-12-04"}})
                     .at("id")
                     .as_int64();
    }

    std::string code_for(const std::string& user, const std::string& role) {
        return text(ann.ok("enrol_code", {{"user", user}, {"agency", kCare}, {"role", role}}),
                    "code");
    }
    Account& as(Who who) {
        std::array<Account*, 6> people = {&mo, &mia, &cal, &cho, &ann, &ada};
        return *people[who];
    }
    /// A name not used before in this test: "PREFIX-N".
    std::string fresh(std::string_view prefix) {
        return std::string(prefix) + "-" + std::to_string(++counter);
    }
    /// A dictionary term not used before: letters only, so that it is a plain term.
    std::string fresh_term() {
        std::string term = "zorblat";
        for (int n = ++counter; n > 0; n /= 26)
            term += static_cast<char>('a' + n % 26);
        return term;
    }
    /// A draft meeting chaired and minuted by cal. Meetings after the first go in kScratch: a
    /// new meeting in kRoom would carry the action forward into it.
    std::int64_t new_meeting(const char* room = kScratch) {
        return cal
            .ok("meeting_create", {{"room", room},
                                   {"title", "Core group"},
                                   {"kind", "core-group"},
                                   {"starts_at", "2026-11-20 10:00"},
                                   {"place", "Riverside Primary"}})
            .at("meeting")
            .as_int64();
    }
    std::int64_t circulated_meeting() {
        const auto id = new_meeting();
        cal.ok("meeting_circulate", signed_as(*cal.conn, cal.keys, "cal", "meeting_circulate",
                                              {{"meeting", id}, {"acknowledge", true}}));
        return id;
    }
    /// One circulated meeting in kScratch for the requests after circulation (acknowledging is
    /// idempotent and comments pile up harmlessly), made on first use.
    std::int64_t shared_circulated() {
        if (circulated == 0)
            circulated = circulated_meeting();
        return circulated;
    }
    std::int64_t circulated = 0;
    std::int64_t question() { return mia.ok("ask", {{"term", fresh("term")}}).at("id").as_int64(); }
    /// kRoom's current devices, as room_show lists them: the recipients of a new envelope.
    std::vector<crypto::Recipient> room_devices() {
        const auto room = ada.ok("room_show", {{"room", kRoom}});
        std::vector<crypto::Recipient> to;
        for (const auto& member : room.at("members").as_array())
            for (const auto& d : member.at("devices").as_array()) {
                const auto box = crypto::BoxPublicKey::from_base64(text(d, "box_key"));
                REQUIRE(box);
                to.push_back({text(d, "device"), *box});
            }
        return to;
    }
    /// The seq of a message (not an event) in kRoom, sending one first if there is none.
    std::int64_t message_seq() {
        // The reply is kept: a range-for over a part of a temporary would read freed memory.
        const auto reply = ada.ok("sync", {{"room", kRoom}});
        for (const auto& m : reply.at("messages").as_array())
            if (m.as_object().contains("envelope"))
                return m.at("seq").as_int64();
        FAIL("no message in " << kRoom << ": the send row runs first");
        return 0;
    }
};

/// One try of one request type: fresh fields for each person (setting up whatever the try
/// needs), and `reset`, run by an admin after every try, to undo what a successful one changed.
struct Row {
    std::string_view type;
    std::string_view what;  // which form of the request, when a type has several rows
    Expect expect;
    std::function<json::object(Matrix&, Who)> fields;
    std::function<void(Matrix&)> reset = {};
};

json::object none(Matrix&, Who) {
    return {};
}

std::vector<Row> rows() {
    using M = Matrix&;
    std::vector<Row> r;
    // ---- before login: what a logged-in session gets ------------------------------------------
    r.push_back({"hello", "a logged-in session may say hello again", kAnyone, [](M, Who) {
                     return json::object{{"version", protocol::kVersion}};
                 }});
    r.push_back({"enrol", "open to anyone: an unknown code reaches the code check",
                 Expect{"invalid_code", "invalid_code", "invalid_code", "invalid_code",
                        "invalid_code", "invalid_code"},
                 [](M, Who) {
                     return enrol_fields("0000-0000-0000-0000-0000",
                                         crypto::DeviceKeys::generate());
                 }});
    r.push_back({"login", "already logged in",
                 Expect{"bad_request", "bad_request", "bad_request", "bad_request", "bad_request",
                        "bad_request"},
                 [](M m, Who w) {
                     const std::vector<unsigned char> zeros(64, 0);
                     return json::object{{"user", m.as(w).user},
                                         {"device", m.as(w).device},
                                         {"signature", crypto::to_base64(zeros)}};
                 }});
    // ---- any logged-in account --------------------------------------------------------------
    r.push_back({"whoami", "", kAnyone, none});
    r.push_back({"sessions", "", kAnyone, none});
    r.push_back({"agency_list", "", kAnyone, none});
    r.push_back({"rooms", "", kAnyone, none});
    // Someone's keys, agency and role: for those who share a room with them, and admins.
    r.push_back({"user_keys", "of ada, in the room", kRoomMembersOrAdmins, [](M, Who) {
                     return json::object{{"user", "ada"}};
                 }});
    r.push_back({"dictionaries", "", kAnyone, none});
    r.push_back({"ask", "without a room", kAnyone, [](M m, Who) {
                     return json::object{{"term", m.fresh("term")}};
                 }});
    r.push_back({"ask", "about a room", kRoomMembers, [](M m, Who) {
                     return json::object{{"term", m.fresh("term")}, {"room", kRoom}};
                 }});
    r.push_back({"questions", "", kAnyone, none});
    r.push_back(
        {"dict_feedback", "", kAnyone, [](M, Who) {
             return json::object{
                 {"counts", {{"social-care:genogram", {{"fixed", 1}, {"sent_anyway", 0}}}}}};
         }});
    r.push_back({"actions", "every room one is in", kAnyone, none});
    r.push_back({"actions", "of one room", kRoomMembers, [](M, Who) {
                     return json::object{{"room", kRoom}};
                 }});
    // ---- rooms --------------------------------------------------------------------------------
    r.push_back({"room_create", "", kChairs, [](M m, Who) {
                     return json::object{{"room", m.fresh("room")}};
                 }});
    // Admins are not exempt: only members change who reads a room (ada is an admin inside it).
    r.push_back({"room_add", "", kChairsInRoom,
                 [](M, Who) {
                     return json::object{{"room", kRoom}, {"user", "tom"}};
                 },
                 [](M m) {
                     m.ada.ok("room_remove", {{"room", kRoom}, {"user", "tom"}});
                 }});
    r.push_back({"room_remove", "", kChairsInRoom,
                 [](M m, Who) {
                     m.ada.ok("room_add", {{"room", kRoom}, {"user", "tom"}});
                     return json::object{{"room", kRoom}, {"user", "tom"}};
                 },
                 [](M m) {
                     m.ada.ok("room_remove", {{"room", kRoom}, {"user", "tom"}});
                 }});
    r.push_back({"room_show", "", kRoomMembersOrAdmins, [](M, Who) {
                     return json::object{{"room", kRoom}};
                 }});
    // Read positions: one's own, in a room one is a member of (admins are not exempt).
    r.push_back({"room_read", "", kRoomMembers, [](M, Who) {
                     return json::object{{"room", kRoom}, {"seq", 1}};
                 }});
    r.push_back({"email_digest", "one's own", kAnyone, [](M, Who) {
                     return json::object{{"on", true}};
                 }});
    r.push_back({"room_audience", "", kChairsInRoom,
                 [](M, Who) {
                     return json::object{{"room", kRoom}, {"public", true}};
                 },
                 [](M m) {
                     m.ada.ok("room_audience", {{"room", kRoom}, {"public", false}});
                 }});
    // A room's agreed terms: read like room_show, changed like room_audience.
    r.push_back({"glossary", "", kRoomMembersOrAdmins, [](M, Who) {
                     return json::object{{"room", kRoom}, {"history", true}};
                 }});
    r.push_back({"glossary_add", "", kChairsInRoom,
                 [](M, Who) {
                     return json::object{
                         {"room", kRoom}, {"term", "IRO"}, {"meaning", "the reviewing officer"}};
                 },
                 [](M m) {
                     m.ada.ok("glossary_remove", {{"room", kRoom}, {"term", "IRO"}});
                 }});
    r.push_back({"glossary_remove", "", kChairsInRoom,
                 [](M m, Who) {
                     m.ada.ok("glossary_add", {{"room", kRoom},
                                               {"term", "PEP"},
                                               {"meaning", "the personal education plan"}});
                     return json::object{{"room", kRoom}, {"term", "PEP"}};
                 },
                 [](M m) {
                     m.ada.ok("glossary_remove", {{"room", kRoom}, {"term", "PEP"}});
                 }});
    r.push_back({"sync", "", kRoomMembers, [](M, Who) { return json::object{{"room", kRoom}}; }});
    r.push_back(
        {"send", "an envelope for exactly the room's devices", kRoomMembers, [](M m, Who w) {
             // Wrapped for the room's current devices, so that only membership decides.
             const auto to = m.room_devices();
             const auto& me = m.as(w);
             const auto env = crypto::seal(me.keys, me.device, kRoom, m.fresh("msg"), "hello all",
                                           to, test_history(me.user));
             return json::object{{"room", kRoom}, {"envelope", crypto::to_json(env)}};
         }});
    // Withdrawing a message (PROTOCOL.md, "Withdrawing a message"): a fresh message of cal's
    // each try, so that one withdrawn is not tried again; each person signs as themselves.
    r.push_back(
        {"message_withdraw", "a message cal sent", kSenderOrAdminsInRoom, [](M m, Who w) {
             const auto to = m.room_devices();
             const auto env = crypto::seal(m.cal.keys, m.cal.device, kRoom, m.fresh("wrong"),
                                           "sent to the wrong room", to, test_history(m.cal.user));
             const auto seq =
                 m.cal.ok("send", {{"room", kRoom}, {"envelope", crypto::to_json(env)}})
                     .at("seq")
                     .as_int64();
             const auto& me = m.as(w);
             crypto::Withdrawal statement{kRoom,
                                          seq,
                                          crypto::message_hash(env),
                                          me.user,
                                          me.device,
                                          std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count(),
                                          {}};
             crypto::sign_withdrawal(statement, me.keys);
             return json::object{{"room", kRoom},
                                 {"seq", seq},
                                 {"hash", crypto::to_base64(statement.message_hash)},
                                 {"withdrawn_at", statement.withdrawn_at},
                                 {"signature", statement.signature.to_base64()}};
         }});
    // ---- continuity: key backup, transfer, history share (PROTOCOL.md, "Continuity") ---------
    r.push_back({"backup_key", "", kAnyone, none});
    r.push_back(
        {"backup_key_set", "the next version, signed by one's device", kAnyone, [](M m, Who w) {
             auto& me = m.as(w);
             crypto::BackupKeyRecord rec{me.user,
                                         me.ok("backup_key").at("version").as_int64() + 1,
                                         crypto::RecoveryKey::generate().backup_public_key(),
                                         me.device,
                                         {}};
             crypto::sign_backup_key(rec, me.keys);
             return json::object{{"version", rec.version},
                                 {"public_key", rec.public_key.to_base64()},
                                 {"signature", rec.signature.to_base64()}};
         }});
    r.push_back(
        {"backup_put", "", kRoomMembers, [](M m, Who w) {
             const auto seq = m.message_seq();
             return json::object{
                 {"room", kRoom},
                 {"version", m.as(w).ok("backup_key").at("version").as_int64()},
                 {"keys", {{std::to_string(seq), crypto::to_base64(crypto::random_bytes(120))}}}};
         }});
    r.push_back({"backup_get", "", kRoomMembers, [](M, Who) {
                     return json::object{{"room", kRoom}};
                 }});
    r.push_back({"transfer_put", "", kAnyone, [](M, Who) {
                     return json::object{{"bundle", "{\"v\":1}"}};
                 }});
    r.push_back(
        {"backup_prune", "the current version", kAnyone, [](M m, Who w) {
             return json::object{{"version", m.as(w).ok("backup_key").at("version").as_int64()}};
         }});
    r.push_back({"transfer_take", "none waiting for this device", kAnyone, none});
    r.push_back({"transfer_done", "none waiting", kAnyone, none});
    r.push_back(
        {"history_share", "one message, to a member of the room", kRoomMembers, [](M m, Who w) {
             auto& me = m.as(w);
             auto& to = w == member_in ? m.cal : m.mia;
             const auto seq = m.message_seq();
             crypto::HistoryShare s{kRoom, me.user, me.device, to.user, to.device,
                                    0,     seq,     seq,       {},      {}};
             s.entries.push_back({seq, {}, crypto::random_bytes(150)});
             crypto::sign_share(s, me.keys);
             return json::object{{"room", kRoom},
                                 {"user", to.user},
                                 {"shares", {{to.device, json::parse(crypto::share_to_json(s))}}}};
         }});
    r.push_back({"history_shared", "", kRoomMembers, [](M, Who) {
                     return json::object{{"room", kRoom}};
                 }});
    // ---- meetings and actions -----------------------------------------------------------------
    r.push_back({"meeting_create", "", kChairsInRoomMeeting, [](M, Who) {
                     return json::object{{"room", kScratch},
                                         {"title", "Strategy discussion"},
                                         {"kind", "strategy"},
                                         {"starts_at", "2026-11-21 09:30"},
                                         {"place", "remote"}};
                 }});
    r.push_back({"meetings", "", kRoomMembers, [](M, Who) {
                     return json::object{{"room", kRoom}};
                 }});
    r.push_back({"meeting_show", "", kRoomMembers, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}};
                 }});
    r.push_back({"meeting_check", "", kRoomMembers, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}};
                 }});
    r.push_back({"meeting_export", "", kRoomMembers, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}, {"format", "markdown"}};
                 }});
    r.push_back({"meeting_update", "", kMeetingEditors, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}, {"place", "Riverside Primary"}};
                 }});
    r.push_back(
        {"meeting_attend", "", kMeetingEditors, [](M m, Who) {
             return json::object{{"meeting", m.meeting}, {"user", "mia"}, {"status", "present"}};
         }});
    r.push_back({"meeting_agenda", "", kMeetingEditors, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}, {"title", "School attendance"}};
                 }});
    r.push_back({"meeting_decision", "", kMeetingEditors, [](M m, Who) {
                     return json::object{{"meeting", m.meeting}, {"decision", "Keep the plan."}};
                 }});
    r.push_back({"meeting_section", "", kMeetingEditors, [](M m, Who) {
                     return json::object{
                         {"meeting", m.meeting}, {"section", "purpose"}, {"text", "Why we met."}};
                 }});
    r.push_back({"meeting_remove", "an agenda item", kMeetingEditors, [](M m, Who) {
                     const auto item = m.cal.ok(
                         "meeting_agenda", {{"meeting", m.meeting}, {"title", "To be removed"}});
                     return json::object{{"meeting", m.meeting},
                                         {"section", "agenda"},
                                         {"item", item.at("item").at("id")}};
                 }});
    r.push_back({"meeting_circulate", "a fresh draft", kMeetingEditors, [](M m, Who) {
                     // Signed by cal, whose meeting it is: anyone else is refused before the
                     // signature is looked at.
                     return signed_as(*m.cal.conn, m.cal.keys, "cal", "meeting_circulate",
                                      {{"meeting", m.new_meeting()}, {"acknowledge", true}});
                 }});
    r.push_back({"meeting_approve", "fresh circulated minutes", kMeetingEditors, [](M m, Who) {
                     return signed_as(*m.cal.conn, m.cal.keys, "cal", "meeting_approve",
                                      {{"meeting", m.circulated_meeting()}, {"acknowledge", true}});
                 }});
    r.push_back({"meeting_correct", "fresh circulated minutes", kMeetingEditors, [](M m, Who) {
                     return json::object{{"meeting", m.circulated_meeting()},
                                         {"reason", "The date was wrong."}};
                 }});
    // After circulation: its recipients (the room's members when it went out) acknowledge and
    // comment; only its chair resolves a comment.
    // Each signed by the caller's own device (PROTOCOL.md, "Signed acknowledgements and
    // comments"), so that only who they are decides.
    r.push_back(
        {"minutes_acknowledge", "signed by one's device", kRoomMembers, [](M m, Who w) {
             const auto& me = m.as(w);
             return ack_signed_as(*me.conn, me.keys, me.user, {{"meeting", m.shared_circulated()}});
         }});
    r.push_back({"minutes_comment", "signed by one's device", kRoomMembers, [](M m, Who w) {
                     const auto& me = m.as(w);
                     return comment_signed_as(*me.conn, me.keys, me.user,
                                              {{"meeting", m.shared_circulated()},
                                               {"section", "general"},
                                               {"text", "The date is wrong."}});
                 }});
    r.push_back({"minutes_comments", "", kRoomMembers, [](M m, Who) {
                     return json::object{{"meeting", m.shared_circulated()}};
                 }});
    r.push_back(
        {"minutes_comment_resolve", "a fresh comment of mia's", kMeetingEditors, [](M m, Who) {
             const auto c =
                 m.mia.ok("minutes_comment", comment_signed_as(*m.mia.conn, m.mia.keys, "mia",
                                                               {{"meeting", m.shared_circulated()},
                                                                {"section", "general"},
                                                                {"text", "Spelling."}}));
             return json::object{{"meeting", m.shared_circulated()},
                                 {"comment", c.at("comment")},
                                 {"answer", "Thank you, noted."}};
         }});
    r.push_back({"minutes_due", "", kAnyone, none});
    r.push_back({"action_add", "", kMeetingEditors, [](M m, Who) {
                     return json::object{{"meeting", m.meeting},
                                         {"what", "Book a review"},
                                         {"owner_name", "Kelly Smith"},
                                         {"due", "2026-12-04"}};
                 }});
    r.push_back({"action_update", "its status (mia owns it)", kOwnerOrEditors, [](M m, Who) {
                     return json::object{{"action", m.action}, {"status", "in_progress"}};
                 }});
    r.push_back({"action_update", "its plan (due date)", kMeetingEditors, [](M m, Who) {
                     return json::object{{"action", m.action}, {"due", "2026-12-11"}};
                 }});
    // ---- administration -----------------------------------------------------------------------
    r.push_back({"agency_add", "", kAdmins, [](M m, Who) {
                     return json::object{{"name", m.fresh("Agency")}, {"discipline", "education"}};
                 }});
    r.push_back(
        {"enrol_code", "", kAdmins, [](M m, Who) {
             return json::object{{"user", m.fresh("new")}, {"agency", kCare}, {"role", "member"}};
         }});
    r.push_back({"agency_rename", "", kAdmins, [](M m, Who) {
                     const auto name = m.fresh("Old agency");
                     m.ann.ok("agency_add", {{"name", name}, {"discipline", "education"}});
                     return json::object{{"name", name}, {"new_name", m.fresh("New agency")}};
                 }});
    r.push_back({"account_list", "", kAdmins, none});
    r.push_back({"account_role", "", kAdmins,
                 [](M, Who) {
                     return json::object{{"user", "tom"}, {"role", "chair"}};
                 },
                 [](M m) {
                     m.ann.ok("account_role", {{"user", "tom"}, {"role", "member"}});
                 }});
    r.push_back({"account_email", "", kAdmins, [](M, Who) {
                     return json::object{{"user", "tom"}, {"email", "tom@school.example.org"}};
                 }});
    r.push_back({"digest_run", "", kAdmins, none});
    r.push_back({"account_suspend", "", kAdmins,
                 [](M, Who) {
                     return json::object{{"user", "tom"}};
                 },
                 [](M m) {
                     m.ann.ok("account_reinstate", {{"user", "tom"}});
                 }});
    r.push_back({"account_reinstate", "", kAdmins,
                 [](M m, Who) {
                     m.ann.ok("account_suspend", {{"user", "tom"}});
                     return json::object{{"user", "tom"}};
                 },
                 [](M m) {
                     m.ann.ok("account_reinstate", {{"user", "tom"}});
                 }});
    r.push_back({"device_replace", "", kAdmins, [](M, Who) {
                     return json::object{{"user", "tom"}};
                 }});
    r.push_back({"dict_add", "", kAdmins, [](M m, Who) {
                     return json::object{{"discipline", "social-care"},
                                         {"term", m.fresh_term()},
                                         {"alternatives", {"plain words"}},
                                         {"explanation", "A word made up for a test."}};
                 }});
    r.push_back({"dict_edit", "", kAdmins, [](M m, Who) {
                     return json::object{{"discipline", "social-care"},
                                         {"term", "genogram"},
                                         {"explanation", "A family tree, " + m.fresh("take")}};
                 }});
    r.push_back({"dict_remove", "", kAdmins, [](M m, Who) {
                     const auto term = m.fresh_term();
                     m.ann.ok("dict_add", {{"discipline", "social-care"},
                                           {"term", term},
                                           {"alternatives", {"plain words"}},
                                           {"explanation", "A word made up for a test."}});
                     return json::object{{"discipline", "social-care"}, {"term", term}};
                 }});
    r.push_back({"dict_discipline_add", "", kAdmins, [](M m, Who) {
                     return json::object{{"discipline", m.fresh("authz")}};
                 }});
    r.push_back({"dict_discipline_remove", "", kAdmins, [](M m, Who) {
                     const auto discipline = m.fresh("authz");
                     m.ann.ok("dict_discipline_add", {{"discipline", discipline}});
                     return json::object{{"discipline", discipline}};
                 }});
    r.push_back({"dict_import", "a new discipline", kAdmins, [](M m, Who) {
                     return json::object{
                         {"discipline", m.fresh("authz")},
                         {"tsv", "term\tvariants\talternatives\texplanation\tkind\toptions\n"}};
                 }});
    r.push_back({"dict_export", "", kAdmins, [](M, Who) {
                     return json::object{{"discipline", "social-care"}};
                 }});
    r.push_back({"dict_versions", "", kAdmins, none});
    r.push_back({"dict_revert", "to the current version", kAdmins, [](M m, Who) {
                     return json::object{{"version", m.ann.ok("dict_versions").at("version")}};
                 }});
    r.push_back({"dict_noisy", "", kAdmins, none});
    r.push_back({"question_list", "", kAdmins, none});
    r.push_back({"question_answer", "", kAdmins, [](M m, Who) {
                     return json::object{{"question", m.question()}, {"reply", "It means this."}};
                 }});
    r.push_back({"question_dismiss", "", kAdmins, [](M m, Who) {
                     return json::object{{"question", m.question()}};
                 }});
    r.push_back({"audit", "", kAdmins, none});
    // Retention and legal hold (PROTOCOL.md, "Retention and legal hold"): nothing in the matrix
    // is old enough to expire, so a sweep deletes nothing; a hold is lifted after each try.
    r.push_back({"retention_show", "", kAdmins, none});
    r.push_back({"retention_set", "", kAdmins, [](M, Who) {
                     return json::object{{"agency", kCare},
                                         {"record", "chat"},
                                         {"days", 3650},
                                         {"reason", "the authorisation matrix"}};
                 }});
    r.push_back({"retention_sweep", "", kAdmins, none});
    r.push_back({"hold_place", "", kAdmins,
                 [](M, Who) {
                     return json::object{{"room", kScratch}, {"reason", "an inquiry"}};
                 },
                 [](M m) {
                     (void)m.ann.outcome("hold_lift", {{"room", kScratch}, {"reason", "done"}});
                 }});
    r.push_back({"hold_lift", "", kAdmins,
                 [](M m, Who) {
                     m.ann.ok("hold_place", {{"room", kScratch}, {"reason", "an inquiry"}});
                     return json::object{{"room", kScratch}, {"reason", "the inquiry ended"}};
                 },
                 [](M m) {
                     (void)m.ann.outcome("hold_lift", {{"room", kScratch}, {"reason", "done"}});
                 }});
    r.push_back({"hold_targets", "", kAdmins, none});
    // ---- information governance (PROTOCOL.md, "Subject access requests") ---------------------
    r.push_back({"governance_grant", "to tom, withdrawn again after", kAdmins,
                 [](M, Who) {
                     return json::object{{"user", "tom"}, {"grant", true}, {"reason", "matrix"}};
                 },
                 [](M m) {
                     m.ann.ok("governance_grant",
                              {{"user", "tom"}, {"grant", false}, {"reason", "matrix"}});
                 }});
    r.push_back({"governance_list", "", kAdmins, none});
    r.push_back({"subject_access", "mia holds the permission; admins do not by being admins",
                 kOfficer, [](M m, Who) {
                     m.ann.ok("governance_grant",
                              {{"user", "mia"}, {"grant", true}, {"reason", "IG officer"}});
                     return json::object{{"user", "tom"}, {"reason", "SAR-1"}};
                 }});
    return r;
}

/// Fields that pass validation for `spec` (every required field, of its type and size) but
/// mean nothing: enough for requests that must be refused before their handler runs.
json::object placeholder_fields(const protocol::RequestSpec& spec) {
    json::object fields;
    for (const auto& f : spec.fields) {
        if (!f.required)
            continue;
        switch (f.type) {
            case protocol::FieldType::string:
            case protocol::FieldType::text:
                fields[f.name] = std::string(std::max<std::int64_t>(f.min, 1), 'x');
                break;
            case protocol::FieldType::integer:
                fields[f.name] = std::max<std::int64_t>(f.min, 1);
                break;
            case protocol::FieldType::boolean:
                fields[f.name] = false;
                break;
            case protocol::FieldType::string_array:
                fields[f.name] = json::array();
                break;
            case protocol::FieldType::object:
                fields[f.name] = json::object();
                break;
        }
    }
    return fields;
}

}  // namespace

TEST_CASE("the authorisation matrix covers every request type", "[e2e][authz]") {
    std::set<std::string_view> covered;
    for (const auto& row : rows()) {
        INFO(row.type);
        CHECK(protocol::find_request(row.type) != nullptr);  // no stale or misspelt rows
        covered.insert(row.type);
    }
    for (const auto& spec : protocol::request_specs()) {
        INFO("request type '" << spec.type << "' has no row in the authorisation matrix");
        CHECK(covered.contains(spec.type));
    }
}

TEST_CASE("every request tried by each role in and outside the room", "[e2e][authz]") {
    Matrix m;
    const auto table = rows();
    for (const auto& row : table) {
        for (const auto who : kEveryone) {
            auto fields = row.fields(m, who);
            const auto [code, message] = m.as(who).outcome(row.type, fields);
            INFO(row.type << (row.what.empty() ? "" : " (") << row.what
                          << (row.what.empty() ? "" : ")") << " as " << kWhoLabel[who] << ": "
                          << (code.empty() ? "allowed" : code + ": " + message));
            CHECK(code == std::string(row.expect[who]));
            if (row.reset)
                row.reset(m);
        }
    }
    // The shared objects are as the matrix left them: nothing refused changed them, and the
    // resets undid what was allowed.
    const auto minutes = m.cal.ok("meeting_show", {{"meeting", m.meeting}});
    CHECK(text(minutes, "status") == "draft");
    const auto room = m.ann.ok("room_show", {{"room", kRoom}});
    CHECK_FALSE(room.at("public").as_bool());
    CHECK(room.at("members").as_array().size() == 3);  // cal, mia, ada
    const auto accounts = m.ann.ok("account_list");
    for (const auto& a : accounts.at("accounts").as_array()) {
        INFO(text(a, "user"));
        CHECK_FALSE(a.at("suspended").as_bool());
        if (text(a, "user") == "tom")
            CHECK(text(a, "role") == "member");
    }
    // The lists anyone may ask for show only what is one's own: one's rooms, the actions of
    // one's rooms, one's questions (every person asked some above).
    for (const auto who : kEveryone) {
        INFO(kWhoLabel[who]);
        auto& p = m.as(who);
        const bool in = who == member_in || who == chair_in || who == admin_in;
        bool sees_room = false;
        const auto rooms = p.ok("rooms");
        for (const auto& r : rooms.at("rooms").as_array())
            sees_room = sees_room || text(r, "room") == kRoom;
        CHECK(sees_room == in);
        bool sees_action = false;
        const auto actions = p.ok("actions");
        for (const auto& a : actions.at("actions").as_array()) {
            CHECK((in || (text(a, "room") != kRoom && text(a, "room") != kScratch)));
            sees_action = sees_action || a.at("id").as_int64() == m.action;
        }
        CHECK(sees_action == in);
        const auto questions = p.ok("questions");
        CHECK_FALSE(questions.at("questions").as_array().empty());
        for (const auto& q : questions.at("questions").as_array())
            CHECK(text(q, "asked_by") == p.user);
    }

    // Every frame the server sent in all of this, replies, errors and events, has the shape
    // protocol/schemas.hpp declares (so PROTOCOL.md and the golden vectors describe it).
    for (const auto who : kEveryone)
        while (true) {
            auto event = m.as(who).conn->next_event(std::chrono::milliseconds(200));
            if (!event || !event.value())
                break;
        }
    const auto seen = m.log.check_all();
    for (const auto& spec : protocol::request_specs()) {
        INFO("no ok reply to '" << spec.type << "' was seen");
        CHECK(seen.contains("reply:" + std::string(spec.type)));
    }
    for (const auto* event : {"message", "membership", "minutes_circulated", "action_assigned",
                              "dictionaries", "question"}) {
        INFO("no '" << event << "' event was seen");
        CHECK(seen.contains(std::string("event:") + event));
    }
    CHECK(seen.contains("error"));
}

TEST_CASE("before login every request that needs a login is refused", "[e2e][authz]") {
    Server server;
    const auto specs = protocol::request_specs();

    // Before hello: hello_required for everything but hello.
    auto fresh = connect(server);
    for (const auto& spec : specs) {
        if (spec.type == "hello")
            continue;
        INFO(spec.type << " before hello");
        auto r = fresh->request(spec.type, placeholder_fields(spec));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "hello_required");
    }

    // After hello, not logged in: not_authenticated for everything but hello, enrol and login.
    auto conn = connect(server);
    REQUIRE(conn->request("hello", {{"version", protocol::kVersion}}).ok());
    int refused = 0;
    for (const auto& spec : specs) {
        INFO(spec.type << " after hello, not logged in");
        auto r = conn->request(spec.type, placeholder_fields(spec));
        if (spec.access == protocol::Access::anyone) {
            CHECK((r.ok() || r.error().code != "not_authenticated"));
            continue;
        }
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "not_authenticated");
        ++refused;
    }
    CHECK(refused == static_cast<int>(specs.size()) - 3);
    // The connection is still usable and still not logged in.
    auto again = conn->request("whoami");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "not_authenticated");
}

/// What one round of race() saw.
struct RaceRound {
    std::size_t written = 0;                      // bea's requests written before she was cut off
    std::set<std::string> done;                   // ids of bea's requests answered ok
    std::vector<json::object> answers;            // those replies, in the order they came
    std::vector<json::object> events;             // events bea received
    int refused = 0;                              // bea's requests refused with the code asked for
    std::map<std::string, json::object> replies;  // to the `change` frames, by id
};

/// A request to write without waiting, on a connection of its own.
struct Pipelined {
    client::Connection* conn;
    std::string frame;
};

/// Bea streams `bea_frames` on `bea` without waiting for replies. After her first 20, ann sends
/// on `ann`, also without waiting, a dictionary change (the writer validates and compiles every
/// dictionary for it, tens of milliseconds; its term is `round`'s), and then the `change`
/// frames are written in order. Requests of bea's that reach the writer while it is busy run
/// behind the change but before bea's connection is cut off (when the change commits).
/// Returns once every request of bea's has run: her connection is closed, then `barrier` (a
/// write of its own) is done. Refusals are counted from the server's metrics, as bea's
/// connection is usually closed before they could be answered; a refusal that does reach her
/// must have the code `refusal`.
RaceRound race(const Server& server, client::Connection& ann, client::Connection& bea,
               const std::vector<std::string>& bea_frames, const std::vector<Pipelined>& change,
               const std::string& refusal, std::size_t round,
               const std::function<void()>& barrier) {
    constexpr std::array kTerms = {"strengths huddle", "family huddle", "review huddle",
                                   "safety huddle", "team huddle"};
    REQUIRE(round < kTerms.size());
    RaceRound out;
    const int refused_before = refusals(server, refusal);
    for (const auto& frame : bea_frames) {
        if (out.written == 20) {
            REQUIRE(ann.send_raw(json::serialize(json::object{{"type", "dict_add"},
                                                              {"id", "slow"},
                                                              {"discipline", "social-care"},
                                                              {"term", kTerms[round]},
                                                              {"alternatives", {"short meeting"}},
                                                              {"explanation", "A team talk."}}))
                        .ok());
            for (const auto& c : change)
                REQUIRE(c.conn->send_raw(c.frame).ok());
        }
        if (!bea.send_raw(frame).ok())
            break;  // cut off already
        ++out.written;
    }
    // The replies to the slow change and to `change`, on whichever connection each went.
    std::map<client::Connection*, std::size_t> awaited{{&ann, 1}};
    for (const auto& c : change)
        ++awaited[c.conn];
    for (auto [conn, count] : awaited) {
        for (std::size_t got = 0; got < count;) {
            const auto frame = conn->read_raw(std::chrono::seconds(10));
            REQUIRE(frame.ok());
            const auto reply = json::parse(frame.value()).as_object();
            const auto* re = reply.if_contains("re");
            if (re == nullptr)
                continue;  // an event
            ++got;
            INFO(frame.value());
            REQUIRE(reply.at("type").as_string() == "ok");
            out.replies[std::string(re->as_string())] = reply;
        }
    }
    while (true) {
        const auto frame = bea.read_raw(std::chrono::seconds(10));
        if (!frame)
            break;
        const auto reply = json::parse(frame.value()).as_object();
        const auto* re = reply.if_contains("re");
        if (re == nullptr) {
            out.events.push_back(reply);
            continue;
        }
        INFO(frame.value());
        if (reply.at("type").as_string() == "error") {
            // A refusal can arrive before the close (reads are refused on the network thread).
            CHECK(reply.at("code").as_string() == refusal);
            continue;
        }
        CHECK(reply.at("type").as_string() == "ok");
        out.done.insert(std::string(re->as_string()));
        out.answers.push_back(reply);
    }
    barrier();
    out.refused = refusals(server, refusal) - refused_before;
    INFO(out.written << " of bea's requests written, " << out.done.size() << " done, "
                     << out.refused << " refused as " << refusal);
    // Requests read after the cut-off are dropped unanswered and uncounted, hence not ==.
    CHECK(out.done.size() + static_cast<std::size_t>(out.refused) <= out.written);
    return out;
}

/// The audit records after seq `start`, in the writer's order.
json::array audit_after(client::Connection& admin, std::int64_t start) {
    auto r = admin.request("audit", {{"limit", 10000}});
    REQUIRE(r.ok());
    json::array out;
    for (const auto& rec : r.value().at("records").as_array())
        if (rec.at("seq").as_int64() > start)
            out.push_back(rec);
    return out;
}

/// Checks that no record of `actor` of `kind` follows the first record of `change_kind`, and
/// returns how many of `actor`'s there are.
std::size_t recorded_before(const json::array& records, const std::string& change_kind,
                            const std::string& actor, const std::string& kind) {
    bool changed = false;
    std::size_t theirs = 0;
    for (const auto& rec : records) {
        const auto& o = rec.as_object();
        if (o.at("kind").as_string() == change_kind)
            changed = true;
        if (o.at("kind").as_string() != kind || o.at("actor").as_string() != actor)
            continue;
        ++theirs;
        CHECK_FALSE(changed);
    }
    CHECK(changed);
    return theirs;
}

/// A server that lets one account make thousands of requests a second.
void allow_floods(Server& server) {
    server.stop();
    server.set_config("rate_limit_per_second = 100000\nrate_limit_burst = 100000\n");
    server.start();
}

/// Ann (an admin) and bea (a member of kCare) share room "r", on a server that allows floods.
struct Shared {
    Server server;
    Person ann{(allow_floods(server), server), "ann", server.admin_code()};
    Person bea{server, "bea", code_for(*ann, "bea", kCare)};

    Shared() { ok(*ann, "room_create", {{"room", "r"}, {"members", {"bea"}}}); }

    /// A `send` frame of `from`'s, with `id` as request and client message id: to both, or
    /// to ann alone (once bea is suspended, her device is no longer a recipient).
    std::string send_frame(Person& from, const std::string& id, bool to_bea = true) {
        std::vector<crypto::Recipient> to;
        for (auto* p : {&ann, &bea})
            if (p == &ann || to_bea)
                to.push_back({(*p)->profile().device, (*p)->keys().identity().box_key});
        const auto env = crypto::seal(from->keys(), from->profile().device, "r", id, "text " + id,
                                      to, test_history(from->profile().user));
        return json::serialize(json::object{
            {"type", "send"}, {"id", id}, {"room", "r"}, {"envelope", crypto::to_json(env)}});
    }
};

TEST_CASE("sends queued behind the sender's suspension are refused, and none is stored after it",
          "[e2e][authz]") {
    Shared room;
    auto& [server, ann, bea] = room;
    // Ann suspends bea and then sends a message of her own: a message of bea's stored after
    // ann's ran behind the suspension. The network threads may read ann's requests after all
    // of bea's, so rounds repeat (bea reinstated) until some of bea's were refused.
    std::int64_t seen = 0;  // the room's messages up to here were checked in earlier rounds
    int refused = 0;
    for (std::size_t round = 0; round < 5 && refused == 0; ++round) {
        INFO("round " << round);
        std::vector<std::string> frames;
        for (int i = 0; i < 400; ++i)
            frames.push_back(
                room.send_frame(bea, "b" + std::to_string(round) + "-" + std::to_string(i)));
        const auto r = race(
            server, ann->connection(), bea->connection(), frames,
            {{&ann->connection(),
              json::serialize(
                  json::object{{"type", "account_suspend"}, {"id", "sus"}, {"user", "bea"}})},
             {&ann->connection(), room.send_frame(ann, "after" + std::to_string(round), false)}},
            "suspended", round, [&] {
                ok(*ann, "agency_add",
                   {{"name", "Barrier " + std::to_string(round)}, {"discipline", "health"}});
            });
        refused = r.refused;
        // Each round's own message: the same id again would be answered as a retry of the
        // first round's, with that round's seq.
        const auto& after = r.replies.at("after" + std::to_string(round));
        REQUIRE_FALSE(after.at("duplicate").as_bool());
        const auto after_seq = after.at("seq").as_int64();
        // In the room: every send bea was told was stored, and nothing of hers after ann's.
        const auto messages = ann->read("r", seen);
        REQUIRE(messages.ok());
        std::size_t hers = 0;
        for (const auto& m : messages.value()) {
            seen = m.seq;
            if (m.sender != "bea")
                continue;
            ++hers;
            CHECK(m.seq < after_seq);
        }
        CHECK(hers == r.done.size());
        ok(*ann, "account_reinstate", {{"user", "bea"}});
        bea.login();
    }
    CHECK(refused > 0);  // the moment this test is about did happen
}

TEST_CASE("reads behind the reader's suspension are refused: nothing stored after it is read",
          "[e2e][authz]") {
    Shared room;
    auto& [server, ann, bea] = room;
    // Bea reads the room's messages after the last one, over and over; ann suspends her and
    // then sends a message. A read that returned ann's message ran after the suspension. Reads
    // do not queue behind the writer, so the moment between the suspension's commit and bea's
    // cut-off is microseconds long and a round may miss it: this is a soak over three rounds.
    // tests/server/service_test.cpp holds that moment still and checks the refusal itself.
    std::int64_t last = 1;  // #1 is the room's creation
    for (std::size_t round = 0; round < 3; ++round) {
        INFO("round " << round);
        std::vector<std::string> frames;
        for (int i = 0; i < 400; ++i)
            frames.push_back(json::serialize(
                json::object{{"type", "sync"},
                             {"id", "s" + std::to_string(round) + "-" + std::to_string(i)},
                             {"room", "r"},
                             {"after", last}}));
        const auto id = "after" + std::to_string(round);
        const auto r =
            race(server, ann->connection(), bea->connection(), frames,
                 {{&ann->connection(),
                   json::serialize(
                       json::object{{"type", "account_suspend"}, {"id", "sus"}, {"user", "bea"}})},
                  {&ann->connection(), room.send_frame(ann, id, false)}},
                 "suspended", round, [&] {
                     ok(*ann, "agency_add",
                        {{"name", "Barrier " + std::to_string(round)}, {"discipline", "health"}});
                 });
        for (const auto& reply : r.answers) {
            INFO(json::serialize(reply));
            CHECK(reply.at("messages").as_array().empty());
        }
        for (const auto& event : r.events) {  // nor is it pushed to her
            INFO(json::serialize(event));
            CHECK((event.at("type").as_string() != "message" ||
                   event.at("seq").as_int64() <= last));  // #1, the room's creation, came before
        }
        ok(*ann, "account_reinstate", {{"user", "bea"}});
        // After ann's message and the reinstatement (an event in the room's history).
        last = ok(*ann, "room_show", {{"room", "r"}}).at("last_seq").as_int64();
        bea.login();
    }
}

TEST_CASE("admin requests queued behind the admin's demotion are refused, none recorded after it",
          "[e2e][authz]") {
    Server server;
    allow_floods(server);
    Person ann(server, "ann", server.admin_code());
    Person bea(server, "bea", code_for(*ann, "bea", kCare, "admin"));
    // Bea, an admin, adds agencies; ann makes her a member. The audit log records both in the
    // writer's order: an agency of bea's recorded after the role change ran behind it.
    int refused = 0;
    for (std::size_t round = 0; round < 5 && refused == 0; ++round) {
        INFO("round " << round);
        std::vector<std::string> frames;
        for (int i = 0; i < 400; ++i) {
            const auto id = "a" + std::to_string(round) + "-" + std::to_string(i);
            frames.push_back(json::serialize(json::object{{"type", "agency_add"},
                                                          {"id", id},
                                                          {"name", "Agency " + id},
                                                          {"discipline", "health"}}));
        }
        const auto start = audit_after(ann->connection(), 0).back().at("seq").as_int64();
        const auto r =
            race(server, ann->connection(), bea->connection(), frames,
                 {{&ann->connection(), json::serialize(json::object{{"type", "account_role"},
                                                                    {"id", "demote"},
                                                                    {"user", "bea"},
                                                                    {"role", "member"}})}},
                 "forbidden", round, [&] {
                     ok(*ann, "agency_add",
                        {{"name", "Barrier " + std::to_string(round)}, {"discipline", "health"}});
                 });
        refused = r.refused;
        CHECK(recorded_before(audit_after(ann->connection(), start), "role_changed", "bea",
                              "agency_added") == r.done.size());
        ok(*ann, "account_role", {{"user", "bea"}, {"role", "admin"}});
        bea.login();
    }
    CHECK(refused > 0);  // the moment this test is about did happen
}

TEST_CASE("requests queued behind a device's replacement are refused, none recorded after it",
          "[e2e][authz]") {
    Server server;
    allow_floods(server);
    Account ann = enrol(server, "ann", server.admin_code());
    Account bea =
        enrol(server, "bea",
              text(ann.ok("enrol_code", {{"user", "bea"}, {"agency", kCare}, {"role", "chair"}}),
                   "code"));
    // Bea, a chair, creates rooms from her device while a new device of hers enrols with a
    // replacement code. The audit log records both in the writer's order: a room of bea's
    // recorded after the replacement was created by the replaced device.
    int refused = 0;
    for (std::size_t round = 0; round < 5 && refused == 0; ++round) {
        INFO("round " << round);
        std::vector<std::string> frames;
        for (int i = 0; i < 400; ++i) {
            const auto id = "r" + std::to_string(round) + "-" + std::to_string(i);
            frames.push_back(
                json::serialize(json::object{{"type", "room_create"}, {"id", id}, {"room", id}}));
        }
        const auto code = text(ann.ok("device_replace", {{"user", "bea"}}), "code");
        Account fresh;
        fresh.user = "bea";
        fresh.conn = connect(server);
        const auto challenge = crypto::from_base64(
            text(fresh.ok("hello", {{"version", protocol::kVersion}}), "challenge"));
        REQUIRE(challenge);
        auto enrol_frame = enrol_fields(code, fresh.keys);
        enrol_frame["type"] = "enrol";
        enrol_frame["id"] = "replace";
        const auto start = audit_after(*ann.conn, 0).back().at("seq").as_int64();
        const auto r = race(
            server, *ann.conn, *bea.conn, frames,
            {{fresh.conn.get(), json::serialize(enrol_frame)}}, "device_replaced", round, [&] {
                ann.ok("agency_add",
                       {{"name", "Barrier " + std::to_string(round)}, {"discipline", "health"}});
            });
        refused = r.refused;
        CHECK(recorded_before(audit_after(*ann.conn, start), "device_replaced", "bea",
                              "room_created") == r.done.size());
        // The new device is bea's now: it logs in on the connection it enrolled on.
        fresh.device = text(r.replies.at("replace"), "device");
        fresh.ok("login", {{"user", "bea"},
                           {"device", fresh.device},
                           {"signature", crypto::sign_login(fresh.keys, *challenge).to_base64()}});
        bea = std::move(fresh);
    }
    CHECK(refused > 0);  // the moment this test is about did happen
}

/// The replies to `ids`' frames, sent back to back on `conn` without waiting: each reply's id, in
/// the order the replies arrived (events skipped), and the replies by id (their `re`).
std::pair<std::vector<std::string>, std::map<std::string, json::object>> back_to_back(
    client::Connection& conn, const std::vector<json::object>& frames) {
    for (const auto& f : frames)
        REQUIRE(conn.send_raw(json::serialize(f)).ok());
    std::vector<std::string> order;
    std::map<std::string, json::object> replies;
    while (order.size() < frames.size()) {
        const auto raw = conn.read_raw(std::chrono::seconds(10));
        REQUIRE(raw.ok());
        auto reply = json::parse(raw.value()).as_object();
        if (reply.at("type") != "ok" && reply.at("type") != "error")
            continue;  // an event
        order.push_back(text(reply, "re"));
        replies[order.back()] = std::move(reply);
    }
    return {order, replies};
}

// Login and enrol read the store before they can decide (asynchronously, issue #22): the session
// reads no further frame until they are answered, so a request sent right behind one is handled
// as the logged-in (or enrolled) session it follows, and answered after it.
TEST_CASE("requests sent back to back with a login or an enrol are answered in order, after it",
          "[e2e][authz][order]") {
    Server server;
    Account ann = enrol(server, "ann", server.admin_code());
    const auto code =
        text(ann.ok("enrol_code", {{"user", "bo"}, {"agency", kCare}, {"role", "member"}}), "code");
    for (int round = 0; round < 5; ++round) {
        INFO("round " << round);
        auto conn = connect(server);
        const auto hello = conn->request("hello", {{"version", protocol::kVersion}});
        REQUIRE(hello.ok());
        const auto challenge = crypto::from_base64(text(hello.value(), "challenge"));
        REQUIRE(challenge);
        std::vector<json::object> frames{
            {{"type", "login"},
             {"id", "login"},
             {"user", "ann"},
             {"device", ann.device},
             {"signature", crypto::sign_login(ann.keys, *challenge).to_base64()}},
            {{"type", "whoami"}, {"id", "whoami"}},
            {{"type", "rooms"}, {"id", "rooms"}},
            {{"type", "agency_list"}, {"id", "agencies"}}};
        const auto [order, replies] = back_to_back(*conn, frames);
        CHECK(order == std::vector<std::string>{"login", "whoami", "rooms", "agencies"});
        for (const auto& [id, reply] : replies) {
            INFO(id << ": " << json::serialize(reply));
            CHECK(reply.at("type") == "ok");
        }
        CHECK(text(replies.at("whoami"), "user") == "ann");
    }
    // An enrol and the login of the device it enrols, back to back: the login is read only once
    // the device is stored. (The device's id is the next one: nobody else enrols meanwhile.)
    Account bo;
    bo.user = "bo";
    bo.conn = connect(server);
    const auto hello = bo.ok("hello", {{"version", protocol::kVersion}});
    const auto challenge = crypto::from_base64(text(hello, "challenge"));
    REQUIRE(challenge);
    auto enrol_frame = enrol_fields(code, bo.keys);
    enrol_frame["type"] = "enrol";
    enrol_frame["id"] = "enrol";
    const auto next_device = std::to_string(std::stoll(ann.device) + 1);
    const auto [order, replies] = back_to_back(
        *bo.conn, {enrol_frame,
                   {{"type", "login"},
                    {"id", "login"},
                    {"user", "bo"},
                    {"device", next_device},
                    {"signature", crypto::sign_login(bo.keys, *challenge).to_base64()}},
                   {{"type", "whoami"}, {"id", "whoami"}}});
    CHECK(order == std::vector<std::string>{"enrol", "login", "whoami"});
    REQUIRE(replies.at("enrol").at("type") == "ok");
    CHECK(text(replies.at("enrol"), "device") == next_device);
    INFO(json::serialize(replies.at("login")));
    CHECK(replies.at("login").at("type") == "ok");
    CHECK(text(replies.at("whoami"), "user") == "bo");
}

// A login refused after its look-up (here: a wrong signature) changes nothing but the
// challenge, as before the look-ups became asynchronous: the session is not logged in, the
// refusal carries a fresh challenge, and a login signed over that one then succeeds.
TEST_CASE("a refused login leaves the session logged out, with a fresh challenge that works",
          "[e2e][authz][order]") {
    Server server;
    Account ann = enrol(server, "ann", server.admin_code());
    auto conn = connect(server);
    const auto hello = conn->request("hello", {{"version", protocol::kVersion}});
    REQUIRE(hello.ok());
    const auto challenge = crypto::from_base64(text(hello.value(), "challenge"));
    REQUIRE(challenge);
    auto wrong = *challenge;
    wrong[0] ^= 1;
    const auto [order, replies] =
        back_to_back(*conn, {{{"type", "login"},
                              {"id", "login"},
                              {"user", "ann"},
                              {"device", ann.device},
                              {"signature", crypto::sign_login(ann.keys, wrong).to_base64()}},
                             {{"type", "whoami"}, {"id", "whoami"}}});
    CHECK(order == std::vector<std::string>{"login", "whoami"});
    const auto& refused = replies.at("login");
    REQUIRE(refused.at("type") == "error");
    CHECK(text(refused, "code") == "bad_signature");
    CHECK(text(replies.at("whoami"), "code") == "not_authenticated");
    const auto fresh = crypto::from_base64(text(refused, "challenge"));
    REQUIRE(fresh);
    CHECK(*fresh != *challenge);
    const auto again =
        conn->request("login", {{"user", "ann"},
                                {"device", ann.device},
                                {"signature", crypto::sign_login(ann.keys, *fresh).to_base64()}});
    INFO((again ? "" : again.error().message));
    CHECK(again.ok());
}

}  // namespace liaise::test
