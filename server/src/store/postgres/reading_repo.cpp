// store::Reading on PostgreSQL (repos.hpp): read positions in `read_positions`, the accounts that
// turned the digest off in `digest_off`, each digest sent in `digests_sent`, each day's run in
// `digest_runs`, and an admin's request to run the digest now in `meta`. Each write is one
// statement that holds whatever another node committed first: a position only rises, a digest
// recorded twice keeps the first.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// For `accounts c` and `room_members m`: a message in m's room that c has not read, sent by
/// another account at or before the cutoff (the first parameter). Membership events and
/// withdrawn messages (their tombstones are events) are not messages.
#define LIAISE_UNREAD                                                                \
    "EXISTS (SELECT 1 FROM messages g JOIN devices d ON d.id = g.sender_device "     \
    "WHERE g.room_id = m.room_id AND g.event IS NULL AND d.account_id <> c.id AND "  \
    "g.sent_at <= ? AND g.seq > GREATEST(m.joined_seq, COALESCE((SELECT p.seq FROM " \
    "read_positions p WHERE p.account_id = c.id AND p.room_id = m.room_id), 0))"

class PgReading final : public Reading {
  public:
    explicit PgReading(Connection& db) : db_(db) {}

    std::int64_t read_seq(Id room, Id account) const override {
        auto r = run(db_, "SELECT seq FROM read_positions WHERE room_id = ? AND account_id = ?",
                     room, account);
        return r.rows() == 0 ? 0 : r.int64(0, 0);
    }
    std::vector<std::pair<std::string, std::int64_t>> read_seqs(Id account) const override {
        auto r = run(db_,
                     "SELECT r.name, p.seq FROM read_positions p JOIN rooms r ON r.id = p.room_id "
                     "JOIN room_members m ON m.room_id = p.room_id AND m.account_id = "
                     "p.account_id WHERE p.account_id = ? ORDER BY r.name COLLATE \"C\"",
                     account);
        std::vector<std::pair<std::string, std::int64_t>> out;
        for (int i = 0; i < r.rows(); ++i)
            out.emplace_back(text(r, i, 0), r.int64(i, 1));
        return out;
    }
    bool digest_on(Id account) const override {
        return run(db_, "SELECT 1 FROM digest_off WHERE account_id = ?", account).rows() == 0;
    }
    std::vector<PendingDigest> pending_digests(std::string_view day, Millis since, Millis cutoff,
                                               int limit) const override {
        auto r = run(
            db_,
            "SELECT id, email, display_name, unread FROM (SELECT c.id, c.email, c.display_name, "
            "(SELECT COUNT(*) FROM room_members m WHERE m.account_id = c.id AND " LIAISE_UNREAD
            ")) AS unread, "
            "(SELECT COUNT(*) FROM room_members m WHERE m.account_id = c.id AND " LIAISE_UNREAD
            " AND g.sent_at > COALESCE((SELECT MAX(s.cutoff) FROM digests_sent s WHERE "
            "s.account_id = c.id), ?))) AS fresh "
            "FROM accounts c WHERE c.email IS NOT NULL AND NOT c.suspended "
            "AND NOT EXISTS (SELECT 1 FROM digest_off o WHERE o.account_id = c.id) "
            "AND NOT EXISTS (SELECT 1 FROM digests_sent s WHERE s.account_id = c.id AND "
            "s.day = ?)) AS due WHERE fresh > 0 ORDER BY id LIMIT ?",
            cutoff, cutoff, since, day, limit);
        std::vector<PendingDigest> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(
                {r.int64(i, 0), text(r, i, 1), text(r, i, 2), static_cast<int>(r.int64(i, 3))});
        return out;
    }
    std::optional<Millis> digest_requested() const override {
        auto r = run(db_, "SELECT value FROM meta WHERE key = 'digest_requested_at'");
        if (r.rows() == 0)
            return std::nullopt;
        return std::stoll(text(r, 0, 0));
    }

    bool digest_sent(Id account, std::string_view day) const override {
        return run(db_, "SELECT 1 FROM digests_sent WHERE account_id = ? AND day = ?", account, day)
                   .rows() > 0;
    }
    std::optional<Millis> digest_cutoff(std::string_view day) const override {
        auto r = run(db_, "SELECT cutoff FROM digest_runs WHERE day = ?", day);
        if (r.rows() == 0)
            return std::nullopt;
        return r.int64(0, 0);
    }

    bool mark_read(Id room, Id account, std::int64_t seq, Millis at) override {
        return run(db_,
                   "INSERT INTO read_positions(account_id, room_id, seq, read_at) VALUES(?, ?, ?, "
                   "?) ON CONFLICT(account_id, room_id) DO UPDATE SET seq = excluded.seq, "
                   "read_at = excluded.read_at WHERE excluded.seq > read_positions.seq "
                   "RETURNING 1",
                   account, room, seq, at)
                   .rows() > 0;
    }
    bool set_digest(Id account, bool on) override {
        if (on)
            return run(db_, "DELETE FROM digest_off WHERE account_id = ? RETURNING 1", account)
                       .rows() > 0;
        return run(db_,
                   "INSERT INTO digest_off(account_id) VALUES(?) ON CONFLICT DO NOTHING "
                   "RETURNING 1",
                   account)
                   .rows() > 0;
    }
    void mark_digest_sent(Id account, std::string_view day, Millis cutoff, Millis at) override {
        run(db_,
            "INSERT INTO digests_sent(account_id, day, cutoff, sent_at) VALUES(?, ?, ?, ?) ON "
            "CONFLICT DO NOTHING",
            account, day, cutoff, at);
    }
    void request_digest(Millis at) override {
        // The latest request stays: two admins on two nodes ask for one run.
        run(db_,
            "INSERT INTO meta(key, value) VALUES('digest_requested_at', ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value WHERE excluded.value::bigint > "
            "meta.value::bigint",
            std::to_string(at));
    }

    Millis fix_digest_cutoff(std::string_view day, Millis cutoff) override {
        // The first node's cutoff stays; every node then counts up to the same instant.
        run(db_, "INSERT INTO digest_runs(day, cutoff) VALUES(?, ?) ON CONFLICT DO NOTHING", day,
            cutoff);
        return *digest_cutoff(day);
    }

  private:
    Connection& db_;
};

}  // namespace

std::unique_ptr<Reading> make_reading(Connection& db) {
    return std::make_unique<PgReading>(db);
}

}  // namespace liaise::server::pg
