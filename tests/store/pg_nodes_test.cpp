// The PostgreSQL store as several server nodes use it: two PgStores (two nodes, each with its own
// writer and readers) on one database. What a node commits decides the other's next unit at
// once: nothing that decides an outcome is remembered across units (store.hpp). Skipped without
// the pg_cluster fixture.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_scratch.hpp"
#include "store/postgres/pg_store.hpp"

using namespace liaise::server;
using namespace liaise::server::store;
using liaise::protocol::Role;
using R = Appended::Result;

namespace {

/// Ann and bea, one device each, both in room "r".
struct Two {
    Id ann = 0, bea = 0, ann_dev = 0, bea_dev = 0, r = 0;
};

Two seed(Store& store) {
    Two t;
    store.write_and_wait([&](Tx& tx) {
        const auto agency = *tx.accounts().add_agency("Care", "social-care", 1);
        t.ann = *tx.accounts().add("ann", "Ann", agency, Role::member, 1);
        t.bea = *tx.accounts().add("bea", "Bea", agency, Role::member, 1);
        for (auto [account, slot] : {std::pair{t.ann, &t.ann_dev}, std::pair{t.bea, &t.bea_dev}}) {
            Device d;
            d.name = "laptop";
            d.sign_key = d.box_key = d.box_key_signature = "k" + std::to_string(account);
            d.created_at = 1;
            *slot = tx.accounts().add_device(account, d);
        }
        t.r = *tx.rooms().create("r", t.ann, 1);
        tx.rooms().add_member(t.r, t.ann, 0, 1);
        tx.rooms().add_member(t.r, t.bea, 0, 1);
    });
    return t;
}

std::vector<std::string> devices(std::initializer_list<Id> ids) {
    std::vector<std::string> out;
    for (const auto id : ids)
        out.push_back(std::to_string(id));
    std::sort(out.begin(), out.end());
    return out;
}

Appended send(Store& store, const Two& t, Id account, Id device, const std::string& id,
              const std::vector<std::string>& recipients) {
    Appended out;
    store.write_and_wait([&](Tx& tx) {
        out = tx.messages().append(
            {"r", account, device, id, "{\"id\":\"" + id + "\"}", &recipients, 5});
    });
    (void)t;
    return out;
}

}  // namespace

TEST_CASE(
    "PostgreSQL store: two nodes sending into one room at once get every seq once, with "
    "no gap, and a retry on the other node keeps its seq",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    const auto t = seed(a);
    const auto both = devices({t.ann_dev, t.bea_dev});

    // Each node queues its sends without waiting, so the two writers' batches overlap.
    constexpr int n = 60;
    std::vector<Appended> acks(2 * n);
    std::vector<std::promise<void>> done(2 * n);
    for (int i = 0; i < n; ++i) {
        for (int node = 0; node < 2; ++node) {
            const int k = 2 * i + node;
            const auto id = std::string(node == 0 ? "a" : "b") + std::to_string(i);
            const Id account = node == 0 ? t.ann : t.bea;
            const Id device = node == 0 ? t.ann_dev : t.bea_dev;
            (node == 0 ? a : b)
                .write(
                    [&, k, id, account, device](Tx& tx) {
                        acks[k] = tx.messages().append(
                            {"r", account, device, id, "{\"id\":\"" + id + "\"}", &both, 5});
                    },
                    [&, k](std::exception_ptr e) {
                        if (e)
                            done[k].set_exception(e);
                        else
                            done[k].set_value();
                    });
        }
    }
    for (auto& d : done)
        d.get_future().get();

    std::set<std::int64_t> seqs;
    for (const auto& ack : acks) {
        REQUIRE(ack.result == R::stored);
        seqs.insert(ack.seq);
    }
    CHECK(seqs.size() == acks.size());
    CHECK(*seqs.begin() == 1);
    CHECK(*seqs.rbegin() == 2 * n);

    // What either node reads is what was acknowledged, seq for seq.
    const auto rows =
        b.read_now([&](const ReadTx& tx) { return tx.messages().after(t.r, 0, 1000); });
    REQUIRE(rows.size() == acks.size());
    for (std::size_t k = 0; k < acks.size(); ++k) {
        const auto id = std::string(k % 2 == 0 ? "a" : "b") + std::to_string(k / 2);
        const auto& row = rows[static_cast<std::size_t>(acks[k].seq - 1)];
        CHECK(row.seq == acks[k].seq);
        CHECK(row.envelope == "{\"id\":\"" + id + "\"}");
    }

    // A client that reconnects to the other node resends with the same id: the original seq.
    for (int i = 0; i < 5; ++i) {
        const auto again = send(b, t, t.ann, t.ann_dev, "a" + std::to_string(i), both);
        CHECK(again.result == R::duplicate);
        CHECK(again.seq == acks[static_cast<std::size_t>(2 * i)].seq);
    }
    CHECK(a.read_now([&](const ReadTx& tx) { return tx.messages().last_seq(t.r); }) == 2 * n);
}

TEST_CASE(
    "PostgreSQL store: a suspension or a removal committed on one node counts on the other "
    "at its next unit",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    const auto t = seed(a);
    const auto both = devices({t.ann_dev, t.bea_dev});
    // Node b has read the room and the standing once (what a cache would keep).
    REQUIRE(send(b, t, t.ann, t.ann_dev, "m1", both).result == R::stored);
    REQUIRE_FALSE(
        b.read_now([&](const ReadTx& tx) { return tx.accounts().standing(t.bea_dev); }).suspended);

    a.write_and_wait([&](Tx& tx) { tx.accounts().set_suspended(t.bea, true); });
    // Bea's device is no longer one a send must wrap for, on b as well...
    CHECK(send(b, t, t.ann, t.ann_dev, "m2", both).result == R::stale_recipients);
    CHECK(send(b, t, t.ann, t.ann_dev, "m2", devices({t.ann_dev})).result == R::stored);
    // ...and b's writer sees the standing as committed by a.
    bool suspended = false;
    b.write_and_wait([&](Tx& tx) { suspended = tx.accounts().standing(t.bea_dev).suspended; });
    CHECK(suspended);

    a.write_and_wait([&](Tx& tx) { REQUIRE(tx.rooms().remove_member(t.r, t.ann)); });
    CHECK(send(b, t, t.ann, t.ann_dev, "m3", devices({})).result == R::not_member);
}

TEST_CASE(
    "PostgreSQL store: a send on another node that races a device's revocation waits for "
    "it and is not stored for the revoked device",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    const auto t = seed(a);
    const auto both = devices({t.ann_dev, t.bea_dev});

    // Node a revokes bea's device (a lost phone) and has not committed yet.
    std::promise<void> revoked, release, committed;
    auto release_future = release.get_future();
    a.write(
        [&](Tx& tx) {
            CHECK(tx.accounts().revoke_devices(t.bea, 10) == 1);
            revoked.set_value();
            release_future.wait();
        },
        [&](std::exception_ptr e) {
            if (e)
                committed.set_exception(e);
            else
                committed.set_value();
        });
    revoked.get_future().wait();

    // Meanwhile node b takes a send wrapped for bea's device too.
    std::promise<Appended> sent;
    b.write(
        [&](Tx& tx) {
            sent.set_value(tx.messages().append({"r", t.ann, t.ann_dev, "m1", "{}", &both, 11}));
        },
        [](std::exception_ptr) {});
    auto outcome = sent.get_future();
    // It waits for the revocation's transaction rather than store a key for the lost device...
    CHECK(outcome.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    release.set_value();
    committed.get_future().get();
    // ...and then finds the recipients stale.
    REQUIRE(outcome.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(outcome.get().result == R::stale_recipients);
    CHECK(b.read_now([&](const ReadTx& tx) { return tx.messages().last_seq(t.r); }) == 0);
}

TEST_CASE(
    "PostgreSQL store: two nodes whose units lock two rooms in opposite orders still store "
    "every send once, with no gap",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    // Deadlocks between the nodes' batches are found after deadlock_timeout (1 s by default);
    // the writer then runs the losing batch again. A short timeout keeps the test quick.
    const auto url = scratch.url() + "%20-cdeadlock_timeout%3D20ms";
    pg::PgStore a(url), b(url);
    const auto t = seed(a);
    Id s = 0;
    a.write_and_wait([&](Tx& tx) {
        s = *tx.rooms().create("s", t.ann, 1);
        tx.rooms().add_member(s, t.ann, 0, 1);
        tx.rooms().add_member(s, t.bea, 0, 1);
    });
    const auto both = devices({t.ann_dev, t.bea_dev});

    // Node a's units send in r then s; node b's in s then r. (Checked by hand: the server's log
    // shows "deadlock detected", and the test passes through the writer's retry.)
    constexpr int n = 25;
    std::vector<std::promise<void>> done(2 * n);
    std::vector<std::pair<Appended, Appended>> acks(2 * n);
    for (int i = 0; i < n; ++i) {
        for (int node = 0; node < 2; ++node) {
            const int k = 2 * i + node;
            const auto id = std::string(node == 0 ? "a" : "b") + std::to_string(i);
            const Id account = node == 0 ? t.ann : t.bea;
            const Id device = node == 0 ? t.ann_dev : t.bea_dev;
            const std::string first = node == 0 ? "r" : "s", second = node == 0 ? "s" : "r";
            (node == 0 ? a : b)
                .write(
                    [&, k, id, account, device, first, second](Tx& tx) {
                        acks[k].first = tx.messages().append(
                            {first, account, device, id + first, "{}", &both, 5});
                        // The first units hold their first room a while: the two batches
                        // then each hold the room the other waits for.
                        if (k < 2)
                            std::this_thread::sleep_for(std::chrono::milliseconds(100));
                        acks[k].second = tx.messages().append(
                            {second, account, device, id + second, "{}", &both, 5});
                    },
                    [&, k](std::exception_ptr e) {
                        if (e)
                            done[k].set_exception(e);
                        else
                            done[k].set_value();
                    });
        }
    }
    for (auto& d : done)
        d.get_future().get();

    std::set<std::pair<Id, std::int64_t>> seqs;
    for (const auto& [x, y] : acks) {
        REQUIRE(x.result == R::stored);
        REQUIRE(y.result == R::stored);
        seqs.insert({x.room, x.seq});
        seqs.insert({y.room, y.seq});
    }
    CHECK(seqs.size() == 4 * n);
    for (const Id room : {t.r, s}) {
        const auto rows =
            b.read_now([&](const ReadTx& tx) { return tx.messages().after(room, 0, 1000); });
        REQUIRE(rows.size() == 2 * n);
        for (std::size_t i = 0; i < rows.size(); ++i)
            CHECK(rows[i].seq == static_cast<std::int64_t>(i) + 1);
    }
}

TEST_CASE(
    "PostgreSQL store: two nodes extending the audit chain at once take turns: one chain, "
    "no fork",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    // As audit.hpp does: read the end of the chain, chain to it, append, set the head.
    const auto extend = [](Tx& tx, unsigned char node) {
        const auto last = tx.audit().last();
        AuditRow r;
        r.seq = last ? last->seq + 1 : 1;
        r.at = r.seq;
        r.kind = "test";
        r.body = {node};
        r.prev = last ? last->hash : Bytes{};
        r.hash = {static_cast<unsigned char>(r.seq), node};
        tx.audit().append(r);
        tx.audit().set_head({r.seq, r.seq, r.hash, r.at, {1}, {2}});
    };
    constexpr int n = 15;
    std::vector<std::promise<void>> done(2 * n);
    for (int i = 0; i < n; ++i)
        for (int node = 0; node < 2; ++node) {
            const int k = 2 * i + node;
            (node == 0 ? a : b)
                .write([&, node](Tx& tx) { extend(tx, static_cast<unsigned char>(node)); },
                       [&, k](std::exception_ptr e) {
                           if (e)
                               done[k].set_exception(e);
                           else
                               done[k].set_value();
                       });
        }
    for (auto& d : done)
        d.get_future().get();  // a fork would fail a unit on the primary key

    const auto records = a.read_now([](const ReadTx& tx) { return tx.audit().records(0, 0, -1); });
    REQUIRE(records.size() == 2 * n);
    for (std::size_t i = 0; i < records.size(); ++i) {
        CHECK(records[i].seq == static_cast<std::int64_t>(i) + 1);
        CHECK(records[i].prev == (i == 0 ? Bytes{} : records[i - 1].hash));
    }
    const auto head = b.read_now([](const ReadTx& tx) { return tx.audit().head(); });
    REQUIRE(head);
    CHECK(head->count == 2 * n);
    CHECK(head->last_hash == records.back().hash);
}

TEST_CASE(
    "PostgreSQL store: two nodes changing one room's glossary at once number every change once, "
    "and of two nodes taking one transfer only one gets it",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    const auto t = seed(a);
    constexpr int kEach = 10;
    const auto agree_all = [&](Store& node, const std::string& prefix) {
        std::vector<std::int64_t> versions;
        for (int i = 0; i < kEach; ++i)
            node.write_and_wait([&](Tx& tx) {
                versions.push_back(
                    tx.glossary().agree(t.r, prefix + std::to_string(i), "m", t.ann, 2).version);
            });
        return versions;
    };
    auto on_a = std::async(std::launch::async, agree_all, std::ref(a), "A");
    auto on_b = std::async(std::launch::async, agree_all, std::ref(b), "B");
    auto versions = on_a.get();
    const auto more = on_b.get();
    versions.insert(versions.end(), more.begin(), more.end());
    std::sort(versions.begin(), versions.end());
    std::vector<std::int64_t> expected(2 * kEach);
    for (int i = 0; i < 2 * kEach; ++i)
        expected[static_cast<std::size_t>(i)] = i + 1;
    CHECK(versions == expected);
    CHECK(b.read_now([&](const ReadTx& tx) { return tx.glossary().count(t.r); }) == 2 * kEach);

    // A transfer bea's device put for ann: taken on both nodes at once, both see it; closed on
    // both at once, exactly one closes it.
    a.write_and_wait(
        [&](Tx& tx) { tx.continuity().put_transfer(t.ann, t.bea_dev, "bundle", 1000); });
    const auto take = [&](Store& node) {
        std::optional<Transfer> got;
        node.write_and_wait(
            [&](Tx& tx) { got = tx.continuity().take_transfer(t.ann, t.ann_dev, 10); });
        return got.has_value();
    };
    auto take_a = std::async(std::launch::async, take, std::ref(a));
    auto take_b = std::async(std::launch::async, take, std::ref(b));
    CHECK(take_a.get() + take_b.get() == 2);
    const auto drop = [&](Store& node) {
        bool dropped = false;
        node.write_and_wait([&](Tx& tx) { dropped = tx.continuity().drop_transfer(t.ann); });
        return dropped;
    };
    auto drop_a = std::async(std::launch::async, drop, std::ref(a));
    auto drop_b = std::async(std::launch::async, drop, std::ref(b));
    CHECK(drop_a.get() + drop_b.get() == 1);
    CHECK_FALSE(take(b));
}

TEST_CASE(
    "PostgreSQL store: two nodes claiming the same emails at once get each one once, and the "
    "sweep's claim keeps the other node's sweep out until released",
    "[store][pg]") {
    if (!testing::pg_fixture_available()) {
        WARN("no pg_cluster fixture: skipped");
        return;
    }
    testing::PgScratch scratch;
    pg::PgStore a(scratch.url()), b(scratch.url());
    // Each node queues a claim on every key without waiting, so the two writers' batches
    // overlap and contend for the same rows (as two outboxes reading the same pending list do).
    constexpr int n = 80;
    std::vector<int> won(2 * n, 0);
    std::vector<std::promise<void>> done(2 * n);
    for (int i = 0; i < n; ++i)
        for (int node = 0; node < 2; ++node) {
            const int k = 2 * i + node;
            const std::string name = node == 0 ? "node-a" : "node-b";
            (node == 0 ? a : b)
                .write(
                    [&, k, i, name](Tx& tx) {
                        won[k] = tx.claims().claim("mail:minutes_circulated:" + std::to_string(i),
                                                   name, 1000, 61'000)
                                     ? 1
                                     : 0;
                    },
                    [&, k](std::exception_ptr e) {
                        if (e)
                            done[k].set_exception(e);
                        else
                            done[k].set_value();
                    });
        }
    for (auto& d : done)
        d.get_future().get();
    int a_won = 0;
    for (int i = 0; i < n; ++i) {
        INFO("email " << i);
        CHECK(won[2 * i] + won[2 * i + 1] == 1);  // exactly one node holds each
        a_won += won[2 * i];
    }
    // Each node's view of who holds what agrees with what it was told.
    a.write_and_wait([&](Tx& tx) {
        for (int i = 0; i < n; ++i)
            CHECK(tx.claims().holder("mail:minutes_circulated:" + std::to_string(i), 2000) ==
                  (won[2 * i] == 1 ? "node-a" : "node-b"));
    });
    WARN("node a claimed " << a_won << " of " << n);

    // The sweep: a holds it; b is kept out until a releases it (or a's claim runs out).
    a.write_and_wait([&](Tx& tx) { CHECK(tx.claims().claim("retention_sweep", "node-a", 0, 10)); });
    b.write_and_wait(
        [&](Tx& tx) { CHECK_FALSE(tx.claims().claim("retention_sweep", "node-b", 5, 20)); });
    b.write_and_wait(
        [&](Tx& tx) { CHECK(tx.claims().claim("retention_sweep", "node-b", 11, 20)); });
    a.write_and_wait(
        [&](Tx& tx) { CHECK_FALSE(tx.claims().release("retention_sweep", "node-a")); });
}
