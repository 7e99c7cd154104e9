#include "store/postgres/messages.hpp"

#include <algorithm>
#include <string_view>

namespace liaise::server::pg {

namespace {

Appended::Result outcome(std::string_view s) {
    if (s == "stored")
        return Appended::Result::stored;
    if (s == "duplicate")
        return Appended::Result::duplicate;
    if (s == "no_room")
        return Appended::Result::no_room;
    if (s == "not_allowed")
        return Appended::Result::not_allowed;
    if (s == "not_member")
        return Appended::Result::not_member;
    throw Error("liaise_append answered an unknown outcome '" + std::string(s) + "'", "");
}

/// The batch's distinct rooms, ascending, as a PostgreSQL array literal.
std::string room_array(std::span<const Send> sends) {
    std::vector<std::int64_t> rooms;
    rooms.reserve(sends.size());
    for (const auto& s : sends)
        rooms.push_back(s.room);
    std::sort(rooms.begin(), rooms.end());
    rooms.erase(std::unique(rooms.begin(), rooms.end()), rooms.end());
    std::string out = "{";
    for (std::size_t i = 0; i < rooms.size(); ++i) {
        if (i > 0)
            out += ',';
        out += std::to_string(rooms[i]);
    }
    out += '}';
    return out;
}

}  // namespace

namespace {

/// The batch's statements, with or without BEGIN and COMMIT around them.
std::vector<Appended> run_batch(Connection& db, std::span<const Send> sends, bool own_transaction) {
    if (sends.empty())
        return {};
    std::vector<Query> q;
    q.reserve(sends.size() + 3);
    if (own_transaction)
        q.push_back({"BEGIN", {}, {}});
    const std::size_t first = q.size() + 1;
    q.push_back({"SELECT id FROM rooms WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
                 {room_array(sends)},
                 "liaise_lock_rooms"});
    for (const auto& s : sends)
        q.push_back({"SELECT o_outcome, o_seq, o_sent_at FROM liaise_append($1, $2, $3, $4, $5)",
                     {std::to_string(s.room), std::to_string(s.device), s.client_msg_id, s.envelope,
                      std::to_string(s.sent_at)},
                     "liaise_append"});
    if (own_transaction)
        q.push_back({"COMMIT", {}, {}});
    auto results = db.pipeline(q);
    // The first failure says why; every later statement was skipped.
    for (auto& r : results) {
        if (r.ok())
            continue;
        if (own_transaction && db.in_failed_transaction())
            db.exec("ROLLBACK");
        r.check("storing a batch of messages");
    }
    std::vector<Appended> out;
    out.reserve(sends.size());
    for (std::size_t i = 0; i < sends.size(); ++i) {
        const auto& r = results[first + i];
        Appended a;
        a.result = outcome(r.text(0, 0));
        if (a.result == Appended::Result::stored || a.result == Appended::Result::duplicate) {
            a.seq = r.int64(0, 1);
            a.sent_at = r.int64(0, 2);
        }
        out.push_back(a);
    }
    return out;
}

}  // namespace

std::vector<Appended> append_batch(Connection& db, std::span<const Send> sends) {
    return run_batch(db, sends, true);
}

std::vector<Appended> append_in_transaction(Connection& db, std::span<const Send> sends) {
    return run_batch(db, sends, false);
}

std::vector<Stored> fetch_after(Connection& db, std::int64_t room, std::int64_t after, int limit) {
    auto r = db.exec(
        "SELECT seq, sender_device, client_msg_id, envelope, sent_at FROM messages "
        "WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        {std::to_string(room), std::to_string(after), std::to_string(limit)});
    std::vector<Stored> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({room, r.int64(i, 0), r.int64(i, 1), std::string(r.text(i, 2)),
                       std::string(r.text(i, 3)), r.int64(i, 4)});
    return out;
}

std::int64_t last_seq(Connection& db, std::int64_t room) {
    auto r = db.exec("SELECT last_seq FROM rooms WHERE id = $1", {std::to_string(room)});
    return r.rows() == 0 ? 0 : r.int64(0, 0);
}

}  // namespace liaise::server::pg
