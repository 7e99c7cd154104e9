// store::Glossary: what both stores run alike (rows.hpp). The stores' own: the wording of
// terms() (PostgreSQL sorts in "C" order), given as GlossaryStatements; withdraw() (PostgreSQL
// deletes with RETURNING); and how a change becomes the room's next version (SQLite's single
// writer counts it; PostgreSQL takes the room's advisory lock and inserts MAX + 1), so agree()
// is the stores', over put_term().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/glossary.hpp"
#include "store/repo/glossary.hpp"
#include "store/sql/rows.hpp"

namespace liaise::server::store::sql {

/// GlossaryChange as stored in room_glossary_versions.change.
inline constexpr const char* kGlossaryChangeNames[] = {"none", "added", "changed", "removed"};

[[nodiscard]] inline GlossaryChange glossary_change(std::string_view name) {
    if (name == "changed")
        return GlossaryChange::changed;
    if (name == "removed")
        return GlossaryChange::removed;
    return GlossaryChange::added;
}

/// A term in columns 0-3: term, meaning, agreed by (user name), agreed at.
template <class Row>
[[nodiscard]] GlossaryTerm glossary_term_row(const Row& r) {
    return {r.text(0), r.text(1), r.text(2), r.int64(3)};
}

/// The statements each store words its own way (the same parameters and columns).
struct GlossaryStatements {
    const char* terms;  ///< (room) -> glossary_term_row()'s columns, by term key
};

template <class Db>
class SharedGlossary : public Glossary {
  public:
    std::int64_t version(Id room) const override {
        return sql::first(query(db_,
                                "SELECT COALESCE(MAX(version), 0) FROM room_glossary_versions "
                                "WHERE room_id = ?",
                                room),
                          [](const auto& r) { return r.int64(0); })
            .value_or(0);
    }
    std::vector<GlossaryTerm> terms(Id room) const override {
        return sql::all(query(db_, statements_.terms, room),
                        [](const auto& r) { return glossary_term_row(r); });
    }
    std::vector<GlossaryVersion> history(Id room, std::int64_t limit) const override {
        return sql::all(query(db_,
                              "SELECT v.version, v.change, v.term, v.meaning, a.username, "
                              "v.changed_at FROM room_glossary_versions v JOIN accounts a ON "
                              "a.id = v.changed_by WHERE v.room_id = ? ORDER BY v.version DESC "
                              "LIMIT ?",
                              room, limit),
                        [](const auto& r) {
                            GlossaryVersion v;
                            v.version = r.int64(0);
                            v.change = glossary_change(r.text(1));
                            v.term = r.text(2);
                            if (!r.is_null(3))
                                v.meaning = r.text(3);
                            v.by = r.text(4);
                            v.at = r.int64(5);
                            return v;
                        });
    }
    std::int64_t count(Id room) const override {
        return sql::first(query(db_, "SELECT COUNT(*) FROM room_glossary WHERE room_id = ?", room),
                          [](const auto& r) { return r.int64(0); })
            .value_or(0);
    }
    bool has(Id room, std::string_view term) const override {
        return sql::any(query(db_, "SELECT 1 FROM room_glossary WHERE room_id = ? AND term_key = ?",
                              room, jargon::agreed_key(term)));
    }

  protected:
    SharedGlossary(Db db, GlossaryStatements statements) : db_(db), statements_(statements) {}

    /// agree()'s row (repo/glossary.hpp): none, writing nothing, when `room` already has `term`
    /// with `meaning`; else writes it and says whether it was added or changed. The store then
    /// records the change as the room's next version.
    GlossaryChange put_term(Id room, std::string_view term, std::string_view meaning, Id actor,
                            Millis at) {
        const auto key = jargon::agreed_key(term);
        const auto found =
            sql::first(query(db_,
                             "SELECT term, meaning FROM room_glossary WHERE room_id = ? AND "
                             "term_key = ?",
                             room, key),
                       [&](const auto& r) { return r.text(0) == term && r.text(1) == meaning; });
        if (found && *found)
            return GlossaryChange::none;
        run(db_,
            "INSERT INTO room_glossary(room_id, term_key, term, meaning, agreed_by, agreed_at) "
            "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(room_id, term_key) DO UPDATE SET "
            "term = excluded.term, meaning = excluded.meaning, agreed_by = excluded.agreed_by, "
            "agreed_at = excluded.agreed_at",
            room, key, term, meaning, actor, at);
        return found ? GlossaryChange::changed : GlossaryChange::added;
    }

    Db db_;

  private:
    GlossaryStatements statements_;
};

}  // namespace liaise::server::store::sql
