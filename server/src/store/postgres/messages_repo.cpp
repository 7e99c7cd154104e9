#include "store/postgres/messages_repo.hpp"

#include "store/postgres/repos.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>

namespace liaise::server::pg {

namespace {

/// The recipients as a PostgreSQL array literal in ascending numeric order (the caller's are
/// ascending as text, which differs once ids have different lengths: "10" < "9"), or nullopt if
/// one is not a device id in canonical decimal (then they cannot be the room's devices). A
/// repeated id is kept, so it cannot match the room's distinct devices.
std::optional<std::string> id_array(const std::vector<std::string>* ids) {
    if (!ids)
        return std::nullopt;
    std::vector<std::int64_t> values;
    values.reserve(ids->size());
    for (const auto& id : *ids) {
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
        if (id.empty() || ec != std::errc() || end != id.data() + id.size() || v <= 0 ||
            std::to_string(v) != id)
            return std::nullopt;
        values.push_back(v);
    }
    std::sort(values.begin(), values.end());
    std::string out = "{";
    for (const auto v : values) {
        if (out.size() > 1)
            out += ',';
        out += std::to_string(v);
    }
    return out + "}";
}

/// Parses an array of integers as PostgreSQL writes it ({1,2,3}).
std::vector<store::Id> parse_ids(std::string_view text) {
    std::vector<store::Id> out;
    if (text.size() < 2)
        return out;
    text = text.substr(1, text.size() - 2);
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto part = text.substr(0, comma);
        store::Id v = 0;
        std::from_chars(part.data(), part.data() + part.size(), v);
        out.push_back(v);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

/// Row `i` of `r` as a stored message, its columns from `c` on: seq, sent_at, event ('' for a
/// message), envelope, sender_device, username, sign_key, box_key, box_key_signature.
template <class Result>
store::StoredMessage stored_message(const Result& r, int i, int c) {
    store::StoredMessage m;
    m.seq = r.int64(i, c);
    m.sent_at = r.int64(i, c + 1);
    m.event = r.text(i, c + 2);
    if (m.event.empty()) {
        m.envelope = r.text(i, c + 3);
        m.device = r.int64(i, c + 4);
        m.user = r.text(i, c + 5);
        m.sender = {std::string(r.text(i, c + 6)), std::string(r.text(i, c + 7)),
                    std::string(r.text(i, c + 8))};
    }
    return m;
}

}  // namespace

std::int64_t PgMessages::last_seq(store::Id room) const {
    auto r = db_.exec("SELECT last_seq FROM rooms WHERE id = $1", {std::to_string(room)});
    return r.rows() == 0 ? 0 : r.int64(0, 0);
}

std::vector<store::StoredMessage> PgMessages::after(store::Id room, std::int64_t after,
                                                    std::int64_t limit) const {
    auto r = db_.exec(
        "SELECT m.seq, m.sent_at, coalesce(m.event, ''), m.envelope, m.sender_device, "
        "a.username, d.sign_key, d.box_key, d.box_key_signature FROM messages m "
        "JOIN devices d ON d.id = m.sender_device JOIN accounts a ON a.id = d.account_id "
        "WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
        {std::to_string(room), std::to_string(after), std::to_string(limit)});
    std::vector<store::StoredMessage> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(stored_message(r, i, 0));
    }
    return out;
}

std::vector<store::RoomRows> PgMessages::after_each(const std::vector<store::RoomAfter>& wanted,
                                                    std::int64_t limit) const {
    std::vector<store::RoomRows> out(wanted.size());
    if (wanted.empty())
        return out;
    // One statement for every room: each room's first limit + 1 rows after its own seq (the
    // extra row says whether more remain), by the (room_id, seq) index.
    std::string rooms = "{", afters = "{";
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        out[i].room = wanted[i].room;
        rooms += (i ? "," : "") + std::to_string(wanted[i].room);
        afters += (i ? "," : "") + std::to_string(wanted[i].after);
    }
    rooms += '}';
    afters += '}';
    auto r = db_.exec(
        "SELECT w.room, m.seq, m.sent_at, coalesce(m.event, ''), m.envelope, m.sender_device, "
        "a.username, d.sign_key, d.box_key, d.box_key_signature "
        "FROM unnest($1::bigint[], $2::bigint[]) AS w(room, after) CROSS JOIN LATERAL "
        "(SELECT seq, sent_at, event, envelope, sender_device FROM messages "
        "WHERE room_id = w.room AND seq > w.after ORDER BY seq LIMIT $3) m "
        "JOIN devices d ON d.id = m.sender_device JOIN accounts a ON a.id = d.account_id "
        "ORDER BY w.room, m.seq",
        {std::move(rooms), std::move(afters), std::to_string(limit + 1)});
    std::map<store::Id, std::size_t> index;
    for (std::size_t i = 0; i < wanted.size(); ++i)
        index.emplace(wanted[i].room, i);
    for (int i = 0; i < r.rows(); ++i) {
        const auto at = index.find(r.int64(i, 0));
        if (at == index.end())
            continue;
        auto& room = out[at->second];
        if (static_cast<std::int64_t>(room.rows.size()) >= limit) {
            room.more = true;
            continue;
        }
        room.rows.push_back(stored_message(r, i, 1));
    }
    return out;
}

std::vector<store::SentSpan> PgMessages::sent_by(store::Id account) const {
    auto r = db_.exec(
        "SELECT m.room_id, COUNT(*), MIN(m.sent_at), MAX(m.sent_at) FROM messages m JOIN "
        "devices d ON d.id = m.sender_device WHERE d.account_id = $1 AND m.event IS NULL "
        "GROUP BY m.room_id ORDER BY m.room_id",
        {std::to_string(account)});
    std::vector<store::SentSpan> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.int64(i, 1), r.int64(i, 2), r.int64(i, 3)});
    return out;
}

store::Appended PgMessages::append(const store::NewMessage& m) {
    auto r = db_.exec(
        "SELECT o_outcome, o_seq, o_sent_at, o_room, o_existing, o_members, o_sign_key, "
        "o_box_key, o_box_key_signature FROM liaise_append_message($1, $2, $3, $4, $5, "
        "$6::bigint[], $7)",
        {std::string(m.room), std::to_string(m.account), std::to_string(m.device),
         std::string(m.client_msg_id), std::string(m.envelope), id_array(m.recipients),
         std::to_string(m.at)});
    using R = store::Appended::Result;
    store::Appended a;
    const auto outcome = r.text(0, 0);
    a.room = r.int64(0, 3);
    if (outcome == "no_room") {
        a.result = R::no_room;
    } else if (outcome == "not_member") {
        a.result = R::not_member;
    } else if (outcome == "stale_recipients") {
        a.result = R::stale_recipients;
    } else if (outcome == "duplicate") {
        a.result = R::duplicate;
        a.seq = r.int64(0, 1);
        a.sent_at = r.int64(0, 2);
        a.existing_envelope = r.text(0, 4);
    } else if (outcome == "stored") {
        a.result = R::stored;
        a.seq = r.int64(0, 1);
        a.sent_at = r.int64(0, 2);
        a.members = parse_ids(r.text(0, 5));
        a.sender = {std::string(r.text(0, 6)), std::string(r.text(0, 7)),
                    std::string(r.text(0, 8))};
    } else {
        throw Error("liaise_append_message answered an unknown outcome", "");
    }
    return a;
}

std::int64_t PgMessages::append_event(store::Id room, store::Id actor_device,
                                      std::string_view event_json, store::Millis at) {
    return db_
        .exec("SELECT liaise_append_event($1, $2, $3, $4)",
              {std::to_string(room), std::to_string(actor_device), std::string(event_json),
               std::to_string(at)})
        .int64(0, 0);
}

bool PgMessages::withdraw(store::Id room, std::int64_t seq, std::string_view tombstone_json) {
    // The old row version stays in the table's file until VACUUM reclaims it (docs/operator.md).
    const auto r = db_.exec(
        "UPDATE messages SET envelope = '', event = $3 WHERE room_id = $1 AND seq = $2 AND "
        "event IS NULL RETURNING seq",
        {std::to_string(room), std::to_string(seq), std::string(tombstone_json)});
    if (r.rows() == 0)
        return false;
    db_.exec("DELETE FROM backup_entries WHERE room_id = $1 AND seq = $2",
             {std::to_string(room), std::to_string(seq)});
    return true;
}

std::unique_ptr<store::Messages> make_messages(Connection& db) {
    return std::make_unique<PgMessages>(db);
}

}  // namespace liaise::server::pg
