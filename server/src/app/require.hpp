// Internal: the store's results as the app answers them. Each looks something up in the current
// unit of work (store/store.hpp) and throws ServiceError (app/error.hpp) with a stable code when
// the request cannot go on, so that the store's repositories never need to know the protocol's
// error codes. Every capability that needs one of these checks uses these, so that one request
// is refused in the same words whichever handler meets it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "store/store.hpp"

namespace liaise::jargon {
class Engine;
}

namespace liaise::server {

/// The account named `user`; not_found when there is none.
[[nodiscard]] store::AccountRow require_account(const store::AccountsView& accounts,
                                                std::string_view user);

/// The room named `room` and the seq at which `account` joined it; not_found, in the words used
/// for a room that does not exist, unless the account is a member.
[[nodiscard]] std::pair<store::Id, std::int64_t> require_membership(const store::RoomsView& rooms,
                                                                    const std::string& room,
                                                                    store::Id account);

/// The dictionary files of `version`; not_found for a version that does not exist.
[[nodiscard]] store::DictionaryFiles require_version(const store::DictionariesView& dictionaries,
                                                     std::int64_t version);

/// `files` parsed and compiled with `common_acronyms` (the stored list's text; ignored if it
/// does not parse); invalid_dictionary, whose `problems` field lists each problem as
/// {"discipline", "line", "message"}, when they do not. CPU work (~5 ms for the shipped
/// dictionaries): parses and compiles every file, so the Service runs it on its worker.
[[nodiscard]] std::shared_ptr<const jargon::Engine> require_compiled(
    const store::DictionaryFiles& files, std::string_view common_acronyms);

/// bad_request naming the known disciplines unless `discipline` is one an agency or a meeting's
/// attendee may have: any stored dictionary's except `general`.
void require_discipline(const store::DictionariesView& dictionaries, const std::string& discipline);

}  // namespace liaise::server
