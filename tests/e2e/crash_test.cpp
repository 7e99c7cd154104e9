// Crash safety: the server is killed with SIGKILL, or stopped with SIGTERM, in the middle of
// steady sends. Every message it had acknowledged must be there after a restart, exactly once and
// in order, and retrying the unacknowledged ones with the same client message id must not create
// duplicates. SIGTERM must also end it cleanly with writes still queued, and with work on the
// Service's worker (dictionary compiles) under way.
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "liaise/protocol/crypto.hpp"
#include "server_fixture.hpp"

using namespace liaise;
using namespace liaise::test;

TEST_CASE("messages acknowledged before a SIGKILL or SIGTERM survive it exactly once, in order",
          "[e2e][crash]") {
    const int sig = GENERATE(SIGKILL, SIGTERM);
    INFO("signal " << sig);
    Server server;
    Person ann(server, "ann", server.admin_code());
    std::vector<std::unique_ptr<Person>> senders;
    for (const auto* name : {"bo", "cy", "di"})
        senders.push_back(std::make_unique<Person>(
            server, name, code_for(*ann, name, "Northshire Children's Services")));
    ok(*ann, "room_create", {{"room", "busy"}, {"members", {"bo", "cy", "di"}}});

    struct Outcome {
        std::vector<std::pair<std::string, std::int64_t>> acked;  // id, seq
        std::optional<std::string> pending;                       // sent, no answer
        boost::json::object pending_envelope, first_envelope;     // as sent, for a retry
    };
    // Sealed here rather than by Client::send so that a retry resends the very envelope: a new
    // seal of the same text is another message to the server (id_reused).
    std::vector<crypto::Recipient> everyone = {
        {ann->profile().device, ann->keys().identity().box_key}};
    for (const auto& s : senders)
        everyone.push_back({s->client->profile().device, s->client->keys().identity().box_key});
    const auto seal = [&](Person& p, const std::string& id) {
        return crypto::to_json(crypto::seal(
            p->keys(), p->profile().device, "busy", id, "message " + id, everyone,
            test_history(p->profile().user, std::stoull(id.substr(id.rfind('-') + 1)) + 1)));
    };
    const auto send = [](Person& p,
                         const boost::json::object& envelope) -> protocol::Expected<std::int64_t> {
        auto r = p->call("send", {{"room", "busy"}, {"envelope", envelope}});
        if (!r)
            return r.error();
        return r.value().at("seq").as_int64();
    };
    std::vector<Outcome> outcomes(senders.size());
    std::atomic<bool> killed{false};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < senders.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100000 && !killed.load(); ++i) {
                const auto id = senders[t]->client->profile().user + "-" + std::to_string(i);
                auto envelope = seal(*senders[t], id);
                auto seq = send(*senders[t], envelope);
                if (!seq) {
                    outcomes[t].pending = id;
                    outcomes[t].pending_envelope = std::move(envelope);
                    return;
                }
                if (i == 0)
                    outcomes[t].first_envelope = envelope;
                outcomes[t].acked.emplace_back(id, seq.value());
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    killed = true;
    const int status = server.stop(sig);
    if (sig == SIGTERM)
        CHECK(status == 0);  // the writes still queued commit while their completions can run
    for (auto& th : threads)
        th.join();

    std::size_t acked = 0;
    for (const auto& o : outcomes)
        acked += o.acked.size();
    INFO(acked << " messages acknowledged before the kill");
    REQUIRE(acked > 10);

    server.start();
    for (std::size_t t = 0; t < senders.size(); ++t) {
        senders[t]->login();
        // A client retries what it never heard back about, with the same id: stored at most once.
        if (outcomes[t].pending) {
            REQUIRE(send(*senders[t], outcomes[t].pending_envelope).ok());
            // And a retry of an acknowledged one returns its original number.
            if (!outcomes[t].acked.empty()) {
                const auto first_seq = outcomes[t].acked.front().second;
                auto again = send(*senders[t], outcomes[t].first_envelope);
                REQUIRE(again.ok());
                CHECK(again.value() == first_seq);
            }
        }
    }

    ann.login();
    auto all = ann->read("busy", 0);
    REQUIRE(all.ok());
    std::map<std::string, int> seen;
    std::map<std::string, std::vector<int>>
        order;  // per sender, the i of each message in seq order
    std::int64_t last_seq = 0;
    for (const auto& m : all.value()) {
        CHECK(m.seq == last_seq + 1);  // no gaps, no reordering
        last_seq = m.seq;
        if (m.event)  // the room's creation
            continue;
        REQUIRE(m.text);
        const auto id = m.text->substr(std::string("message ").size());
        ++seen[id];
        order[m.sender].push_back(std::stoi(id.substr(id.find('-') + 1)));
    }
    for (const auto& [id, n] : seen) {
        INFO(id);
        CHECK(n == 1);
    }
    for (std::size_t t = 0; t < senders.size(); ++t) {
        for (const auto& [id, seq] : outcomes[t].acked) {
            INFO(id);
            CHECK(seen.count(id) == 1);
        }
        if (outcomes[t].pending)
            CHECK(seen.count(*outcomes[t].pending) == 1);
        const auto& mine = order[senders[t]->client->profile().user];
        CHECK(std::is_sorted(mine.begin(), mine.end()));
    }
}

TEST_CASE(
    "SIGTERM while dictionary changes are compiled and messages sent ends the server cleanly, "
    "keeping every change it acknowledged",
    "[e2e][crash][shutdown]") {
    Server server;
    Person ann(server, "ann", server.admin_code());
    Person bo(server, "bo", code_for(*ann, "bo", "Northshire Children's Services"));
    ok(*ann, "room_create", {{"room", "busy"}, {"members", {"bo"}}});

    // Each change is compiled on the Service's worker, then written; its reply goes before the
    // step that tells every session. Sends keep the writer busy meanwhile. Disciplines are added
    // and removed in turn (an engine holds at most 63).
    std::atomic<bool> stopping{false}, stopped{false};
    bool cut_by_shutdown = false;
    std::map<std::string, bool> present;  // as the last acknowledged change left it
    std::optional<std::string> unknown;   // the change under way when the server stopped
    int acknowledged = 0;
    std::thread changer([&] {
        for (int i = 0; i < 100000 && !stopped.load(); ++i) {
            const auto name = "team-" + std::string(1, static_cast<char>('a' + i / 2 % 8));
            const bool add = i % 2 == 0;
            if (!ann->call(add ? "dict_discipline_add" : "dict_discipline_remove",
                           {{"discipline", name}})) {
                cut_by_shutdown = stopping.load();
                unknown = name;
                return;
            }
            present[name] = add;
            ++acknowledged;
        }
    });
    std::thread sender([&] {
        for (int i = 0; i < 100000 && !stopped.load(); ++i)
            if (!bo->send("busy", "message " + std::to_string(i)))
                return;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    stopping = true;
    const int status = server.stop(SIGTERM);  // with a change and sends under way
    stopped = true;
    changer.join();
    sender.join();
    CHECK(status == 0);
    INFO(acknowledged << " dictionary changes acknowledged before SIGTERM");
    REQUIRE(acknowledged > 4);
    CHECK(cut_by_shutdown);  // changes were still being made when the signal came

    server.start();
    ann.login();
    for (const auto& [name, there] : present) {
        if (name == unknown)
            continue;  // stored or not: it was never acknowledged
        INFO(name << (there ? " added" : " removed"));
        CHECK(error_code(*ann, "dict_export", {{"discipline", name}}).empty() == there);
    }
}

namespace {

/// Runs `liaise-server serve` on `server`'s data directory (a port of its own) until it exits.
Ran serve_again(const Server& server) {
    return run_any(std::string("'") + LIAISE_SERVER_BINARY + "' serve --data '" +
                   server.data().string() + "' --listen 127.0.0.1:" + std::to_string(free_port()) +
                   " 2>&1");
}

}  // namespace

TEST_CASE("a second liaise-server on the same data directory refuses to start", "[e2e][crash]") {
    // Two servers writing one database would number messages from two memories of the rooms.
    Server server;
    Person ann(server, "ann", server.admin_code());
    const auto ran = serve_again(server);
    INFO(ran.out);
    REQUIRE(WIFEXITED(ran.status));
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(ran.out.find("is in use by another process") != std::string::npos);
    // The first goes on serving.
    ok(*ann, "room_create", {{"room", "still-here"}, {"members", boost::json::array{}}});
}

TEST_CASE("liaise-server reports a database it cannot open instead of crashing", "[e2e][crash]") {
    Server server;
    server.stop();
    const auto db = server.data() / "liaise.db";
    for (const char* suffix : {"-wal", "-shm"})
        fs::remove(db.string() + suffix);
    std::ofstream(db, std::ios::binary | std::ios::trunc) << std::string(8192, 'x');
    const auto ran = serve_again(server);
    INFO(ran.out);
    REQUIRE(WIFEXITED(ran.status));
    CHECK(WEXITSTATUS(ran.status) == 2);
    CHECK(ran.out.find("cannot open the database") != std::string::npos);
}
