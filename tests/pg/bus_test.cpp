#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/pg_bus.hpp"
#include "pg_test_db.hpp"
#include "seed.hpp"
#include "store/postgres/schema.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;
using namespace std::chrono_literals;

namespace {

/// A session that records what reaches it.
class Recorder final : public Sink {
  public:
    void deliver(std::shared_ptr<const Frame> frame) override {
        std::lock_guard lock(mutex_);
        const auto p = frame->pieces_for(1);
        frames_.push_back(std::string(p[0]) + std::string(p[1]) + std::string(p[2]));
        changed_.notify_all();
    }
    void cut_off(std::string reason) override {
        std::lock_guard lock(mutex_);
        cuts_.push_back(std::move(reason));
        changed_.notify_all();
    }
    /// Waits up to 5 s for `n` frames; returns what arrived.
    std::vector<std::string> frames(std::size_t n) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 5s, [&] { return frames_.size() >= n; });
        return frames_;
    }
    std::vector<std::string> cuts(std::size_t n) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 5s, [&] { return cuts_.size() >= n; });
        return cuts_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> frames_;
    std::vector<std::string> cuts_;
};

struct TwoNodes {
    PgTestDb t;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<RoomSeq> hints_a, hints_b;
    std::vector<std::int64_t> dict_b;
    std::unique_ptr<PgBus> a, b;
    TwoNodes() {
        pg::Connection db(t.url);
        pg::migrate(db);
        a = std::make_unique<PgBus>(t.url, handlers(hints_a, nullptr));
        b = std::make_unique<PgBus>(t.url, handlers(hints_b, &dict_b));
    }
    PgBus::Handlers handlers(std::vector<RoomSeq>& hints, std::vector<std::int64_t>* dict) {
        PgBus::Handlers h;
        h.messages = [this, &hints](const std::vector<RoomSeq>& got) {
            std::lock_guard lock(mutex);
            hints.insert(hints.end(), got.begin(), got.end());
            changed.notify_all();
        };
        h.dictionaries = [this, dict](std::int64_t v) {
            std::lock_guard lock(mutex);
            if (dict)
                dict->push_back(v);
            changed.notify_all();
        };
        return h;
    }
    template <class Pred>
    bool wait(Pred pred) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 5s, pred);
    }
};

}  // namespace

TEST_CASE("PostgreSQL bus carries events to the named accounts on another node, once", "[pg]") {
    TwoNodes n;
    auto on_a = std::make_shared<Recorder>();
    auto on_b = std::make_shared<Recorder>();
    auto other_on_b = std::make_shared<Recorder>();
    n.a->join(7, on_a);
    n.b->join(7, on_b);
    n.b->join(8, other_on_b);
    CHECK(n.a->publish({7}, std::make_shared<const Frame>("{\"event\":\"x\"}")) == 1);
    CHECK(on_b->frames(1) == std::vector<std::string>{"{\"event\":\"x\"}"});
    // A large event goes through the table, whole.
    const std::string big = "{\"event\":\"big\",\"pad\":\"" + std::string(20000, 'p') + "\"}";
    n.a->publish({7}, std::make_shared<const Frame>(big));
    const auto got = on_b->frames(2);
    REQUIRE(got.size() == 2);
    CHECK(got[1] == big);
    std::this_thread::sleep_for(300ms);
    // The sending node delivered its own sessions directly and ignored its own NOTIFYs.
    CHECK(on_a->frames(2).size() == 2);
    CHECK(other_on_b->frames(0).empty());
}

TEST_CASE("PostgreSQL bus keeps per-device message frames off the wire and sends hints instead",
          "[pg]") {
    TwoNodes n;
    auto on_b = std::make_shared<Recorder>();
    n.b->join(7, on_b);
    const std::string text = R"({"keys":[{"device":"1","wrapped":"AAAA"}]})";
    const auto list_begin = text.find('[') + 1;
    n.a->publish({7}, std::make_shared<const Frame>(
                          text, list_begin, text.find(']'),
                          std::vector<Frame::Entry>{{1, list_begin, text.find(']') - list_begin}}));
    n.a->messages_committed({{3, 10}, {5, 2}});
    CHECK(n.wait([&] { return n.hints_b.size() == 2; }));
    CHECK(n.hints_b == std::vector<RoomSeq>{{3, 10}, {5, 2}});
    CHECK(n.hints_a.empty());
    CHECK(on_b->frames(1).empty());
    // Hints for many rooms are split under the payload limit and all arrive.
    std::vector<RoomSeq> many;
    for (int i = 1; i <= 1000; ++i)
        many.push_back({i, 1'000'000'000'000 + i});
    n.a->messages_committed(many);
    CHECK(n.wait([&] { return n.hints_b.size() == 1002; }));
}

TEST_CASE(
    "PostgreSQL bus cuts off an account's sessions on every node and reloads dictionaries "
    "everywhere",
    "[pg]") {
    TwoNodes n;
    auto on_b = std::make_shared<Recorder>();
    auto other = std::make_shared<Recorder>();
    n.b->join(7, on_b);
    n.b->join(9, other);
    CHECK(n.a->cut_off(7, "account suspended") == 0);
    CHECK(on_b->cuts(1) == std::vector<std::string>{"account suspended"});
    n.a->dictionaries_changed(42);
    CHECK(n.wait([&] { return n.dict_b.size() == 1; }));
    CHECK(n.dict_b.at(0) == 42);
    const auto frames = other->frames(1);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].find("dictionaries") != std::string::npos);
    CHECK(frames[0].find("42") != std::string::npos);
    CHECK(other->cuts(0).empty());
}

TEST_CASE("PostgreSQL bus listens again after its connection is killed and asks for a resync",
          "[pg]") {
    PgTestDb t;
    {
        pg::Connection db(t.url);
        pg::migrate(db);
    }
    std::mutex mutex;
    std::condition_variable changed;
    int resyncs = 0;
    PgBus::Handlers h;
    h.resync = [&] {
        std::lock_guard lock(mutex);
        ++resyncs;
        changed.notify_all();
    };
    PgBus b(t.url, h);
    PgBus a(t.url, {});
    auto on_b = std::make_shared<Recorder>();
    b.join(7, on_b);
    pg::Connection admin(t.url);
    // Every backend LISTENing on the bus's channel (b's listener; a's too).
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'");
    {
        std::unique_lock lock(mutex);
        CHECK(changed.wait_for(lock, 5s, [&] { return resyncs >= 1; }));
    }
    a.publish({7}, std::make_shared<const Frame>("{\"after\":\"reconnect\"}"));
    CHECK(on_b->frames(1) == std::vector<std::string>{"{\"after\":\"reconnect\"}"});
}

// Two nodes on one database, each with its own writer and bus, members of every room on both:
// each node sends into every room at once; a node delivers to its sessions by fetching the rows
// after the last seq it delivered, whenever its own writer commits or the bus brings a hint.
// Every session must receive every room's messages exactly once, in seq order, with no gap.
#include "store/postgres/messages.hpp"
#include "store/postgres/writer.hpp"

namespace {

struct Node {
    std::string url;
    std::mutex mutex;
    std::map<std::int64_t, std::int64_t> delivered;  // room -> last seq delivered here
    pg::Connection reader;
    std::unique_ptr<PgBus> bus;
    std::unique_ptr<pg::Writer> writer;
    explicit Node(const std::string& u) : url(u), reader(u) {
        PgBus::Handlers h;
        h.messages = [this](const std::vector<RoomSeq>& hints) {
            for (const auto& hint : hints)
                catch_up(hint.room);
        };
        bus = std::make_unique<PgBus>(url, h);
        writer = std::make_unique<pg::Writer>(url, pg::Writer::Options{});
    }
    /// Delivers the room's rows after the last delivered one to this node's sessions.
    void catch_up(std::int64_t room) {
        std::lock_guard lock(mutex);
        auto& last = delivered[room];
        for (const auto& row : pg::fetch_after(reader, room, last, 1000)) {
            bus->local().publish({room}, std::make_shared<const Frame>(std::to_string(room) + ":" +
                                                                       std::to_string(row.seq)));
            last = row.seq;
        }
    }
};

}  // namespace

TEST_CASE(
    "PostgreSQL store and bus: two nodes sending at once, every session gets every "
    "message once and in order",
    "[pg]") {
    PgTestDb t;
    testing::Seeded s;
    {
        pg::Connection db(t.url);
        pg::migrate(db);
        s = testing::seed(db, 2, 4);
    }
    Node a(t.url), b(t.url);
    Node* nodes[] = {&a, &b};
    // One session per room on each node; the test's "accounts" are the room ids.
    std::vector<std::shared_ptr<Recorder>> sessions;
    for (auto* n : nodes)
        for (const auto room : s.rooms) {
            sessions.push_back(std::make_shared<Recorder>());
            n->bus->join(room, sessions.back());
        }
    constexpr int per_node = 120;
    std::atomic<int> acked{0};
    std::vector<std::thread> senders;
    for (int i = 0; i < 2; ++i)
        senders.emplace_back([&, i] {
            Node& n = *nodes[i];
            for (int k = 0; k < per_node; ++k) {
                const auto room = s.rooms[static_cast<std::size_t>(k) % s.rooms.size()];
                pg::Send m{room, s.devices[static_cast<std::size_t>(i)],
                           std::to_string(i) + "-" + std::to_string(k), "e", 1};
                auto out = std::make_shared<std::vector<pg::Appended>>();
                n.writer->write(
                    [m, out](pg::Connection& db) {
                        *out = pg::append_in_transaction(db, std::vector{m});
                    },
                    [&n, room, &acked, out](std::exception_ptr e) {
                        if (e || out->empty() || (*out)[0].result != pg::Appended::Result::stored)
                            return;
                        ++acked;
                        // After the commit: tell the other nodes, then deliver here.
                        n.bus->messages_committed({{room, (*out)[0].seq}});
                        n.catch_up(room);
                    });
                if (k % 10 == 9)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        });
    for (auto& th : senders)
        th.join();
    a.writer.reset();  // drains
    b.writer.reset();
    CHECK(acked == 2 * per_node);
    const std::size_t per_room = 2 * per_node / s.rooms.size();
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        const auto room = s.rooms[i % s.rooms.size()];
        const auto got = sessions[i]->frames(per_room);
        std::vector<std::string> want;
        for (std::size_t seq = 1; seq <= per_room; ++seq)
            want.push_back(std::to_string(room) + ":" + std::to_string(seq));
        INFO("session " << i);
        CHECK(got == want);
    }
}
