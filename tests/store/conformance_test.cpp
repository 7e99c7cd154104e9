// The repository conformance suite (conformance.hpp): what every store must do, written against
// store.hpp alone. Rows are made through the repositories, never with a store's own language.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance.hpp"

using namespace liaise::server::store;
using conformance::factories;
using liaise::protocol::Role;

namespace {

/// Runs `fn` once per registered store, each in its own section, on a fresh store.
template <class Fn>
void each_store(Fn fn) {
    REQUIRE_FALSE(factories().empty());
    for (auto& factory : factories()) {
        DYNAMIC_SECTION("store " << factory.name) {
            auto fixture = factory.make();
            if (!fixture) {
                WARN("store " << factory.name << " is not available here: skipped");
                continue;
            }
            fn(fixture->store());
        }
    }
}

/// Ann (admin), bea and cal (members) of one agency, each with one device; ann and bea in room
/// "r", ann alone in room "s".
struct People {
    Id ann = 0, bea = 0, cal = 0;
    Id ann_dev = 0, bea_dev = 0, cal_dev = 0;
    Id r = 0, s = 0;
};

Device device_named(const std::string& name) {
    Device d;
    d.name = name;
    d.sign_key = "sign-" + name;
    d.box_key = "box-" + name;
    d.box_key_signature = "sig-" + name;
    d.created_at = 1;
    return d;
}

People seed(Store& store) {
    People p;
    store.write_and_wait([&](Tx& tx) {
        const auto agency = tx.accounts().add_agency("Care", "social-care", 1);
        REQUIRE(agency);
        p.ann = *tx.accounts().add("ann", "Ann", *agency, Role::admin, 1);
        p.bea = *tx.accounts().add("bea", "Bea", *agency, Role::member, 1);
        p.cal = *tx.accounts().add("cal", "Cal", *agency, Role::member, 1);
        p.ann_dev = tx.accounts().add_device(p.ann, device_named("ann-laptop"));
        p.bea_dev = tx.accounts().add_device(p.bea, device_named("bea-phone"));
        p.cal_dev = tx.accounts().add_device(p.cal, device_named("cal-phone"));
        p.r = *tx.rooms().create("r", p.ann, 2);
        p.s = *tx.rooms().create("s", p.ann, 2);
        REQUIRE(tx.rooms().add_member(p.r, p.ann, 0, 2));
        REQUIRE(tx.rooms().add_member(p.r, p.bea, 0, 2));
        REQUIRE(tx.rooms().add_member(p.s, p.ann, 0, 2));
    });
    return p;
}

/// Device ids as a message's recipients: decimal text, ascending as text.
std::vector<std::string> devices(std::initializer_list<Id> ids) {
    std::vector<std::string> out;
    for (const auto id : ids)
        out.push_back(std::to_string(id));
    std::sort(out.begin(), out.end());
    return out;
}

/// Appends in its own write unit and returns the outcome.
Appended send(Store& store, std::string_view room, Id account, Id device, std::string_view id,
              std::string_view envelope, const std::vector<std::string>& recipients,
              Millis at = 100) {
    Appended out;
    store.write_and_wait([&](Tx& tx) {
        out = tx.messages().append({room, account, device, id, envelope, &recipients, at});
    });
    return out;
}

using R = Appended::Result;

}  // namespace

TEST_CASE("store: sequence numbers are contiguous per room and start at 1", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        const auto in_s = devices({p.ann_dev});
        for (int i = 1; i <= 5; ++i) {
            const auto a = send(store, "r", p.ann, p.ann_dev, "r" + std::to_string(i), "{}", in_r);
            REQUIRE(a.result == R::stored);
            CHECK(a.seq == i);
            CHECK(a.room == p.r);
        }
        const auto first_in_s = send(store, "s", p.ann, p.ann_dev, "s1", "{}", in_s);
        REQUIRE(first_in_s.result == R::stored);
        CHECK(first_in_s.seq == 1);
        // Many appends in one unit of work number on from each other.
        store.write_and_wait([&](Tx& tx) {
            for (int i = 6; i <= 8; ++i) {
                const auto id = "r" + std::to_string(i);
                const auto a = tx.messages().append({"r", p.ann, p.ann_dev, id, "{}", &in_r, 1});
                REQUIRE(a.result == R::stored);
                CHECK(a.seq == i);
            }
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.messages().last_seq(p.r) == 8);
            CHECK(tx.messages().last_seq(p.s) == 1);
            CHECK(tx.rooms().find("r")->last_seq == 8);
            const auto page = tx.messages().after(p.r, 0, 100);
            REQUIRE(page.size() == 8);
            for (std::size_t i = 0; i < page.size(); ++i)
                CHECK(page[i].seq == static_cast<std::int64_t>(i) + 1);
        });
    });
}

TEST_CASE("store: an append answers what it stored for the event clients receive", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto a = send(store, "r", p.bea, p.bea_dev, "m1", R"({"x":1})",
                            devices({p.ann_dev, p.bea_dev}), 4242);
        REQUIRE(a.result == R::stored);
        CHECK(a.sent_at == 4242);
        CHECK(a.members == std::vector<Id>{std::min(p.ann, p.bea), std::max(p.ann, p.bea)});
        CHECK(a.sender.sign_key == "sign-bea-phone");
        CHECK(a.sender.box_key == "box-bea-phone");
        CHECK(a.sender.box_key_signature == "sig-bea-phone");
        store.read_and_wait([&](const ReadTx& tx) {
            const auto page = tx.messages().after(p.r, 0, 10);
            REQUIRE(page.size() == 1);
            CHECK(page[0].envelope == R"({"x":1})");
            CHECK(page[0].user == "bea");
            CHECK(page[0].device == p.bea_dev);
            CHECK(page[0].sent_at == 4242);
            CHECK(page[0].event.empty());
            CHECK(page[0].sender.sign_key == "sign-bea-phone");
        });
    });
}

TEST_CASE("store: a repeated message id is answered with its original seq and stores nothing",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "a", "{1}", in_r).seq == 1);
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "b", "{2}", in_r).seq == 2);
        const auto again = send(store, "r", p.ann, p.ann_dev, "a", "{other}", in_r, 999);
        CHECK(again.result == R::duplicate);
        CHECK(again.seq == 1);
        CHECK(again.existing_envelope == "{1}");
        CHECK(again.sent_at == 100);
        // The same id from another device, or in another room, is another message.
        CHECK(send(store, "r", p.bea, p.bea_dev, "a", "{3}", in_r).seq == 3);
        CHECK(send(store, "s", p.ann, p.ann_dev, "a", "{4}", devices({p.ann_dev})).seq == 1);
        // A retry is answered even after the room's devices changed.
        store.write_and_wait([&](Tx& tx) { tx.rooms().add_member(p.r, p.cal, 3, 5); });
        const auto late = send(store, "r", p.ann, p.ann_dev, "b", "{2}", in_r);
        CHECK(late.result == R::duplicate);
        CHECK(late.seq == 2);
        store.read_and_wait([&](const ReadTx& tx) { CHECK(tx.messages().last_seq(p.r) == 3); });
    });
}

TEST_CASE("store: an append is refused for no room, a non-member and stale recipients", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        CHECK(send(store, "nowhere", p.ann, p.ann_dev, "x", "{}", in_r).result == R::no_room);
        CHECK(send(store, "r", p.cal, p.cal_dev, "x", "{}", in_r).result == R::not_member);
        const auto stale = send(store, "r", p.ann, p.ann_dev, "x", "{}", devices({p.ann_dev}));
        CHECK(stale.result == R::stale_recipients);
        CHECK(stale.room == p.r);
        store.read_and_wait([&](const ReadTx& tx) { CHECK(tx.messages().last_seq(p.r) == 0); });
        // None of them used a seq.
        CHECK(send(store, "r", p.ann, p.ann_dev, "x", "{}", in_r).seq == 1);
    });
}

TEST_CASE("store: the recipients an append requires follow membership, devices and suspension",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        REQUIRE(
            send(store, "r", p.ann, p.ann_dev, "1", "{}", devices({p.ann_dev, p.bea_dev})).result ==
            R::stored);
        // A member added: the old set is stale, the new one stored.
        store.write_and_wait([&](Tx& tx) { tx.rooms().add_member(p.r, p.cal, 1, 5); });
        const auto three = devices({p.ann_dev, p.bea_dev, p.cal_dev});
        CHECK(
            send(store, "r", p.ann, p.ann_dev, "2", "{}", devices({p.ann_dev, p.bea_dev})).result ==
            R::stale_recipients);
        const auto with_cal = send(store, "r", p.cal, p.cal_dev, "3", "{}", three);
        CHECK(with_cal.result == R::stored);
        CHECK(with_cal.seq == 2);
        // A member suspended: their devices are no longer sent to.
        store.write_and_wait([&](Tx& tx) { tx.accounts().set_suspended(p.bea, true); });
        CHECK(send(store, "r", p.ann, p.ann_dev, "4", "{}", three).result == R::stale_recipients);
        CHECK(send(store, "r", p.ann, p.ann_dev, "5", "{}", devices({p.ann_dev, p.cal_dev})).seq ==
              3);
        // A device replaced: the new one is, the old one is not.
        Id cal_new = 0;
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.accounts().revoke_devices(p.cal, 6) == 1);
            cal_new = tx.accounts().add_device(p.cal, device_named("cal-new"));
        });
        CHECK(
            send(store, "r", p.ann, p.ann_dev, "6", "{}", devices({p.ann_dev, p.cal_dev})).result ==
            R::stale_recipients);
        CHECK(send(store, "r", p.ann, p.ann_dev, "7", "{}", devices({p.ann_dev, cal_new})).seq ==
              4);
        // A member removed can no longer send.
        store.write_and_wait([&](Tx& tx) { CHECK(tx.rooms().remove_member(p.r, p.cal)); });
        CHECK(send(store, "r", p.cal, cal_new, "8", "{}", devices({p.ann_dev})).result ==
              R::not_member);
    });
}

TEST_CASE("store: a write unit that fails keeps nothing and leaves no gap in the sequence",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "1", "{}", in_r).seq == 1);
        CHECK_THROWS_AS(store.write_and_wait([&](Tx& tx) {
            const auto a = tx.messages().append({"r", p.ann, p.ann_dev, "2", "{}", &in_r, 1});
            REQUIRE(a.seq == 2);
            tx.rooms().add_member(p.r, p.cal, 0, 1);
            throw std::runtime_error("the unit changes its mind");
        }),
                        std::runtime_error);
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.messages().last_seq(p.r) == 1);
            CHECK_FALSE(tx.rooms().membership(p.r, p.cal));
        });
        // The id was not used, and the next message takes seq 2.
        const auto next = send(store, "r", p.ann, p.ann_dev, "2", "{}", in_r);
        CHECK(next.result == R::stored);
        CHECK(next.seq == 2);
    });
}

TEST_CASE("store: membership events share the room's sequence with messages", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "1", "{}", in_r).seq == 1);
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"kind":"x"})", 7) == 2);
        });
        CHECK(send(store, "r", p.bea, p.bea_dev, "2", "{}", in_r).seq == 3);
        store.read_and_wait([&](const ReadTx& tx) {
            const auto page = tx.messages().after(p.r, 1, 10);
            REQUIRE(page.size() == 2);
            CHECK(page[0].seq == 2);
            CHECK(page[0].event == R"({"kind":"x"})");
            CHECK(page[0].sent_at == 7);
            CHECK(page[1].event.empty());
            CHECK(tx.messages().after(p.r, 0, 1).size() == 1);
        });
    });
}

TEST_CASE("store: after_each reads several rooms' rows at once, a page per room", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        const auto in_s = devices({p.ann_dev});
        // r: 5 messages with an event at seq 3; s: 2 messages.
        for (int i = 1; i <= 2; ++i)
            REQUIRE(send(store, "r", p.ann, p.ann_dev, "r" + std::to_string(i), "{}", in_r).seq ==
                    i);
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"kind":"x"})", 7) == 3);
        });
        for (int i = 4; i <= 5; ++i)
            REQUIRE(send(store, "r", p.bea, p.bea_dev, "r" + std::to_string(i),
                         "{\"n\":" + std::to_string(i) + "}", in_r)
                        .seq == i);
        for (int i = 1; i <= 2; ++i)
            REQUIRE(send(store, "s", p.ann, p.ann_dev, "s" + std::to_string(i), "{}", in_s).seq ==
                    i);
        const Id missing = p.r + p.s + 1000;
        store.read_and_wait([&](const ReadTx& tx) {
            // s first, a room that does not exist, then r from seq 1 with a page of 2.
            const auto got = tx.messages().after_each({{p.s, 0}, {missing, 0}, {p.r, 1}}, 2);
            REQUIRE(got.size() == 3);
            CHECK(got[0].room == p.s);
            REQUIRE(got[0].rows.size() == 2);
            CHECK(got[0].rows[0].seq == 1);
            CHECK(got[0].rows[1].seq == 2);
            CHECK_FALSE(got[0].more);  // exactly a page: nothing after it
            CHECK(got[1].room == missing);
            CHECK(got[1].rows.empty());
            CHECK_FALSE(got[1].more);
            CHECK(got[2].room == p.r);
            REQUIRE(got[2].rows.size() == 2);
            CHECK(got[2].rows[0].seq == 2);
            CHECK(got[2].rows[1].seq == 3);
            CHECK(got[2].rows[1].event == R"({"kind":"x"})");
            CHECK(got[2].more);  // seqs 4 and 5 remain
            // The next page, from where the first ended, matches after() row for row.
            const auto next = tx.messages().after_each({{p.r, 3}}, 2);
            REQUIRE(next.size() == 1);
            const auto page = tx.messages().after(p.r, 3, 2);
            REQUIRE(next[0].rows.size() == page.size());
            for (std::size_t i = 0; i < page.size(); ++i) {
                CHECK(next[0].rows[i].seq == page[i].seq);
                CHECK(next[0].rows[i].envelope == page[i].envelope);
                CHECK(next[0].rows[i].device == page[i].device);
                CHECK(next[0].rows[i].user == page[i].user);
                CHECK(next[0].rows[i].sender.sign_key == page[i].sender.sign_key);
                CHECK(next[0].rows[i].sent_at == page[i].sent_at);
            }
            CHECK(next[0].rows.back().envelope == R"({"n":5})");
            CHECK_FALSE(next[0].more);
            // After the last seq: nothing, and no more.
            const auto none = tx.messages().after_each({{p.r, 5}, {p.s, 2}}, 10);
            REQUIRE(none.size() == 2);
            CHECK(none[0].rows.empty());
            CHECK_FALSE(none[0].more);
            CHECK(none[1].rows.empty());
            CHECK(tx.messages().after_each({}, 10).empty());

            // Members of several rooms at once; a missing room is left out.
            const auto members = tx.rooms().members_of_each({p.s, missing, p.r});
            REQUIRE(members.size() == 2);
            const auto& first = p.r < p.s ? members[0] : members[1];
            const auto& second = p.r < p.s ? members[1] : members[0];
            CHECK(first.room == p.r);
            CHECK(first.name == "r");
            CHECK(first.accounts ==
                  std::vector<Id>{std::min(p.ann, p.bea), std::max(p.ann, p.bea)});
            CHECK(second.room == p.s);
            CHECK(second.name == "s");
            CHECK(second.accounts == std::vector<Id>{p.ann});
            CHECK(members[0].room < members[1].room);
        });
        // A room with no members is still listed, with none.
        store.write_and_wait([&](Tx& tx) { CHECK(tx.rooms().remove_member(p.s, p.ann)); });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto members = tx.rooms().members_of_each({p.s});
            REQUIRE(members.size() == 1);
            CHECK(members[0].accounts.empty());
        });
    });
}

TEST_CASE("store: rooms and membership", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.rooms().create("r", p.bea, 3));
            CHECK_FALSE(tx.rooms().add_member(p.r, p.bea, 9, 3));  // already a member
            CHECK(tx.rooms().add_member(p.s, p.cal, 4, 3));
            tx.rooms().set_public(p.s, true);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& rooms = tx.rooms();
            CHECK(rooms.find("s")->is_public);
            CHECK_FALSE(rooms.find("r")->is_public);
            CHECK_FALSE(rooms.find("t"));
            CHECK(rooms.by_id(p.r)->name == "r");
            CHECK(rooms.membership(p.s, p.cal) == 4);
            CHECK(rooms.membership(p.r, p.bea) == 0);
            CHECK_FALSE(rooms.membership(p.r, p.cal));
            const auto members = rooms.members(p.s);
            REQUIRE(members.size() == 2);
            CHECK(members[0].account.user == "ann");
            CHECK(members[1].account.user == "cal");
            CHECK(members[1].joined_seq == 4);
            CHECK(members[1].account.agency == "Care");
            CHECK(rooms.member_accounts(p.r) == std::vector<Id>{p.ann, p.bea});
            const auto of_ann = rooms.rooms_of(p.ann);
            REQUIRE(of_ann.size() == 2);
            CHECK(of_ann[0].name == "r");
            CHECK(of_ann[0].members == 2);
            CHECK(rooms.rooms_with(p.cal).size() == 1);
            CHECK(rooms.share_a_room(p.ann, p.cal));
            CHECK_FALSE(rooms.share_a_room(p.bea, p.cal));
            CHECK(rooms.co_members(p.ann) == std::vector<Id>{p.bea, p.cal});
        });
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.rooms().remove_member(p.s, p.cal));
            CHECK_FALSE(tx.rooms().remove_member(p.s, p.cal));
        });
        store.read_and_wait([&](const ReadTx& tx) { CHECK(tx.rooms().co_members(p.cal).empty()); });
    });
}

TEST_CASE("store: accounts, devices and standing", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& a = tx.accounts();
            const auto ann = a.find("ann");
            REQUIRE(ann);
            CHECK(ann->role == Role::admin);
            CHECK(ann->agency == "Care");
            CHECK(ann->discipline == "social-care");
            CHECK(a.by_id(p.bea)->user == "bea");
            CHECK_FALSE(a.find("nobody"));
            CHECK(a.all().size() == 3);
            CHECK(a.active_admins_except(p.ann) == 0);
            CHECK(a.device(p.bea_dev, p.bea)->name == "bea-phone");
            CHECK_FALSE(a.device(p.bea_dev, p.ann));
            const auto s = a.standing(p.bea_dev);
            CHECK(s.current);
            CHECK_FALSE(s.suspended);
            CHECK(s.role == Role::member);
            CHECK_FALSE(a.standing(99999).current);
            CHECK(a.discipline_in_use("social-care"));
            CHECK_FALSE(a.discipline_in_use("health"));
        });
        store.write_and_wait([&](Tx& tx) {
            // Standing read, then changed, within one unit: the change shows at once.
            CHECK(tx.accounts().standing(p.bea_dev).role == Role::member);
            tx.accounts().set_role(p.bea, Role::chair);
            CHECK(tx.accounts().standing(p.bea_dev).role == Role::chair);
            CHECK_FALSE(tx.accounts().add("bea", "Again", 1, Role::member, 1));
            CHECK_FALSE(tx.accounts().add_agency("care", "health", 1));  // any case
        });
        // And in the units after it.
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.accounts().standing(p.bea_dev).role == Role::chair);
            tx.accounts().set_suspended(p.bea, true);
        });
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.accounts().standing(p.bea_dev).suspended);
            tx.accounts().revoke_devices(p.bea, 50);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK_FALSE(tx.accounts().standing(p.bea_dev).current);
            CHECK(tx.accounts().devices(p.bea).empty());
            CHECK(tx.accounts().device(p.bea_dev, p.bea)->revoked_at == 50);
        });
    });
}

TEST_CASE("store: enrolment codes withdraw earlier ones and are used once", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        EnrolmentCode first{"h1", "dan", "Dan", 1, Role::member, p.ann, 10, 1000, std::nullopt, 0};
        EnrolmentCode second{"h2", "dan", "Dan", 1, Role::member, p.ann, 20, 2000, std::nullopt, 0};
        store.write_and_wait([&](Tx& tx) {
            first.agency = tx.accounts().agency("Care")->id;
            second.agency = first.agency;
            CHECK(tx.enrolment().issue(first) == 0);
            CHECK(tx.enrolment().issue(second) == 1);
        });
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.enrolment().code("h1")->expires_at == 19);
            CHECK(tx.enrolment().code("h2")->expires_at == 2000);
            CHECK(tx.enrolment().mark_used("h2", 30));
            CHECK_FALSE(tx.enrolment().mark_used("h2", 31));
            CHECK_FALSE(tx.enrolment().code("h3"));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto c = tx.enrolment().code("h2");
            REQUIRE(c);
            CHECK(c->used_at == 30);
            CHECK(c->user == "dan");
            CHECK(c->created_by == p.ann);
            CHECK(c->replaces == 0);
        });
    });
}

TEST_CASE("store: an admin's list of accounts filters by agency and suspension, counts devices",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id clinic = 0, care = 0;
        store.write_and_wait([&](Tx& tx) {
            care = tx.accounts().agency("Care")->id;
            clinic = *tx.accounts().add_agency("Clinic", "health", 3);
            const auto dee = *tx.accounts().add("dee", "Dee", clinic, Role::chair, 7);
            tx.accounts().add_device(dee, device_named("dee-1"));
            tx.accounts().add_device(dee, device_named("dee-2"));
            tx.accounts().set_suspended(p.bea, true);
            tx.accounts().revoke_devices(p.bea, 5);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto users = [](const std::vector<AccountListing>& rows) {
                std::vector<std::string> out;
                for (const auto& r : rows)
                    out.push_back(r.account.user);
                return out;
            };
            const auto& a = tx.accounts();
            const auto all = a.listing(0, std::nullopt);
            CHECK(users(all) == std::vector<std::string>{"ann", "bea", "cal", "dee"});
            REQUIRE(all.size() == 4);
            CHECK(all[0].devices == 1);
            CHECK(all[0].created_at == 1);
            CHECK(all[1].devices == 0);  // revoked devices do not count
            CHECK(all[1].account.suspended);
            CHECK(all[3].devices == 2);
            CHECK(all[3].created_at == 7);
            CHECK(all[3].account.agency == "Clinic");
            CHECK(all[3].account.role == Role::chair);
            CHECK(users(a.listing(clinic, std::nullopt)) == std::vector<std::string>{"dee"});
            CHECK(users(a.listing(care, true)) == std::vector<std::string>{"bea"});
            CHECK(users(a.listing(care, false)) == std::vector<std::string>{"ann", "cal"});
            CHECK(a.listing(clinic, true).empty());
        });
    });
}

TEST_CASE("store: pending enrolments are the newest unused code per purpose", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id care = 0, clinic = 0;
        store.write_and_wait([&](Tx& tx) {
            care = tx.accounts().agency("Care")->id;
            clinic = *tx.accounts().add_agency("Clinic", "health", 3);
            const auto code = [&](std::string hash, std::string user, Id agency, Millis at,
                                  Millis expires, Id by, Id replaces) {
                tx.enrolment().issue({std::move(hash), std::move(user), "Someone", agency,
                                      Role::member, by, at, expires, std::nullopt, replaces});
            };
            code("d1", "dan", care, 10, 1000, p.ann, 0);  // withdrawn by d2
            code("d2", "dan", care, 20, 2000, p.ann, 0);
            code("e1", "eve", care, 30, 500, 0, 0);           // expires first
            code("b1", "bea", care, 40, 3000, p.ann, 0);      // bea has an account already
            code("b2", "bea", care, 41, 3000, p.ann, p.bea);  // a new device for bea
            code("f1", "fay", care, 50, 3000, p.ann, 0);
            code("g1", "gus", clinic, 60, 3000, p.ann, 0);
            CHECK(tx.enrolment().mark_used("f1", 55));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto hashes = [](const std::vector<PendingCode>& rows) {
                std::vector<std::string> out;
                for (const auto& r : rows)
                    out.push_back(r.code.code_hash);
                return out;
            };
            const auto& e = tx.enrolment();
            const auto all = e.pending(0, 0);
            CHECK(hashes(all) == std::vector<std::string>{"b2", "d2", "e1", "g1"});
            REQUIRE(all.size() == 4);
            CHECK(all[0].code.replaces == p.bea);
            CHECK(all[0].agency == "Care");
            CHECK(all[0].issued_by == "ann");
            CHECK(all[1].code.created_at == 20);
            CHECK(all[1].code.expires_at == 2000);
            CHECK(all[1].code.user == "dan");
            CHECK(all[2].issued_by.empty());  // the operator
            CHECK(all[3].agency == "Clinic");
            CHECK(hashes(e.pending(0, 500)) == std::vector<std::string>{"b2", "d2", "g1"});
            CHECK(hashes(e.pending(clinic, 0)) == std::vector<std::string>{"g1"});
            CHECK(hashes(e.pending(care, 2000)) == std::vector<std::string>{"b2"});
        });
    });
}

TEST_CASE("store: logins tell of the account's other devices", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id second = 0;
        store.write_and_wait(
            [&](Tx& tx) { second = tx.accounts().add_device(p.ann, device_named("ann-phone")); });
        store.write_and_wait([&](Tx& tx) {
            auto& e = tx.enrolment();
            CHECK(e.record_login(p.ann, p.ann_dev, "a", 100, 0, 0, 50).new_logins.empty());
            CHECK(e.record_login(p.ann, second, "b", 200, 0, 0, 50).new_logins.empty());
            const auto back = e.record_login(p.ann, p.ann_dev, "a", 300, 0, 0, 50);
            REQUIRE(back.new_logins.size() == 1);
            CHECK(back.new_logins[0].device == second);
            CHECK(back.new_logins[0].address == "b");
            CHECK(back.new_logins[0].device_name == "ann-phone");
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto recent = tx.enrolment().recent_logins(p.ann, 2);
            REQUIRE(recent.size() == 2);
            CHECK(recent[0].at == 300);
            CHECK(recent[1].at == 200);
        });
    });
}

TEST_CASE("store: the audit log appends at the end and keeps its head", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const Bytes h1{1, 2, 3}, h2{4, 5, 6}, zero(3, 0);
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.audit().last());
            tx.audit().append({1, 10, p.ann, "", "room_created", {9, 9}, zero, h1});
            tx.audit().append({2, 20, -1, "", "init", {8}, h1, h2});
            tx.audit().set_head({2, 2, h2, 20, {7}, {6}});
        });
        CHECK_THROWS(store.write_and_wait([&](Tx& tx) {
            tx.audit().append({2, 30, p.ann, "", "again", {1}, h2, h1});
        }));
        store.read_and_wait([&](const ReadTx& tx) {
            const auto last = tx.audit().last();
            REQUIRE(last);
            CHECK(last->seq == 2);
            CHECK(last->prev == h1);
            CHECK(last->hash == h2);
            const auto all = tx.audit().records(0, 0, -1);
            REQUIRE(all.size() == 2);
            CHECK(all[0].actor_user == "ann");
            CHECK(all[0].body == Bytes{9, 9});
            CHECK(all[1].actor == -1);
            CHECK(all[1].actor_user.empty());
            CHECK(tx.audit().records(0, 15, 10).size() == 1);
            CHECK(tx.audit().records(2, 0, 10).size() == 1);
            const auto head = tx.audit().head();
            REQUIRE(head);
            CHECK(head->count == 2);
            CHECK(head->last_hash == h2);
            CHECK(head->signature == Bytes{6});
        });
        store.write_and_wait([&](Tx& tx) { tx.audit().rewrite(1, {5}, zero, h1); });
        store.read_and_wait(
            [&](const ReadTx& tx) { CHECK(tx.audit().records(1, 0, 1)[0].body == Bytes{5}); });
    });
}

TEST_CASE("store: dictionaries keep every version", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        store.write_and_wait([&](Tx& tx) {
            auto& d = tx.dictionaries();
            CHECK(d.current_version() == 0);
            CHECK(d.commit({{"general", "g1"}, {"health", "h1"}}, p.ann, "first", 10) == 1);
            CHECK_FALSE(d.commit({{"general", "g1"}, {"health", "h1"}}, p.ann, "same", 11));
            CHECK(d.commit({{"general", "g2"}}, -1, "second", 12) == 2);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& d = tx.dictionaries();
            CHECK(d.current_version() == 2);
            CHECK(d.current() == DictionaryFiles{{"general", "g2"}});
            CHECK(d.at_version(1) == DictionaryFiles{{"general", "g1"}, {"health", "h1"}});
            CHECK(d.at_version(2) == DictionaryFiles{{"general", "g2"}});
            CHECK_FALSE(d.at_version(3));
            const auto v = d.versions(10);
            REQUIRE(v.size() == 2);
            CHECK(v[0].version == 2);
            CHECK(v[0].by == "operator");
            CHECK(v[1].by == "ann");
            CHECK(v[1].summary == "first");
        });
    });
}

TEST_CASE("store: common acronyms are kept, and history is recorded only where there is none",
          "[store]") {
    each_store([](Store& store) {
        store.write_and_wait([&](Tx& tx) {
            auto& d = tx.dictionaries();
            CHECK(d.common_acronyms().empty());
            d.set_common_acronyms("GP\nLA\n");
            d.set_common_acronyms("GP\nLA\nNHS\n");
            CHECK(d.ensure_history(5, "as it started"));
            CHECK_FALSE(d.ensure_history(6, "again"));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& d = tx.dictionaries();
            CHECK(d.common_acronyms() == "GP\nLA\nNHS\n");
            CHECK(d.current_version() == 1);
            const auto v = d.versions(10);
            REQUIRE(v.size() == 1);
            CHECK(v[0].by == "operator");
            CHECK(v[0].at == 5);
            CHECK(v[0].summary == "as it started");
            CHECK(d.at_version(1) == DictionaryFiles{});
        });
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.dictionaries().commit({{"general", "g1"}}, -1, "first", 10) == 2);
            CHECK_FALSE(tx.dictionaries().ensure_history(11, "again"));
        });
    });
}

TEST_CASE("store: noisy-entry reports count once a day and show from enough reporters", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const std::vector<NoisyEntry> counts{{"health", "obs", 1, 2, 0}};
        store.write_and_wait([&](Tx& tx) {
            auto& d = tx.dictionaries();
            CHECK(d.report_noisy(p.ann, "2026-01-01", counts));
            CHECK_FALSE(d.report_noisy(p.ann, "2026-01-01", counts));
            CHECK(d.report_noisy(p.bea, "2026-01-01", counts));
            CHECK(d.report_noisy(p.ann, "2026-01-02", counts));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.dictionaries().noisy(3).empty());
            const auto two = tx.dictionaries().noisy(2);
            REQUIRE(two.size() == 1);
            CHECK(two[0].fixed == 3);
            CHECK(two[0].sent_anyway == 6);
            CHECK(two[0].reporters == 2);
        });
    });
}

TEST_CASE("store: questions are asked and closed", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id q1 = 0, q2 = 0;
        store.write_and_wait([&](Tx& tx) {
            q1 = tx.dictionaries().ask("obs", p.r, p.bea, 10);
            q2 = tx.dictionaries().ask("LAC", 0, p.bea, 11);
            tx.dictionaries().close_question(q1, "answered", "observations", p.ann, 12);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto a = tx.dictionaries().question(q1);
            REQUIRE(a);
            CHECK(a->status == "answered");
            CHECK(a->room == "r");
            CHECK(a->reply == "observations");
            CHECK(a->answered_by_user == "ann");
            CHECK(a->answered_at == 12);
            CHECK(tx.dictionaries().question(q2)->room.empty());
            CHECK(tx.dictionaries().questions("open", 10).size() == 1);
            CHECK(tx.dictionaries().questions("", 10).size() == 2);
            const auto mine = tx.dictionaries().questions_asked_by(p.bea, 10);
            REQUIRE(mine.size() == 2);
            CHECK(mine[0].id == q2);
        });
    });
}

TEST_CASE("store: meetings, fixed versions, distribution, signatures and actions", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id m1 = 0, m2 = 0, act = 0;
        store.write_and_wait([&](Tx& tx) {
            auto& m = tx.meetings();
            MeetingRow row;
            row.room = p.r;
            row.kind = "core";
            row.starts_at = "2026-01-05T10:00";
            row.marking = "OFFICIAL";
            row.status = "draft";
            row.chair = p.ann;
            row.minute_taker = p.bea;
            row.version = 1;
            row.body = {1};
            m1 = m.create(row, p.ann, 5);
            row.id = m1;
            row.rev = 1;
            row.body = {2, 2};
            row.next_meeting = "2026-02-05";
            m.update(row, 6);
            ActionRow a;
            a.room = p.r;
            a.raised_in = m1;
            a.owner = p.bea;
            a.due = "2026-01-20";
            a.status = "open";
            a.body = {3};
            act = m.add_action(a, 7);
            m.add_version({m1, 1, "circulated", p.ann, 8, 0, {}, 2, 0, {4}});
            m.distribute(m1, 1, {p.ann, p.bea}, 8);
            MinutesSignature s;
            s.act = "circulate";
            s.account = p.ann;
            s.device = p.ann_dev;
            s.signed_at = 8;
            s.signature = "c2ln";
            m.add_signature(m1, 1, s, 9);
        });
        store.write_and_wait([&](Tx& tx) {
            auto& m = tx.meetings();
            CHECK(m.mark_received(m1, 1, p.bea, 10));
            CHECK_FALSE(m.mark_received(m1, 1, p.bea, 11));
            CHECK_FALSE(m.mark_received(m1, 1, p.cal, 11));
            auto v = *m.version(m1, 1);
            v.status = "approved";
            v.approved_by = p.ann;
            v.approved_at = 12;
            m.update_version(v);
            MeetingRow next = *m.meeting(m1);
            next.status = "draft";
            m2 = m.create(next, p.ann, 13);
            CHECK(m.carry_forward(m1, m2, {"open", "in_progress"}, "carried_forward", 13) == 1);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& m = tx.meetings();
            const auto row = m.meeting(m1);
            REQUIRE(row);
            CHECK(row->room_name == "r");
            CHECK(row->rev == 1);
            CHECK(row->body == Bytes{2, 2});
            CHECK(row->next_meeting == "2026-02-05");
            CHECK_FALSE(m.meeting(99999));
            CHECK(m.meetings_in(p.r) == std::vector<Id>{m1, m2});
            CHECK(m.latest_meeting(p.r) == m2);
            CHECK(m.latest_meeting(p.s) == 0);
            const auto v = m.versions(m1);
            REQUIRE(v.size() == 1);
            CHECK(v[0].status == "approved");
            CHECK(v[0].approved_at == 12);
            CHECK(v[0].findings == 2);
            const auto dist = m.distribution(m1, 1);
            REQUIRE(dist.size() == 2);
            CHECK(dist[0].user == "ann");
            CHECK_FALSE(dist[0].received_at);
            CHECK(dist[1].received_at == 10);
            const auto sigs = m.signatures(m1, 1);
            REQUIRE(sigs.size() == 1);
            CHECK(sigs[0].user == "ann");
            CHECK(sigs[0].sign_key == "sign-ann-laptop");
            const auto action = m.action(act);
            REQUIRE(action);
            CHECK(action->status == "carried_forward");
            CHECK(action->owner_user == "bea");
            CHECK(m.carried(m2, act) == true);
            CHECK(m.carried(m1, act) == false);
            CHECK_FALSE(m.carried(m1, 99999));
            const auto listed = m.actions_of(m2);
            REQUIRE(listed.size() == 1);
            CHECK(listed[0].second);
            CHECK(m.runs_meeting_of(act, p.bea, false));
            CHECK_FALSE(m.runs_meeting_of(act, p.cal, false));
            ActionFilter mine;
            mine.owner = p.bea;
            mine.member = p.bea;
            CHECK(m.actions(mine).size() == 1);
            mine.statuses = {"open"};
            CHECK(m.actions(mine).empty());
            ActionFilter due;
            due.due_before = "2026-01-20";
            CHECK(m.actions(due).empty());
            due.due_before.clear();
            due.due_by = "2026-01-20";
            CHECK(m.actions(due).size() == 1);
            ActionFilter outsider;
            outsider.member = p.cal;
            CHECK(m.actions(outsider).empty());
        });
        store.write_and_wait([&](Tx& tx) { tx.meetings().remove_action(act); });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK_FALSE(tx.meetings().action(act));
            CHECK(tx.meetings().actions_of(m2).empty());
        });
    });
}

TEST_CASE("store: settings and sealed secrets", "[store]") {
    each_store([](Store& store) {
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.secrets().setting("k"));
            tx.secrets().set_setting("k", "v1");
            tx.secrets().set_setting("k", "v2");
            tx.secrets().set_setting("gone", "x");
            tx.secrets().erase_setting("gone");
            tx.secrets().erase_setting("never-set");
            CHECK(tx.secrets().add_secret({"chain", 7, {1, 2}, std::nullopt}));
            CHECK_FALSE(tx.secrets().add_secret({"chain", 8, {3}, std::nullopt}));
            CHECK(tx.secrets().add_secret({"signing", 9, {4}, Bytes{5}}));
            tx.secrets().reseal_secret(7, {6});
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.secrets().setting("k") == "v2");
            CHECK_FALSE(tx.secrets().setting("gone"));
            CHECK(tx.secrets().secret(7)->sealed == Bytes{6});
            CHECK(tx.secrets().secret(9)->public_half == Bytes{5});
            CHECK_FALSE(tx.secrets().secret(8));
            CHECK(tx.secrets().secrets().size() == 2);
        });
    });
}

TEST_CASE("store: a read sees every write whose completion ran, and reports what it throws",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        std::promise<std::exception_ptr> finished;
        store.read(
            [&](const ReadTx& tx) {
                CHECK(tx.rooms().find("r")->id == p.r);
                throw std::runtime_error("read failed");
            },
            [&](std::exception_ptr e) { finished.set_value(e); });
        // `done` may run later, on another thread.
        auto done = finished.get_future();
        REQUIRE(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        CHECK_THROWS_WITH(std::rethrow_exception(done.get()), "read failed");
        CHECK(store.read_now([&](const ReadTx& tx) { return tx.accounts().all().size(); }) == 3);
    });
}

TEST_CASE("store: a meeting and an action are created before their bodies are sealed", "[store]") {
    // The app seals a body with the row's id as associated data, so it creates the row with an
    // empty body first and update()s it: an empty body is bytes like any other, never "none".
    each_store([](Store& store) {
        const auto p = seed(store);
        Id meeting = 0, action = 0;
        store.write_and_wait([&](Tx& tx) {
            MeetingRow row;
            row.room = p.r;
            row.kind = "core";
            row.starts_at = "2026-01-05 10:00";
            row.marking = "OFFICIAL";
            row.status = "draft";
            row.chair = p.ann;
            row.minute_taker = p.bea;
            row.version = 1;
            meeting = tx.meetings().create(row, p.ann, 5);
            ActionRow a;
            a.room = p.r;
            a.raised_in = meeting;
            a.due = "2026-01-20";
            a.status = "open";
            action = tx.meetings().add_action(a, 5);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto m = tx.meetings().meeting(meeting);
            REQUIRE(m);
            CHECK(m->body.empty());
            const auto a = tx.meetings().action(action);
            REQUIRE(a);
            CHECK(a->body.empty());
            CHECK(a->owner == 0);
        });
    });
}

TEST_CASE("store: a room's glossary numbers its changes and keeps one entry per term", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        store.write_and_wait([&](Tx& tx) {
            auto& g = tx.glossary();
            CHECK(g.version(p.r) == 0);
            auto w = g.agree(p.r, "CIN", "Child in need", p.ann, 10);
            CHECK(w.change == GlossaryChange::added);
            CHECK(w.version == 1);
            CHECK(w.term == "CIN");
            // The same term in another case replaces it: a change, not a second entry.
            w = g.agree(p.r, "cin", "Child in need", p.bea, 11);
            CHECK(w.change == GlossaryChange::changed);
            CHECK(w.version == 2);
            // Exactly as stored already: nothing changes and the version stays.
            w = g.agree(p.r, "cin", "Child in need", p.ann, 12);
            CHECK(w.change == GlossaryChange::none);
            CHECK(w.version == 2);
            CHECK(g.agree(p.r, "LAC", "Looked-after child", p.bea, 13).version == 3);
            // Another room's glossary is numbered from 1 of its own.
            CHECK(g.agree(p.s, "Banana", "b", p.ann, 14).version == 1);
            CHECK(g.agree(p.s, "apple", "a", p.ann, 15).version == 2);
        });
        store.write_and_wait([&](Tx& tx) {
            auto& g = tx.glossary();
            auto w = g.withdraw(p.r, "CIN", p.ann, 20);
            CHECK(w.change == GlossaryChange::removed);
            CHECK(w.version == 4);
            CHECK(w.term == "cin");  // the spelling it was stored in
            w = g.withdraw(p.r, "CIN", p.ann, 21);
            CHECK(w.change == GlossaryChange::none);
            CHECK(w.version == 4);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& g = tx.glossary();
            CHECK(g.version(p.r) == 4);
            CHECK(g.count(p.r) == 1);
            CHECK(g.has(p.r, "lac"));
            CHECK_FALSE(g.has(p.r, "CIN"));
            const auto terms = g.terms(p.r);
            REQUIRE(terms.size() == 1);
            CHECK(terms[0].term == "LAC");
            CHECK(terms[0].meaning == "Looked-after child");
            CHECK(terms[0].agreed_by == "bea");
            CHECK(terms[0].agreed_at == 13);
            // Term order ignores case.
            const auto in_s = g.terms(p.s);
            REQUIRE(in_s.size() == 2);
            CHECK(in_s[0].term == "apple");
            CHECK(in_s[1].term == "Banana");
            const auto h = g.history(p.r, 10);
            REQUIRE(h.size() == 4);
            CHECK(h[0].version == 4);
            CHECK(h[0].change == GlossaryChange::removed);
            CHECK(h[0].term == "cin");
            CHECK_FALSE(h[0].meaning);
            CHECK(h[0].by == "ann");
            CHECK(h[0].at == 20);
            CHECK(h[2].change == GlossaryChange::changed);
            CHECK(h[2].by == "bea");
            CHECK(h[3].version == 1);
            CHECK(h[3].change == GlossaryChange::added);
            CHECK(h[3].term == "CIN");
            CHECK(h[3].meaning == "Child in need");
            CHECK(g.history(p.r, 2).size() == 2);
            CHECK(g.history(p.s, 10).size() == 2);
        });
    });
}

TEST_CASE("store: the outbox sends each notice once, to accounts with an address", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id given = 0, old = 0, unaddressed = 0, done = 0, overdue = 0;
        store.write_and_wait([&](Tx& tx) {
            auto& o = tx.outbox();
            CHECK_FALSE(o.email_of(p.ann));
            CHECK(o.set_email(p.ann, "ann@example.org"));
            CHECK_FALSE(o.set_email(p.ann, "ann@example.org"));
            CHECK(o.set_email(p.bea, "bea@example.org"));
            CHECK_FALSE(o.set_email(p.cal, ""));  // had none
            CHECK(o.set_email(p.cal, "cal@example.org"));
            CHECK(o.set_email(p.cal, ""));
            CHECK(o.started_at(50) == 50);
            MeetingRow row;
            row.room = p.r;
            row.kind = "core";
            row.starts_at = "2026-01-05T10:00";
            row.marking = "OFFICIAL";
            row.status = "draft";
            row.chair = p.ann;
            row.minute_taker = p.bea;
            row.version = 1;
            const auto m = tx.meetings().create(row, p.ann, 5);
            const auto action = [&](Id owner, std::string due, std::string status, Millis at) {
                ActionRow a;
                a.room = p.r;
                a.raised_in = m;
                a.owner = owner;
                a.due = std::move(due);
                a.status = std::move(status);
                return tx.meetings().add_action(a, at);
            };
            given = action(p.bea, "2026-01-20", "open", 60);
            old = action(p.ann, "2026-03-01", "in_progress", 40);  // before the outbox started
            unaddressed = action(p.cal, "2026-01-02", "open", 60);
            done = action(p.ann, "2026-01-02", "done", 30);
            overdue = action(p.ann, "2026-01-15", "carried_forward", 30);
        });
        const auto pending = [&](int limit) {
            return store.read_now(
                [&](const ReadTx& tx) { return tx.outbox().pending(50, "2026-02-01", limit); });
        };
        auto list = pending(10);
        REQUIRE(list.size() == 3);
        CHECK(list[0].notice == Notice::action_assigned);
        CHECK(list[0].action == given);
        CHECK(list[0].account == p.bea);
        CHECK(list[0].email == "bea@example.org");
        CHECK(list[0].display_name == "Bea");
        CHECK(list[0].due == "2026-01-20");
        CHECK(list[1].notice == Notice::action_overdue);
        CHECK(list[1].action == given);
        CHECK(list[2].notice == Notice::action_overdue);
        CHECK(list[2].action == overdue);
        CHECK(list[2].email == "ann@example.org");
        CHECK(pending(2).size() == 2);
        CHECK(pending(1).size() == 1);
        store.write_and_wait([&](Tx& tx) {
            auto& o = tx.outbox();
            CHECK(o.started_at(99) == 50);  // the first run's, ever after
            CHECK_FALSE(o.was_sent(list[0]));
            o.mark_sent(list[0], 70);
            CHECK(o.was_sent(list[0]));
            CHECK_FALSE(o.was_sent(list[1]));  // the same action, the other notice
            o.mark_sent(list[0], 80);          // recorded already: stays
            o.mark_sent(list[2], 70);
            CHECK(o.email_of(p.bea) == "bea@example.org");
            CHECK_FALSE(o.email_of(p.cal));
        });
        list = pending(10);
        REQUIRE(list.size() == 1);
        CHECK(list[0].notice == Notice::action_overdue);
        CHECK(list[0].action == given);
        // Reassigned, an action is a new notice for its new owner; a suspended owner gets none.
        store.write_and_wait([&](Tx& tx) {
            auto a = *tx.meetings().action(given);
            a.owner = p.ann;
            tx.meetings().update_action(a, 90);
            tx.accounts().set_suspended(p.bea, true);
        });
        list = pending(10);
        REQUIRE(list.size() == 2);
        CHECK(list[0].notice == Notice::action_assigned);
        CHECK(list[0].account == p.ann);
        CHECK(list[1].notice == Notice::action_overdue);
        CHECK(list[1].account == p.ann);
        store.write_and_wait([&](Tx& tx) {
            tx.outbox().mark_sent(list[0], 95);
            // An action removed from a draft takes its sent notices with it.
            tx.meetings().remove_action(given);
        });
        CHECK(pending(10).empty());
        // From an earlier start, the assignments given before 50 are notices too: `old` and
        // `overdue` (whose overdue notice was sent); never cal's (no address) nor a done one.
        const auto earlier = store.read_now(
            [&](const ReadTx& tx) { return tx.outbox().pending(0, "2026-02-01", 10); });
        REQUIRE(earlier.size() == 2);
        CHECK(earlier[0].action == old);
        CHECK(earlier[1].action == overdue);
        CHECK(earlier[1].notice == Notice::action_assigned);
        for (const auto& n : earlier)
            CHECK((n.action != unaddressed && n.action != done));
    });
}

TEST_CASE("store: continuity keeps backup keys and entries, transfers until closed, and shares",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "m1", "e1", in_r).result == R::stored);
        Id ann_new = 0;
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"added":"cal"})", 3) == 2);
            ann_new = tx.accounts().add_device(p.ann, device_named("ann-new"));
            auto& c = tx.continuity();
            CHECK_FALSE(c.backup_key(p.ann));
            c.set_backup_key(p.ann, {1, "pk1", p.ann_dev, "sig1"});
            c.set_backup_key(p.ann, {2, "pk2", ann_new, "sig2"});
            CHECK(c.put_entries(p.ann, p.r, 2, {{1, "k1"}, {2, "k2"}}) == 2);
            CHECK(c.put_entries(p.ann, p.r, 2, {{2, "other"}, {3, "k3"}}) == 1);
            CHECK(c.put_entries(p.ann, p.r, 1, {{1, "old"}}) == 1);
            CHECK(c.put_entries(p.bea, p.r, 2, {{1, "bea"}}) == 1);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& c = tx.continuity();
            const auto key = c.backup_key(p.ann);
            REQUIRE(key);
            CHECK(key->version == 2);
            CHECK(key->public_key == "pk2");
            CHECK(key->device == ann_new);
            CHECK(key->signature == "sig2");
            CHECK_FALSE(c.backup_key(p.bea));
            CHECK(c.entries(p.ann, p.r, 2, 0, 10) ==
                  std::vector<BackupEntry>{{1, "k1"}, {2, "k2"}, {3, "k3"}});
            CHECK(c.entries(p.ann, p.r, 2, 1, 1) == std::vector<BackupEntry>{{2, "k2"}});
            CHECK(c.entries(p.ann, p.r, 1, 0, 10) == std::vector<BackupEntry>{{1, "old"}});
            CHECK(c.entries(p.ann, p.s, 2, 0, 10).empty());
            CHECK(c.is_message(p.r, 1));
            CHECK_FALSE(c.is_message(p.r, 2));  // a membership event
            CHECK_FALSE(c.is_message(p.r, 3));
            CHECK_FALSE(c.is_message(p.s, 1));
        });
        const auto take = [&](Id device, Millis now) {
            std::optional<Transfer> t;
            store.write_and_wait(
                [&](Tx& tx) { t = tx.continuity().take_transfer(p.ann, device, now); });
            return t;
        };
        store.write_and_wait([&](Tx& tx) {
            tx.continuity().put_transfer(p.ann, p.ann_dev, "bundle1", 1000);
            tx.continuity().put_transfer(p.ann, p.ann_dev, "bundle2", 1000);  // replaces
        });
        CHECK_FALSE(take(p.ann_dev, 500));  // the device that put it cannot take it back
        auto t = take(ann_new, 500);
        REQUIRE(t);
        CHECK(t->from_device == p.ann_dev);
        CHECK(t->bundle == "bundle2");
        CHECK(take(ann_new, 500));  // still there: a mistyped code can be typed again
        const auto drop = [&] {
            bool dropped = false;
            store.write_and_wait([&](Tx& tx) { dropped = tx.continuity().drop_transfer(p.ann); });
            return dropped;
        };
        CHECK(drop());
        CHECK_FALSE(drop());
        CHECK_FALSE(take(ann_new, 500));  // closed
        store.write_and_wait(
            [&](Tx& tx) { tx.continuity().put_transfer(p.ann, p.ann_dev, "bundle3", 100); });
        CHECK_FALSE(take(ann_new, 200));  // expired: deleted too
        CHECK_FALSE(take(ann_new, 50));
        // The entries of earlier versions go; the current version's stay.
        int pruned = -1;
        store.write_and_wait(
            [&](Tx& tx) { pruned = tx.continuity().drop_entries_before(p.ann, 2); });
        CHECK(pruned == 1);
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.continuity().entries(p.ann, p.r, 1, 0, 10).empty());
            CHECK(tx.continuity().entries(p.ann, p.r, 2, 0, 10).size() == 3);
        });
        // Shares, per recipient device and room, oldest first, their text kept byte for byte.
        const std::string first = R"({"z": 1,  "a":"caf\u00e9 é"})";
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.continuity();
            c.put_share({p.r, p.bea_dev, p.ann_dev, 0, 1, 1, first}, 10);
            c.put_share({p.r, p.bea_dev, p.ann_dev, 1, 1, 1, "{}"}, 11);
            c.put_share({p.s, p.bea_dev, p.ann_dev, 0, 1, 1, "in s"}, 12);
            c.put_share({p.r, ann_new, p.ann_dev, 0, 1, 1, "to ann"}, 13);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.continuity().shares_for(p.r, p.bea_dev) ==
                  std::vector<std::string>{first, "{}"});
            CHECK(tx.continuity().shares_for(p.s, p.bea_dev) == std::vector<std::string>{"in s"});
            CHECK(tx.continuity().shares_for(p.r, ann_new) == std::vector<std::string>{"to ann"});
            CHECK(tx.continuity().shares_for(p.r, p.cal_dev).empty());
        });
    });
}

TEST_CASE("store: a withdrawn message keeps its seq as a tombstone, without envelope or backups",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(
            send(store, "r", p.bea, p.bea_dev, "m1", R"({"secret":"ciphertext-1"})", in_r).result ==
            R::stored);
        REQUIRE(
            send(store, "r", p.ann, p.ann_dev, "m2", R"({"secret":"ciphertext-2"})", in_r).result ==
            R::stored);
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"kind":"x"})", 3) == 3);
            CHECK(tx.continuity().put_entries(p.ann, p.r, 1, {{1, "a1"}, {2, "a2"}}) == 2);
            CHECK(tx.continuity().put_entries(p.bea, p.r, 1, {{1, "b1"}}) == 1);
            CHECK(tx.continuity().put_entries(p.bea, p.r, 2, {{1, "b1v2"}}) == 1);
        });
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().withdraw(p.r, 1, R"({"kind":"withdrawn"})"));
            // Not again, not an event, not a seq the room does not have, not another room's.
            CHECK_FALSE(tx.messages().withdraw(p.r, 1, R"({"kind":"withdrawn"})"));
            CHECK_FALSE(tx.messages().withdraw(p.r, 3, R"({"kind":"withdrawn"})"));
            CHECK_FALSE(tx.messages().withdraw(p.r, 9, R"({"kind":"withdrawn"})"));
            CHECK_FALSE(tx.messages().withdraw(p.s, 2, R"({"kind":"withdrawn"})"));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.messages().last_seq(p.r) == 3);
            const auto page = tx.messages().after(p.r, 0, 10);
            REQUIRE(page.size() == 3);
            CHECK(page[0].seq == 1);
            CHECK(page[0].event == R"({"kind":"withdrawn"})");
            CHECK(page[0].envelope.empty());
            CHECK(page[1].envelope == R"({"secret":"ciphertext-2"})");
            CHECK_FALSE(tx.continuity().is_message(p.r, 1));
            CHECK(tx.continuity().is_message(p.r, 2));
            CHECK(tx.continuity().entries(p.ann, p.r, 1, 0, 10) ==
                  std::vector<BackupEntry>{{2, "a2"}});
            CHECK(tx.continuity().entries(p.bea, p.r, 1, 0, 10).empty());
            CHECK(tx.continuity().entries(p.bea, p.r, 2, 0, 10).empty());
        });
        // The sequence goes on after it, and a retry of the withdrawn message's id stores
        // nothing (it is answered as a duplicate whose envelope is gone).
        CHECK(send(store, "r", p.bea, p.bea_dev, "m3", "{}", in_r).seq == 4);
        const auto again = send(store, "r", p.bea, p.bea_dev, "m1", "{}", in_r);
        CHECK(again.result == R::duplicate);
        CHECK(again.seq == 1);
        CHECK(again.existing_envelope.empty());
    });
}

TEST_CASE("store: retention keeps schedules and holds, finds last contact and erases a meeting",
          "[store][retention]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id health = 0, dan = 0, m1 = 0, m2 = 0, act = 0;
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "m1", R"({"c":"one"})", in_r, 100).result ==
                R::stored);
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "m2", R"({"c":"two"})", in_r, 200).result ==
                R::stored);
        store.write_and_wait([&](Tx& tx) {
            health = *tx.accounts().add_agency("Health", "health", 1);
            dan = *tx.accounts().add("dan", "Dan", health, Role::chair, 1);
            // A room event is not contact; a withdrawn message no longer counts as stored.
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"kind":"x"})", 300) == 3);
            CHECK(tx.messages().withdraw(p.r, 1, R"({"kind":"withdrawn"})"));
            auto& m = tx.meetings();
            MeetingRow row;
            row.room = p.s;
            row.kind = "core-group";
            row.starts_at = "2026-01-05T10:00";
            row.marking = "OFFICIAL";
            row.status = "draft";
            row.chair = dan;
            row.minute_taker = p.ann;
            row.version = 1;
            row.body = {1};
            m1 = m.create(row, p.ann, 5);
            ActionRow a;
            a.room = p.s;
            a.raised_in = m1;
            a.owner = p.ann;
            a.due = "2026-01-20";
            a.status = "open";
            a.body = {3};
            act = m.add_action(a, 7);
            m.add_version({m1, 1, "circulated", p.ann, 8, 0, {}, 0, 0, {4}});
            m.distribute(m1, 1, {p.ann}, 8);
            MinutesSignature s;
            s.act = "circulate";
            s.account = p.ann;
            s.device = p.ann_dev;
            s.signed_at = 8;
            s.signature = "c2ln";
            m.add_signature(m1, 1, s, 9);
            row.id = m1;
            row.rev = 1;
            m.update(row, 50);  // the record's last change
            m2 = m.create(row, p.ann, 60);
            CHECK(m.carry_forward(m1, m2, {"open"}, "carried_forward", 61) == 1);

            auto& r = tx.retention();
            r.set_schedule({health, "", "chat", 30, dan, 70, "first"});
            r.set_schedule({health, "", "chat", 40, p.ann, 71, "board decision"});
            r.set_schedule({health, "", "core-group", 500, p.ann, 72, "local policy"});
            CHECK(r.place_hold({"room", p.r, "", p.ann, "", 80, "inquiry"}));
            CHECK_FALSE(r.place_hold({"room", p.r, "", p.bea, "", 81, "again"}));
            CHECK(r.place_hold({"meeting", m1, "", p.ann, "", 82, "complaint"}));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& r = tx.retention();
            const auto schedules = r.schedules();
            REQUIRE(schedules.size() == 2);
            CHECK(schedules[0].agency == health);
            CHECK(schedules[0].agency_name == "Health");
            CHECK(schedules[0].record == "chat");
            CHECK(schedules[0].days == 40);  // replaced, not added
            CHECK(schedules[0].set_by == p.ann);
            CHECK(schedules[0].set_at == 71);
            CHECK(schedules[0].reason == "board decision");
            CHECK(schedules[1].record == "core-group");
            const auto holds = r.holds();
            REQUIRE(holds.size() == 2);
            CHECK(holds[0].target == "room");
            CHECK(holds[0].id == p.r);
            CHECK(holds[0].name == "r");
            CHECK(holds[0].placed_by_user == "ann");
            CHECK(holds[0].reason == "inquiry");
            CHECK(holds[1].target == "meeting");
            CHECK(holds[1].name == "s");  // the meeting's room
            CHECK(r.hold("meeting", m1)->placed_at == 82);
            CHECK_FALSE(r.hold("meeting", m2));
            CHECK_FALSE(r.hold("room", p.s));

            const auto rooms = r.rooms_with_messages();
            REQUIRE(rooms.size() == 1);  // s has no messages
            CHECK(rooms[0].room == p.r);
            CHECK(rooms[0].name == "r");
            CHECK(rooms[0].last_contact == 200);
            CHECK(rooms[0].stored == 1);
            CHECK(rooms[0].agencies.size() == 1);  // ann and bea are both of Care

            const auto meetings = r.meetings();
            REQUIRE(meetings.size() == 2);
            CHECK(meetings[0].meeting == m1);
            CHECK(meetings[0].room_name == "s");
            CHECK(meetings[0].kind == "core-group");
            CHECK(meetings[0].last_contact == 50);
            CHECK(meetings[0].agencies.size() == 2);  // ann's Care, and dan's Health as chair
        });
        store.write_and_wait([&](Tx& tx) {
            auto& r = tx.retention();
            CHECK(r.lift_hold("room", p.r));
            CHECK_FALSE(r.lift_hold("room", p.r));
            // m1's action is carried forward to m2: m1 stays until m2 goes.
            CHECK_FALSE(r.erase_meeting(m1));
            CHECK_FALSE(r.erase_meeting(99999));
            CHECK(r.erase_meeting(m2));
            CHECK(r.erase_meeting(m1));
            CHECK_FALSE(r.erase_meeting(m1));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK_FALSE(tx.meetings().meeting(m1));
            CHECK_FALSE(tx.meetings().meeting(m2));
            CHECK_FALSE(tx.meetings().version(m1, 1));
            CHECK(tx.meetings().distribution(m1, 1).empty());
            CHECK(tx.meetings().signatures(m1, 1).empty());
            CHECK_FALSE(tx.meetings().action(act));
            CHECK(tx.meetings().meetings_in(p.s).empty());
            CHECK(tx.retention().holds().empty());  // the meeting's hold went with it
            CHECK(tx.retention().meetings().empty());
        });
    });
}

TEST_CASE("store: after circulation, acknowledgements, comments and follow-up emails", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id m1 = 0, m2 = 0, c1 = 0, c2 = 0;
        store.write_and_wait([&](Tx& tx) {
            auto& m = tx.meetings();
            CHECK(tx.outbox().set_email(p.bea, "bea@example.org"));
            CHECK(tx.outbox().set_email(p.cal, "cal@example.org"));
            MeetingRow row;
            row.room = p.r;
            row.kind = "core-group";
            row.starts_at = "2026-01-05 10:00";
            row.marking = "OFFICIAL";
            row.status = "circulated";
            row.chair = p.ann;
            row.minute_taker = p.bea;
            row.version = 1;
            row.body = {1};
            m1 = m.create(row, p.ann, 5);
            m.add_version({m1, 1, "circulated", p.ann, 40, 0, {}, 0, 0, {4}});
            m.distribute(m1, 1, {p.ann, p.bea}, 40);
            row.starts_at = "2026-01-04 09:00";
            row.status = "draft";
            row.chair = p.cal;
            row.minute_taker = p.cal;
            m2 = m.create(row, p.cal, 6);
        });
        store.write_and_wait([&](Tx& tx) {
            auto& f = tx.followup();
            CHECK(f.acknowledge(m1, 1, p.bea, 50, {p.bea_dev, 49, "sig-1", {}, {}, {}}) ==
                  Acknowledged::now);
            // Again, signed again: the first time and signature stay.
            CHECK(f.acknowledge(m1, 1, p.bea, 60, {p.bea_dev, 59, "sig-2", {}, {}, {}}) ==
                  Acknowledged::already);
            // Nor does an unsigned one replace it.
            CHECK(f.acknowledge(m1, 1, p.bea, 61, {0, 0, "", {}, {}, {}}) == Acknowledged::already);
            CHECK(f.acknowledge(m1, 1, p.cal, 60, {p.cal_dev, 59, "sig-3", {}, {}, {}}) ==
                  Acknowledged::not_recipient);
            CHECK(f.acknowledge(m1, 2, p.bea, 60, {p.bea_dev, 59, "sig-4", {}, {}, {}}) ==
                  Acknowledged::not_recipient);
            AccuracyComment c;
            c.meeting = m1;
            c.version = 1;
            c.author = p.bea;
            c.section = "decisions";
            c.sent_at = 70;
            c.body = {9};
            c1 = f.add_comment(c);
            c.section = "general";
            c2 = f.add_comment(c);
            CHECK(c2 > c1);
            auto one = *f.comment(c1);
            one.resolution = "answered";
            one.resolved_by = p.ann;
            one.resolved_at = 80;
            one.rev = 2;
            one.body = {7, 7};
            f.update_comment(one);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& f = tx.followup();
            CHECK(f.acknowledged_at(m1, 1, p.bea) == 50);  // the first time stays
            CHECK_FALSE(f.acknowledged_at(m1, 1, p.ann));
            CHECK_FALSE(f.acknowledged_at(m1, 1, p.cal));
            const auto dist = tx.meetings().distribution(m1, 1);
            REQUIRE(dist.size() == 2);
            CHECK_FALSE(dist[0].acknowledged_at);  // ann
            CHECK_FALSE(dist[0].ack_signature);
            CHECK(dist[1].acknowledged_at == 50);  // bea
            REQUIRE(dist[1].ack_signature);
            CHECK(dist[1].ack_signature->device == p.bea_dev);
            CHECK(dist[1].ack_signature->signed_at == 49);
            CHECK(dist[1].ack_signature->signature == "sig-1");
            CHECK(dist[1].ack_signature->sign_key == "sign-bea-phone");
            CHECK(dist[1].ack_signature->box_key_signature == "sig-bea-phone");
            const auto all = f.comments(m1);
            REQUIRE(all.size() == 2);
            CHECK(all[0].id == c1);
            CHECK(all[0].author_user == "bea");
            CHECK(all[0].resolution == "answered");
            CHECK(all[0].resolved_by == p.ann);
            CHECK(all[0].resolved_at == 80);
            CHECK(all[0].rev == 2);
            CHECK(all[0].body == Bytes{7, 7});
            CHECK(all[1].id == c2);
            CHECK(all[1].section == "general");
            CHECK(all[1].resolution.empty());
            CHECK(all[1].resolved_by == 0);
            CHECK_FALSE(all[1].resolved_at);
            CHECK(all[1].rev == 1);
            CHECK(f.comments(m2).empty());
            CHECK_FALSE(f.comment(99999));
            // Meetings by start: m2 (4 Jan) before m1 (5 Jan); each person sees their own.
            const auto every = f.clocked_meetings(0);
            REQUIRE(every.size() == 2);
            CHECK(every[0].id == m2);
            CHECK_FALSE(every[0].first_circulated);
            CHECK(every[1].id == m1);
            CHECK(every[1].first_circulated == 40);
            CHECK(every[1].room_name == "r");
            CHECK(every[1].kind == "core-group");
            const auto bea = f.clocked_meetings(p.bea);  // bea takes m1's minutes
            REQUIRE(bea.size() == 1);
            CHECK(bea[0].id == m1);
            CHECK(f.clocked_meetings(p.cal).size() == 1);
            // bea acknowledged; ann has no address: nothing to send about m1.
            CHECK(f.pending_circulation_mail(0, 10).empty());
        });
        // A second version goes to ann, bea and cal (cal joined); cal has an address.
        store.write_and_wait([&](Tx& tx) {
            tx.meetings().add_version({m1, 2, "circulated", p.ann, 90, 0, {}, 0, 0, {5}});
            tx.meetings().distribute(m1, 2, {p.ann, p.bea, p.cal}, 90);
        });
        auto mail = store.read_now(
            [&](const ReadTx& tx) { return tx.followup().pending_circulation_mail(0, 10); });
        REQUIRE(mail.size() == 2);
        CHECK(mail[0].notice == "minutes_circulated");
        CHECK(mail[0].meeting == m1);
        CHECK(mail[0].version == 2);
        CHECK(mail[0].account == p.bea);
        CHECK(mail[0].email == "bea@example.org");
        CHECK(mail[0].display_name == "Bea");
        CHECK(mail[0].kind == "core-group");
        CHECK(mail[0].sent_at == 90);
        CHECK(mail[1].account == p.cal);
        CHECK(store.read_now([&](const ReadTx& tx) {
            return tx.followup().pending_circulation_mail(91, 10).size();
        }) == 0);  // sent before the outbox started
        CHECK(store.read_now([&](const ReadTx& tx) {
            return tx.followup().pending_circulation_mail(0, 1).size();
        }) == 1);
        store.write_and_wait([&](Tx& tx) {
            auto& f = tx.followup();
            f.mark_mail_sent("minutes_circulated", m1, 2, p.bea, 95);
            f.mark_mail_sent("minutes_circulated", m1, 2, p.bea, 96);  // recorded already
            f.mark_mail_sent("deadline_late:full_record", m2, 0, p.cal, 95);
            // Acknowledged before the email went: no email.
            CHECK(f.acknowledge(m1, 2, p.cal, 97, {p.cal_dev, 96, "sig-5", {}, {}, {}}) ==
                  Acknowledged::now);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto& f = tx.followup();
            CHECK(f.pending_circulation_mail(0, 10).empty());
            CHECK(f.mail_sent("minutes_circulated", m1, 2, p.bea));
            CHECK_FALSE(f.mail_sent("minutes_circulated", m1, 1, p.bea));
            CHECK(f.mail_sent("deadline_late:full_record", m2, 0, p.cal));
            CHECK_FALSE(f.mail_sent("deadline_soon:full_record", m2, 0, p.cal));
        });
        // A suspended account is sent nothing; an approved meeting has no clocks left.
        store.write_and_wait([&](Tx& tx) {
            tx.meetings().add_version({m1, 3, "circulated", p.ann, 100, 0, {}, 0, 0, {6}});
            tx.meetings().distribute(m1, 3, {p.bea}, 100);
            tx.accounts().set_suspended(p.bea, true);
            auto row = *tx.meetings().meeting(m1);
            row.status = "approved";
            tx.meetings().update(row, 101);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            CHECK(tx.followup().pending_circulation_mail(0, 10).empty());
            const auto left = tx.followup().clocked_meetings(0);
            REQUIRE(left.size() == 1);
            CHECK(left[0].id == m2);
        });
    });
}

TEST_CASE(
    "store: an unsigned acknowledgement takes the first signature given for it, and a signed "
    "one is never replaced",
    "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id m1 = 0;
        store.write_and_wait([&](Tx& tx) {
            MeetingRow row;
            row.room = p.r;
            row.kind = "core-group";
            row.starts_at = "2026-01-05 10:00";
            row.marking = "OFFICIAL";
            row.status = "circulated";
            row.chair = p.ann;
            row.minute_taker = p.ann;
            row.version = 1;
            row.body = {1};
            m1 = tx.meetings().create(row, p.ann, 5);
            tx.meetings().add_version({m1, 1, "circulated", p.ann, 40, 0, {}, 0, 0, {4}});
            tx.meetings().distribute(m1, 1, {p.ann, p.bea}, 40);
        });
        const auto entry = [&](Id account) {
            return store.read_now([&](const ReadTx& tx) {
                const auto user = account == p.ann ? "ann" : "bea";
                for (const auto& d : tx.meetings().distribution(m1, 1))
                    if (d.user == user)
                        return d;
                FAIL("no distribution entry");
                return Distribution{};
            });
        };
        store.write_and_wait([&](Tx& tx) {
            auto& f = tx.followup();
            // Ann's acknowledgement from before they were signed; bea's signed.
            CHECK(f.acknowledge(m1, 1, p.ann, 50, {0, 0, "", {}, {}, {}}) == Acknowledged::now);
            CHECK(f.acknowledge(m1, 1, p.bea, 51, {p.bea_dev, 51, "sig-bea", {}, {}, {}}) ==
                  Acknowledged::now);
            // Unsigned again: nothing changes.
            CHECK(f.acknowledge(m1, 1, p.ann, 55, {0, 0, "", {}, {}, {}}) == Acknowledged::already);
        });
        CHECK(entry(p.ann).acknowledged_at == 50);
        CHECK_FALSE(entry(p.ann).ack_signature);
        store.write_and_wait([&](Tx& tx) {
            auto& f = tx.followup();
            // Signed now: ann's takes the signature and keeps its time.
            CHECK(f.acknowledge(m1, 1, p.ann, 60, {p.ann_dev, 59, "sig-ann", {}, {}, {}}) ==
                  Acknowledged::signed_now);
            // Then neither a different signature nor an unsigned one replaces it.
            CHECK(f.acknowledge(m1, 1, p.ann, 70, {p.ann_dev, 69, "sig-other", {}, {}, {}}) ==
                  Acknowledged::already);
            CHECK(f.acknowledge(m1, 1, p.ann, 71, {0, 0, "", {}, {}, {}}) == Acknowledged::already);
            // Bea's, signed from the first, stays as it was too.
            CHECK(f.acknowledge(m1, 1, p.bea, 72, {p.bea_dev, 72, "sig-bea-2", {}, {}, {}}) ==
                  Acknowledged::already);
            CHECK(f.acknowledge(m1, 1, p.bea, 73, {0, 0, "", {}, {}, {}}) == Acknowledged::already);
            // Not a recipient: nothing, signed or not.
            CHECK(f.acknowledge(m1, 1, p.cal, 74, {p.cal_dev, 74, "sig-cal", {}, {}, {}}) ==
                  Acknowledged::not_recipient);
            CHECK(f.acknowledge(m1, 2, p.ann, 74, {p.ann_dev, 74, "sig-v2", {}, {}, {}}) ==
                  Acknowledged::not_recipient);
        });
        const auto ann = entry(p.ann);
        CHECK(ann.acknowledged_at == 50);
        REQUIRE(ann.ack_signature);
        CHECK(ann.ack_signature->device == p.ann_dev);
        CHECK(ann.ack_signature->signed_at == 59);
        CHECK(ann.ack_signature->signature == "sig-ann");
        const auto bea = entry(p.bea);
        CHECK(bea.acknowledged_at == 51);
        REQUIRE(bea.ack_signature);
        CHECK(bea.ack_signature->signed_at == 51);
        CHECK(bea.ack_signature->signature == "sig-bea");
        store.read_and_wait(
            [&](const ReadTx& tx) { CHECK(tx.followup().acknowledged_at(m1, 1, p.ann) == 50); });
    });
}

TEST_CASE("store: every room is listed, and what an account sent is counted per room", "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        Id empty = 0;
        store.write_and_wait([&](Tx& tx) { empty = *tx.rooms().create("empty", p.ann, 3); });
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "b1", "{}", in_r, 1000).result == R::stored);
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "a1", "{}", in_r, 1500).result == R::stored);
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "b2", "{}", in_r, 2000).result == R::stored);
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "b3", "{}", in_r, 3000).result == R::stored);
        REQUIRE(send(store, "s", p.ann, p.ann_dev, "a2", "{}", devices({p.ann_dev}), 4000).result ==
                R::stored);
        store.write_and_wait([&](Tx& tx) {
            // A membership event by bea's device and a withdrawn message are not counted.
            CHECK(tx.messages().append_event(p.r, p.bea_dev, R"({"kind":"x"})", 5000) == 5);
            CHECK(tx.messages().withdraw(p.r, 4, R"({"kind":"withdrawn"})"));
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto rooms = tx.rooms().all();
            REQUIRE(rooms.size() == 3);
            CHECK(rooms[0].id == p.r);
            CHECK(rooms[1].id == p.s);
            CHECK(rooms[2].id == empty);
            CHECK(rooms[2].name == "empty");
            const auto bea = tx.messages().sent_by(p.bea);
            REQUIRE(bea.size() == 1);
            CHECK(bea[0].room == p.r);
            CHECK(bea[0].count == 2);
            CHECK(bea[0].first_at == 1000);
            CHECK(bea[0].last_at == 2000);
            const auto ann = tx.messages().sent_by(p.ann);
            REQUIRE(ann.size() == 2);
            CHECK(ann[0].room == p.r);
            CHECK(ann[0].count == 1);
            CHECK(ann[1].room == p.s);
            CHECK(ann[1].last_at == 4000);
            CHECK(tx.messages().sent_by(p.cal).empty());
        });
    });
}

TEST_CASE("store: a claim is held by one node until released or run out, then taken over",
          "[store]") {
    each_store([](Store& store) {
        // Node a claims until 100; b is refused meanwhile, and takes it once it has run out.
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.claims();
            CHECK_FALSE(c.holder("mail:x", 10));
            CHECK(c.claim("mail:x", "a", 10, 100));
            CHECK(c.holder("mail:x", 10) == "a");
            CHECK_FALSE(c.claim("mail:x", "b", 50, 200));
            CHECK_FALSE(c.claim("mail:x", "b", 100, 200));  // runs to the end of 100
            CHECK(c.holder("mail:x", 100) == "a");
            CHECK(c.claim("mail:x", "a", 60, 150));  // its own: extended
            CHECK_FALSE(c.claim("mail:x", "b", 120, 200));
            CHECK_FALSE(c.release("mail:x", "b"));  // not b's to release
            CHECK(c.holder("mail:x", 120) == "a");
            // Other keys are claims of their own.
            CHECK(c.claim("mail:y", "b", 60, 150));
        });
        // A claim outlives its unit: the next unit (any node's) sees it.
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.claims();
            CHECK_FALSE(c.claim("mail:x", "b", 149, 300));
            CHECK(c.claim("mail:x", "b", 151, 300));  // a's ran out at 150: a node that died
            CHECK(c.holder("mail:x", 151) == "b");
            CHECK_FALSE(c.release("mail:x", "a"));  // a, back too late, holds nothing
            CHECK_FALSE(c.claim("mail:x", "a", 160, 400));
            CHECK(c.release("mail:x", "b"));
            CHECK_FALSE(c.holder("mail:x", 160));
            CHECK_FALSE(c.release("mail:x", "b"));
            CHECK(c.claim("mail:x", "a", 160, 400));  // released: anyone may claim it at once
        });
        // A unit that fails keeps none of its claims.
        CHECK_THROWS(store.write_and_wait([&](Tx& tx) {
            CHECK(tx.claims().claim("retention_sweep", "a", 10, 100));
            throw std::runtime_error("failed");
        }));
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.claims().holder("retention_sweep", 10));
            CHECK(tx.claims().claim("retention_sweep", "b", 10, 100));
        });
    });
}

TEST_CASE(
    "store: claims that ran out over a day ago are deleted, a bounded number at a time, "
    "and nothing that still holds or was taken over",
    "[store]") {
    each_store([](Store& store) {
        constexpr Millis day = 86'400'000;
        const Millis now = 10 * day;
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.claims();
            // Five left by a node that died, run out 2 to 6 days ago; one run out an hour ago;
            // one running; one run out long ago but taken over just now.
            for (int i = 0; i < 5; ++i)
                CHECK(c.claim("mail:old:" + std::to_string(i), "dead", 0, now - (2 + i) * day));
            CHECK(c.claim("mail:recent", "dead", 0, now - day / 24));
            CHECK(c.claim("retention_sweep", "a", now, now + 600'000));
            CHECK(c.claim("mail:taken", "dead", 0, now - 9 * day));
            CHECK(c.claim("mail:taken", "b", now, now + 60'000));
        });
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.claims();
            // At most the limit, oldest first: 6 and 5 days ago go.
            CHECK(c.purge(now - day, 2) == 2);
            // A row gone is one release finds nothing to drop in.
            CHECK_FALSE(c.release("mail:old:4", "dead"));
            CHECK_FALSE(c.release("mail:old:3", "dead"));
            CHECK(c.purge(now - day, 100) == 3);
            CHECK(c.purge(now - day, 100) == 0);
        });
        store.write_and_wait([&](Tx& tx) {
            auto& c = tx.claims();
            for (int i = 0; i < 5; ++i)  // each row gone: release finds none to drop
                CHECK_FALSE(c.release("mail:old:" + std::to_string(i), "dead"));
            CHECK(c.release("mail:recent", "dead"));  // ran out within the day: kept
            CHECK(c.holder("retention_sweep", now) == "a");
            CHECK(c.holder("mail:taken", now) == "b");
        });
        // A unit that fails deletes nothing.
        store.write_and_wait(
            [&](Tx& tx) { CHECK(tx.claims().claim("mail:z", "dead", 0, now - 3 * day)); });
        CHECK_THROWS(store.write_and_wait([&](Tx& tx) {
            CHECK(tx.claims().purge(now - day, 10) == 1);
            throw std::runtime_error("failed");
        }));
        store.write_and_wait([&](Tx& tx) { CHECK(tx.claims().release("mail:z", "dead")); });
    });
}

TEST_CASE("store: read positions only rise, and the digest counts unread rooms once a day",
          "[store]") {
    each_store([](Store& store) {
        const auto p = seed(store);
        const auto in_r = devices({p.ann_dev, p.bea_dev});
        REQUIRE(send(store, "r", p.ann, p.ann_dev, "1", "{}", in_r, 100).seq == 1);
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "2", "{}", in_r, 200).seq == 2);
        // A membership event is not a message: nobody has it to read.
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.messages().append_event(p.r, p.ann_dev, R"({"kind":"x"})", 210) == 3);
        });
        // What ann sends to a room she is alone in is nobody's unread message.
        REQUIRE(send(store, "s", p.ann, p.ann_dev, "3", "{}", devices({p.ann_dev}), 220).seq == 1);
        store.write_and_wait([&](Tx& tx) {
            for (const auto who : {p.ann, p.bea, p.cal})
                CHECK(tx.outbox().set_email(who, std::to_string(who) + "@example.org"));
        });
        const auto pending = [&](std::string_view day, Millis since, Millis cutoff) {
            return store.read_now([&](const ReadTx& tx) {
                return tx.reading().pending_digests(day, since, cutoff, 10);
            });
        };
        const auto accounts = [](const std::vector<PendingDigest>& list) {
            std::vector<Id> out;
            for (const auto& d : list)
                out.push_back(d.account);
            return out;
        };
        // Each has the other's message unread; cal is in no room.
        auto list = pending("2026-01-05", 0, 1000);
        REQUIRE(list.size() == 2);
        CHECK(list[0].account == p.ann);
        CHECK(list[0].email == std::to_string(p.ann) + "@example.org");
        CHECK(list[0].display_name == "Ann");
        CHECK(list[0].unread_rooms == 1);
        CHECK(list[1].account == p.bea);
        // Only what was sent by the cutoff counts; only what arrived after `since` is news.
        CHECK(accounts(pending("2026-01-05", 0, 150)) == std::vector<Id>{p.bea});
        CHECK(pending("2026-01-05", 250, 1000).empty());
        CHECK(accounts(pending("2026-01-05", 150, 1000)) == std::vector<Id>{p.ann});

        store.write_and_wait([&](Tx& tx) {
            auto& r = tx.reading();
            CHECK(r.read_seq(p.r, p.bea) == 0);
            CHECK(r.mark_read(p.r, p.bea, 1, 300));
            CHECK_FALSE(r.mark_read(p.r, p.bea, 1, 310));  // there already
            CHECK(r.mark_read(p.r, p.bea, 3, 320));
            CHECK_FALSE(r.mark_read(p.r, p.bea, 2, 330));  // lower: no change
            CHECK(r.read_seq(p.r, p.bea) == 3);
            CHECK(r.read_seq(p.r, p.ann) == 0);
        });
        store.read_and_wait([&](const ReadTx& tx) {
            const auto seqs = tx.reading().read_seqs(p.bea);
            REQUIRE(seqs.size() == 1);
            CHECK(seqs[0].first == "r");
            CHECK(seqs[0].second == 3);
            CHECK(tx.reading().read_seqs(p.ann).empty());
        });
        CHECK(accounts(pending("2026-01-05", 0, 1000)) == std::vector<Id>{p.ann});

        // Turned off, no digest; on again, due again.
        store.write_and_wait([&](Tx& tx) {
            auto& r = tx.reading();
            CHECK(r.digest_on(p.ann));
            CHECK(r.set_digest(p.ann, false));
            CHECK_FALSE(r.set_digest(p.ann, false));
            CHECK_FALSE(r.digest_on(p.ann));
        });
        CHECK(pending("2026-01-05", 0, 1000).empty());
        store.write_and_wait([&](Tx& tx) {
            CHECK(tx.reading().set_digest(p.ann, true));
            CHECK_FALSE(tx.reading().set_digest(p.ann, true));
        });
        CHECK(accounts(pending("2026-01-05", 0, 1000)) == std::vector<Id>{p.ann});

        // Sent: not again that day, and the next day's counts only what came after its cutoff.
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.reading().digest_sent(p.ann, "2026-01-05"));
            tx.reading().mark_digest_sent(p.ann, "2026-01-05", 1000, 1100);
            CHECK(tx.reading().digest_sent(p.ann, "2026-01-05"));
            CHECK_FALSE(tx.reading().digest_sent(p.ann, "2026-01-06"));
            CHECK_FALSE(tx.reading().digest_sent(p.bea, "2026-01-05"));
            tx.reading().mark_digest_sent(p.ann, "2026-01-05", 5000, 1200);  // the first stays
        });
        CHECK(pending("2026-01-05", 0, 9000).empty());
        CHECK(pending("2026-01-06", 0, 9000).empty());
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "4", "{}", in_r, 2000).seq == 4);
        CHECK(pending("2026-01-05", 0, 9000).empty());
        CHECK(pending("2026-01-06", 0, 1999).empty());
        list = pending("2026-01-06", 0, 9000);
        REQUIRE(list.size() == 1);
        CHECK(list[0].account == p.ann);
        CHECK(list[0].unread_rooms == 1);

        // A member added later reads from where it joined; a suspended account gets nothing.
        store.write_and_wait([&](Tx& tx) {
            REQUIRE(tx.rooms().add_member(p.r, p.cal, 4, 2100));
            tx.accounts().set_suspended(p.ann, true);
        });
        CHECK(pending("2026-01-06", 0, 9000).empty());
        store.write_and_wait([&](Tx& tx) { tx.accounts().set_suspended(p.ann, false); });
        REQUIRE(send(store, "r", p.bea, p.bea_dev, "5", "{}",
                     devices({p.ann_dev, p.bea_dev, p.cal_dev}), 2200)
                    .seq == 5);
        CHECK(accounts(pending("2026-01-06", 0, 9000)) == std::vector<Id>{p.ann, p.cal});

        // A former member's position is not listed.
        store.write_and_wait([&](Tx& tx) { REQUIRE(tx.rooms().remove_member(p.r, p.bea)); });
        store.read_and_wait(
            [&](const ReadTx& tx) { CHECK(tx.reading().read_seqs(p.bea).empty()); });

        // An admin's request to run now: the latest stays.
        store.write_and_wait([&](Tx& tx) {
            CHECK_FALSE(tx.reading().digest_requested());
            tx.reading().request_digest(500);
            CHECK(tx.reading().digest_requested() == 500);
            tx.reading().request_digest(700);
            CHECK(tx.reading().digest_requested() == 700);
            // A day has one run: its first cutoff stays.
            CHECK_FALSE(tx.reading().digest_cutoff("2026-01-07"));
            CHECK(tx.reading().fix_digest_cutoff("2026-01-07", 3000) == 3000);
            CHECK(tx.reading().fix_digest_cutoff("2026-01-07", 4000) == 3000);
            CHECK(tx.reading().digest_cutoff("2026-01-07") == 3000);
            CHECK_FALSE(tx.reading().digest_cutoff("2026-01-08"));
        });
    });
}
