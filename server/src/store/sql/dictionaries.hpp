// store::Dictionaries: what both stores run alike (rows.hpp). The stores' own: the wording of
// noisy() (SQLite filters on an alias in HAVING, PostgreSQL cannot, and sorts in "C" order) and
// of the two upserts inside commit() and ensure_history(), given as DictionaryStatements;
// report_noisy(); ask() (how the new id is read back); and PostgreSQL's advisory lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/dictionaries.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

/// The statements each store words its own way (the same parameters and columns).
struct DictionaryStatements {
    const char* noisy;       ///< (min_reporters) -> discipline, term, fixed, anyway, reporters
    const char* dictionary;  ///< (discipline, tsv): upserts dictionaries, replacing the text
    const char* meta;        ///< (key, value): upserts meta, replacing the value
};

inline constexpr const char* kQuestionSelect =
    "SELECT q.id, q.term, COALESCE(r.name, ''), q.asked_by, a.username, q.asked_at, q.status, "
    "q.reply, COALESCE(b.username, ''), q.answered_at FROM questions q JOIN accounts a ON a.id = "
    "q.asked_by LEFT JOIN rooms r ON r.id = q.room_id LEFT JOIN accounts b ON b.id = "
    "q.answered_by ";

/// A question in the columns of kQuestionSelect.
template <class Row>
[[nodiscard]] Question question_row(const Row& r) {
    Question q;
    q.id = r.int64(0);
    q.term = r.text(1);
    q.room = r.text(2);
    q.asked_by = r.int64(3);
    q.asked_by_user = r.text(4);
    q.asked_at = r.int64(5);
    q.status = r.text(6);
    q.reply = r.text(7);
    q.answered_by_user = r.text(8);
    q.answered_at = r.optional_int(9);
    return q;
}

template <class Db>
class SharedDictionaries : public Dictionaries {
  public:
    std::int64_t current_version() const override {
        const auto v = meta("dictionary_version");
        return v.empty() ? 0 : std::stoll(v);
    }
    DictionaryFiles current() const override {
        DictionaryFiles files;
        for (const auto& r : query(db_, "SELECT discipline, tsv FROM dictionaries"))
            files.emplace(r.text(0), r.text(1));
        return files;
    }
    std::optional<DictionaryFiles> at_version(std::int64_t v) const override {
        if (!sql::any(query(db_, "SELECT 1 FROM dictionary_versions WHERE version = ?", v)))
            return std::nullopt;
        DictionaryFiles files;
        for (const auto& r : query(db_,
                                   "SELECT f.discipline, f.tsv FROM dictionary_files f WHERE "
                                   "f.version = (SELECT MAX(g.version) FROM dictionary_files g "
                                   "WHERE g.discipline = f.discipline AND g.version <= ?)",
                                   v))
            if (!r.is_null(1))
                files.emplace(r.text(0), r.text(1));
        return files;
    }
    std::string common_acronyms() const override { return meta("common_acronyms"); }
    std::vector<DictionaryVersion> versions(std::int64_t limit) const override {
        return sql::all(
            query(db_,
                  "SELECT v.version, v.created_by, a.username, v.created_at, v.summary FROM "
                  "dictionary_versions v LEFT JOIN accounts a ON a.id = v.created_by "
                  "ORDER BY v.version DESC LIMIT ?",
                  limit),
            [](const auto& r) {
                const bool operator_made = r.is_null(1) || r.int64(1) < 0;
                return DictionaryVersion{r.int64(0),
                                         operator_made ? std::string("operator") : r.text(2),
                                         r.int64(3), r.text(4)};
            });
    }
    std::vector<NoisyEntry> noisy(std::int64_t min_reporters) const override {
        return sql::all(query(db_, statements_.noisy, min_reporters), [](const auto& r) {
            return NoisyEntry{r.text(0), r.text(1), r.int64(2), r.int64(3), r.int64(4)};
        });
    }
    std::optional<Question> question(Id id) const override {
        return sql::first(query(db_, std::string(kQuestionSelect) + "WHERE q.id = ?", id),
                          [](const auto& r) { return question_row(r); });
    }
    std::vector<Question> questions(std::string_view status, std::int64_t limit) const override {
        return sql::all(
            query(db_,
                  std::string(kQuestionSelect) +
                      "WHERE CAST(? AS TEXT) = '' OR q.status = ? ORDER BY q.id LIMIT ?",
                  status, status, limit),
            [](const auto& r) { return question_row(r); });
    }
    std::vector<Question> questions_asked_by(Id account, std::int64_t limit) const override {
        return sql::all(
            query(db_,
                  std::string(kQuestionSelect) + "WHERE q.asked_by = ? ORDER BY q.id DESC LIMIT ?",
                  account, limit),
            [](const auto& r) { return question_row(r); });
    }

    void close_question(Id id, std::string_view status, std::string_view reply, Id answered_by,
                        Millis at) override {
        run(db_,
            "UPDATE questions SET status = ?, reply = ?, answered_by = ?, answered_at = ? WHERE "
            "id = ?",
            status, reply, answered_by, at, id);
    }
    void set_common_acronyms(std::string_view text) override {
        run(db_, statements_.meta, "common_acronyms", text);
    }

  protected:
    SharedDictionaries(Db db, DictionaryStatements statements) : db_(db), statements_(statements) {}

    /// commit()'s contract (repo/dictionaries.hpp), under whatever lock the store takes first.
    std::optional<std::int64_t> commit_version(const DictionaryFiles& files, Id actor,
                                               std::string_view summary, Millis at) {
        const auto before = current();
        const auto previous = current_version();
        if (before == files && previous > 0)
            return std::nullopt;
        const auto version = previous + 1;
        run(db_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, ?, ?, ?)",
            version, actor == 0 ? std::nullopt : std::optional<std::int64_t>(actor), at, summary);
        for (const auto& [discipline, tsv] : files) {
            const auto it = before.find(discipline);
            if (it != before.end() && it->second == tsv)
                continue;
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
            run(db_, statements_.dictionary, discipline, tsv);
        }
        for (const auto& [discipline, tsv] : before) {
            if (files.contains(discipline))
                continue;
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, std::optional<std::string>());
            run(db_, "DELETE FROM dictionaries WHERE discipline = ?", discipline);
        }
        run(db_, statements_.meta, "dictionary_version", std::to_string(version));
        return version;
    }
    /// ensure_history()'s contract, likewise.
    bool start_history(Millis at, std::string_view summary) {
        if (sql::any(query(db_, "SELECT 1 FROM dictionary_versions LIMIT 1")))
            return false;
        const auto version = std::max<std::int64_t>(current_version(), 1);
        run(db_,
            "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
            "VALUES(?, NULL, ?, ?)",
            version, at, summary);
        for (const auto& [discipline, tsv] : current())
            run(db_, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
                discipline, version, tsv);
        run(db_, statements_.meta, "dictionary_version", std::to_string(version));
        return true;
    }

    Db db_;

  private:
    std::string meta(const char* key) const {
        return sql::first(query(db_, "SELECT value FROM meta WHERE key = ?", key),
                          [](const auto& r) { return r.text(0); })
            .value_or(std::string());
    }

    DictionaryStatements statements_;
};

}  // namespace liaise::server::store::sql
