// Internal: a room's agreed terms (its glossary, jargon/glossary.hpp) as the server stores them.
// The current terms are rows of room_glossary; every change is also a row of
// room_glossary_versions, numbered per room from 1, so that the glossary's version is the number
// of changes made to it and its history says who agreed or withdrew what, and when.
//
// The terms and meanings are stored as written, not sealed: they are room settings that every
// member's client checks drafts with, like the room's name, and PROTOCOL.md asks chairs to keep
// personal details out of them. The rows are read and written by the store's Glossary
// repository (store/repo/glossary.hpp); this file keeps the schema.
#pragma once

namespace SQLite {
class Database;
}

namespace liaise::server::glossary_store {

/// Creates the tables if missing. Called from the schema setup; harmless to call again.
void create_tables(SQLite::Database& db);

}  // namespace liaise::server::glossary_store
