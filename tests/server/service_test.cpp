// Service-level checks of the moment between a change to an account's standing and the cut-off
// that closes its sessions. Over the network that moment lasts microseconds; here the change is
// committed straight through Storage, with no completion to cut anyone off, so the session's
// next request always meets it.
#include "app/service.hpp"
#include "bus/local_bus.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <string>

#include "metrics.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_db.hpp"

using namespace liaise::server;
using liaise::server::testing::TempDb;
namespace json = boost::json;

namespace {

/// Ann (admin, account 1, device 1) and bea (account 2, device 2) in room "r", with a message
/// from ann in it. Bea's session is logged in as `role`; nothing cuts it off.
struct Standing {
    TempDb tmp;
    Metrics metrics;
    Storage storage{tmp.path, &metrics};
    store::sqlite::SqliteStore store{storage};
    LocalBus hub;
    Service service{store, metrics, hub, ServiceConfig{}};
    Identity bea;

    explicit Standing(liaise::protocol::Role role) {
        const std::string role_name = role == liaise::protocol::Role::admin ? "admin" : "member";
        storage.write_and_wait([&](SQLite::Database& db) {
            db.exec(
                "INSERT INTO agencies(id, name, discipline, created_at) "
                "VALUES(1, 'Care', 'social-care', 0)");
            db.exec(
                "INSERT INTO accounts(id, username, display_name, agency_id, role, created_at) "
                "VALUES(1, 'ann', 'Ann', 1, 'admin', 0), (2, 'bea', 'Bea', 1, '" +
                role_name + "', 0)");
            db.exec(
                "INSERT INTO devices(id, account_id, name, sign_key, box_key, "
                "box_key_signature, created_at) VALUES(1, 1, 'a', 'k', 'k', 's', 0), "
                "(2, 2, 'b', 'k', 'k', 's', 0)");
            db.exec("INSERT INTO rooms(id, name, created_by, created_at) VALUES(1, 'r', 1, 0)");
            db.exec(
                "INSERT INTO room_members(room_id, account_id, joined_seq, added_at) "
                "VALUES(1, 1, 0, 0), (1, 2, 0, 0)");
            db.exec(
                "INSERT INTO messages(room_id, seq, sender_device, client_msg_id, envelope, "
                "sent_at) VALUES(1, 1, 1, 'm1', '{}', 0)");
        });
        bea.hello = true;
        bea.account = 2;
        bea.device = 2;
        bea.user = "bea";
        bea.role = role;
    }

    /// Bea's request `type` with `fields`; its reply.
    json::object request(std::string type, json::object fields = {}) {
        fields["type"] = type;
        fields["id"] = "1";
        std::promise<std::string> reply;
        (void)service.handle(
            bea, json::serialize(fields),
            [&](std::string frame) { reply.set_value(std::move(frame)); }, nullptr);
        return json::parse(reply.get_future().get()).as_object();
    }

    /// Commits `sql` as the writer does, without the completion that would cut bea off.
    void change(const std::string& sql) {
        storage.write_and_wait([&](SQLite::Database& db) { db.exec(sql); });
    }
};

std::string code_of(const json::object& reply) {
    if (reply.at("type").as_string() == "ok")
        return "ok";
    return std::string(reply.at("code").as_string());
}

}  // namespace

TEST_CASE("a read from a session whose standing changed is refused before any cut-off",
          "[service]") {
    struct Case {
        const char* change;
        const char* refusal;
    };
    const auto c =
        GENERATE(Case{"UPDATE accounts SET suspended = 1 WHERE id = 2", "suspended"},
                 Case{"UPDATE devices SET revoked_at = 1 WHERE id = 2", "device_replaced"});
    Standing t(liaise::protocol::Role::member);
    INFO(c.change);
    const auto before = t.request("sync", {{"room", "r"}, {"after", 0}});
    REQUIRE(code_of(before) == "ok");
    CHECK(before.at("messages").as_array().size() == 1);
    t.change(c.change);
    const auto after = t.request("sync", {{"room", "r"}, {"after", 0}});
    CHECK(code_of(after) == c.refusal);
    CHECK_FALSE(after.contains("messages"));
    CHECK(code_of(t.request("rooms")) == c.refusal);
    CHECK(code_of(t.request("whoami")) == c.refusal);
}

TEST_CASE("an admin read from a session whose admin role was taken is refused before any cut-off",
          "[service]") {
    Standing t(liaise::protocol::Role::admin);
    REQUIRE(code_of(t.request("account_list")) == "ok");
    t.change("UPDATE accounts SET role = 'member' WHERE id = 2");
    const auto refused = t.request("account_list");
    CHECK(code_of(refused) == "forbidden");
    CHECK_THAT(std::string(refused.at("message").as_string()),
               Catch::Contains("your role has changed"));
    CHECK(code_of(t.request("rooms")) == "ok");  // what a member may read, she still may
}
