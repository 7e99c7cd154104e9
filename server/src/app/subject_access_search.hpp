// Internal: what a subject access request finds (PROTOCOL.md, "Subject access requests"):
// everything the server holds that names one person, gathered from a unit of work's
// repositories. Minutes and action bodies are opened with the at-rest key; message text is
// end-to-end encrypted and never searched, so for messages the result lists rooms and dates
// only. Reads only; nothing here logs what it finds. Thread-safety: whatever thread runs the
// unit of work.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace liaise::server {

class AtRestKey;

namespace subject_access {

/// Whom to search for: an account, or a name as written in minutes (a parent, a child).
struct Subject {
    std::optional<store::AccountRow> account;  ///< set for an account
    std::string name;                          ///< for a name: as asked, spaces collapsed
};

/// Whether `needle` occurs in `text` as a whole word or phrase: letters A-Z compared without
/// case, runs of spaces, tabs and line breaks as one space, and neither side of the match
/// joined to a letter or digit (any byte of a non-ASCII character counts as a letter, so
/// "Kelly" matches "Kelly's" but not "Kellyanne"). An empty needle matches nothing.
[[nodiscard]] bool names(std::string_view text, std::string_view needle);

/// The items found, each a JSON object (PROTOCOL.md lists their fields), in this order: minutes
/// (by meeting, oldest first), actions (by id), audit records (by seq); and the rooms whose
/// messages the members should search.
struct Found {
    std::vector<boost::json::object> items;
    boost::json::array rooms;
};

/// Searches every room's meetings (the draft as it stands and every circulated version), every
/// action and the whole audit log for `subject`. `key` opens the sealed bodies.
[[nodiscard]] Found search(const store::ReadTx& tx, const AtRestKey& key, const Subject& subject);
/// The same inside a write unit of work (its reads see its own changes).
[[nodiscard]] Found search(store::Tx& tx, const AtRestKey& key, const Subject& subject);

/// The one calendar month a controller has to answer a request received on `received` (a
/// London date, "YYYY-MM-DD"): the same day of the next month, or its last day when that month
/// is shorter (the ICO's rule). As "25 Dec 2026".
[[nodiscard]] std::string respond_by(std::string_view received);

}  // namespace subject_access
}  // namespace liaise::server
