// Continuity end to end (PROTOCOL.md, "Continuity"; issue 26) against the real server: a
// replaced device restores from the recovery key and reads every earlier message; a wrong
// recovery key changes nothing; keys move from an old device to its replacement with a code; a
// newcomer reads the history shared with them, only from the shared date and only after the
// room's event says so; the server's files hold no message key in the clear; and what a server
// that forges shares or swaps backup entries gets: nothing that opens.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "data_scan.hpp"
#include "frame_log.hpp"
#include "liaise/protocol/continuity.hpp"
#include "server_fixture.hpp"

namespace liaise::test {
namespace {

namespace json = boost::json;

constexpr const char* kCare = "Northshire Children's Services";

/// ann (admin) and bea (member) in room case-1.
struct Team {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    Person bea{server, "bea", code_for(*ann, "bea", kCare)};
    bool room = [this] {
        ok(*ann, "room_create", {{"room", "case-1"}, {"members", {"bea"}}});
        return true;
    }();

    /// A new device for `who`, enrolled with an admin's replacement code, logged in.
    std::unique_ptr<client::Client> replace(const std::string& who, client::Home& home) {
        const auto code = ok(*ann, "device_replace", {{"user", who}}).at("code").as_string();
        const auto enrolled = client::Client::enrol(home, server.url(), std::string(code),
                                                    kPassphrase, who + "-new-laptop");
        INFO((enrolled ? "" : enrolled.error().message));
        REQUIRE(enrolled.ok());
        auto c = client::Client::login(home, kPassphrase);
        REQUIRE(c.ok());
        return std::move(c).value();
    }
};

/// The texts `c` reads in `room` (messages only, in order; "?" for one it cannot read).
std::vector<std::string> texts(client::Client& c, const std::string& room) {
    auto h = c.history(room, 0);
    INFO((h ? "" : h.error().message));
    REQUIRE(h.ok());
    std::vector<std::string> out;
    for (const auto& m : h.value().messages)
        if (!m.event)
            out.push_back(m.text ? *m.text : "?");
    return out;
}

/// Every message key `c`'s device holds in `room`, from the envelopes the server gives it.
std::vector<crypto::MessageKey> message_keys(client::Client& c, const std::string& room) {
    const auto page = ok(c, "sync", {{"room", room}});
    std::vector<crypto::MessageKey> out;
    for (const auto& m : page.at("messages").as_array()) {
        const auto& o = m.as_object();
        if (!o.contains("envelope"))
            continue;
        const auto env = crypto::envelope_from_json(o.at("envelope"));
        const auto id = client::device_identity(o.at("sender_keys").as_object());
        REQUIRE(env.ok());
        REQUIRE(id);
        auto key = crypto::message_key(env.value(), c.keys(), c.profile().device, *id);
        if (key)
            out.push_back(key.value());
    }
    return out;
}

}  // namespace

TEST_CASE("a replaced device restores from the recovery key and reads every earlier message",
          "[e2e][continuity]") {
    Team t;
    REQUIRE(t.bea->send("case-1", "First visit booked for Monday").ok());
    REQUIRE(t.ann->send("case-1", "School says attendance is down").ok());
    auto key = t.bea->create_recovery_key();
    REQUIRE(key.ok());
    const auto text = key.value().text();
    CHECK(text.size() == 48 + 11);
    // A message after the key exists is backed up when bea's device reads it.
    REQUIRE(t.ann->send("case-1", "Meeting moved to 3pm").ok());
    CHECK(texts(*t.bea, "case-1").size() == 3);
    const auto status = t.bea->backup_status();
    REQUIRE(status.ok());
    CHECK(status.value().version == 1);
    CHECK(status.value().on_this_device);
    CHECK(status.value().trusted);

    // The server's files hold ciphertext only: no message key, raw or in base64.
    const auto keys = message_keys(*t.bea, "case-1");
    REQUIRE(keys.size() == 3);
    for (const auto& k : keys) {
        CHECK_FALSE(any_file_holds(t.server.data(), std::string(k.bytes.begin(), k.bytes.end())));
        CHECK_FALSE(any_file_holds(t.server.data(), crypto::to_base64(k.bytes)));
    }
    CHECK_FALSE(any_file_holds(t.server.data(), text));

    // bea's laptop is lost: her new device reads none of it...
    client::Home home(t.server.dir() / "home-bea-new");
    auto bea = t.replace("bea", home);
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"?", "?", "?"});

    // ...a wrong recovery key is refused, and changes nothing...
    const auto wrong = bea->restore(crypto::RecoveryKey::generate());
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_recovery_key");
    CHECK(ok(*bea, "backup_key").at("version").as_int64() == 1);
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"?", "?", "?"});
    auto typo = text;
    typo[0] = typo[0] == 'A' ? 'B' : 'A';
    CHECK(crypto::RecoveryKey::parse(typo).error().code == "bad_recovery_key");

    // ...and the right one, typed loosely, restores every earlier message.
    std::string loose = text;
    std::transform(loose.begin(), loose.end(), loose.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto parsed = crypto::RecoveryKey::parse(loose);
    REQUIRE(parsed.ok());
    const auto restored = bea->restore(parsed.value());
    INFO((restored ? "" : restored.error().message));
    REQUIRE(restored.ok());
    CHECK(restored.value() == 3);
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"First visit booked for Monday",
                                                            "School says attendance is down",
                                                            "Meeting moved to 3pm"});
    // The new device vouches for the backup key now, and keeps backing up.
    const auto after = bea->backup_status();
    REQUIRE(after.ok());
    CHECK(after.value().version == 2);
    CHECK(after.value().device == bea->profile().device);
    CHECK(after.value().on_this_device);
    // Kept on the device: a new login reads them without the recovery key.
    CHECK(fs::exists(t.server.dir() / "home-bea-new" / "moved-keys.json"));
    auto again = client::Client::login(home, kPassphrase);
    REQUIRE(again.ok());
    CHECK(texts(*again.value(), "case-1")[0] == "First visit booked for Monday");

    // bea replaces her recovery key from the new device. The three earlier messages were never
    // wrapped for it: with the keys it restored no longer on it, only carrying the old backup
    // over puts them in the new one.
    fs::remove(t.server.dir() / "home-bea-new" / "moved-keys.json");
    again = client::Client::login(home, kPassphrase);
    REQUIRE(again.ok());
    auto rotated = again.value()->create_recovery_key();
    INFO((rotated ? "" : rotated.error().message));
    REQUIRE(rotated.ok());
    CHECK(ok(*again.value(), "backup_key").at("version").as_int64() == 3);
    client::Home third_home(t.server.dir() / "home-bea-third");
    auto third = t.replace("bea", third_home);
    // The old key opens nothing any more; the new one restores all three.
    CHECK(third->restore(parsed.value()).error().code == "bad_recovery_key");
    const auto from_new = third->restore(rotated.value());
    INFO((from_new ? "" : from_new.error().message));
    REQUIRE(from_new.ok());
    CHECK(from_new.value() == 3);
    CHECK(texts(*third, "case-1") == std::vector<std::string>{"First visit booked for Monday",
                                                              "School says attendance is down",
                                                              "Meeting moved to 3pm"});
    // What the old key sealed is gone from the server: an exposed old key opens nothing there.
    REQUIRE(t.server.stop() == 0);
    SQLite::Database db(t.server.data() / "liaise.db", SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM backup_entries WHERE version < 4").getInt() == 0);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM backup_entries WHERE version = 4").getInt() == 3);
}

TEST_CASE("keys move from the old device to its replacement with a code", "[e2e][continuity]") {
    Team t;
    REQUIRE(t.ann->send("case-1", "Referral received today").ok());
    REQUIRE(t.bea->send("case-1", "I will call the family").ok());
    const auto code = t.bea->offer_transfer();
    REQUIRE(code.ok());
    REQUIRE(crypto::normalise_transfer_code(code.value()));
    // The code never reaches the server.
    CHECK_FALSE(any_file_holds(t.server.data(), code.value()));
    CHECK_FALSE(any_file_holds(t.server.data(), *crypto::normalise_transfer_code(code.value())));

    client::Home home(t.server.dir() / "home-bea-new");
    auto bea = t.replace("bea", home);
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"?", "?"});
    // A mistyped code opens nothing and says to type it again; the transfer is still there.
    auto wrong_code = code.value();
    wrong_code[0] = wrong_code[0] == '7' ? '8' : '7';
    const auto wrong = bea->receive_transfer(wrong_code);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_transfer_code");
    CHECK_THAT(wrong.error().message, Catch::Contains("type it again"));
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"?", "?"});
    // The right code then reads every earlier message, and closes the transfer.
    const auto n = bea->receive_transfer(code.value());
    INFO((n ? "" : n.error().message));
    REQUIRE(n.ok());
    CHECK(n.value() == 2);
    CHECK(texts(*bea, "case-1") ==
          std::vector<std::string>{"Referral received today", "I will call the family"});
    CHECK_FALSE(ok(*bea, "transfer_take").at("waiting").as_bool());
}

TEST_CASE("a newcomer reads shared history only from the date and only after the event",
          "[e2e][continuity]") {
    Team t;
    REQUIRE(t.ann->send("case-1", "Old note before the date").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(t.ann->send("case-1", "Plan agreed with the family").ok());
    REQUIRE(t.bea->send("case-1", "Next review in March").ok());
    Person sam{t.server, "sam", code_for(*t.ann, "sam", kCare)};
    ok(*t.ann, "room_add", {{"room", "case-1"}, {"user", "sam"}});

    // Before anyone shares: sam reads nothing from before joining.
    auto none = sam->shared_history("case-1");
    REQUIRE(none.ok());
    CHECK(none.value().empty());
    CHECK(texts(*sam, "case-1").empty());

    // Sharing is never automatic and needs a member whose device holds the keys. With a small
    // frame, the share goes in parts (one per message here): one event announces them all.
    const auto seq = t.ann->share_history("case-1", "sam", since, 1000);
    INFO((seq ? "" : seq.error().message));
    REQUIRE(seq.ok());
    // Every member sees the event, naming who shared, with whom, and from when.
    const auto seen = t.bea->history("case-1", 0);
    REQUIRE(seen.ok());
    const auto& last = seen.value().messages.back();
    REQUIRE(last.event);
    CHECK(last.seq == seq.value());
    CHECK(last.event->at("kind").as_string() == "history_shared");
    CHECK(last.event->at("user").as_string() == "sam");
    CHECK(last.event->at("by").as_string() == "ann");
    CHECK(last.event->at("since").as_int64() == since);
    std::int64_t last_message = 0, events = 0;
    for (const auto& m : seen.value().messages) {
        if (!m.event)
            last_message = m.seq;
        else if (m.event->at("kind").as_string() == "history_shared")
            ++events;
    }
    CHECK(events == 1);
    CHECK(last.event->at("last_seq").as_int64() == last_message);
    // And the audit log records it.
    bool audited = false;
    const auto audit = ok(*t.ann, "audit");
    for (const auto& r : audit.at("records").as_array())
        audited = audited || r.as_object().at("kind").as_string() == "history_shared";
    CHECK(audited);

    const auto shared = sam->shared_history("case-1");
    REQUIRE(shared.ok());
    std::vector<std::string> got;
    for (const auto& m : shared.value())
        got.push_back(m.text ? *m.text : "?");
    CHECK(got == std::vector<std::string>{"Plan agreed with the family", "Next review in March"});

    // Only to a current member; only by a member.
    CHECK(t.ann->share_history("case-1", "nobody", since).error().code == "not_found");
    // A part that claims to continue a share its device never announced is refused: no share
    // reaches a newcomer without an event every member sees.
    crypto::HistoryShare part{"case-1",
                              "bea",
                              t.bea->profile().device,
                              "sam",
                              sam->profile().device,
                              since,
                              last_message,
                              last_message,
                              {},
                              {}};
    part.entries.push_back({last_message, {}, crypto::random_bytes(150)});
    crypto::sign_share(part, t.bea->keys());
    CHECK(
        error_code(*t.bea, "history_share",
                   {{"room", "case-1"},
                    {"user", "sam"},
                    {"shares", {{sam->profile().device, json::parse(crypto::share_to_json(part))}}},
                    {"continues", true}}) == "bad_share");
}

TEST_CASE("a server that swaps backup entries or forges a share gets nothing opened",
          "[e2e][continuity][mitm]") {
    Team t;
    REQUIRE(t.bea->send("case-1", "Visit on Monday").ok());
    REQUIRE(t.bea->send("case-1", "Visit on Friday").ok());
    auto key = t.bea->create_recovery_key();
    REQUIRE(key.ok());

    // The server swaps the two entries' sealed keys (same account, same room), in its stopped
    // database as an operator could.
    REQUIRE(t.server.stop() == 0);
    {
        SQLite::Database db(t.server.data() / "liaise.db", SQLite::OPEN_READWRITE);
        const auto rows = db.execAndGet("SELECT COUNT(*) FROM backup_entries").getInt();
        REQUIRE(rows == 2);
        db.exec("UPDATE backup_entries SET seq = -seq");
        db.exec("UPDATE backup_entries SET seq = CASE -seq WHEN 2 THEN 3 ELSE 2 END");
    }
    t.server.start();
    t.ann.login();
    client::Home home(t.server.dir() / "home-bea-new");
    auto bea = t.replace("bea", home);
    const auto restored = bea->restore(key.value());
    REQUIRE(restored.ok());
    CHECK(restored.value() == 0);  // each entry names its own seq: both refused
    const auto notes = bea->take_continuity_notes();
    REQUIRE_FALSE(notes.empty());
    CHECK_THAT(notes[0], Catch::Contains("did not open or belonged to another message"));
    CHECK(texts(*bea, "case-1") == std::vector<std::string>{"?", "?"});

    // A share the server makes up (its own key, not a member's device) is refused on store...
    Person sam{t.server, "sam", code_for(*t.ann, "sam", kCare)};
    ok(*t.ann, "room_add", {{"room", "case-1"}, {"user", "sam"}});
    const auto forger = crypto::DeviceKeys::generate();
    crypto::HistoryShare s{
        "case-1", "ann", t.ann->profile().device, "sam", sam->profile().device, 0, 2, 3, {}, {}};
    crypto::sign_share(s, forger);
    json::object shares{{sam->profile().device, json::parse(crypto::share_to_json(s))}};
    CHECK(error_code(*t.ann, "history_share",
                     {{"room", "case-1"}, {"user", "sam"}, {"shares", shares}}) == "bad_share");
    // ...and one planted in the database directly is left out by the newcomer's device.
    REQUIRE(t.server.stop() == 0);
    {
        SQLite::Database db(t.server.data() / "liaise.db", SQLite::OPEN_READWRITE);
        SQLite::Statement q(db,
                            "INSERT INTO history_shares(room_id, to_device, from_device, since, "
                            "first_seq, last_seq, share, created_at) VALUES((SELECT id FROM rooms "
                            "WHERE name = 'case-1'), ?, ?, 0, 2, 3, ?, 0)");
        q.bind(1, static_cast<std::int64_t>(std::stoll(sam->profile().device)));
        q.bind(2, static_cast<std::int64_t>(std::stoll(t.ann->profile().device)));
        q.bind(3, crypto::share_to_json(s));
        q.exec();
    }
    t.server.start();
    sam.login();
    const auto shared = sam->shared_history("case-1");
    REQUIRE(shared.ok());
    CHECK(shared.value().empty());
    const auto sam_notes = sam->take_continuity_notes();
    REQUIRE_FALSE(sam_notes.empty());
    CHECK_THAT(sam_notes[0], Catch::Contains("does not verify"));
}

TEST_CASE("liaise recovery create, status and restore", "[e2e][continuity][cli]") {
    Server server;
    Cli cli{server};
    cli.two_in_a_room();
    cli.ok("bea", "send --accept-new-readers case-2041 --anyway \"Home visit done\"");
    CHECK_THAT(cli.ok("bea", "recovery status"), Catch::Contains("No recovery key yet"));
    const auto created = json::parse(cli.ok("bea", "recovery create --json")).as_object();
    const std::string key(created.at("recovery_key").as_string());
    CHECK_THAT(cli.ok("bea", "recovery status"), Catch::Contains("Key backup: on"));

    const auto code = json::parse(cli.ok("ann", "admin account replace-device bea --json"))
                          .at("code")
                          .as_string();
    cli.ok("bea-new", "enrol --server " + server.url() + " --code " + std::string(code));
    CHECK_THAT(cli.ok("bea-new", "read case-2041 --plain"), !Catch::Contains("Home visit done"));
    const auto [status, out] = cli("bea-new", "recovery restore --key \"AAAA BBBB\"");
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("bad_recovery_key"));
    // Asked at the prompt when --key is not given.
    CHECK_THAT(cli.ok("bea-new", "recovery restore", key + "\n"), Catch::Contains("Restored: 1"));
    CHECK_THAT(cli.ok("bea-new", "read case-2041 --plain"), Catch::Contains("Home visit done"));
}

TEST_CASE("continuity replies have the shapes the protocol declares",
          "[e2e][continuity][schemas]") {
    // LIAISE_FRAME_LOG=FILE also writes them for protocol/testdata/make_frames.py.
    FrameLog log;
    Team t;
    log.watch(t.ann->connection());
    log.watch(t.bea->connection());
    REQUIRE(t.bea->send("case-1", "Visit on Monday").ok());
    REQUIRE(t.bea->create_recovery_key().ok());
    REQUIRE(t.bea->backup_status().ok());
    ok(*t.bea, "backup_get", {{"room", "case-1"}});
    REQUIRE(t.bea->offer_transfer().ok());
    ok(*t.bea, "transfer_take");  // the device that put it cannot take it: waiting false
    ok(*t.bea, "transfer_done");  // the old device withdraws its offer
    ok(*t.bea, "backup_prune", {{"version", 1}});
    CHECK(error_code(*t.bea, "backup_prune", {{"version", 2}}) == "conflict");
    Person sam{t.server, "sam", code_for(*t.ann, "sam", kCare)};
    log.watch(sam->connection());
    ok(*t.ann, "room_add", {{"room", "case-1"}, {"user", "sam"}});
    REQUIRE(t.ann->share_history("case-1", "sam", 0).ok());
    REQUIRE(sam->shared_history("case-1").ok());
    const auto seen = log.check_all();
    for (const auto* type :
         {"backup_key", "backup_key_set", "backup_put", "backup_get", "backup_prune",
          "transfer_put", "transfer_take", "transfer_done", "history_share", "history_shared"}) {
        INFO(type);
        CHECK(seen.contains(std::string("reply:") + type));
    }
}

}  // namespace liaise::test
