// CPU work off the writer (issue #22): a dictionary change is compiled on the Service's worker,
// not in its write unit, so that what is queued behind it does not wait; and a change that
// meets another while it is compiled is run again, never stored over the other's.
//
// The worker's hook (ServiceConfig::before_worker_job) holds its jobs back until the test lets
// them go, so "while the compile runs" is a state the test controls, not a race it hopes for.
// Shutdown (Service::drain) waits for such work, and for the follow-up step after its reply.
#include "app/service.hpp"
#include "bus/local_bus.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "metrics.hpp"
#include "store/at_rest.hpp"
#include "store/audit.hpp"
#include "store/server_keys.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_db.hpp"

using namespace liaise::server;
using liaise::server::testing::TempDb;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// Shut until open() is called: each worker job waits at it, and counts itself first.
class Gate {
  public:
    void pass() {
        std::unique_lock lock(mutex_);
        ++arrived_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
    }
    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    int arrived() {
        std::lock_guard lock(mutex_);
        return arrived_;
    }
    /// Waits until `n` jobs have reached the gate (or a few seconds have passed).
    bool reached(int n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return arrived_ >= n; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int arrived_ = 0;
    bool open_ = false;
};

/// A LocalBus whose dictionaries_changed() and cut_off() -- follow-up steps, which run after
/// their request's reply has gone -- can be made slow, and say when they have finished.
class SlowBus final : public Bus {
  public:
    void join(std::int64_t account, const std::shared_ptr<Sink>& sink) override {
        local_.join(account, sink);
    }
    void leave(std::int64_t account, const Sink* sink) override { local_.leave(account, sink); }
    std::size_t publish(const std::vector<std::int64_t>& accounts,
                        const std::shared_ptr<const Frame>& frame, const Sink* except) override {
        return local_.publish(accounts, frame, except);
    }
    void broadcast(const std::shared_ptr<const Frame>& frame) override { local_.broadcast(frame); }
    std::size_t cut_off(std::int64_t account, const std::string& reason) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
        const auto n = local_.cut_off(account, reason);
        cut.store(account);
        return n;
    }
    void dictionaries_changed(std::int64_t version) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
        local_.dictionaries_changed(version);
        changed.store(version);
    }

    std::atomic<int> delay_ms{0};
    std::atomic<std::int64_t> changed{0};  ///< the last version told, once told
    std::atomic<std::int64_t> cut{0};      ///< the last account cut off, once cut off

  private:
    LocalBus local_;
};

/// Ann, the only admin (account 1, device 1), logged in; the dictionaries as a fresh store has
/// them; a Service whose worker waits at `gate`.
struct Admin {
    TempDb tmp;
    Metrics metrics;
    Storage storage{tmp.path, &metrics};
    store::sqlite::SqliteStore store{storage};
    AtRestKey key = AtRestKey::generate();
    std::optional<ServerKeys> keys;
    SlowBus hub;
    Gate gate;
    std::optional<Service> service;
    Identity ann;

    Admin() {
        store.write_and_wait(
            [&](store::Tx& tx) { keys.emplace(audit::setup(tx.secrets(), tx.audit(), key)); });
        storage.write_and_wait([&](SQLite::Database& db) {
            db.exec(
                "INSERT INTO agencies(id, name, discipline, created_at) "
                "VALUES(1, 'Care', 'social-care', 0)");
            db.exec(
                "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
                "VALUES(1, 'ann', 'Ann', 1, 'admin', 0)");
            db.exec(
                "INSERT INTO devices(id, account_id, name, sign_key, box_key, "
                "box_key_signature, created_at) VALUES(1, 1, 'a', 'k', 'k', 's', 0)");
        });
        ServiceConfig config;
        config.before_worker_job = [this] { gate.pass(); };
        service.emplace(store, metrics, hub, config, &key, nullptr, &*keys);
        ann.hello = true;
        ann.account = 1;
        ann.device = 1;
        ann.user = "ann";
        ann.role = liaise::protocol::Role::admin;
    }
    ~Admin() {
        // Let the worker finish, and wait for every piece of work under way (a reply goes
        // before its `after` step, which still uses the Service) before the Service goes.
        gate.open();
        if (service)
            (void)service->drain(10s);
    }

    /// Sends ann's request `type` with `fields`; its reply arrives in the future returned.
    std::future<json::object> send(std::string type, json::object fields = {}) {
        fields["type"] = type;
        fields["id"] = type;
        auto reply = std::make_shared<std::promise<json::object>>();
        auto future = reply->get_future();
        const auto handling = service->handle(
            ann, json::serialize(fields),
            [reply](std::string frame) { reply->set_value(json::parse(frame).as_object()); },
            nullptr);
        REQUIRE(handling == liaise::server::Requests::Handling::done);
        return future;
    }
    json::object request(std::string type, json::object fields = {}) {
        auto f = send(std::move(type), std::move(fields));
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        return f.get();
    }
};

std::string code_of(const json::object& reply) {
    if (reply.at("type").as_string() == "ok")
        return "ok";
    return std::string(reply.at("code").as_string());
}

}  // namespace

TEST_CASE("a write queued while a dictionary change is compiled is answered before the compile",
          "[service][off_writer]") {
    Admin t;
    auto change = t.send("dict_discipline_add", {{"discipline", "housing"}});
    REQUIRE(t.gate.reached(1));  // the compile is held on the worker
    // The writer is free: a write queued now commits and is answered while the compile waits.
    const auto issued =
        t.request("enrol_code", {{"user", "bo"}, {"agency", "Care"}, {"role", "member"}});
    CHECK(code_of(issued) == "ok");
    CHECK(change.wait_for(100ms) == std::future_status::timeout);  // still compiling
    t.gate.open();
    REQUIRE(change.wait_for(10s) == std::future_status::ready);
    const auto done = change.get();
    REQUIRE(code_of(done) == "ok");
    CHECK(done.at("changed").as_bool());
    CHECK(t.request("dict_export", {{"discipline", "housing"}}).at("type").as_string() == "ok");
}

TEST_CASE(
    "dictionary changes compiled at the same time are stored one after the other, never "
    "one over another",
    "[service][off_writer]") {
    Admin t;
    const auto before = t.request("dict_versions").at("version").as_int64();
    // Three changes read the same version and are compiled while none has been stored.
    const std::vector<std::string> names{"housing", "police", "probation"};
    std::vector<std::future<json::object>> changes;
    for (const auto& name : names)
        changes.push_back(t.send("dict_discipline_add", {{"discipline", name}}));
    // The worker is one thread: the first compile waits at the gate, the other two behind it.
    REQUIRE(t.gate.reached(1));
    t.gate.open();
    std::vector<std::string> stored;
    std::set<std::int64_t> versions;
    for (std::size_t i = 0; i < names.size(); ++i) {
        REQUIRE(changes[i].wait_for(10s) == std::future_status::ready);
        const auto reply = changes[i].get();
        INFO(names[i] << ": " << json::serialize(reply));
        // The first is stored; each other meets a newer version, runs again once, and is
        // stored or (meeting yet another) refused `conflict` with nothing changed.
        const auto code = code_of(reply);
        CHECK((code == "ok" || code == "conflict"));
        if (code == "ok") {
            stored.push_back(names[i]);
            versions.insert(reply.at("version").as_int64());
        } else {
            CHECK_THAT(std::string(reply.at("message").as_string()),
                       Catch::Contains("the dictionaries changed"));
        }
    }
    CHECK(stored.size() >= 2);  // the second was run again from the first's version
    CHECK(stored.front() == "housing");
    // Each stored change is a version of its own, and every one of them is in the files: none
    // was written over another (which a write of files compiled from an old version would do).
    CHECK(versions.size() == stored.size());
    const auto after = t.request("dict_versions").at("version").as_int64();
    CHECK(after == before + static_cast<std::int64_t>(stored.size()));
    for (const auto& name : names) {
        const bool kept = std::find(stored.begin(), stored.end(), name) != stored.end();
        INFO(name);
        CHECK(code_of(t.request("dict_export", {{"discipline", name}})) ==
              (kept ? "ok" : "not_found"));
    }
}

TEST_CASE("a dictionary change its edit refuses is answered from the read, with nothing compiled",
          "[service][off_writer]") {
    Admin t;
    t.gate.open();
    REQUIRE(code_of(t.request("dict_discipline_add", {{"discipline", "housing"}})) == "ok");
    REQUIRE(t.gate.arrived() == 1);
    const auto again = t.request("dict_discipline_add", {{"discipline", "housing"}});
    CHECK(code_of(again) == "conflict");
    CHECK_THAT(std::string(again.at("message").as_string()), Catch::Contains("already"));
    CHECK(t.gate.arrived() == 1);  // the worker never saw it
}

TEST_CASE(
    "shutdown waits for a compile held on the worker, the write it queues and the step after "
    "its reply",
    "[service][off_writer][shutdown]") {
    Admin t;
    t.hub.delay_ms = 300;  // the follow-up step (telling every session) takes a while
    auto change = t.send("dict_discipline_add", {{"discipline", "housing"}});
    REQUIRE(t.gate.reached(1));
    // As serve() does once no request can arrive: stop the sweep, then drain. While the compile
    // is held nothing it leads to has happened, and the drain does not finish.
    t.service->stop_sweeping();
    CHECK_FALSE(t.service->drain(200ms));
    CHECK(change.wait_for(0s) == std::future_status::timeout);
    CHECK(t.hub.changed.load() == 0);
    // Let the compile go while the drain waits: it returns only once the compile, the write it
    // queued, the reply and the slow step after the reply are all over.
    std::thread opener([&] {
        std::this_thread::sleep_for(100ms);
        t.gate.open();
    });
    const bool drained = t.service->drain(10s);
    opener.join();
    CHECK(drained);
    REQUIRE(change.wait_for(0s) == std::future_status::ready);
    const auto reply = change.get();
    REQUIRE(code_of(reply) == "ok");
    // The step after the reply had finished when the drain returned: the Service, the bus and
    // the store are no longer in use, so serve() may let them go in any order.
    CHECK(t.hub.changed.load() == reply.at("version").as_int64());
}

TEST_CASE("shutdown with nothing under way returns at once", "[service][shutdown]") {
    Admin t;
    t.gate.open();
    REQUIRE(code_of(t.request("dict_versions")) == "ok");
    const auto started = std::chrono::steady_clock::now();
    CHECK(t.service->drain(10s));
    CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("shutdown waits for the step after a write's reply", "[service][shutdown]") {
    Admin t;
    t.gate.open();
    t.storage.write_and_wait([](SQLite::Database& db) {
        db.exec(
            "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
            "VALUES(2, 'bo', 'Bo', 1, 'member', 0)");
    });
    t.hub.delay_ms = 500;  // cutting bo's sessions off, after the reply, takes a while
    auto suspended = t.send("account_suspend", {{"user", "bo"}});
    REQUIRE(suspended.wait_for(10s) == std::future_status::ready);
    REQUIRE(code_of(suspended.get()) == "ok");
    CHECK(t.hub.cut.load() == 0);  // answered; the step after the reply is still under way
    CHECK(t.service->drain(10s));
    CHECK(t.hub.cut.load() == 2);  // and the drain waited for it
}
