// store::Reading on SQLite (repos.hpp): read positions in `read_positions`, the accounts that
// turned the digest off in `digest_off`, each digest sent in `digests_sent`, each day's run in
// `digest_runs`, and an admin's request to run the digest now in `meta`.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// For `accounts c` and `room_members m`: a message in m's room that c has not read, sent by
/// another account at or before the cutoff (the first parameter). Membership events and
/// withdrawn messages (their tombstones are events) are not messages.
#define LIAISE_UNREAD                                                                            \
    "EXISTS (SELECT 1 FROM messages g JOIN devices d ON d.id = g.sender_device "                 \
    "WHERE g.room_id = m.room_id AND g.event IS NULL AND d.account_id <> c.id AND "              \
    "g.sent_at <= ? AND g.seq > MAX(m.joined_seq, COALESCE((SELECT p.seq FROM read_positions p " \
    "WHERE p.account_id = c.id AND p.room_id = m.room_id), 0))"

class SqlReading final : public Reading {
  public:
    explicit SqlReading(const Conn& c) : c_(c) {}

    std::int64_t read_seq(Id room, Id account) const override {
        auto q = c_.sql.use("SELECT seq FROM read_positions WHERE room_id = ? AND account_id = ?");
        bind_all(*q, room, account);
        return q->executeStep() ? q->getColumn(0).getInt64() : 0;
    }
    std::vector<std::pair<std::string, std::int64_t>> read_seqs(Id account) const override {
        auto q = c_.sql.use(
            "SELECT r.name, p.seq FROM read_positions p JOIN rooms r ON r.id = p.room_id "
            "JOIN room_members m ON m.room_id = p.room_id AND m.account_id = p.account_id "
            "WHERE p.account_id = ? ORDER BY r.name");
        bind_all(*q, account);
        std::vector<std::pair<std::string, std::int64_t>> out;
        while (q->executeStep())
            out.emplace_back(q->getColumn(0).getString(), q->getColumn(1).getInt64());
        return out;
    }
    bool digest_on(Id account) const override {
        auto q = c_.sql.use("SELECT 1 FROM digest_off WHERE account_id = ?");
        bind_all(*q, account);
        return !q->executeStep();
    }
    std::vector<PendingDigest> pending_digests(std::string_view day, Millis since, Millis cutoff,
                                               int limit) const override {
        auto q = c_.sql.use(
            "SELECT id, email, display_name, unread FROM (SELECT c.id, c.email, c.display_name, "
            "(SELECT COUNT(*) FROM room_members m WHERE m.account_id = c.id AND " LIAISE_UNREAD
            ")) AS unread, "
            "(SELECT COUNT(*) FROM room_members m WHERE m.account_id = c.id AND " LIAISE_UNREAD
            " AND g.sent_at > COALESCE((SELECT MAX(s.cutoff) FROM digests_sent s WHERE "
            "s.account_id = c.id), ?))) AS fresh "
            "FROM accounts c WHERE c.email IS NOT NULL AND c.suspended = 0 "
            "AND NOT EXISTS (SELECT 1 FROM digest_off o WHERE o.account_id = c.id) "
            "AND NOT EXISTS (SELECT 1 FROM digests_sent s WHERE s.account_id = c.id AND "
            "s.day = ?)) WHERE fresh > 0 ORDER BY id LIMIT ?");
        bind_all(*q, cutoff, cutoff, since, day, limit);
        std::vector<PendingDigest> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getString(),
                           q->getColumn(2).getString(), q->getColumn(3).getInt()});
        return out;
    }
    std::optional<Millis> digest_requested() const override {
        auto q = c_.sql.use("SELECT value FROM meta WHERE key = 'digest_requested_at'");
        if (!q->executeStep())
            return std::nullopt;
        return std::stoll(q->getColumn(0).getString());
    }

    bool digest_sent(Id account, std::string_view day) const override {
        auto q = c_.sql.use("SELECT 1 FROM digests_sent WHERE account_id = ? AND day = ?");
        bind_all(*q, account, day);
        return q->executeStep();
    }
    std::optional<Millis> digest_cutoff(std::string_view day) const override {
        auto q = c_.sql.use("SELECT cutoff FROM digest_runs WHERE day = ?");
        bind_all(*q, day);
        if (!q->executeStep())
            return std::nullopt;
        return q->getColumn(0).getInt64();
    }

    bool mark_read(Id room, Id account, std::int64_t seq, Millis at) override {
        return run(c_,
                   "INSERT INTO read_positions(account_id, room_id, seq, read_at) "
                   "VALUES(?, ?, ?, ?) ON CONFLICT(account_id, room_id) DO UPDATE SET "
                   "seq = excluded.seq, read_at = excluded.read_at WHERE excluded.seq > "
                   "read_positions.seq",
                   account, room, seq, at) > 0;
    }
    bool set_digest(Id account, bool on) override {
        if (on)
            return run(c_, "DELETE FROM digest_off WHERE account_id = ?", account) > 0;
        return run(c_, "INSERT OR IGNORE INTO digest_off(account_id) VALUES(?)", account) > 0;
    }
    void mark_digest_sent(Id account, std::string_view day, Millis cutoff, Millis at) override {
        run(c_,
            "INSERT OR IGNORE INTO digests_sent(account_id, day, cutoff, sent_at) "
            "VALUES(?, ?, ?, ?)",
            account, day, cutoff, at);
    }
    void request_digest(Millis at) override {
        run(c_, "INSERT OR REPLACE INTO meta(key, value) VALUES('digest_requested_at', ?)",
            std::to_string(at));
    }

    Millis fix_digest_cutoff(std::string_view day, Millis cutoff) override {
        run(c_, "INSERT OR IGNORE INTO digest_runs(day, cutoff) VALUES(?, ?)", day, cutoff);
        return *digest_cutoff(day);
    }

  private:
    Conn c_;
};

}  // namespace

std::unique_ptr<Reading> make_reading(const Conn& c) {
    return std::make_unique<SqlReading>(c);
}

}  // namespace liaise::server::store::sqlite
