#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "pg_test_db.hpp"
#include "seed.hpp"
#include "store/postgres/messages.hpp"
#include "store/postgres/schema.hpp"

using namespace liaise::server;
using liaise::server::testing::PgTestDb;
using liaise::server::testing::seed;
using R = pg::Appended::Result;

namespace {

pg::Send send(std::int64_t room, std::int64_t device, std::string id, std::int64_t at = 1000) {
    return {room, device, std::move(id), "envelope-" + std::to_string(room), at};
}

std::int64_t count(pg::Connection& db, const std::string& where = "true") {
    return db.exec("SELECT count(*) FROM messages WHERE " + where).int64(0, 0);
}

}  // namespace

TEST_CASE("PostgreSQL append gives each room its own gapless seqs in batch order", "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 2, 2);
    const std::vector<pg::Send> batch = {
        send(s.rooms[1], s.devices[0], "a"), send(s.rooms[0], s.devices[0], "b"),
        send(s.rooms[1], s.devices[1], "c"), send(s.rooms[1], s.devices[0], "d")};
    const auto out = pg::append_batch(db, batch);
    REQUIRE(out.size() == 4);
    CHECK(out[0].result == R::stored);
    CHECK(out[0].seq == 1);
    CHECK(out[1].seq == 1);
    CHECK(out[2].seq == 2);
    CHECK(out[3].seq == 3);
    CHECK(pg::last_seq(db, s.rooms[1]) == 3);
    const auto rows = pg::fetch_after(db, s.rooms[1], 1, 10);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].seq == 2);
    CHECK(rows[0].client_msg_id == "c");
    CHECK(rows[1].seq == 3);
    CHECK(rows[1].device == s.devices[0]);
}

TEST_CASE("PostgreSQL append answers a resent client_msg_id with the original seq and time",
          "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 2, 1);
    const auto room = s.rooms[0];
    const auto first = pg::append_batch(db, std::vector{send(room, s.devices[0], "x", 111)});
    REQUIRE(first.at(0).result == R::stored);
    (void)pg::append_batch(db, std::vector{send(room, s.devices[1], "y")});
    // The retry comes later, maybe through another node, maybe twice in one batch.
    const auto again = pg::append_batch(
        db, std::vector{send(room, s.devices[0], "x", 999), send(room, s.devices[0], "x", 999)});
    for (const auto& a : again) {
        CHECK(a.result == R::duplicate);
        CHECK(a.seq == first[0].seq);
        CHECK(a.sent_at == 111);
    }
    // The same id from another device is another message.
    const auto other = pg::append_batch(db, std::vector{send(room, s.devices[1], "x")});
    CHECK(other.at(0).result == R::stored);
    CHECK(other.at(0).seq == 3);
    CHECK(count(db) == 3);
}

TEST_CASE(
    "PostgreSQL append refuses non-members, suspended people, revoked devices and unknown "
    "rooms, storing nothing and using no seq",
    "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 4, 1);
    const auto room = s.rooms[0];
    db.exec("DELETE FROM room_members WHERE account_id = $1", {std::to_string(s.accounts[1])});
    db.exec("UPDATE accounts SET suspended = true WHERE id = $1", {std::to_string(s.accounts[2])});
    db.exec("UPDATE devices SET revoked_at = 5 WHERE id = $1", {std::to_string(s.devices[3])});
    const auto out = pg::append_batch(
        db, std::vector{send(room, s.devices[1], "m"), send(room, s.devices[2], "s"),
                        send(room, s.devices[3], "r"), send(room + 100, s.devices[0], "u"),
                        send(room, 424242, "nodevice"), send(room, s.devices[0], "ok")});
    CHECK(out[0].result == R::not_member);
    CHECK(out[1].result == R::not_allowed);
    CHECK(out[2].result == R::not_allowed);
    CHECK(out[3].result == R::no_room);
    CHECK(out[4].result == R::not_allowed);
    CHECK(out[5].result == R::stored);
    CHECK(out[5].seq == 1);
    CHECK(count(db) == 1);
}

TEST_CASE(
    "PostgreSQL append is all or nothing: a failing send rolls the batch back and the "
    "connection stays usable",
    "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 1, 2);
    auto bad = send(s.rooms[1], s.devices[0], "bad");
    bad.envelope = "\xff\xfe not UTF-8";  // PostgreSQL refuses it (22021)
    const std::vector batch = {send(s.rooms[0], s.devices[0], "good"), bad};
    try {
        (void)pg::append_batch(db, batch);
        FAIL("the batch was accepted");
    } catch (const pg::Error& e) {
        CHECK(e.sqlstate() == "22021");
    }
    CHECK(count(db) == 0);
    CHECK(pg::last_seq(db, s.rooms[0]) == 0);
    const auto out = pg::append_batch(db, std::vector{send(s.rooms[0], s.devices[0], "good")});
    CHECK(out.at(0).result == R::stored);
    CHECK(out.at(0).seq == 1);
}

TEST_CASE("PostgreSQL append takes a batch far larger than the socket buffers", "[pg]") {
    PgTestDb t;
    pg::Connection db(t.url);
    pg::migrate(db);
    const auto s = seed(db, 1, 3);
    std::vector<pg::Send> batch;
    for (int i = 0; i < 1500; ++i) {
        auto m = send(s.rooms[i % 3], s.devices[0], "big" + std::to_string(i));
        m.envelope = std::string(7000, 'e');  // an envelope for about 50 devices
        batch.push_back(std::move(m));
    }
    const auto out = pg::append_batch(db, batch);
    REQUIRE(out.size() == batch.size());
    CHECK(out.back().result == R::stored);
    CHECK(out.back().seq == 500);
    CHECK(count(db) == 1500);
}

// Three "nodes" (connections on threads) send batches into few rooms at once, each resending a
// share of ids another node already sent (a client that reconnected elsewhere). Whatever the
// interleaving: every acknowledged send is stored exactly once with the seq it was given, each
// room's seqs are 1..n without a gap, and every resend got the original seq. Rooms locked in
// any order but ascending would deadlock here (PostgreSQL would abort one batch with 40P01).
TEST_CASE(
    "PostgreSQL append from three nodes at once: no loss, no gap, no deadlock, retries "
    "keep their seq",
    "[pg]") {
    PgTestDb t;
    pg::Connection setup(t.url);
    pg::migrate(setup);
    const auto s = seed(setup, 3, 6);
    constexpr int nodes = 3;
    constexpr int batches = 60;
    constexpr int batch_size = 12;
    std::mutex mutex;
    std::map<std::tuple<std::int64_t, std::int64_t, std::string>, std::int64_t> acked;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::string, std::int64_t>> retries;
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int n = 0; n < nodes; ++n)
        threads.emplace_back([&, n] {
            try {
                pg::Connection db(t.url);
                std::mt19937 rng(static_cast<unsigned>(n) * 7919U + 1U);
                for (int b = 0; b < batches; ++b) {
                    std::vector<pg::Send> batch;
                    std::vector<std::int64_t> expected;  // -1: new; else the acked seq
                    for (int i = 0; i < batch_size; ++i) {
                        std::unique_lock lock(mutex);
                        if (!acked.empty() && rng() % 20 == 0) {
                            auto it = acked.begin();
                            std::advance(it, static_cast<long>(rng() % acked.size()));
                            const auto& [key, seq] = *it;
                            batch.push_back(
                                send(std::get<0>(key), std::get<1>(key), std::get<2>(key)));
                            expected.push_back(seq);
                            continue;
                        }
                        lock.unlock();
                        // Rooms in random order within the batch: only the lock order is sorted.
                        const auto room = s.rooms[rng() % s.rooms.size()];
                        batch.push_back(send(
                            room, s.devices[static_cast<std::size_t>(n)],
                            std::to_string(n) + "-" + std::to_string(b) + "-" + std::to_string(i)));
                        expected.push_back(-1);
                    }
                    const auto out = pg::append_batch(db, batch);
                    std::lock_guard lock(mutex);
                    for (std::size_t i = 0; i < out.size(); ++i) {
                        const auto& m = batch[i];
                        if (expected[i] >= 0) {
                            retries.emplace_back(m.room, m.device, m.client_msg_id, out[i].seq);
                            if (out[i].result != R::duplicate || out[i].seq != expected[i])
                                errors.push_back("retry of " + m.client_msg_id + " got seq " +
                                                 std::to_string(out[i].seq));
                        } else if (out[i].result != R::stored) {
                            errors.push_back("new send " + m.client_msg_id + " not stored");
                        } else {
                            acked[{m.room, m.device, m.client_msg_id}] = out[i].seq;
                        }
                    }
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                errors.push_back(e.what());
            }
        });
    for (auto& th : threads)
        th.join();
    for (const auto& e : errors)
        FAIL_CHECK(e);
    CHECK(errors.empty());
    CHECK(acked.size() + retries.size() == nodes * batches * batch_size);
    CHECK(!retries.empty());

    // Stored exactly once, with the seq acknowledged.
    auto rows = setup.exec("SELECT room_id, sender_device, client_msg_id, seq FROM messages");
    CHECK(static_cast<std::size_t>(rows.rows()) == acked.size());
    std::size_t matching = 0;
    for (int i = 0; i < rows.rows(); ++i) {
        const auto it =
            acked.find({rows.int64(i, 0), rows.int64(i, 1), std::string(rows.text(i, 2))});
        if (it != acked.end() && it->second == rows.int64(i, 3))
            ++matching;
    }
    CHECK(matching == acked.size());
    // No gaps: in every room, seqs are exactly 1..count and last_seq is count.
    auto gaps = setup.exec(
        "SELECT count(*) FROM (SELECT r.id FROM rooms r LEFT JOIN messages m ON m.room_id = r.id "
        "GROUP BY r.id, r.last_seq HAVING count(m.id) <> r.last_seq "
        "OR coalesce(max(m.seq), 0) <> r.last_seq OR coalesce(min(m.seq), 1) <> 1) g");
    CHECK(gaps.int64(0, 0) == 0);
}
