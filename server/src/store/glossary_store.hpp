// Internal: a room's agreed terms (its glossary, jargon/glossary.hpp) as the server stores them.
// The current terms are rows of room_glossary; every change is also a row of
// room_glossary_versions, numbered per room from 1, so that the glossary's version is the number
// of changes made to it and its history says who agreed or withdrew what, and when.
//
// The terms and meanings are stored as written, not sealed: they are room settings that every
// member's client checks drafts with, like the room's name, and PROTOCOL.md asks chairs to keep
// personal details out of them. Call only inside a write job (changes) or a read (the rest).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace liaise::server::glossary_store {

/// Creates the tables if missing. Called from the schema setup; harmless to call again.
void create_tables(SQLite::Database& db);

/// One agreed term as stored.
struct Term {
    std::string term;
    std::string meaning;
    std::string agreed_by;  ///< the user name of the chair who agreed it (last changed it)
    std::int64_t agreed_at = 0;
};

/// The room's current glossary version: 0 before any term was agreed.
[[nodiscard]] std::int64_t version(SQLite::Database& db, std::int64_t room);
/// The room's agreed terms, in term order (ignoring case).
[[nodiscard]] std::vector<Term> terms(SQLite::Database& db, std::int64_t room);

enum class Change { none, added, changed, removed };

/// What a change did: `version` is the glossary's version after it (unchanged for `none`),
/// `term` the term as stored (the earlier spelling for a withdrawn term).
struct Written {
    Change change = Change::none;
    std::int64_t version = 0;
    std::string term;
};

/// Agrees `term` (validated by the caller) with `meaning`, replacing the meaning of the same term
/// written in any case; `none` when the term already has exactly that meaning.
[[nodiscard]] Written agree(SQLite::Database& db, std::int64_t room, const std::string& term,
                            const std::string& meaning, std::int64_t actor, std::int64_t now);
/// Withdraws `term` (in any case); `none` when the room has not agreed it.
[[nodiscard]] Written withdraw(SQLite::Database& db, std::int64_t room, const std::string& term,
                               std::int64_t actor, std::int64_t now);

/// The room's changes, newest first: {"version", "change", "term", "meaning" (not for a
/// withdrawal), "by", "at"}.
[[nodiscard]] boost::json::array history(SQLite::Database& db, std::int64_t room,
                                         std::int64_t limit);

/// How many terms the room has agreed.
[[nodiscard]] std::int64_t count(SQLite::Database& db, std::int64_t room);
/// Whether the room has agreed `term` (in any case).
[[nodiscard]] bool has(SQLite::Database& db, std::int64_t room, const std::string& term);

/// What `glossary` and `room_show` answer: {"version", "terms": [{"term", "meaning", "by",
/// "at"}]}.
[[nodiscard]] boost::json::object to_json(SQLite::Database& db, std::int64_t room);

}  // namespace liaise::server::glossary_store
