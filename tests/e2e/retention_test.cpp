// Retention schedules and legal holds end to end (PROTOCOL.md, "Retention and legal hold"): the
// real server, real clients and the `liaise` command. Years are not waited for: with the server
// stopped, the test moves the stored times of messages and meetings back (as if they had been
// sent and changed that long ago), then starts it again on the same data.
#include <SQLiteCpp/SQLiteCpp.h>

#include <sys/wait.h>

#include "data_scan.hpp"
#include "server_fixture.hpp"

namespace liaise::test {
namespace {

namespace json = boost::json;

constexpr const char* kCare = "Northshire Children's Services";  // social-care, from init
constexpr const char* kSchool = "Riverside Primary";
constexpr std::int64_t kYearMs = 365LL * 24 * 60 * 60 * 1000;

/// ann (admin, Care), bea (member, school) and cai (chair, Care).
struct People {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool agency = add_agency();
    Person bea{server, "bea", code_for(*ann, "bea", kSchool)};
    Person cai{server, "cai", code_for(*ann, "cai", kCare, "chair")};

    bool add_agency() {
        ok(*ann, "agency_add", {{"name", kSchool}, {"discipline", "education"}});
        return true;
    }
};

/// bea's message in `room`; returns the start of its ciphertext as the server stores it.
std::string send_from_bea(People& t, const std::string& room, const std::string& text) {
    const auto seq = t.bea->send(room, text);
    REQUIRE(seq.ok());
    const auto page =
        ok(*t.ann, "sync", {{"room", room}, {"after", seq.value() - 1}, {"limit", 1}});
    const auto ciphertext =
        std::string(page.at("messages").at(0).at("envelope").at("ciphertext").as_string());
    REQUIRE(ciphertext.size() > 40);
    return ciphertext.substr(0, 40);
}

/// The rows `room` serves: each {"seq", "envelope" or "event"}.
json::array rows_of(Person& p, const std::string& room) {
    return ok(*p, "sync", {{"room", room}}).at("messages").as_array();
}

/// Whether `room`'s message rows still carry an envelope.
bool holds_messages(Person& p, const std::string& room) {
    for (const auto& r : rows_of(p, room))
        if (r.as_object().contains("envelope"))
            return true;
    return false;
}

/// The audit records of `kind`.
std::vector<json::object> audited(Person& admin, std::string_view kind) {
    std::vector<json::object> out;
    const auto reply = ok(*admin, "audit", {{"limit", 10000}});  // kept: the loop reads part of it
    for (const auto& r : reply.at("records").as_array())
        if (r.at("kind").as_string() == kind)
            out.push_back(r.as_object());
    return out;
}

/// `liaise ARGS` as ann, with her home; {exit status, output}.
std::pair<int, std::string> liaise_as_ann(const Server& server, const std::string& args) {
    const auto ran =
        run_any("LIAISE_HOME='" + (server.dir() / "home-ann").string() + "' LIAISE_PASSPHRASE='" +
                kPassphrase + "' '" + LIAISE_BINARY + "' " + args + " </dev/null 2>&1");
    return {WIFEXITED(ran.status) ? WEXITSTATUS(ran.status) : -1, ran.out};
}

}  // namespace

TEST_CASE("retention: schedules, the sweep and legal holds, refused input changes nothing",
          "[e2e][retention]") {
    People t;
    ok(*t.ann, "room_create", {{"room", "old-chat"}, {"members", {"bea"}}});
    ok(*t.ann, "room_create", {{"room", "held-chat"}, {"members", {"bea", "cai"}}});
    ok(*t.ann, "room_create", {{"room", "new-chat"}, {"members", {"bea"}}});
    const auto old_cipher = send_from_bea(t, "old-chat", "Old news about the family.");
    const auto held_cipher = send_from_bea(t, "held-chat", "Evidence for the inquiry.");
    const auto new_cipher = send_from_bea(t, "new-chat", "Today's update.");
    const auto meeting = ok(*t.cai, "meeting_create",
                            {{"room", "held-chat"},
                             {"title", "Core group for J"},
                             {"kind", "core-group"},
                             {"starts_at", "2026-11-20 10:00"},
                             {"place", kSchool}})
                             .at("meeting")
                             .as_int64();

    // Refused, each with a stable code and plain words, and nothing changes.
    const auto records_before = ok(*t.ann, "audit", {{"limit", 10000}}).at("records").as_array();
    const json::object good{
        {"agency", kCare}, {"record", "chat"}, {"days", 365}, {"reason", "board decision"}};
    const auto refused = [&](Person& who, std::string_view type, json::object fields,
                             std::string_view code, std::string_view words) {
        auto r = who->call(type, std::move(fields));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == code);
        CHECK_THAT(r.error().message, Catch::Contains(std::string(words)));
    };
    auto with = [&](std::string_view key, json::value v) {
        auto f = good;
        f[key] = std::move(v);
        return f;
    };
    refused(t.ann, "retention_set", with("agency", "Nowhere Council"), "not_found",
            "no agency named 'Nowhere Council'");
    refused(t.ann, "retention_set", with("days", -5), "bad_request", "days");
    refused(t.ann, "retention_set", with("days", 0), "bad_request", "days");
    refused(t.ann, "retention_set", with("days", 1'000'000), "bad_request", "days");
    refused(t.ann, "retention_set", with("record", "gossip"), "bad_request",
            "not chat or a kind of meeting");
    refused(t.ann, "retention_set", with("reason", "   "), "bad_request", "say why");
    auto no_reason = good;
    no_reason.erase("reason");
    refused(t.ann, "retention_set", no_reason, "bad_request", "reason");
    refused(t.ann, "hold_place", {{"room", "nowhere"}, {"reason", "inquiry"}}, "not_found",
            "no room named 'nowhere'");
    refused(t.ann, "hold_place", {{"room", "held-chat"}, {"meeting", meeting}, {"reason", "x"}},
            "bad_request", "one of them");
    refused(t.ann, "hold_place", {{"meeting", 99999}, {"reason", "inquiry"}}, "not_found",
            "no meeting 99999");
    refused(t.ann, "hold_lift", {{"room", "held-chat"}, {"reason", "over"}}, "not_found",
            "no legal hold");
    // Only admins: a member and a chair are refused before anything is looked at.
    refused(t.bea, "retention_set", good, "forbidden", "");
    refused(t.cai, "hold_place", {{"room", "held-chat"}, {"reason", "inquiry"}}, "forbidden", "");
    refused(t.cai, "retention_sweep", {}, "forbidden", "");
    {
        const auto shown = ok(*t.ann, "retention_show");
        CHECK(shown.at("schedules").as_array().empty());
        CHECK(shown.at("holds").as_array().empty());
        CHECK(ok(*t.ann, "audit", {{"limit", 10000}}).at("records").as_array().size() ==
              records_before.size() + 0);
    }

    // Care keeps chat 10 years; a hold on held-chat and on its meeting.
    const auto set = ok(*t.ann, "retention_set",
                        {{"agency", kCare}, {"record", "chat"}, {"days", 3652}, {"reason", "x"}});
    CHECK(set.at("previous_days").as_int64() == 730);  // the default: 2 years
    ok(*t.ann, "hold_place", {{"room", "held-chat"}, {"reason", "IICSA instruction"}});
    ok(*t.ann, "hold_place", {{"meeting", meeting}, {"reason", "complaint"}});
    CHECK(error_code(*t.ann, "hold_place", {{"room", "held-chat"}, {"reason", "again"}}) ==
          "conflict");

    // Three years pass for the old and held rooms, forty for the meeting.
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        CHECK(db.exec("UPDATE messages SET sent_at = sent_at - " + std::to_string(3 * kYearMs) +
                      " WHERE room_id IN (SELECT id FROM rooms WHERE name IN ('old-chat', "
                      "'held-chat'))") >= 4);
        CHECK(db.exec("UPDATE meetings SET updated_at = updated_at - " +
                      std::to_string(40 * kYearMs)) == 1);
    }
    t.server.start();
    t.ann.login();
    t.bea.login();
    t.cai.login();

    // The longest period of the agencies involved governs: Care's 10 years keeps old-chat
    // (bea's school has the default, 2 years). Held records are reported, not deleted.
    auto preview = ok(*t.ann, "retention_sweep", {{"preview", true}});
    CHECK(preview.at("deleted").as_array().empty());
    REQUIRE(preview.at("held").as_array().size() == 1);  // the meeting; its room is within 10y
    CHECK(preview.at("held").at(0).at("meeting").as_int64() == meeting);
    CHECK(preview.at("held").at(0).at("hold").as_string() == "meeting");

    // Care shortens to 1 year: now the school's default (2 years) is the longest, and 3 years
    // have passed. The preview deletes nothing.
    ok(*t.ann, "retention_set",
       {{"agency", kCare}, {"record", "chat"}, {"days", 365}, {"reason", "records policy v4"}});
    preview = ok(*t.ann, "retention_sweep", {{"preview", true}});
    REQUIRE(preview.at("deleted").as_array().size() == 1);
    const auto& would = preview.at("deleted").at(0).as_object();
    CHECK(would.at("room").as_string() == "old-chat");
    CHECK(would.at("count").as_int64() == 1);
    CHECK(would.at("days").as_int64() == 730);
    CHECK(would.at("schedule").as_string() == "default");
    CHECK(preview.at("held").as_array().size() == 2);  // held-chat's messages, the meeting
    CHECK(holds_messages(t.ann, "old-chat"));

    // The sweep, from the command.
    const auto [status, out] = liaise_as_ann(t.server, "admin retention run");
    INFO(out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("Deleted 1 message(s) of room 'old-chat'"));
    CHECK_THAT(out, Catch::Contains("Kept (legal hold on the room)"));
    CHECK_THAT(out, Catch::Contains("Kept (legal hold on the meeting)"));
    // old-chat keeps its seqs, as tombstones; the others keep their messages.
    for (const auto& r : rows_of(t.ann, "old-chat"))
        CHECK_FALSE(r.as_object().contains("envelope"));
    const auto rows = rows_of(t.ann, "old-chat");
    CHECK(rows.back().at("event").at("kind").as_string() == "expired");
    CHECK(holds_messages(t.ann, "held-chat"));
    CHECK(holds_messages(t.ann, "new-chat"));
    CHECK(ok(*t.cai, "meeting_show", {{"meeting", meeting}}).at("meeting").as_int64() == meeting);
    // bea's device reads the room without error: the place of the message is said in words.
    const auto read = t.bea->read("old-chat", 0);
    REQUIRE(read.ok());
    // Audited: what kind, which room, how many, under which schedule; never any content.
    auto deleted = audited(t.ann, "retention_deleted");
    REQUIRE(deleted.size() == 1);
    const auto& details = deleted.front().at("details").as_object();
    CHECK(details.at("room").as_string() == "old-chat");
    CHECK(details.at("count").as_int64() == 1);
    CHECK(details.at("schedule").as_string() == "default");
    CHECK(json::serialize(details).find(old_cipher) == std::string::npos);
    CHECK(audited(t.ann, "retention_set").size() == 2);
    CHECK(audited(t.ann, "hold_placed").size() == 2);

    // Holds lifted (with reasons): the next sweep deletes what they kept.
    refused(t.ann, "hold_lift", {{"room", "held-chat"}}, "bad_request", "reason");
    ok(*t.ann, "hold_lift", {{"room", "held-chat"}, {"reason", "inquiry closed"}});
    ok(*t.ann, "hold_lift", {{"meeting", meeting}, {"reason", "complaint answered"}});
    const auto swept = ok(*t.ann, "retention_sweep");
    CHECK(swept.at("deleted").as_array().size() == 2);
    CHECK(swept.at("held").as_array().empty());
    CHECK_FALSE(holds_messages(t.ann, "held-chat"));
    CHECK(error_code(*t.cai, "meeting_show", {{"meeting", meeting}}) == "not_found");
    CHECK(holds_messages(t.ann, "new-chat"));
    CHECK(audited(t.ann, "hold_lifted").size() == 2);
    CHECK(audited(t.ann, "retention_deleted").size() == 3);

    // The server's files no longer hold the deleted ciphertexts (checked once it has stopped
    // and its WAL is checkpointed); the kept one is found, so the scan can fail.
    t.server.stop();
    CHECK(any_file_holds(t.server.data(), new_cipher));
    CHECK_FALSE(any_file_holds(t.server.data(), old_cipher));
    CHECK_FALSE(any_file_holds(t.server.data(), held_cipher));
}

TEST_CASE(
    "retention: a large room expires in several write units, each audited, with sends between "
    "them",
    "[e2e][retention]") {
    People t;
    ok(*t.ann, "room_create", {{"room", "big-chat"}, {"members", {"bea"}}});
    std::vector<std::string> ciphers;
    for (int i = 0; i < 5; ++i)
        ciphers.push_back(send_from_bea(
            t, "big-chat", "Update " + std::to_string(i) + " on the plan agreed at the meeting"));
    // Three years pass; each unit of the sweep deletes at most 2 envelopes.
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        CHECK(db.exec("UPDATE messages SET sent_at = sent_at - " + std::to_string(3 * kYearMs) +
                      " WHERE room_id IN (SELECT id FROM rooms WHERE name = 'big-chat')") >= 5);
    }
    t.server.set_config("retention_sweep_batch = 2\n");
    t.server.start();
    t.ann.login();
    t.bea.login();
    const auto preview = ok(*t.ann, "retention_sweep", {{"preview", true}});
    REQUIRE(preview.at("deleted").as_array().size() == 1);
    CHECK(preview.at("deleted").at(0).at("count").as_int64() == 5);

    // The first unit answers the request: 2 deleted, more to come, in units of their own.
    const auto swept = ok(*t.ann, "retention_sweep");
    REQUIRE(swept.at("deleted").as_array().size() == 1);
    CHECK(swept.at("deleted").at(0).at("count").as_int64() == 2);
    CHECK(swept.at("deleted").at(0).at("more").as_bool());
    CHECK(swept.at("more").as_bool());
    // The rest follow without anyone asking.
    for (int i = 0; i < 100 && holds_messages(t.ann, "big-chat"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(holds_messages(t.ann, "big-chat"));
    // One audit record per unit: 2, 2 and 1 envelopes, all but the last marked "more".
    const auto deleted = audited(t.ann, "retention_deleted");
    REQUIRE(deleted.size() == 3);
    std::int64_t total = 0;
    for (std::size_t i = 0; i < deleted.size(); ++i) {
        const auto& d = deleted[i].at("details").as_object();
        CHECK(d.at("room").as_string() == "big-chat");
        total += d.at("count").as_int64();
        CHECK(d.contains("more") == (i + 1 < deleted.size()));
    }
    CHECK(total == 5);
    // Nothing is left, and the sweep released its claim: the next one runs (and finds nothing).
    const auto again = ok(*t.ann, "retention_sweep");
    CHECK(again.at("deleted").as_array().empty());
    CHECK_FALSE(again.at("more").as_bool());
    // bea's sends went on between the units; the room keeps every seq.
    REQUIRE(t.bea->send("big-chat", "Still here").ok());
    CHECK(holds_messages(t.ann, "big-chat"));
    t.server.stop();
    for (const auto& c : ciphers)
        CHECK_FALSE(any_file_holds(t.server.data(), c));
}

TEST_CASE("retention: the sweep deletes claims that ran out over a day ago, and only those",
          "[e2e][retention]") {
    People t;
    // Claims a node that died left behind (run out two days and an hour ago), and one running.
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto hour = 60LL * 60 * 1000;
    t.server.stop();
    {
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        SQLite::Statement add(db,
                              "INSERT INTO claims(key, claimed_by, claimed_until) VALUES(?, ?, ?)");
        for (const auto& [key, until] : {std::pair{"mail:action_assigned:1:2", now - 48 * hour},
                                         std::pair{"mail:action_overdue:1:2", now - hour},
                                         std::pair{"mail:digest:2026-12-07:2", now + hour}}) {
            add.bind(1, key);
            add.bind(2, "dead-node");
            add.bind(3, static_cast<std::int64_t>(until));
            REQUIRE(add.exec() == 1);
            add.reset();
        }
    }
    t.server.start();
    t.ann.login();
    const auto swept = ok(*t.ann, "retention_sweep");
    CHECK_FALSE(swept.at("more").as_bool());
    t.server.stop();
    SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement left(db, "SELECT key FROM claims ORDER BY key");
    std::vector<std::string> keys;
    while (left.executeStep())
        keys.push_back(left.getColumn(0).getString());
    CHECK(keys == std::vector<std::string>{"mail:action_overdue:1:2", "mail:digest:2026-12-07:2"});
}

}  // namespace liaise::test
