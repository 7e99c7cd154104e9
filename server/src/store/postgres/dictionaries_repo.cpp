// store::Dictionaries on PostgreSQL (repos.hpp). A new version takes the next number under a
// transaction-level advisory lock (any constant every node shares), so two nodes committing
// dictionary changes at once take turns; the primary key on the version is the backstop.
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kQuestionSelect =
    "SELECT q.id, q.term, COALESCE(r.name, ''), q.asked_by, a.username, q.asked_at, q.status, "
    "q.reply, COALESCE(b.username, ''), q.answered_at FROM questions q JOIN accounts a ON a.id = "
    "q.asked_by LEFT JOIN rooms r ON r.id = q.room_id LEFT JOIN accounts b ON b.id = "
    "q.answered_by ";

Question question_row(const Result& r, int i) {
    Question q;
    q.id = r.int64(i, 0);
    q.term = text(r, i, 1);
    q.room = text(r, i, 2);
    q.asked_by = r.int64(i, 3);
    q.asked_by_user = text(r, i, 4);
    q.asked_at = r.int64(i, 5);
    q.status = text(r, i, 6);
    q.reply = text(r, i, 7);
    q.answered_by_user = text(r, i, 8);
    q.answered_at = optional_int(r, i, 9);
    return q;
}

std::vector<Question> question_rows(const Result& r) {
    std::vector<Question> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(question_row(r, i));
    return out;
}

class PgDictionaries final : public Dictionaries {
  public:
    explicit PgDictionaries(Connection& db) : db_(db) {}

    std::int64_t current_version() const override {
        const auto v = meta("dictionary_version");
        return v.empty() ? 0 : std::stoll(v);
    }
    DictionaryFiles current() const override {
        auto r = run(db_, "SELECT discipline, tsv FROM dictionaries");
        DictionaryFiles files;
        for (int i = 0; i < r.rows(); ++i)
            files.emplace(text(r, i, 0), text(r, i, 1));
        return files;
    }
    std::optional<DictionaryFiles> at_version(std::int64_t v) const override {
        if (run(db_, "SELECT 1 FROM dictionary_versions WHERE version = ?", v).rows() == 0)
            return std::nullopt;
        auto r = run(db_,
                     "SELECT f.discipline, f.tsv FROM dictionary_files f WHERE f.version = "
                     "(SELECT MAX(g.version) FROM dictionary_files g WHERE g.discipline = "
                     "f.discipline AND g.version <= ?)",
                     v);
        DictionaryFiles files;
        for (int i = 0; i < r.rows(); ++i)
            if (!r.is_null(i, 1))
                files.emplace(text(r, i, 0), text(r, i, 1));
        return files;
    }
    std::string common_acronyms() const override { return meta("common_acronyms"); }
    std::vector<DictionaryVersion> versions(std::int64_t limit) const override {
        auto r = run(db_,
                     "SELECT v.version, v.created_by, a.username, v.created_at, v.summary FROM "
                     "dictionary_versions v LEFT JOIN accounts a ON a.id = v.created_by ORDER BY "
                     "v.version DESC LIMIT ?",
                     limit);
        std::vector<DictionaryVersion> out;
        for (int i = 0; i < r.rows(); ++i) {
            const bool operator_made = r.is_null(i, 1) || r.int64(i, 1) < 0;
            out.push_back({r.int64(i, 0), operator_made ? std::string("operator") : text(r, i, 2),
                           r.int64(i, 3), text(r, i, 4)});
        }
        return out;
    }
    std::vector<NoisyEntry> noisy(std::int64_t min_reporters) const override {
        auto r = run(
            db_,
            "SELECT discipline, term, fixed, anyway, reporters FROM (SELECT f.discipline, f.term, "
            "SUM(f.fixed) AS fixed, SUM(f.sent_anyway) AS anyway, (SELECT COUNT(*) FROM "
            "dictionary_feedback_reporters r WHERE r.discipline = f.discipline AND r.term = "
            "f.term) AS reporters FROM dictionary_feedback f GROUP BY f.discipline, f.term) e "
            "WHERE reporters >= ? ORDER BY anyway DESC, anyway::float8 / NULLIF(fixed + anyway, "
            "0) DESC NULLS LAST, term COLLATE \"C\"",
            min_reporters);
        std::vector<NoisyEntry> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back(
                {text(r, i, 0), text(r, i, 1), r.int64(i, 2), r.int64(i, 3), r.int64(i, 4)});
        return out;
    }
    std::optional<Question> question(Id id) const override {
        auto r = run(db_, std::string(kQuestionSelect) + "WHERE q.id = ?", id);
        if (r.rows() == 0)
            return std::nullopt;
        return question_row(r, 0);
    }
    std::vector<Question> questions(std::string_view status, std::int64_t limit) const override {
        return question_rows(run(db_,
                                 std::string(kQuestionSelect) +
                                     "WHERE ?::text = '' OR q.status = ? ORDER BY q.id LIMIT ?",
                                 status, status, limit));
    }
    std::vector<Question> questions_asked_by(Id account, std::int64_t limit) const override {
        return question_rows(run(
            db_, std::string(kQuestionSelect) + "WHERE q.asked_by = ? ORDER BY q.id DESC LIMIT ?",
            account, limit));
    }

    std::optional<std::int64_t> commit(const DictionaryFiles& files, Id actor,
                                       std::string_view summary, Millis at) override {
        // Held to the end of the transaction: two nodes' commits take turns.
        run(db_, "SELECT pg_advisory_xact_lock(7393318542)");
        const auto before = current();
        const auto previous = current_version();
        if (before == files && previous > 0)
            return std::nullopt;
        const auto version = previous + 1;
        run(db_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, ?, ?, ?)",
            version, nullable(actor), at, summary);
        for (const auto& [discipline, tsv] : files) {
            const auto it = before.find(discipline);
            if (it != before.end() && it->second == tsv)
                continue;
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
            run(db_,
                "INSERT INTO dictionaries(discipline, tsv) VALUES(?, ?) ON CONFLICT(discipline) "
                "DO UPDATE SET tsv = excluded.tsv",
                discipline, tsv);
        }
        for (const auto& [discipline, tsv] : before) {
            if (files.contains(discipline))
                continue;
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, Null{});
            run(db_, "DELETE FROM dictionaries WHERE discipline = ?", discipline);
        }
        run(db_,
            "INSERT INTO meta(key, value) VALUES('dictionary_version', ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value",
            std::to_string(version));
        return version;
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
    void close_question(Id id, std::string_view status, std::string_view reply, Id answered_by,
                        Millis at) override {
        run(db_,
            "UPDATE questions SET status = ?, reply = ?, answered_by = ?, answered_at = ? WHERE "
            "id = ?",
            status, reply, answered_by, at, id);
    }
    void set_common_acronyms(std::string_view text) override {
        run(db_,
            "INSERT INTO meta(key, value) VALUES('common_acronyms', ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value",
            text);
    }
    bool ensure_history(Millis at, std::string_view summary) override {
        run(db_, "SELECT pg_advisory_xact_lock(7393318542)");  // as commit() takes it
        if (run(db_, "SELECT 1 FROM dictionary_versions LIMIT 1").rows() > 0)
            return false;
        const auto version = std::max<std::int64_t>(current_version(), 1);
        run(db_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, NULL, ?, ?)",
            version, at, summary);
        for (const auto& [discipline, tsv] : current())
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
        run(db_,
            "INSERT INTO meta(key, value) VALUES('dictionary_version', ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value",
            std::to_string(version));
        return true;
    }

  private:
    std::string meta(const char* key) const {
        auto r = run(db_, "SELECT value FROM meta WHERE key = ?", key);
        return r.rows() > 0 ? text(r, 0, 0) : std::string();
    }

    Connection& db_;
};

}  // namespace

std::unique_ptr<Dictionaries> make_dictionaries(Connection& db) {
    return std::make_unique<PgDictionaries>(db);
}

}  // namespace liaise::server::pg
