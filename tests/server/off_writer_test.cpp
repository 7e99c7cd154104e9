// CPU work off the writer (issue #22): a dictionary change is compiled on the Service's worker,
// not in its write unit, so that what is queued behind it does not wait; and a change that
// meets another while it is compiled is run again, never stored over the other's.
//
// The worker's hook (ServiceConfig::before_worker_job) holds its jobs back until the test lets
// them go, so "while the compile runs" is a state the test controls, not a race it hopes for.
#include "app/service.hpp"
#include "bus/local_bus.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>

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

/// Ann, the only admin (account 1, device 1), logged in; the dictionaries as a fresh store has
/// them; a Service whose worker waits at `gate`.
struct Admin {
    TempDb tmp;
    Metrics metrics;
    Storage storage{tmp.path, &metrics};
    store::sqlite::SqliteStore store{storage};
    AtRestKey key = AtRestKey::generate();
    std::optional<ServerKeys> keys;
    LocalBus hub;
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
        // Let the worker finish, and wait for the writer to have run every completion queued
        // (a reply goes before its `after` step, which still uses the Service) before the
        // Service goes.
        gate.open();
        store.write_and_wait([](store::Tx&) {});
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
