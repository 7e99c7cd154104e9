#include "store/dictionary_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json.hpp>

#include "liaise/jargon/engine.hpp"
#include "liaise/protocol/messages.hpp"
#include "store/db.hpp"

namespace liaise::server::dictionary_store {
namespace json = boost::json;

json::array problems_json(const std::vector<jargon::Problem>& problems) {
    json::array out;
    for (const auto& p : problems)
        out.push_back(
            json::object{{"discipline", p.file}, {"line", p.line}, {"message", p.reason}});
    return out;
}

std::int64_t current_version(SQLite::Database& db) {
    return std::stoll(
        db.execAndGet(
              "SELECT COALESCE((SELECT value FROM meta WHERE key = 'dictionary_version'), '0')")
            .getString());
}

Files current(SQLite::Database& db) {
    Files files;
    SQLite::Statement q(db, "SELECT discipline, tsv FROM dictionaries");
    while (q.executeStep())
        files.emplace(q.getColumn(0).getString(), q.getColumn(1).getString());
    return files;
}

std::optional<Files> at_version(SQLite::Database& db, std::int64_t version) {
    SQLite::Statement exists(db, "SELECT 1 FROM dictionary_versions WHERE version = ?");
    exists.bind(1, version);
    if (!exists.executeStep())
        return std::nullopt;
    SQLite::Statement q(db,
                        "SELECT f.discipline, f.tsv FROM dictionary_files f WHERE f.version = "
                        "(SELECT MAX(g.version) FROM dictionary_files g WHERE g.discipline = "
                        "f.discipline AND g.version <= ?)");
    q.bind(1, version);
    Files files;
    while (q.executeStep())
        if (!q.getColumn(1).isNull())
            files.emplace(q.getColumn(0).getString(), q.getColumn(1).getString());
    return files;
}

std::string common_acronyms(SQLite::Database& db) {
    return db
        .execAndGet("SELECT COALESCE((SELECT value FROM meta WHERE key = 'common_acronyms'), '')")
        .getString();
}

Compiled compile(SQLite::Database& db, const Files& files) {
    Compiled out;
    std::vector<jargon::Problem> problems;
    for (const auto& [discipline, tsv] : files) {
        auto parsed = jargon::parse_dictionary(discipline, discipline, tsv);
        if (!parsed.ok()) {
            problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
            continue;
        }
        out.set.dictionaries.push_back(std::move(parsed).value());
    }
    if (problems.empty()) {
        auto acronyms = jargon::parse_common_acronyms("common-acronyms", common_acronyms(db));
        if (acronyms.ok())
            out.set.common_acronyms = std::move(acronyms).value();
        auto engine = jargon::Engine::compile(out.set);
        if (engine.ok())
            out.engine = std::move(engine).value();
        else
            problems = engine.problems();
    }
    out.problems = std::move(problems);
    return out;
}

std::optional<std::int64_t> commit(SQLite::Database& db, const Files& files, std::int64_t actor,
                                   const std::string& summary) {
    const auto before = current(db);
    if (before == files && current_version(db) > 0)
        return std::nullopt;
    const auto version = current_version(db) + 1;
    const auto now = now_ms();
    exec(db,
         "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
         "VALUES(?, ?, ?, ?)",
         version, actor, now, summary);
    for (const auto& [discipline, tsv] : files) {
        const auto it = before.find(discipline);
        if (it != before.end() && it->second == tsv)
            continue;
        exec(db, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
             discipline, version, tsv);
        exec(db, "INSERT OR REPLACE INTO dictionaries(discipline, tsv) VALUES(?, ?)", discipline,
             tsv);
    }
    for (const auto& [discipline, tsv] : before) {
        if (files.contains(discipline))
            continue;
        SQLite::Statement removed(
            db, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, NULL)");
        removed.bind(1, discipline);
        removed.bind(2, version);
        removed.exec();
        exec(db, "DELETE FROM dictionaries WHERE discipline = ?", discipline);
    }
    exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('dictionary_version', ?)",
         std::to_string(version));
    return version;
}

std::vector<std::string> agency_disciplines(SQLite::Database& db) {
    std::vector<std::string> names;
    for (const auto& [name, tsv] : current(db))
        if (name != jargon::kGeneralDiscipline)
            names.push_back(name);
    return names;
}

void ensure_history(SQLite::Database& db) {
    if (db.execAndGet("SELECT COUNT(*) FROM dictionary_versions").getInt64() > 0)
        return;
    const auto version = std::max<std::int64_t>(current_version(db), 1);
    exec(db,
         "INSERT INTO dictionary_versions(version, created_by, created_at, summary) "
         "VALUES(?, NULL, ?, 'the dictionaries the server started with')",
         version, now_ms());
    for (const auto& [discipline, tsv] : current(db))
        exec(db, "INSERT INTO dictionary_files(discipline, version, tsv) VALUES(?, ?, ?)",
             discipline, version, tsv);
    exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('dictionary_version', ?)",
         std::to_string(version));
}

json::array versions(SQLite::Database& db, std::int64_t limit) {
    SQLite::Statement q(db,
                        "SELECT v.version, v.created_by, a.username, v.created_at, v.summary "
                        "FROM dictionary_versions v LEFT JOIN accounts a ON a.id = v.created_by "
                        "ORDER BY v.version DESC LIMIT ?");
    q.bind(1, limit);
    json::array out;
    while (q.executeStep()) {
        const auto by = q.getColumn(1).isNull()         ? std::string("operator")
                        : q.getColumn(1).getInt64() < 0 ? std::string("operator")
                                                        : q.getColumn(2).getString();
        out.push_back(json::object{{"version", q.getColumn(0).getInt64()},
                                   {"by", by},
                                   {"at", q.getColumn(3).getInt64()},
                                   {"summary", q.getColumn(4).getString()}});
    }
    return out;
}

}  // namespace liaise::server::dictionary_store
