// store::Dictionaries on SQLite: the statements both stores share are in
// store/sql/dictionaries.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/dictionaries.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::DictionaryStatements kOwnStatements = {
    .noisy =
        "SELECT f.discipline, f.term, SUM(f.fixed) AS fixed, SUM(f.sent_anyway) AS "
        "anyway, (SELECT COUNT(*) FROM dictionary_feedback_reporters r WHERE "
        "r.discipline = f.discipline AND r.term = f.term) AS reporters FROM "
        "dictionary_feedback f GROUP BY f.discipline, f.term HAVING reporters >= ? "
        "ORDER BY anyway DESC, CAST(anyway AS REAL) / (fixed + anyway) DESC, f.term",
    .dictionary = "INSERT OR REPLACE INTO dictionaries(discipline, tsv) VALUES(?, ?)",
    .meta = "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"};

class SqlDictionaries final : public sql::SharedDictionaries<Conn> {
  public:
    explicit SqlDictionaries(const Conn& c) : SharedDictionaries(c, kOwnStatements) {}

    std::optional<std::int64_t> commit(const DictionaryFiles& files, Id actor,
                                       std::string_view summary, Millis at) override {
        return commit_version(files, actor, summary, at);
    }
    bool report_noisy(Id account, std::string_view day,
                      const std::vector<NoisyEntry>& entries) override {
        const int first_today = run(db_,
                                    "INSERT INTO dictionary_feedback_days(account, day) VALUES(?, "
                                    "?) ON CONFLICT(account) DO UPDATE SET day = excluded.day "
                                    "WHERE day < excluded.day",
                                    account, day);
        if (first_today == 0)
            return false;
        for (const auto& e : entries) {
            run(db_,
                "INSERT INTO dictionary_feedback(discipline, term, day, fixed, sent_anyway) "
                "VALUES(?, ?, ?, ?, ?) ON CONFLICT(discipline, term, day) DO UPDATE SET fixed = "
                "fixed + excluded.fixed, sent_anyway = sent_anyway + excluded.sent_anyway",
                e.discipline, e.term, day, e.fixed, e.sent_anyway);
            run(db_,
                "INSERT OR IGNORE INTO dictionary_feedback_reporters(discipline, term, account) "
                "VALUES(?, ?, ?)",
                e.discipline, e.term, account);
        }
        return true;
    }
    Id ask(std::string_view term, Id room, Id asked_by, Millis at) override {
        run(db_, "INSERT INTO questions(term, room_id, asked_by, asked_at) VALUES(?, ?, ?, ?)",
            term, nullable(room), asked_by, at);
        return db_.db.getLastInsertRowid();
    }
    bool ensure_history(Millis at, std::string_view summary) override {
        return start_history(at, summary);
    }
};

}  // namespace

std::unique_ptr<Dictionaries> make_dictionaries(const Conn& c) {
    return std::make_unique<SqlDictionaries>(c);
}

}  // namespace liaise::server::store::sqlite
