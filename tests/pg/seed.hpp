// Rows the message-path tests need, inserted directly (the repositories for accounts and rooms
// come with store.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/postgres/pq.hpp"

namespace liaise::server::testing {

struct Seeded {
    std::vector<std::int64_t> accounts;  ///< one per person
    std::vector<std::int64_t> devices;   ///< device i belongs to accounts[i]
    std::vector<std::int64_t> rooms;
};

/// `people` accounts with one device each in one agency, and `rooms` rooms; every person is a
/// member of every room when `all_members`, else of none.
inline Seeded seed(pg::Connection& db, int people, int rooms, bool all_members = true) {
    Seeded s;
    db.exec("INSERT INTO agencies(name, discipline, created_at) VALUES ('Agency', 'social', 0)");
    for (int i = 0; i < people; ++i) {
        auto a = db.exec(
            "INSERT INTO accounts(username, display_name, agency_id, role, created_at) "
            "SELECT $1, $1, id, 'staff', 0 FROM agencies RETURNING id",
            {"person" + std::to_string(i)});
        s.accounts.push_back(a.int64(0, 0));
        auto d = db.exec(
            "INSERT INTO devices(account_id, name, sign_key, box_key, box_key_signature, "
            "created_at) VALUES ($1, 'laptop', 's', 'b', 'sig', 0) RETURNING id",
            {std::to_string(s.accounts.back())});
        s.devices.push_back(d.int64(0, 0));
    }
    for (int r = 0; r < rooms; ++r) {
        auto room = db.exec(
            "INSERT INTO rooms(name, created_by, created_at) VALUES ($1, $2, 0) RETURNING id",
            {"room" + std::to_string(r), std::to_string(s.accounts.at(0))});
        s.rooms.push_back(room.int64(0, 0));
        if (all_members)
            for (const auto a : s.accounts)
                db.exec("INSERT INTO room_members VALUES ($1, $2, 0, 0)",
                        {std::to_string(s.rooms.back()), std::to_string(a)});
    }
    return s;
}

}  // namespace liaise::server::testing
