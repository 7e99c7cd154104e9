// store::Dictionaries on PostgreSQL (repos.hpp). A new version takes the next number under a
// transaction-level advisory lock (any constant every node shares), so two nodes committing
// dictionary changes at once take turns; the primary key on the version is the backstop. The
// statements both stores share are in store/sql/dictionaries.hpp.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/dictionaries.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::DictionaryStatements kOwnStatements = {
    .noisy =
        "SELECT discipline, term, fixed, anyway, reporters FROM (SELECT f.discipline, "
        "f.term, SUM(f.fixed) AS fixed, SUM(f.sent_anyway) AS anyway, (SELECT "
        "COUNT(*) FROM dictionary_feedback_reporters r WHERE r.discipline = "
        "f.discipline AND r.term = f.term) AS reporters FROM dictionary_feedback f "
        "GROUP BY f.discipline, f.term) e WHERE reporters >= ? ORDER BY anyway DESC, "
        "anyway::float8 / NULLIF(fixed + anyway, 0) DESC NULLS LAST, term COLLATE "
        "\"C\"",
    .dictionary =
        "INSERT INTO dictionaries(discipline, tsv) VALUES(?, ?) ON "
        "CONFLICT(discipline) DO UPDATE SET tsv = excluded.tsv",
    .meta =
        "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO "
        "UPDATE SET value = excluded.value"};

class PgDictionaries final : public sql::SharedDictionaries<Connection&> {
  public:
    explicit PgDictionaries(Connection& db) : SharedDictionaries(db, kOwnStatements) {}

    std::optional<std::int64_t> commit(const DictionaryFiles& files, Id actor,
                                       std::string_view summary, Millis at) override {
        lock();
        return commit_version(files, actor, summary, at);
    }
    bool report_noisy(Id account, std::string_view day,
                      const std::vector<NoisyEntry>& entries) override {
        const bool first_today =
            run(db_,
                "INSERT INTO dictionary_feedback_days(account, day) VALUES(?, ?) ON "
                "CONFLICT(account) DO UPDATE SET day = excluded.day WHERE "
                "dictionary_feedback_days.day < excluded.day RETURNING 1",
                account, day)
                .rows() > 0;
        if (!first_today)
            return false;
        for (const auto& e : entries) {
            run(db_,
                "INSERT INTO dictionary_feedback(discipline, term, day, fixed, sent_anyway) "
                "VALUES(?, ?, ?, ?, ?) ON CONFLICT(discipline, term, day) DO UPDATE SET fixed = "
                "dictionary_feedback.fixed + excluded.fixed, sent_anyway = "
                "dictionary_feedback.sent_anyway + excluded.sent_anyway",
                e.discipline, e.term, day, e.fixed, e.sent_anyway);
            run(db_,
                "INSERT INTO dictionary_feedback_reporters(discipline, term, account) "
                "VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
                e.discipline, e.term, account);
        }
        return true;
    }
    Id ask(std::string_view term, Id room, Id asked_by, Millis at) override {
        return run(db_,
                   "INSERT INTO questions(term, room_id, asked_by, asked_at) VALUES(?, ?, ?, ?) "
                   "RETURNING id",
                   term, nullable(room), asked_by, at)
            .int64(0, 0);
    }
    bool ensure_history(Millis at, std::string_view summary) override {
        lock();  // as commit() takes it
        return start_history(at, summary);
    }

  private:
    /// Held to the end of the transaction: two nodes' commits take turns.
    void lock() { run(db_, "SELECT pg_advisory_xact_lock(7393318542)"); }
};

}  // namespace

std::unique_ptr<Dictionaries> make_dictionaries(Connection& db) {
    return std::make_unique<PgDictionaries>(db);
}

}  // namespace liaise::server::pg
