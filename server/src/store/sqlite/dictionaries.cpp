#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

constexpr const char* kQuestionSelect =
    "SELECT q.id, q.term, COALESCE(r.name, ''), q.asked_by, a.username, q.asked_at, q.status, "
    "q.reply, COALESCE(b.username, ''), q.answered_at FROM questions q JOIN accounts a ON a.id = "
    "q.asked_by LEFT JOIN rooms r ON r.id = q.room_id LEFT JOIN accounts b ON b.id = "
    "q.answered_by ";

Question question_row(SQLite::Statement& q) {
    Question out;
    out.id = q.getColumn(0).getInt64();
    out.term = q.getColumn(1).getString();
    out.room = q.getColumn(2).getString();
    out.asked_by = q.getColumn(3).getInt64();
    out.asked_by_user = q.getColumn(4).getString();
    out.asked_at = q.getColumn(5).getInt64();
    out.status = q.getColumn(6).getString();
    out.reply = text(q.getColumn(7));
    out.answered_by_user = q.getColumn(8).getString();
    out.answered_at = optional_int(q.getColumn(9));
    return out;
}

class SqlDictionaries final : public Dictionaries {
  public:
    explicit SqlDictionaries(const Conn& c) : c_(c) {}

    std::int64_t current_version() const override {
        const auto v = meta("dictionary_version");
        return v.empty() ? 0 : std::stoll(v);
    }
    DictionaryFiles current() const override {
        auto q = c_.sql.use("SELECT discipline, tsv FROM dictionaries");
        DictionaryFiles files;
        while (q->executeStep())
            files.emplace(q->getColumn(0).getString(), q->getColumn(1).getString());
        return files;
    }
    std::optional<DictionaryFiles> at_version(std::int64_t v) const override {
        {
            auto exists = c_.sql.use("SELECT 1 FROM dictionary_versions WHERE version = ?");
            bind_all(*exists, v);
            if (!exists->executeStep())
                return std::nullopt;
        }
        auto q = c_.sql.use(
            "SELECT f.discipline, f.tsv FROM dictionary_files f WHERE f.version = (SELECT "
            "MAX(g.version) FROM dictionary_files g WHERE g.discipline = f.discipline AND "
            "g.version <= ?)");
        bind_all(*q, v);
        DictionaryFiles files;
        while (q->executeStep())
            if (!q->getColumn(1).isNull())
                files.emplace(q->getColumn(0).getString(), q->getColumn(1).getString());
        return files;
    }
    std::string common_acronyms() const override { return meta("common_acronyms"); }
    std::vector<DictionaryVersion> versions(std::int64_t limit) const override {
        auto q = c_.sql.use(
            "SELECT v.version, v.created_by, a.username, v.created_at, v.summary FROM "
            "dictionary_versions v LEFT JOIN accounts a ON a.id = v.created_by ORDER BY "
            "v.version DESC LIMIT ?");
        bind_all(*q, limit);
        std::vector<DictionaryVersion> out;
        while (q->executeStep()) {
            const bool operator_made = q->getColumn(1).isNull() || q->getColumn(1).getInt64() < 0;
            out.push_back({q->getColumn(0).getInt64(),
                           operator_made ? std::string("operator") : text(q->getColumn(2)),
                           q->getColumn(3).getInt64(), q->getColumn(4).getString()});
        }
        return out;
    }
    std::vector<NoisyEntry> noisy(std::int64_t min_reporters) const override {
        auto q = c_.sql.use(
            "SELECT f.discipline, f.term, SUM(f.fixed) AS fixed, SUM(f.sent_anyway) AS anyway, "
            "(SELECT COUNT(*) FROM dictionary_feedback_reporters r WHERE r.discipline = "
            "f.discipline AND r.term = f.term) AS reporters FROM dictionary_feedback f "
            "GROUP BY f.discipline, f.term HAVING reporters >= ? "
            "ORDER BY anyway DESC, CAST(anyway AS REAL) / (fixed + anyway) DESC, f.term");
        bind_all(*q, min_reporters);
        std::vector<NoisyEntry> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getString(),
                           q->getColumn(2).getInt64(), q->getColumn(3).getInt64(),
                           q->getColumn(4).getInt64()});
        return out;
    }
    std::optional<Question> question(Id id) const override {
        auto q = c_.sql.use(std::string(kQuestionSelect) + "WHERE q.id = ?");
        bind_all(*q, id);
        if (!q->executeStep())
            return std::nullopt;
        return question_row(*q);
    }
    std::vector<Question> questions(std::string_view status, std::int64_t limit) const override {
        auto q = c_.sql.use(std::string(kQuestionSelect) +
                            "WHERE ? = '' OR q.status = ? ORDER BY q.id LIMIT ?");
        bind_all(*q, status, status, limit);
        std::vector<Question> out;
        while (q->executeStep())
            out.push_back(question_row(*q));
        return out;
    }
    std::vector<Question> questions_asked_by(Id account, std::int64_t limit) const override {
        auto q = c_.sql.use(std::string(kQuestionSelect) +
                            "WHERE q.asked_by = ? ORDER BY q.id DESC LIMIT ?");
        bind_all(*q, account, limit);
        std::vector<Question> out;
        while (q->executeStep())
            out.push_back(question_row(*q));
        return out;
    }

    std::optional<std::int64_t> commit(const DictionaryFiles& files, Id actor,
                                       std::string_view summary, Millis at) override {
        const auto before = current();
        const auto previous = current_version();
        if (before == files && previous > 0)
            return std::nullopt;
        const auto version = previous + 1;
        run(c_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, ?, ?, ?)",
            version, nullable(actor), at, summary);
        for (const auto& [discipline, tsv] : files) {
            const auto it = before.find(discipline);
            if (it != before.end() && it->second == tsv)
                continue;
            run(c_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
            run(c_, "INSERT OR REPLACE INTO dictionaries(discipline, tsv) VALUES(?, ?)", discipline,
                tsv);
        }
        for (const auto& [discipline, tsv] : before) {
            if (files.contains(discipline))
                continue;
            run(c_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, Null{});
            run(c_, "DELETE FROM dictionaries WHERE discipline = ?", discipline);
        }
        run(c_, "INSERT OR REPLACE INTO meta(key, value) VALUES('dictionary_version', ?)",
            std::to_string(version));
        return version;
    }
    bool report_noisy(Id account, std::string_view day,
                      const std::vector<NoisyEntry>& entries) override {
        const int first_today = run(c_,
                                    "INSERT INTO dictionary_feedback_days(account, day) VALUES(?, "
                                    "?) ON CONFLICT(account) DO UPDATE SET day = excluded.day "
                                    "WHERE day < excluded.day",
                                    account, day);
        if (first_today == 0)
            return false;
        for (const auto& e : entries) {
            run(c_,
                "INSERT INTO dictionary_feedback(discipline, term, day, fixed, sent_anyway) "
                "VALUES(?, ?, ?, ?, ?) ON CONFLICT(discipline, term, day) DO UPDATE SET fixed = "
                "fixed + excluded.fixed, sent_anyway = sent_anyway + excluded.sent_anyway",
                e.discipline, e.term, day, e.fixed, e.sent_anyway);
            run(c_,
                "INSERT OR IGNORE INTO dictionary_feedback_reporters(discipline, term, account) "
                "VALUES(?, ?, ?)",
                e.discipline, e.term, account);
        }
        return true;
    }
    Id ask(std::string_view term, Id room, Id asked_by, Millis at) override {
        run(c_, "INSERT INTO questions(term, room_id, asked_by, asked_at) VALUES(?, ?, ?, ?)", term,
            nullable(room), asked_by, at);
        return c_.db.getLastInsertRowid();
    }
    void close_question(Id id, std::string_view status, std::string_view reply, Id answered_by,
                        Millis at) override {
        run(c_,
            "UPDATE questions SET status = ?, reply = ?, answered_by = ?, answered_at = ? WHERE "
            "id = ?",
            status, reply, answered_by, at, id);
    }
    void set_common_acronyms(std::string_view text) override {
        run(c_, "INSERT OR REPLACE INTO meta(key, value) VALUES('common_acronyms', ?)", text);
    }
    bool ensure_history(Millis at, std::string_view summary) override {
        {
            auto any = c_.sql.use("SELECT 1 FROM dictionary_versions LIMIT 1");
            if (any->executeStep())
                return false;
        }
        const auto version = std::max<std::int64_t>(current_version(), 1);
        run(c_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, NULL, ?, ?)",
            version, at, summary);
        for (const auto& [discipline, tsv] : current())
            run(c_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
        run(c_, "INSERT OR REPLACE INTO meta(key, value) VALUES('dictionary_version', ?)",
            std::to_string(version));
        return true;
    }

  private:
    std::string meta(const char* key) const {
        auto q = c_.sql.use("SELECT value FROM meta WHERE key = ?");
        bind_all(*q, key);
        return q->executeStep() ? q->getColumn(0).getString() : std::string();
    }

    Conn c_;
};

}  // namespace

std::unique_ptr<Dictionaries> make_dictionaries(const Conn& c) {
    return std::make_unique<SqlDictionaries>(c);
}

}  // namespace liaise::server::store::sqlite
