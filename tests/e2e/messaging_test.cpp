// End-to-end: the real liaise-server binary and real clients.
#include <SQLiteCpp/SQLiteCpp.h>

#include "data_scan.hpp"
#include "liaise/protocol/messages.hpp"
#include "liaise/protocol/withdrawal.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;
namespace json = boost::json;

namespace {

/// An admin (ann, social care) plus bea (education) and cai (police), each at their own agency.
struct ThreeAgencies {
    Server server;
    Person ann{server, "ann", server.admin_code()};
    bool agencies_added = add_agencies();  // members are built in order: before bea and cai
    Person bea{server, "bea", code_for(*ann, "bea", "Riverside Primary")};
    Person cai{server, "cai", code_for(*ann, "cai", "Northshire Police", "chair")};

    bool add_agencies() {
        ok(*ann, "agency_add", {{"name", "Riverside Primary"}, {"discipline", "education"}});
        ok(*ann, "agency_add", {{"name", "Northshire Police"}, {"discipline", "police-justice"}});
        return true;
    }
};

std::vector<std::string> texts(const std::vector<client::ReadMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages)
        out.push_back(m.text ? *m.text : "<" + m.error.code + ">");
    return out;
}

/// The messages of `room` after `after`, without the membership events between them.
std::vector<client::ReadMessage> read_all(Person& p, const std::string& room,
                                          std::int64_t after = 0) {
    auto r = p->read(room, after);
    INFO((r ? "" : r.error().message));
    REQUIRE(r.ok());
    auto out = std::move(r).value();
    std::erase_if(out, [](const client::ReadMessage& m) { return m.event.has_value(); });
    return out;
}

/// The first message of a sync page that is a message, not a membership event.
json::object first_message(const json::object& page) {
    for (const auto& m : page.at("messages").as_array())
        if (!m.as_object().contains("event"))
            return m.as_object();
    FAIL("no message in the page");
    return {};
}

/// Whether event `e` is a `message` event carrying a message (not a membership event).
bool is_chat_message(const json::object& e) {
    return e.at("type").as_string() == "message" && !e.contains("event");
}

std::int64_t send(Person& p, const std::string& room, const std::string& text) {
    auto seq = p->send(room, text);
    INFO((seq ? "" : seq.error().code + ": " + seq.error().message));
    REQUIRE(seq.ok());
    return seq.value();
}

}  // namespace

TEST_CASE("three people from three agencies exchange messages", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "case-1"}, {"members", {"bea", "cai"}}});
    // #1 is the room's creation (a membership event).
    CHECK(send(t.ann, "case-1", "Hello both: the meeting is on Tuesday at 10.") == 2);
    CHECK(send(t.bea, "case-1", "Thanks, I will bring the attendance figures.") == 3);
    CHECK(send(t.cai, "case-1", "I can come for the first half hour. \u00c7a marche \U0001F44D") ==
          4);
    const std::vector<std::string> expected = {
        "Hello both: the meeting is on Tuesday at 10.",
        "Thanks, I will bring the attendance figures.",
        "I can come for the first half hour. \u00c7a marche \U0001F44D"};
    for (Person* p : {&t.ann, &t.bea, &t.cai}) {
        const auto messages = read_all(*p, "case-1");
        CHECK(texts(messages) == expected);
        REQUIRE(messages.size() == 3);
        CHECK(messages[0].sender == "ann");
        CHECK(messages[1].sender == "bea");
        CHECK(messages[2].sender == "cai");
    }
    // Members see each other's agency and discipline.
    const auto shown = ok(*t.bea, "room_show", {{"room", "case-1"}});
    std::vector<std::string> disciplines;
    for (const auto& m : shown.at("members").as_array())
        disciplines.emplace_back(m.at("discipline").as_string());
    CHECK(disciplines == std::vector<std::string>{"social-care", "education", "police-justice"});
    const auto rooms = ok(*t.cai, "rooms");
    REQUIRE(rooms.at("rooms").as_array().size() == 1);
    CHECK(rooms.at("rooms").as_array()[0].at("last_seq").as_int64() == 4);
}

TEST_CASE("online members receive messages live", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "live"}, {"members", {"bea"}}});
    (void)t.bea->next_event(std::chrono::milliseconds(100));  // the "room created" notice
    send(t.ann, "live", "Are you there?");
    std::optional<client::ReadMessage> got;
    for (int i = 0; i < 10 && !got; ++i) {
        auto e = t.bea->next_event(std::chrono::seconds(2));
        REQUIRE(e.ok());
        if (e.value() && is_chat_message(*e.value()))
            got = t.bea.client->open_message(*e.value());
    }
    REQUIRE(got);
    CHECK(got->text == std::optional<std::string>("Are you there?"));
    CHECK(got->seq == 2);
}

TEST_CASE("the database and its WAL never hold message plaintext", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "secret"}, {"members", {"bea", "cai"}}});
    const std::vector<std::string> secrets = {"Jayden disclosed bruising to his arm on Monday",
                                              "Mum's new address is 14 Larch Close",
                                              "CIN plan agreed by all"};
    for (const auto& s : secrets)
        send(t.ann, "secret", s);
    const auto check_files = [&] {
        for (const auto& entry : fs::directory_iterator(t.server.data())) {
            const auto bytes = slurp(entry.path());
            for (const auto& s : secrets) {
                INFO(entry.path() << " contains " << s);
                CHECK(bytes.find(s) == std::string::npos);
                CHECK(bytes.find(s.substr(0, 12)) == std::string::npos);
            }
        }
    };
    REQUIRE(fs::exists(t.server.data() / "liaise.db-wal"));
    check_files();  // while serving: the WAL holds the recent commits
    REQUIRE(t.server.stop() == 0);
    check_files();  // after a clean shutdown and checkpoint
    for (const auto& s : secrets)
        CHECK(t.server.log().find(s) == std::string::npos);
}

TEST_CASE("a non-member cannot read, sync or send", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "private"}, {"members", {"bea"}}});
    send(t.ann, "private", "for bea only");
    // A room one is not in answers as one that does not exist.
    CHECK(error_code(*t.cai, "sync", {{"room", "private"}}) == "not_found");
    CHECK(error_code(*t.cai, "room_show", {{"room", "private"}}) == "not_found");
    auto sent = t.cai->send("private", "let me in");
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "not_found");
    // Sending with a hand-made envelope is refused by the server too, not just by our client.
    const auto env =
        crypto::seal(t.cai.client->keys(), t.cai.client->profile().device, "private", "x1", "hi",
                     {{t.cai.client->profile().device, t.cai.client->keys().identity().box_key}},
                     test_history(t.cai.client->profile().user));
    auto raw = t.cai.client->connection().request(
        "send", {{"room", "private"}, {"envelope", crypto::to_json(env)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "not_found");
    CHECK(error_code(*t.cai, "sync", {{"room", "no-such-room"}}) == "not_found");
    // A removed member loses access at once.
    ok(*t.ann, "room_remove", {{"room", "private"}, {"user", "bea"}});
    CHECK(error_code(*t.bea, "sync", {{"room", "private"}}) == "not_found");
}

TEST_CASE("only chairs and admins manage rooms, only admins manage agencies and codes", "[e2e]") {
    ThreeAgencies t;
    CHECK(error_code(*t.bea, "room_create", {{"room", "mine"}}) == "forbidden");
    CHECK(error_code(*t.bea, "agency_add", {{"name", "X"}, {"discipline", "health"}}) ==
          "forbidden");
    CHECK(error_code(*t.cai, "enrol_code",
                     {{"user", "dan"}, {"agency", "Riverside Primary"}, {"role", "member"}}) ==
          "forbidden");
    ok(*t.cai, "room_create", {{"room", "police-room"}, {"members", {"bea"}}});  // cai is a chair
    CHECK(error_code(*t.bea, "room_add", {{"room", "police-room"}, {"user", "ann"}}) ==
          "forbidden");
    ok(*t.ann, "room_create", {{"room", "ann-room"}});
    // A chair outside the room is told it does not exist, as anyone outside it is.
    CHECK(error_code(*t.cai, "room_add", {{"room", "ann-room"}, {"user", "bea"}}) == "not_found");
    CHECK(error_code(*t.ann, "room_create", {{"room", "ann-room"}}) == "conflict");
    CHECK(error_code(*t.ann, "room_create", {{"room", "Bad Name"}}) == "bad_request");
    CHECK(error_code(*t.ann, "room_create", {{"room", "x"}, {"members", {"nobody"}}}) ==
          "not_found");
    CHECK(error_code(*t.ann, "agency_add",
                     {{"name", "Riverside Primary"}, {"discipline", "education"}}) == "conflict");
    CHECK(error_code(*t.ann, "agency_add", {{"name", "Somewhere"}, {"discipline", "astrology"}}) ==
          "bad_request");
}

TEST_CASE("a used, unknown or expired enrolment code is refused", "[e2e]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    const client::Home again(server.dir() / "home-again");
    auto reused = client::Client::enrol(again, server.url(), server.admin_code(), kPassphrase, "x");
    REQUIRE_FALSE(reused.ok());
    CHECK(reused.error().code == "code_used");

    const client::Home unknown(server.dir() / "home-unknown");
    auto bad =
        client::Client::enrol(unknown, server.url(), "AAAA-BBBB-CCCC-DDDD-EEEE", kPassphrase, "x");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "invalid_code");

    const auto code = code_for(*ann, "dee", "Northshire Children's Services");
    {
        SQLite::Database db((server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        db.setBusyTimeout(5000);
        db.exec("UPDATE enrolment_codes SET expires_at = 1 WHERE username = 'dee'");
    }
    const client::Home late(server.dir() / "home-dee");
    auto expired = client::Client::enrol(late, server.url(), code, kPassphrase, "x");
    REQUIRE_FALSE(expired.ok());
    CHECK(expired.error().code == "code_expired");
    CHECK_FALSE(late.enrolled());  // nothing saved for a refused enrolment
}

TEST_CASE("a new code for a pending account withdraws the earlier unused one", "[e2e]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    const auto issue = [&] {
        return ok(
            *ann, "enrol_code",
            {{"user", "dee"}, {"agency", "Northshire Children's Services"}, {"role", "member"}});
    };
    const auto first = issue();
    CHECK(first.at("withdrawn").as_int64() == 0);
    const auto second = issue();  // the first went astray, say
    CHECK(second.at("withdrawn").as_int64() == 1);
    const client::Home old_code(server.dir() / "home-dee-old");
    auto refused = client::Client::enrol(
        old_code, server.url(), std::string(first.at("code").as_string()), kPassphrase, "x");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "code_expired");
    CHECK_THAT(refused.error().message, Catch::Contains("replaced by a newer one"));
    const client::Home new_code(server.dir() / "home-dee");
    REQUIRE(client::Client::enrol(new_code, server.url(),
                                  std::string(second.at("code").as_string()), kPassphrase, "x")
                .ok());
    // A replacement-device code withdraws only an earlier replacement code for that account.
    const auto replace = [&] { return ok(*ann, "device_replace", {{"user", "dee"}}); };
    CHECK(replace().at("withdrawn").as_int64() == 0);
    CHECK(replace().at("withdrawn").as_int64() == 1);
    // The audit log says so.
    std::size_t noted = 0;
    const auto audit = ok(*ann, "audit");
    for (const auto& r : audit.at("records").as_array())
        if (const auto* w = r.at("details").as_object().if_contains("withdrawn"))
            noted += static_cast<std::size_t>(w->as_int64());
    CHECK(noted == 2);
}

TEST_CASE("codes are stored only as hashes", "[e2e]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    const auto code = code_for(*ann, "eve", "Northshire Children's Services");
    std::string plain;
    for (const char c : code)
        if (c != '-')
            plain += c;
    REQUIRE(server.stop() == 0);
    for (const auto& entry : fs::directory_iterator(server.data())) {
        const auto bytes = slurp(entry.path());
        CHECK(bytes.find(code) == std::string::npos);
        CHECK(bytes.find(plain) == std::string::npos);
    }
}

TEST_CASE("a login with a wrong signature is refused", "[e2e]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    auto conn = client::Connection::open(server.url());
    REQUIRE(conn.ok());
    auto& c = *conn.value();
    auto hello = c.request("hello", {{"version", protocol::kVersion}});
    REQUIRE(hello.ok());
    const auto challenge = crypto::from_base64(hello.value().at("challenge").as_string());
    REQUIRE(challenge);
    const auto stranger = crypto::DeviceKeys::generate();  // not ann's key
    auto login =
        c.request("login", {{"user", "ann"},
                            {"device", ann->profile().device},
                            {"signature", crypto::sign_login(stranger, *challenge).to_base64()}});
    REQUIRE_FALSE(login.ok());
    CHECK(login.error().code == "bad_signature");
    // Ann's real key, but over an old challenge: a replay fails too (each attempt gets a new one).
    auto keys = ann.home->open_keys(kPassphrase);
    REQUIRE(keys.ok());
    auto replay = c.request(
        "login", {{"user", "ann"},
                  {"device", ann->profile().device},
                  {"signature", crypto::sign_login(keys.value(), *challenge).to_base64()}});
    REQUIRE_FALSE(replay.ok());
    CHECK(replay.error().code == "bad_signature");
    // With the fresh challenge from the refusal, the right key works.
    const auto fresh = crypto::from_base64(c.last_error_body().at("challenge").as_string());
    REQUIRE(fresh);
    auto good =
        c.request("login", {{"user", "ann"},
                            {"device", ann->profile().device},
                            {"signature", crypto::sign_login(keys.value(), *fresh).to_base64()}});
    CHECK(good.ok());
    // Unknown users look just like wrong signatures.
    auto conn2 = client::Connection::open(server.url());
    REQUIRE(conn2.ok());
    auto h2 = conn2.value()->request("hello", {{"version", protocol::kVersion}});
    REQUIRE(h2.ok());
    auto nobody = conn2.value()->request(
        "login",
        {{"user", "nobody"},
         {"device", "1"},
         {"signature",
          crypto::sign_login(stranger, *crypto::from_base64(h2.value().at("challenge").as_string()))
              .to_base64()}});
    REQUIRE_FALSE(nobody.ok());
    CHECK(nobody.error().code == "bad_signature");
    // A wrong passphrase never reaches the server.
    auto wrong = client::Client::login(*ann.home, "not the passphrase");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "bad_passphrase");
}

TEST_CASE("a tampered envelope is rejected by the recipient with a clear error", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "tamper"}, {"members", {"bea", "cai"}}});
    send(t.ann, "tamper", "original words");
    auto page = ok(*t.bea, "sync", {{"room", "tamper"}});
    const auto original = first_message(page);
    CHECK(t.bea.client->open_message(original).text ==
          std::optional<std::string>("original words"));

    // One flipped byte in the ciphertext.
    auto flipped = original;
    auto env = crypto::envelope_from_json(flipped.at("envelope"));
    REQUIRE(env.ok());
    env.value().ciphertext[3] ^= 0x01;
    flipped["envelope"] = crypto::to_json(env.value());
    const auto m = t.bea.client->open_message(flipped);
    CHECK_FALSE(m.text);
    CHECK(m.error.code == "bad_signature");

    // A recipient (bea) reuses the message's fields with a ciphertext of her own, signed by her:
    // cai, opening it as ann's message, sees it is not from ann.
    auto forged = original;
    auto mine =
        crypto::seal(t.bea.client->keys(), original.at("sender_device").as_string(), "tamper",
                     env.value().client_msg_id, "ann says: cancel the meeting",
                     {{t.cai.client->profile().device, t.cai.client->keys().identity().box_key}},
                     test_history(t.bea.client->profile().user));
    forged["envelope"] = crypto::to_json(mine);
    const auto f = t.cai.client->open_message(forged);
    CHECK_FALSE(f.text);
    CHECK(f.error.code == "bad_signature");
}

TEST_CASE("the server stores only envelopes signed by the sending device, as its account",
          "[e2e][trust]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "signed"}, {"members", {"bea"}}});
    const auto room = ok(*t.ann, "room_show", {{"room", "signed"}});
    std::vector<crypto::Recipient> to;
    for (const auto& m : room.at("members").as_array())
        for (const auto& d : m.at("devices").as_array())
            to.push_back({std::string(d.at("device").as_string()),
                          *crypto::BoxPublicKey::from_base64(d.at("box_key").as_string())});
    const auto& me = t.ann.client;
    const auto attempt = [&](const crypto::Envelope& env) {
        return t.ann.client->connection().request(
            "send", {{"room", "signed"}, {"envelope", crypto::to_json(env)}});
    };
    // A flipped signature, a signature by another key, and a signed sender that is not ann:
    // each refused, nothing stored.
    auto flipped = crypto::seal(me->keys(), me->profile().device, "signed", "s1", "one", to,
                                test_history("ann"));
    auto bytes = std::vector<unsigned char>(flipped.signature.bytes().begin(),
                                            flipped.signature.bytes().end());
    bytes[10] ^= 1;
    flipped.signature = crypto::Signature(std::span<const unsigned char, 64>(bytes.data(), 64));
    const auto stranger = crypto::DeviceKeys::generate();
    const crypto::Envelope other_key = crypto::seal(stranger, me->profile().device, "signed", "s2",
                                                    "two", to, test_history("ann"));
    for (const crypto::Envelope* env :
         std::array<const crypto::Envelope*, 2>{&flipped, &other_key}) {
        auto r = attempt(*env);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bad_signature");
    }
    auto as_bea = attempt(crypto::seal(me->keys(), me->profile().device, "signed", "s3", "three",
                                       to, test_history("bea")));
    REQUIRE_FALSE(as_bea.ok());
    CHECK(as_bea.error().code == "bad_request");
    CHECK(as_bea.error().message == "envelope.sender: is not the account you logged in as");
    CHECK(ok(*t.ann, "room_show", {{"room", "signed"}}).at("last_seq").as_int64() == 1);
    // Properly signed, it is stored.
    CHECK(attempt(crypto::seal(me->keys(), me->profile().device, "signed", "s4", "four", to,
                               test_history("ann")))
              .ok());
}

TEST_CASE("each device receives only its own wrapped key, live and in sync", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "copies"}, {"members", {"bea", "cai"}}});
    (void)t.bea->next_event(std::chrono::milliseconds(100));  // the "room created" notice
    send(t.ann, "copies", "Strategy discussion moved to Friday.");
    const auto devices = [&] {
        std::vector<std::string> d;
        for (auto* p : {&t.ann, &t.bea, &t.cai})
            d.push_back((*p)->profile().device);
        std::sort(d.begin(), d.end());
        return d;
    }();
    const auto check_copy = [&](Person& p, const json::object& message) {
        const auto env = crypto::envelope_from_json(message.at("envelope"));
        REQUIRE(env.ok());
        CHECK(env.value().version == 3);
        CHECK(env.value().recipients == devices);  // signed: everyone sees who can read it
        REQUIRE(env.value().keys.size() == 1);
        CHECK(env.value().keys[0].device == p->profile().device);
        CHECK(p.client->open_message(message).text ==
              std::optional<std::string>("Strategy discussion moved to Friday."));
    };
    // Live: bea's event.
    std::optional<json::object> live;
    for (int i = 0; i < 10 && !live; ++i) {
        auto e = t.bea->next_event(std::chrono::seconds(2));
        REQUIRE(e.ok());
        if (e.value() && is_chat_message(*e.value()))
            live = *e.value();
    }
    REQUIRE(live);
    check_copy(t.bea, *live);
    // Sync: each member's page, the sender's own included.
    for (auto* p : {&t.ann, &t.bea, &t.cai}) {
        const auto page = ok(**p, "sync", {{"room", "copies"}});
        check_copy(*p, first_message(page));
    }
    // Bea's copy given to cai says plainly that it holds no key for him.
    const auto bea_copy = first_message(ok(*t.bea, "sync", {{"room", "copies"}}));
    CHECK(t.cai.client->open_message(bea_copy).error.code == "not_a_recipient");

    // A send must carry a key for every recipient it names; nothing is stored otherwise.
    std::vector<crypto::Recipient> all;
    for (auto* p : {&t.ann, &t.bea, &t.cai})
        all.push_back({(*p)->profile().device, (*p)->keys().identity().box_key});
    auto short_of_one =
        crypto::seal(t.ann.client->keys(), t.ann.client->profile().device, "copies", "k1",
                     "one key missing", all, test_history(t.ann.client->profile().user));
    short_of_one.keys.pop_back();
    auto raw = t.ann.client->connection().request(
        "send", {{"room", "copies"}, {"envelope", crypto::to_json(short_of_one)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "bad_request");
    CHECK(raw.error().message == "envelope.keys: every recipient needs a wrapped key");
    // Version 1 envelopes are read but no longer accepted from senders (they do not bind every
    // recipient to one message key).
    auto v1 = crypto::to_json(crypto::seal(t.ann.client->keys(), t.ann.client->profile().device,
                                           "copies", "k2", "old format", all,
                                           test_history(t.ann.client->profile().user)));
    auto v2 = v1;
    v1["v"] = 1;
    for (const char* field :
         {"recipients", "key_commitment", "sender", "counter", "sent_at", "previous_seq"}) {
        v1.erase(field);
        if (field != std::string_view("recipients") && field != std::string_view("key_commitment"))
            v2.erase(field);
    }
    v2["v"] = 2;
    for (const auto& old : {v1, v2}) {
        REQUIRE(crypto::envelope_from_json(old).ok());
        raw = t.ann.client->connection().request("send", {{"room", "copies"}, {"envelope", old}});
        REQUIRE_FALSE(raw.ok());
        CHECK(raw.error().code == "bad_request");
        CHECK(raw.error().message == "envelope.v: new messages must be version 3");
    }
    CHECK(ok(*t.ann, "room_show", {{"room", "copies"}}).at("last_seq").as_int64() == 2);
}

TEST_CASE("a member who was offline receives every message in order", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "catchup"}, {"members", {"bea", "cai"}}});
    t.cai.client.reset();  // cai goes offline
    std::vector<std::string> sent;
    for (int i = 1; i <= 12; ++i) {
        sent.push_back("update " + std::to_string(i));
        send(i % 2 ? t.ann : t.bea, "catchup", sent.back());
    }
    t.cai.login();
    const auto messages = read_all(t.cai, "catchup");
    CHECK(texts(messages) == sent);
    for (std::size_t i = 0; i < messages.size(); ++i)
        CHECK(messages[i].seq == static_cast<std::int64_t>(i + 2));  // after the creation
    // Resuming from a sequence number returns only what came after it.
    CHECK(texts(read_all(t.cai, "catchup", 11)) ==
          std::vector<std::string>{"update 11", "update 12"});
    // Paging: small pages return everything, in order.
    auto first = ok(*t.cai, "sync", {{"room", "catchup"}, {"after", 0}, {"limit", 5}});
    CHECK(first.at("messages").as_array().size() == 5);
    CHECK(first.at("more").as_bool());
}

TEST_CASE("a retried send is stored once, a message id is not used for another message", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "retry"}, {"members", {"bea"}}});
    std::vector<crypto::Recipient> two;
    for (auto* p : {&t.ann, &t.bea})
        two.push_back({(*p)->profile().device, (*p)->keys().identity().box_key});
    const auto seal = [&](const std::string& id, const std::string& text,
                          const std::vector<crypto::Recipient>& to) {
        return crypto::to_json(crypto::seal(t.ann.client->keys(), t.ann.client->profile().device,
                                            "retry", id, text, to,
                                            test_history(t.ann.client->profile().user)));
    };
    // The same envelope twice (a retry after a lost reply): stored once, the first seq.
    const auto env = seal("fixed-id-1", "only once please", two);
    const auto first = ok(*t.ann, "send", {{"room", "retry"}, {"envelope", env}});
    CHECK_FALSE(first.at("duplicate").as_bool());
    const auto retried = ok(*t.ann, "send", {{"room", "retry"}, {"envelope", env}});
    CHECK(retried.at("duplicate").as_bool());
    CHECK(retried.at("seq").as_int64() == first.at("seq").as_int64());

    // Another message under the same id is refused, not dropped in silence.
    auto other = t.ann.client->call(
        "send", {{"room", "retry"}, {"envelope", seal("fixed-id-1", "a different text", two)}});
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == "id_reused");
    CHECK(other.error().message == "this message id was already used for a different message");
    // So is the same text sealed again (a new nonce: the server cannot tell it from another
    // text), and the client library says so too.
    CHECK(error_code(*t.ann, "send",
                     {{"room", "retry"},
                      {"envelope", seal("fixed-id-1", "only once please", two)}}) == "id_reused");
    auto again = t.ann->send("retry", "only once please", "fixed-id-1");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "id_reused");
    // The stored message is the first one, once, and its retry is still answered as one.
    CHECK(texts(read_all(t.bea, "retry")) == std::vector<std::string>{"only once please"});
    const auto after_refusal = ok(*t.ann, "send", {{"room", "retry"}, {"envelope", env}});
    CHECK(after_refusal.at("duplicate").as_bool());
    CHECK(after_refusal.at("seq").as_int64() == first.at("seq").as_int64());
    CHECK(ok(*t.ann, "room_show", {{"room", "retry"}}).at("last_seq").as_int64() ==
          2);  // #1: the room's creation

    // A retry is answered as one even after the room changed: an envelope sealed for ann and
    // bea, stored, then sent again once cai has joined, is a duplicate, not stale.
    ok(*t.ann, "room_add", {{"room", "retry"}, {"user", "cai"}});
    const auto late = ok(*t.ann, "send", {{"room", "retry"}, {"envelope", env}});
    CHECK(late.at("duplicate").as_bool());
    CHECK(late.at("seq").as_int64() == first.at("seq").as_int64());
    // The same id sealed anew for the current members is another message.
    auto three = two;
    three.push_back({t.cai->profile().device, t.cai->keys().identity().box_key});
    CHECK(error_code(*t.ann, "send",
                     {{"room", "retry"},
                      {"envelope", seal("fixed-id-1", "only once please", three)}}) == "id_reused");
    CHECK(ok(*t.ann, "room_show", {{"room", "retry"}}).at("last_seq").as_int64() ==
          3);  // creation, message, cai added
    CHECK(texts(read_all(t.bea, "retry")) == std::vector<std::string>{"only once please"});
}

TEST_CASE(
    "a send with stale membership is refused with the current members, and the client re-wraps",
    "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "grow"}, {"members", {"bea"}}});
    // An envelope wrapped for ann and bea only, sent after cai joined.
    const auto shown = ok(*t.ann, "room_show", {{"room", "grow"}});
    std::vector<crypto::Recipient> old;
    for (const auto& m : shown.at("members").as_array())
        for (const auto& d : m.at("devices").as_array())
            old.push_back({std::string(d.at("device").as_string()),
                           *crypto::BoxPublicKey::from_base64(d.at("box_key").as_string())});
    ok(*t.ann, "room_add", {{"room", "grow"}, {"user", "cai"}});
    const auto env =
        crypto::seal(t.ann.client->keys(), t.ann.client->profile().device, "grow", "m1",
                     "hello all", old, test_history(t.ann.client->profile().user));
    auto raw = t.ann.client->connection().request(
        "send", {{"room", "grow"}, {"envelope", crypto::to_json(env)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "stale_membership");
    CHECK(t.ann.client->connection().last_error_body().at("members").as_array().size() == 3);
    // The library handles it: re-wrap for everyone and send.
    REQUIRE(t.ann->send("grow", "hello all").ok());
    CHECK(texts(read_all(t.cai, "grow")) == std::vector<std::string>{"hello all"});
}

TEST_CASE("membership changes between sends take effect at the next send", "[e2e]") {
    // The server keeps each room's members and devices between sends: every change to them
    // must reach the next send, and refused sends must not disturb the sequence numbers.
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "turns"}, {"members", {"bea"}}});
    // Membership events take sequence numbers too: the creation is #1.
    CHECK(send(t.ann, "turns", "one") == 2);
    CHECK(send(t.bea, "turns", "two") == 3);
    // cai joins: an envelope for ann and bea only is now stale.
    const auto two_devices = [&] {
        std::vector<crypto::Recipient> r;
        for (auto* p : {&t.ann, &t.bea})
            r.push_back({(*p)->profile().device, (*p)->keys().identity().box_key});
        return r;
    }();
    ok(*t.ann, "room_add", {{"room", "turns"}, {"user", "cai"}});
    const auto stale =
        crypto::seal(t.ann.client->keys(), t.ann.client->profile().device, "turns", "s1", "for two",
                     two_devices, test_history(t.ann.client->profile().user));
    auto raw = t.ann.client->connection().request(
        "send", {{"room", "turns"}, {"envelope", crypto::to_json(stale)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "stale_membership");
    CHECK(send(t.cai, "turns", "three") == 5);  // cai's addition is #4
    // bea leaves: her sends are refused, even with an envelope wrapped for the old members.
    ok(*t.ann, "room_remove", {{"room", "turns"}, {"user", "bea"}});
    std::vector<crypto::Recipient> three = two_devices;
    three.push_back({t.cai->profile().device, t.cai->keys().identity().box_key});
    const auto gone =
        crypto::seal(t.bea.client->keys(), t.bea.client->profile().device, "turns", "b1",
                     "still here?", three, test_history(t.bea.client->profile().user));
    raw = t.bea.client->connection().request(
        "send", {{"room", "turns"}, {"envelope", crypto::to_json(gone)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "not_found");
    // And an envelope that still wraps for her is stale for the others.
    const auto with_bea =
        crypto::seal(t.ann.client->keys(), t.ann.client->profile().device, "turns", "s2", "bea too",
                     three, test_history(t.ann.client->profile().user));
    raw = t.ann.client->connection().request(
        "send", {{"room", "turns"}, {"envelope", crypto::to_json(with_bea)}});
    REQUIRE_FALSE(raw.ok());
    CHECK(raw.error().code == "stale_membership");
    CHECK(send(t.ann, "turns", "four") == 7);  // bea's removal is #6
    CHECK(ok(*t.ann, "room_show", {{"room", "turns"}}).at("last_seq").as_int64() == 7);
    CHECK(texts(read_all(t.cai, "turns", 2)) == std::vector<std::string>{"three", "four"});
    // A room created after the first sends is found; one that does not exist is not.
    ok(*t.ann, "room_create", {{"room", "later"}, {"members", {"cai"}}});
    CHECK(send(t.cai, "later", "first in later") == 2);
    const auto nowhere =
        crypto::seal(t.ann.client->keys(), t.ann.client->profile().device, "no-such-room", "n1",
                     "anyone?", two_devices, test_history(t.ann.client->profile().user));
    auto missing = t.ann.client->connection().request(
        "send", {{"room", "no-such-room"}, {"envelope", crypto::to_json(nowhere)}});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "not_found");
}

TEST_CASE("everything survives a server restart", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "durable"}, {"members", {"bea", "cai"}}});
    for (int i = 1; i <= 5; ++i)
        send(t.ann, "durable", "before restart " + std::to_string(i));
    REQUIRE(t.server.stop() == 0);
    t.server.start();
    t.ann.login();
    t.bea.login();
    const auto messages = read_all(t.bea, "durable");
    REQUIRE(messages.size() == 5);
    CHECK(messages.back().text == std::optional<std::string>("before restart 5"));
    CHECK(send(t.ann, "durable", "after restart") == 7);
    CHECK(ok(*t.bea, "whoami").at("agency").as_string() == "Riverside Primary");
    CHECK(ok(*t.ann, "agency_list").at("agencies").as_array().size() == 3);
}

TEST_CASE("a changed key: noticed for an unverified contact, blocking for a verified one",
          "[e2e][trust]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "keys"}, {"members", {"bea"}}});
    send(t.ann, "keys", "first");  // ann pins bea's key
    // ann verifies bea with the number bea's own device computes.
    auto number = t.bea->safety_number("ann");
    REQUIRE(number.ok());
    auto wrong = number.value().number;
    wrong[0] = wrong[0] == '1' ? '2' : '1';
    auto mismatch = t.ann->verify("bea", wrong);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().code == "number_mismatch");
    REQUIRE(t.ann->verify("bea", number.value().number).ok());
    CHECK(t.ann->safety_number("bea").value().verified);
    // bea's device key is replaced behind ann's back: same account, a new key on the server. The
    // server is stopped for the edit: its writer is the database's only writer while it runs.
    const auto swap_key = [&](const char* device) {
        t.server.stop();
        SQLite::Database db((t.server.data() / "liaise.db").string(), SQLite::OPEN_READWRITE);
        const auto other = crypto::DeviceKeys::generate();
        SQLite::Statement q(db,
                            "UPDATE devices SET sign_key = ?, box_key = ?, box_key_signature = ? "
                            "WHERE name = ?");
        q.bind(1, other.identity().sign_key.to_base64());
        q.bind(2, other.identity().box_key.to_base64());
        q.bind(3, other.identity().box_key_signature.to_base64());
        q.bind(4, device);
        q.exec();
    };
    swap_key("bea-laptop");
    t.server.start();
    t.ann.login();
    auto refused = t.ann->send("keys", "second");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "key_changed");
    CHECK_THAT(refused.error().message, Catch::Contains("since you verified them"));
    CHECK_THAT(refused.error().message, Catch::Contains("liaise verify bea"));
    CHECK_FALSE(t.ann->safety_number("bea").value().verified);
    // The numbers differ now: bea's real device does not hold the key the server lists.
    // Verifying again with the number ann's device now computes (as after a real new device
    // whose owner read it out) unblocks the room.
    const auto fresh = t.ann->safety_number("bea");
    REQUIRE(fresh.ok());
    CHECK(fresh.value().number != number.value().number);
    REQUIRE(t.ann->verify("bea", fresh.value().number).ok());
    CHECK(t.ann->send("keys", "second").ok());

    // An unverified contact's change does not block: it is sent, with a notice.
    ok(*t.ann, "room_create", {{"room", "cai-room"}, {"members", {"cai"}}});
    send(t.ann, "cai-room", "first to cai");
    swap_key("cai-laptop");
    t.server.start();
    t.ann.login();
    auto sent = t.ann->send("cai-room", "second to cai");
    REQUIRE(sent.ok());
    REQUIRE(t.ann->last_notices().size() == 1);
    CHECK(t.ann->last_notices()[0].code == "key_changed");
    CHECK_THAT(t.ann->last_notices()[0].message, Catch::Contains("cai's device"));
}

TEST_CASE(
    "every class of malformed request gets its documented error and the connection stays usable",
    "[e2e][protocol]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    auto conn = client::Connection::open(server.url());
    REQUIRE(conn.ok());
    auto& c = *conn.value();
    const auto reply_to = [&](std::string_view frame, bool binary = false) {
        REQUIRE(c.send_raw(frame, binary).ok());
        auto r = c.read_raw(std::chrono::seconds(5));
        REQUIRE(r.ok());
        return json::parse(r.value()).as_object();
    };
    struct Row {
        const char* name;
        std::string frame;
        const char* code;
        const char* message;
        bool binary = false;
    };
    const std::vector<Row> before_hello = {
        {"not JSON", "{not json", "bad_request", "not valid JSON"},
        {"not an object", "[1,2,3]", "bad_request", "must be a JSON object"},
        {"no id", R"({"type":"hello","version":1})", "bad_request", "id: required"},
        {"id of the wrong type", R"({"type":"hello","id":7,"version":1})", "bad_request",
         "id: must be a string"},
        {"no type", R"({"id":"1"})", "bad_request", "type: required"},
        {"unknown type", R"({"type":"launch","id":"1"})", "bad_request",
         "type: unknown request type 'launch'"},
        {"before hello", R"({"type":"whoami","id":"1"})", "hello_required", "send hello first"},
        {"wrong version", R"({"type":"hello","id":"1","version":99})", "unsupported_version",
         "version 1"},
        {"mistyped field", R"({"type":"hello","id":"1","version":"1"})", "bad_request",
         "version: must be an integer"},
        {"unknown field", R"({"type":"hello","id":"1","version":1,"colour":"red"})", "bad_request",
         "colour: unknown field"},
        {"invalid UTF-8 in a value",
         std::string("{\"type\":\"hello\",\"id\":\"1\",\"version\":1,\"client\":\"caf\xC3\x28\"}"),
         "bad_request", "client: invalid UTF-8", true},
    };
    for (const auto& row : before_hello) {
        INFO(row.name);
        const auto r = reply_to(row.frame, row.binary);
        CHECK(r.at("type").as_string() == "error");
        CHECK(r.at("code").as_string() == row.code);
        CHECK_THAT(std::string(r.at("message").as_string()), Catch::Contains(row.message));
    }
    CHECK(reply_to(R"({"type":"hello","id":"h","version":1})").at("type").as_string() == "ok");
    const std::vector<Row> after_hello = {
        {"before login", R"({"type":"rooms","id":"2"})", "not_authenticated", "log in first"},
        {"missing field", R"({"type":"login","id":"3","user":"ann","device":"1"})", "bad_request",
         "signature: required"},
        {"oversized field",
         R"({"type":"login","id":"4","user":")" + std::string(100, 'a') +
             R"(","device":"1","signature":"x"})",
         "bad_request", "user: longer than 64 bytes"},
        {"empty string", R"({"type":"login","id":"5","user":"","device":"1","signature":"x"})",
         "bad_request", "user: must not be empty"},
        {"bad base64", R"({"type":"login","id":"6","user":"ann","device":"1","signature":"!!"})",
         "bad_request", "signature: not a base64"},
    };
    for (const auto& row : after_hello) {
        INFO(row.name);
        const auto r = reply_to(row.frame, row.binary);
        CHECK(r.at("code").as_string() == row.code);
        CHECK(r.at("re").as_string() == std::string(json::parse(row.frame).at("id").as_string()));
        CHECK_THAT(std::string(r.at("message").as_string()), Catch::Contains(row.message));
    }
    // Still usable: a real hello gets a real answer.
    CHECK(reply_to(R"({"type":"hello","id":"again","version":1})").at("type").as_string() == "ok");
    // And the server serves everyone else.
    CHECK(ok(*ann, "whoami").at("user").as_string() == "ann");
    // Envelope problems are named with their field.
    auto bad_env =
        ann->connection().request("send", {{"room", "nowhere"}, {"envelope", {{"v", 1}}}});
    REQUIRE_FALSE(bad_env.ok());
    CHECK(bad_env.error().code == "bad_request");
    CHECK_THAT(bad_env.error().message, Catch::StartsWith("envelope."));
}

TEST_CASE("a frame over the size limit closes only that connection", "[e2e][protocol]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    auto conn = client::Connection::open(server.url());
    REQUIRE(conn.ok());
    // The server closes as soon as the frame's header gives its size, so the close may be
    // what the send reports (the frame is still going out) or what the next read reports.
    const auto sent = conn.value()->send_raw(std::string(2 << 20, ' '));
    if (sent.ok()) {
        auto r = conn.value()->read_raw(std::chrono::seconds(5));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "connection_closed");
    } else {
        CHECK(sent.error().code == "connection_closed");
    }
    CHECK(ok(*ann, "whoami").at("user").as_string() == "ann");
}

TEST_CASE("a text frame with invalid UTF-8 closes only that connection (1007)", "[e2e][protocol]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    auto conn = client::Connection::open(server.url());
    REQUIRE(conn.ok());
    REQUIRE(conn.value()
                ->send_raw(std::string("{\"type\":\"hello\",\"id\":\"caf\xC3\x28\",\"version\":1}"))
                .ok());
    auto r = conn.value()->read_raw(std::chrono::seconds(5));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "connection_closed");
    CHECK(ok(*ann, "whoami").at("user").as_string() == "ann");
}

TEST_CASE("health and metrics answer over HTTP on the same port", "[e2e]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "m"}, {"members", {"bea"}}});
    send(t.ann, "m", "counted, not logged");
    const auto base = "http://127.0.0.1:" + std::to_string(t.server.port());
    CHECK(run("curl -sf " + base + "/healthz") == "ok\n");
    const auto metrics = run("curl -sf " + base + "/metrics");
    CHECK_THAT(metrics, Catch::Contains("liaise_connections "));
    CHECK_THAT(metrics, Catch::Contains("liaise_requests_total{type=\"send\"} 1"));
    CHECK_THAT(metrics, Catch::Contains("liaise_messages_stored_total 1"));
    CHECK_THAT(metrics, Catch::Contains("liaise_commit_seconds_count"));
    CHECK(metrics.find("counted, not logged") == std::string::npos);
}

TEST_CASE("SIGINT and SIGTERM shut the server down cleanly", "[e2e]") {
    Server server;
    CHECK(server.stop(SIGINT) == 0);
    server.start();
    CHECK(server.stop(SIGTERM) == 0);
    CHECK_THAT(server.log(), Catch::Contains("stopped"));
}

TEST_CASE("init refuses to overwrite an existing data directory", "[e2e]") {
    Server server;
    const auto cmd = std::string("'") + LIAISE_SERVER_BINARY + "' init --data '" +
                     server.data().string() + "' --admin zed --agency X --discipline health 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[512] = {};
    const auto n = std::fread(buf, 1, sizeof buf - 1, p);
    const int status = ::pclose(p);
    CHECK(WEXITSTATUS(status) == 2);
    CHECK_THAT(std::string(buf, n), Catch::Contains("refusing to overwrite"));
    CHECK((fs::status(server.data().string() + ".key").permissions() &
           (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

namespace {

/// The entry of `messages` at `seq`; fails the test if there is none.
const client::ReadMessage& at_seq(const std::vector<client::ReadMessage>& messages,
                                  std::int64_t seq) {
    for (const auto& m : messages)
        if (m.seq == seq)
            return m;
    FAIL("no entry #" << seq);
    return messages.front();
}

/// What `p`'s device shows of `room`: its kept history, then what the server has after it.
std::vector<client::ReadMessage> shown(Person& p, const std::string& room) {
    auto h = p->history(room, 0);
    INFO((h ? "" : h.error().message));
    REQUIRE(h.ok());
    return std::move(h).value().messages;
}

}  // namespace

TEST_CASE("a misdirected message is withdrawn by its sender: every device deletes it",
          "[e2e][withdraw]") {
    ThreeAgencies t;
    ok(*t.ann, "room_create", {{"room", "case-1"}, {"members", {"bea", "cai"}}});
    REQUIRE(send(t.ann, "case-1", "Strategy meeting on Thursday at 10.") > 0);
    const auto first = send(t.bea, "case-1", "He was in school every day this week.");
    // ann reads up to here, and reads again only after the withdrawal: never shown the message.
    CHECK(at_seq(shown(t.ann, "case-1"), first).text.has_value());
    const auto wrong = send(t.bea, "case-1", "Misdirected: Kelly's mum rang about the move.");
    const auto after = send(t.cai, "case-1", "Noted, thanks.");
    // cai's device reads and keeps all of it; the ciphertext as the server stores it.
    CHECK(at_seq(shown(t.cai, "case-1"), wrong).text ==
          std::optional<std::string>("Misdirected: Kelly's mum rang about the move."));
    const auto page = ok(*t.cai, "sync", {{"room", "case-1"}, {"after", wrong - 1}, {"limit", 1}});
    const auto ciphertext =
        std::string(page.at("messages").at(0).at("envelope").at("ciphertext").as_string());
    REQUIRE(ciphertext.size() > 40);
    CHECK(any_file_holds(t.server.data(), ciphertext.substr(0, 40)));  // the scan below can fail
    const auto audit_before = ok(*t.ann, "audit").at("records").as_array().size();

    // Someone who did not send it (a chair, not an admin) is refused and nothing changes.
    const auto refused = t.cai->withdraw("case-1", wrong);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "forbidden");
    // A statement not signed by the caller's device is refused before anything is looked up.
    crypto::Withdrawal forged{"case-1", wrong, {}, "bea", t.bea->profile().device, 0, {}};
    forged.withdrawn_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    crypto::sign_withdrawal(forged, crypto::DeviceKeys::generate());
    CHECK(error_code(*t.bea, "message_withdraw",
                     {{"room", "case-1"},
                      {"seq", wrong},
                      {"hash", crypto::to_base64(forged.message_hash)},
                      {"withdrawn_at", forged.withdrawn_at},
                      {"signature", forged.signature.to_base64()}}) == "bad_signature");
    CHECK(ok(*t.ann, "audit").at("records").as_array().size() == audit_before);
    CHECK(at_seq(shown(t.cai, "case-1"), wrong).text.has_value());
    const auto unchanged = ok(*t.bea, "sync", {{"room", "case-1"}, {"after", wrong - 1}});
    CHECK(unchanged.at("messages").at(0).as_object().contains("envelope"));

    // The sender withdraws it.
    const auto reply = t.bea->withdraw("case-1", wrong);
    INFO((reply ? "" : reply.error().message));
    REQUIRE(reply.ok());
    const auto event_seq = reply.value().at("event_seq").as_int64();
    CHECK(event_seq == after + 1);
    CHECK(t.bea->withdraw("case-1", wrong).error().code == "already_withdrawn");

    // Live: cai's device receives the room event and accepts the signed statement.
    bool live = false;
    for (int i = 0; i < 20 && !live; ++i) {
        auto e = t.cai->next_event(std::chrono::milliseconds(500));
        REQUIRE(e.ok());
        if (!e.value())
            break;
        const auto* ev = e.value()->if_contains("event");
        if (ev && ev->as_object().at("kind").as_string() == "message_withdrawn") {
            const auto m = t.cai->open_message(*e.value());
            CHECK(m.withdraws == wrong);
            CHECK(m.warnings.empty());
            live = true;
        }
    }
    CHECK(live);

    // bea says sorry: her next message is no gap for ann, who never saw the withdrawn one.
    const auto sorry = send(t.bea, "case-1", "Sorry, that was meant for another room.");

    // On its next read every member's device shows the notice in its place, never the text.
    for (auto* p : {&t.cai, &t.ann, &t.bea}) {
        const auto messages = shown(*p, "case-1");
        const auto& gone = at_seq(messages, wrong);
        INFO((*p)->profile().user);
        CHECK_FALSE(gone.text);
        REQUIRE(gone.event);
        CHECK(gone.event->at("kind").as_string() == "withdrawn");
        const auto& notice = at_seq(messages, event_seq);
        REQUIRE(notice.event);
        CHECK(notice.warnings.empty());
        CHECK_FALSE(notice.event->contains("refused"));
        CHECK(at_seq(messages, first).text.has_value());
        CHECK(at_seq(messages, after).text.has_value());
        CHECK(at_seq(messages, sorry).warnings.empty());
        for (const auto& m : messages)
            CHECK((!m.text || m.text->find("Kelly") == std::string::npos));
    }
    // The audit log records it.
    bool audited = false;
    const auto audit = ok(*t.ann, "audit");  // kept: the loop reads part of it
    for (const auto& r : audit.at("records").as_array())
        audited = audited || r.as_object().at("kind").as_string() == "message_withdrawn";
    CHECK(audited);

    // An admin who is a member may withdraw anyone's message; bea's device accepts it, for it
    // holds ann's key from ann's message.
    const auto cais = send(t.cai, "case-1", "Wrong case: the Smith family's visit is moved.");
    REQUIRE(shown(t.bea, "case-1").back().text.has_value());
    REQUIRE(t.ann->withdraw("case-1", cais).ok());
    const auto bea_sees = shown(t.bea, "case-1");
    CHECK_FALSE(at_seq(bea_sees, cais).text);
    CHECK(bea_sees.back().event->at("by_role").as_string() == "admin");
    CHECK(bea_sees.back().warnings.empty());

    // The server's files no longer hold the ciphertext (SQLite's secure_delete; checked once the
    // server has stopped and its WAL is checkpointed into the database).
    t.server.stop();
    CHECK_FALSE(any_file_holds(t.server.data(), ciphertext.substr(0, 40)));
    t.server.start();
}
