// Internal: the dictionaries as the server stores them, with their history. Every change is a
// new version (a row in dictionary_versions) that records who, when and what changed; the files
// of version N are, per discipline, the dictionary_files row with the greatest version <= N. The
// table `dictionaries` mirrors the newest version for fast fetches.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "liaise/jargon/dictionary.hpp"

namespace SQLite {
class Database;
}

namespace liaise::jargon {
class Engine;
}

namespace liaise::server::dictionary_store {

/// One version's dictionary files: discipline -> TSV text.
using Files = std::map<std::string, std::string>;

[[nodiscard]] std::int64_t current_version(SQLite::Database& db);
[[nodiscard]] Files current(SQLite::Database& db);
/// The files of `version`; nullopt for a version that does not exist.
[[nodiscard]] std::optional<Files> at_version(SQLite::Database& db, std::int64_t version);
/// The common acronyms list (not versioned).
[[nodiscard]] std::string common_acronyms(SQLite::Database& db);

/// Parses every file and compiles the engine. When any file does not parse or the engine does
/// not compile, `problems` lists why (then `engine` is null); nothing is stored either way.
struct Compiled {
    jargon::DictionarySet set;
    std::shared_ptr<const jargon::Engine> engine;
    std::vector<jargon::Problem> problems;
};
[[nodiscard]] Compiled compile(SQLite::Database& db, const Files& files);

/// Stores `files` as a new version if they differ from the current ones; returns the new
/// version, or nullopt when nothing changed. Call inside a write job.
[[nodiscard]] std::optional<std::int64_t> commit(SQLite::Database& db, const Files& files,
                                                 std::int64_t actor, const std::string& summary);

/// The disciplines an agency or attendee may have: every stored dictionary except `general`, in
/// name order.
[[nodiscard]] std::vector<std::string> agency_disciplines(SQLite::Database& db);

/// What problems look like on the wire: {"discipline", "line", "message"} for each.
[[nodiscard]] boost::json::array problems_json(const std::vector<jargon::Problem>& problems);

/// Gives a database whose dictionaries predate versioning a history row for its current files.
void ensure_history(SQLite::Database& db);

/// Versions, newest first: {"version", "by", "at", "summary"}.
[[nodiscard]] boost::json::array versions(SQLite::Database& db, std::int64_t limit);

}  // namespace liaise::server::dictionary_store
