#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

using Result = Appended::Result;

class SqlMessages final : public Messages {
  public:
    explicit SqlMessages(const Conn& c) : c_(c) {}

    std::int64_t last_seq(Id room) const override {
        auto q = c_.sql.use("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = ?");
        bind_all(*q, room);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }

    std::vector<StoredMessage> after(Id room, std::int64_t after,
                                     std::int64_t limit) const override {
        auto q = c_.sql.use(
            "SELECT m.seq, m.envelope, m.sent_at, d.id, a.username, d.sign_key, d.box_key, "
            "d.box_key_signature, m.event FROM messages m JOIN devices d ON d.id = "
            "m.sender_device JOIN accounts a ON a.id = d.account_id WHERE m.room_id = ? AND "
            "m.seq > ? ORDER BY m.seq LIMIT ?");
        bind_all(*q, room, after, limit);
        std::vector<StoredMessage> out;
        while (q->executeStep()) {
            auto& m = out.emplace_back();
            m.seq = q->getColumn(0).getInt64();
            m.sent_at = q->getColumn(2).getInt64();
            if (!q->getColumn(8).isNull()) {  // a membership event: no sender, no envelope
                m.event = q->getColumn(8).getString();
                continue;
            }
            m.envelope = q->getColumn(1).getString();
            m.device = q->getColumn(3).getInt64();
            m.user = q->getColumn(4).getString();
            m.sender = {q->getColumn(5).getString(), q->getColumn(6).getString(),
                        q->getColumn(7).getString()};
        }
        return out;
    }

    // In-process: one statement per room costs no round trip, so this is after() for each.
    std::vector<RoomRows> after_each(const std::vector<RoomAfter>& wanted,
                                     std::int64_t limit) const override {
        std::vector<RoomRows> out;
        out.reserve(wanted.size());
        for (const auto& w : wanted) {
            auto& r = out.emplace_back();
            r.room = w.room;
            r.rows = after(w.room, w.after, limit + 1);
            r.more = static_cast<std::int64_t>(r.rows.size()) > limit;
            if (r.more)
                r.rows.pop_back();
        }
        return out;
    }

    std::vector<SentSpan> sent_by(Id account) const override {
        auto q = c_.sql.use(
            "SELECT m.room_id, COUNT(*), MIN(m.sent_at), MAX(m.sent_at) FROM messages m JOIN "
            "devices d ON d.id = m.sender_device WHERE d.account_id = ? AND m.event IS NULL "
            "GROUP BY m.room_id ORDER BY m.room_id");
        bind_all(*q, account);
        std::vector<SentSpan> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                           q->getColumn(2).getInt64(), q->getColumn(3).getInt64()});
        return out;
    }

    Appended append(const NewMessage& m) override {
        Appended out;
        // What the writer remembers of the room (conn.hpp): read once per epoch.
        WriterMemory scratch;
        auto* memory = c_.remembered();
        if (memory == nullptr)
            memory = &scratch;  // a store without memory (never: appends are write units)
        const auto name = std::string(m.room);
        auto [cached, fresh] = memory->rooms.try_emplace(name);
        auto& r = cached->second;
        if (fresh) {
            try {
                if (!load_room(name, r)) {
                    memory->rooms.erase(cached);
                    out.result = Result::no_room;
                    return out;
                }
            } catch (...) {
                memory->rooms.erase(cached);
                throw;
            }
        }
        out.room = r.id;
        if (!std::binary_search(r.accounts.begin(), r.accounts.end(), m.account)) {
            out.result = Result::not_member;
            return out;
        }
        const auto& recipients = *m.recipients;
        if (!std::equal(r.devices.begin(), r.devices.end(), recipients.begin(), recipients.end())) {
            // A retry of a stored send is answered whatever changed since.
            if (find_duplicate(r.id, m, out))
                return out;
            out.result = Result::stale_recipients;
            return out;
        }
        const auto seq = r.last_seq + 1;
        const int inserted = run(c_,
                                 "INSERT INTO messages(room_id, seq, sender_device, "
                                 "client_msg_id, envelope, sent_at) VALUES(?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT(client_msg_id, room_id, sender_device) DO NOTHING",
                                 r.id, seq, m.device, m.client_msg_id, m.envelope, m.at);
        if (inserted == 0) {
            if (!find_duplicate(r.id, m, out))
                throw std::logic_error("append: an insert met a conflict it cannot find");
            return out;
        }
        auto [k, no_keys] = memory->keys.try_emplace(m.device);
        if (no_keys) {
            auto q =
                c_.sql.use("SELECT sign_key, box_key, box_key_signature FROM devices WHERE id = ?");
            bind_all(*q, m.device);
            if (!q->executeStep()) {
                memory->keys.erase(k);
                throw std::logic_error("append: the sending device does not exist");
            }
            k->second = {q->getColumn(0).getString(), q->getColumn(1).getString(),
                         q->getColumn(2).getString()};
        }
        out.result = Result::stored;
        out.seq = seq;
        out.sent_at = m.at;
        out.members = r.accounts;
        out.sender = k->second;
        r.last_seq = seq;  // last: a throw before here rolls back and moves the epoch
        return out;
    }

    std::int64_t append_event(Id room, Id actor_device, std::string_view event_json,
                              Millis at) override {
        // The remembered last seq of the room is now behind: forget it.
        c_.changed();
        const auto seq = last_seq(room) + 1;
        // (room, seq) is unique, so this id is too; clients' ids never start with "event:"
        // (Client::new_message_id), and were one to, this insert fails and so does the change.
        run(c_,
            "INSERT INTO messages(room_id, seq, sender_device, client_msg_id, envelope, sent_at, "
            "event) VALUES(?, ?, ?, ?, '', ?, ?)",
            room, seq, actor_device, "event:" + std::to_string(room) + ":" + std::to_string(seq),
            at, event_json);
        return seq;
    }

    bool withdraw(Id room, std::int64_t seq, std::string_view tombstone_json) override {
        // secure_delete (storage.cpp) overwrites the freed bytes of the envelope in the file.
        const int changed = run(c_,
                                "UPDATE messages SET envelope = '', event = ? WHERE room_id = ? "
                                "AND seq = ? AND event IS NULL",
                                tombstone_json, room, seq);
        if (changed == 0)
            return false;
        run(c_, "DELETE FROM backup_entries WHERE room_id = ? AND seq = ?", room, seq);
        return true;
    }

  private:
    /// Reads the room named `name` into `r`; false if there is none.
    bool load_room(const std::string& name, WriterMemory::Room& r) const {
        {
            auto q = c_.sql.use(
                "SELECT r.id, (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = r.id) "
                "FROM rooms r WHERE r.name = ?");
            bind_all(*q, name);
            if (!q->executeStep())
                return false;
            r.id = q->getColumn(0).getInt64();
            r.last_seq = q->getColumn(1).getInt64();
        }
        {
            auto q = c_.sql.use("SELECT account_id FROM room_members WHERE room_id = ?");
            bind_all(*q, r.id);
            r.accounts = int64_column(*q);
            std::sort(r.accounts.begin(), r.accounts.end());
        }
        auto q = c_.sql.use(
            "SELECT d.id FROM room_members m JOIN devices d ON d.account_id = m.account_id "
            "JOIN accounts a ON a.id = m.account_id "
            "WHERE m.room_id = ? AND d.revoked_at IS NULL AND a.suspended = 0");
        bind_all(*q, r.id);
        r.devices.clear();
        while (q->executeStep())
            r.devices.insert(std::to_string(q->getColumn(0).getInt64()));
        return true;
    }

    /// Fills `out` as a duplicate if `m`'s identity is stored in `room`.
    bool find_duplicate(Id room, const NewMessage& m, Appended& out) const {
        auto q = c_.sql.use(
            "SELECT seq, envelope, sent_at FROM messages WHERE room_id = ? AND sender_device = ? "
            "AND client_msg_id = ?");
        bind_all(*q, room, m.device, m.client_msg_id);
        if (!q->executeStep())
            return false;
        out.result = Result::duplicate;
        out.seq = q->getColumn(0).getInt64();
        out.existing_envelope = q->getColumn(1).getString();
        out.sent_at = q->getColumn(2).getInt64();
        return true;
    }

    Conn c_;
};

}  // namespace

std::unique_ptr<Messages> make_messages(const Conn& c) {
    return std::make_unique<SqlMessages>(c);
}

}  // namespace liaise::server::store::sqlite
