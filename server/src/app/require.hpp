// Internal: the store's results as the app answers them. Each looks something up in the current
// job's database and throws ServiceError (app/error.hpp) with a stable code when the request
// cannot go on, so that the store's row helpers never need to know the protocol's error codes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/accounts.hpp"
#include "store/dictionary_store.hpp"
#include "store/store.hpp"

namespace SQLite {
class Database;
}

namespace liaise::jargon {
class Engine;
}

namespace liaise::server {

/// The account named `user`; not_found when there is none.
[[nodiscard]] store::AccountRow require_account(const store::AccountsView& accounts,
                                                std::string_view user);

/// The dictionary files of `version`; not_found for a version that does not exist.
[[nodiscard]] store::DictionaryFiles require_version(const store::DictionariesView& dictionaries,
                                                     std::int64_t version);

/// `files` parsed and compiled with the stored common acronyms; invalid_dictionary, whose
/// `problems` field lists each problem as {"discipline", "line", "message"}, when they do not.
/// CPU work: parses and compiles every file.
[[nodiscard]] std::shared_ptr<const jargon::Engine> require_compiled(
    const store::DictionariesView& dictionaries, const store::DictionaryFiles& files);

/// The account named `user`; not_found when there is none.
[[nodiscard]] Account require_account(SQLite::Database& db, std::string_view user);

/// The dictionary files of `version`; not_found for a version that does not exist.
[[nodiscard]] dictionary_store::Files require_version(SQLite::Database& db, std::int64_t version);

/// `files` parsed and compiled; invalid_dictionary, whose `problems` field lists each problem
/// as {"discipline", "line", "message"}, when they do not.
[[nodiscard]] dictionary_store::Compiled require_compiled(SQLite::Database& db,
                                                          const dictionary_store::Files& files);

/// bad_request naming the known disciplines unless `discipline` is one an agency or attendee
/// may have: any stored dictionary except `general`.
void require_discipline(SQLite::Database& db, const std::string& discipline);

}  // namespace liaise::server
