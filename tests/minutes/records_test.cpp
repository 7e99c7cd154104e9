// The minutes handlers' store calls (app/minutes_records, app/minutes_json) against a real
// SQLite store in a temporary file: what they seal, what they queue live, who they refuse.
#include "app/minutes_records.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "../server/temp_db.hpp"
#include "app/error.hpp"
#include "app/minutes_json.hpp"
#include "app/outcome.hpp"
#include "liaise/protocol/fields.hpp"
#include "store/at_rest.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace liaise::server;
using namespace liaise::server::minutes;
using liaise::protocol::Role;
using liaise::protocol::str;
namespace json = boost::json;

namespace {

/// Ann (chair) and Bea (minute-taker) in room "r"; Cal in no room. One store, one key.
struct Minutes {
    testing::TempDb tmp;
    Storage storage{tmp.path, nullptr};
    store::sqlite::SqliteStore store{storage};
    AtRestKey key = AtRestKey::generate();
    Id ann = 0, bea = 0, cal = 0, room = 0;

    Minutes() {
        store.write_and_wait([&](store::Tx& tx) {
            const auto agency = *tx.accounts().add_agency("Care", "social-care", 1);
            ann = *tx.accounts().add("ann", "Ann", agency, Role::member, 1);
            bea = *tx.accounts().add("bea", "Bea", agency, Role::member, 1);
            cal = *tx.accounts().add("cal", "Cal", agency, Role::member, 1);
            room = *tx.rooms().create("r", ann, 1);
            REQUIRE(tx.rooms().add_member(room, ann, 0, 1));
            REQUIRE(tx.rooms().add_member(room, bea, 0, 1));
        });
    }

    /// A draft meeting in room r, its body holding `title`; returns its id.
    Id meeting(const std::string& title) {
        Id id = 0;
        store.write_and_wait([&](store::Tx& tx) {
            Meeting m;
            m.room = {room, "r", false};
            m.kind = "core";
            m.starts_at = "2026-03-04 10:00";
            m.marking = "OFFICIAL";
            m.status = "draft";
            m.chair = ann;
            m.minute_taker = bea;
            m.version = 1;
            m.body = {{"title", title}, {"attendance", json::array()}};
            create_meeting(tx, key, m, ann);
            id = m.id;
        });
        return id;
    }

    Meeting load(Id id) {
        return store.read_now(
            [&](const store::ReadTx& tx) { return load_meeting(reader_of(tx), key, id); });
    }
};

template <class Fn>
std::string code_of(Fn&& fn) {
    try {
        fn();
    } catch (const ServiceError& e) {
        return e.error.code;
    }
    return "";
}

}  // namespace

TEST_CASE("minutes records: bodies are sealed to their row and revision", "[minutes_records]") {
    Minutes t;
    const auto id = t.meeting("Strategy discussion for the Okafor children");
    const auto m = t.load(id);
    CHECK(str(m.body, "title") == "Strategy discussion for the Okafor children");
    CHECK(m.rev == 1);
    CHECK(m.room.name == "r");

    // The store holds no plaintext.
    const auto row =
        t.store.read_now([&](const store::ReadTx& tx) { return *tx.meetings().meeting(id); });
    const std::string stored(row.body.begin(), row.body.end());
    CHECK(stored.find("Okafor") == std::string::npos);

    // Another server's key, or the body moved to another revision, opens nothing: internal,
    // never minutes text.
    const auto other = AtRestKey::generate();
    CHECK(code_of([&] {
              t.store.read_now([&](const store::ReadTx& tx) {
                  return load_meeting(reader_of(tx), other, id).id;
              });
          }) == "internal");
    t.store.write_and_wait([&](store::Tx& tx) {
        auto moved = *tx.meetings().meeting(id);
        moved.rev = 2;  // the same sealed bytes, claimed for revision 2
        tx.meetings().update(moved, 5);
    });
    CHECK(code_of([&] { (void)t.load(id); }) == "internal");
}

TEST_CASE("minutes records: every save of an edit tells the room, by identifiers only",
          "[minutes_records]") {
    Minutes t;
    const auto id = t.meeting("Safety plan for Jamie");
    Outcome out;
    t.store.write_and_wait([&](store::Tx& tx) {
        out = {};
        auto m = load_meeting(reader_of(tx), t.key, id);
        m.body["title"] = "Safety plan for Jamie, revised";
        save_edit(tx, t.key, m, out, {t.bea});
    });
    REQUIRE(out.live.size() == 1);
    CHECK(out.live[0].first == std::vector<std::int64_t>{t.ann, t.bea});
    const auto event = json::parse(out.live[0].second).as_object();
    CHECK(event.at("type") == "minutes_changed");
    CHECK(event.at("meeting").as_int64() == id);
    CHECK(event.at("room") == "r");
    CHECK(event.at("by") == "bea");
    CHECK(event.at("version").as_int64() == 1);
    CHECK_FALSE(event.contains("action"));
    CHECK(out.live[0].second.find("Jamie") == std::string::npos);
    CHECK(t.load(id).rev == 2);
    CHECK(str(t.load(id).body, "title") == "Safety plan for Jamie, revised");

    // An action's save names the action and no version.
    Action a;
    t.store.write_and_wait([&](store::Tx& tx) {
        out = {};
        const auto m = load_meeting(reader_of(tx), t.key, id);
        a.room_id = m.room.id;
        a.room = m.room.name;
        a.raised_in = id;
        a.due = "2026-03-20";
        a.status = "open";
        a.owner = t.bea;
        a.body = {{"what", "Visit Jamie at school"}, {"evidence", ""}};
        create_action(tx, t.key, a);
        a.status = "in_progress";
        save_action(tx, t.key, a, out, t.ann);
    });
    REQUIRE(out.live.size() == 1);
    const auto changed = json::parse(out.live[0].second).as_object();
    CHECK(changed.at("action").as_int64() == a.id);
    CHECK(changed.at("by") == "ann");
    CHECK_FALSE(changed.contains("version"));
    CHECK(out.live[0].second.find("school") == std::string::npos);

    // Listed on its meeting, owner and status in plain columns, text opened.
    const auto minutes = t.store.read_now([&](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        return minutes_json(r, t.key, load_meeting(r, t.key, id));
    });
    const auto& actions = minutes.at("actions").as_array();
    REQUIRE(actions.size() == 1);
    CHECK(actions[0].at("what") == "Visit Jamie at school");
    CHECK(actions[0].at("status") == "in_progress");
    CHECK(actions[0].at("owner").at("user") == "bea");
    CHECK(minutes.at("chair").at("user") == "ann");
    CHECK(minutes.at("minute_taker").at("user") == "bea");
}

TEST_CASE("minutes records: who may read and edit, and a refused edit changes nothing",
          "[minutes_records]") {
    Minutes t;
    const auto id = t.meeting("Core group");
    t.store.read_and_wait([&](const store::ReadTx& tx) {
        const auto r = reader_of(tx);
        const auto m = load_meeting(r, t.key, id);
        // To someone outside the room the meeting does not exist.
        CHECK(code_of([&] { require_reader(r, m, t.cal); }) == "not_found");
        CHECK(code_of([&] { require_editor(r, m, t.cal); }) == "not_found");
        CHECK(code_of([&] { require_editor(r, m, t.bea); }).empty());
        CHECK(code_of([&] { (void)load_meeting(r, t.key, id + 100); }) == "not_found");
        CHECK(code_of([&] { (void)require_room_member(r, m.room, "chair", "cal"); }) ==
              "bad_request");
        CHECK(code_of([&] { (void)require_person(r, "user", "nobody"); }) == "not_found");
    });
    // A unit that fails after saving keeps nothing of the save.
    CHECK_THROWS_AS(t.store.write_and_wait([&](store::Tx& tx) {
        Outcome out;
        auto m = load_meeting(reader_of(tx), t.key, id);
        m.body["title"] = "changed";
        save_edit(tx, t.key, m, out, {t.ann});
        throw std::runtime_error("refused later in the unit");
    }),
                    std::runtime_error);
    const auto m = t.load(id);
    CHECK(m.rev == 1);
    CHECK(str(m.body, "title") == "Core group");
}
