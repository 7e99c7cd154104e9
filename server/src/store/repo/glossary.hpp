// Repository: each room's agreed terms (its glossary, jargon/glossary.hpp) with their history
// (store/store.hpp). Every change is numbered per room from 1, so a glossary's version is the
// number of changes made to it and its history says who agreed or withdrew what, and when.
// A term is one entry whatever its case (jargon::agreed_key): agreeing "CIN" replaces "cin".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// One agreed term as stored.
struct GlossaryTerm {
    std::string term, meaning;
    std::string agreed_by;  ///< the user name of who agreed it (last changed it)
    Millis agreed_at = 0;
};

enum class GlossaryChange { none, added, changed, removed };

/// One change in a room's history.
struct GlossaryVersion {
    std::int64_t version = 0;
    GlossaryChange change = GlossaryChange::added;
    std::string term;
    std::optional<std::string> meaning;  ///< nullopt for a withdrawal
    std::string by;                      ///< user name
    Millis at = 0;
};

/// What a change did: `version` is the glossary's version after it (unchanged for `none`),
/// `term` the term as stored (the earlier spelling for a withdrawn term).
struct GlossaryWritten {
    GlossaryChange change = GlossaryChange::none;
    std::int64_t version = 0;
    std::string term;
};

class GlossaryView {
  public:
    virtual ~GlossaryView() = default;
    /// The room's glossary version: 0 before any term was agreed.
    [[nodiscard]] virtual std::int64_t version(Id room) const = 0;
    /// The room's agreed terms, in term order ignoring case.
    [[nodiscard]] virtual std::vector<GlossaryTerm> terms(Id room) const = 0;
    /// The room's changes, newest first, at most `limit`.
    [[nodiscard]] virtual std::vector<GlossaryVersion> history(Id room,
                                                               std::int64_t limit) const = 0;
    /// How many terms the room has agreed.
    [[nodiscard]] virtual std::int64_t count(Id room) const = 0;
    /// Whether the room has agreed `term` (in any case).
    [[nodiscard]] virtual bool has(Id room, std::string_view term) const = 0;
};

class Glossary : public GlossaryView {
  public:
    /// Agrees `term` (validated by the caller) with `meaning` as `actor`, replacing the same
    /// term written in any case; `none` (and no change) when it has exactly that spelling and
    /// meaning already.
    [[nodiscard]] virtual GlossaryWritten agree(Id room, std::string_view term,
                                                std::string_view meaning, Id actor, Millis at) = 0;
    /// Withdraws `term` (in any case); `none` (and no change) when the room has not agreed it.
    [[nodiscard]] virtual GlossaryWritten withdraw(Id room, std::string_view term, Id actor,
                                                   Millis at) = 0;
};

}  // namespace liaise::server::store
