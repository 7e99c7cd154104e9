// store::Glossary on PostgreSQL (repos.hpp). A room's change takes the room's next version under
// a transaction-level advisory lock on the room (any node's writer takes the same one), so two
// nodes changing one room's glossary at once take turns; the primary key on (room, version) is
// the backstop. The lock is not the room's row lock, so senders to the room never wait on it.
#include "liaise/jargon/glossary.hpp"
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

constexpr const char* kChangeNames[] = {"none", "added", "changed", "removed"};

GlossaryChange change_from(std::string_view name) {
    if (name == "changed")
        return GlossaryChange::changed;
    if (name == "removed")
        return GlossaryChange::removed;
    return GlossaryChange::added;
}

class PgGlossary final : public Glossary {
  public:
    explicit PgGlossary(Connection& db) : db_(db) {}

    std::int64_t version(Id room) const override {
        return run(db_,
                   "SELECT COALESCE(MAX(version), 0) FROM room_glossary_versions WHERE room_id = ?",
                   room)
            .int64(0, 0);
    }
    std::vector<GlossaryTerm> terms(Id room) const override {
        auto r = run(db_,
                     "SELECT g.term, g.meaning, a.username, g.agreed_at FROM room_glossary g JOIN "
                     "accounts a ON a.id = g.agreed_by WHERE g.room_id = ? ORDER BY g.term_key "
                     "COLLATE \"C\"",
                     room);
        std::vector<GlossaryTerm> out;
        for (int i = 0; i < r.rows(); ++i)
            out.push_back({text(r, i, 0), text(r, i, 1), text(r, i, 2), r.int64(i, 3)});
        return out;
    }
    std::vector<GlossaryVersion> history(Id room, std::int64_t limit) const override {
        auto r = run(db_,
                     "SELECT v.version, v.change, v.term, v.meaning, a.username, v.changed_at FROM "
                     "room_glossary_versions v JOIN accounts a ON a.id = v.changed_by WHERE "
                     "v.room_id = ? ORDER BY v.version DESC LIMIT ?",
                     room, limit);
        std::vector<GlossaryVersion> out;
        for (int i = 0; i < r.rows(); ++i) {
            auto& v = out.emplace_back();
            v.version = r.int64(i, 0);
            v.change = change_from(r.text(i, 1));
            v.term = text(r, i, 2);
            if (!r.is_null(i, 3))
                v.meaning = text(r, i, 3);
            v.by = text(r, i, 4);
            v.at = r.int64(i, 5);
        }
        return out;
    }
    std::int64_t count(Id room) const override {
        return run(db_, "SELECT COUNT(*) FROM room_glossary WHERE room_id = ?", room).int64(0, 0);
    }
    bool has(Id room, std::string_view term) const override {
        return run(db_, "SELECT 1 FROM room_glossary WHERE room_id = ? AND term_key = ?", room,
                   jargon::agreed_key(term))
                   .rows() > 0;
    }

    GlossaryWritten agree(Id room, std::string_view term, std::string_view meaning, Id actor,
                          Millis at) override {
        lock(room);
        const auto key = jargon::agreed_key(term);
        auto r =
            run(db_, "SELECT term, meaning FROM room_glossary WHERE room_id = ? AND term_key = ?",
                room, key);
        const bool exists = r.rows() > 0;
        if (exists && r.text(0, 0) == term && r.text(0, 1) == meaning)
            return {GlossaryChange::none, version(room), std::string(term)};
        const auto change = exists ? GlossaryChange::changed : GlossaryChange::added;
        run(db_,
            "INSERT INTO room_glossary(room_id, term_key, term, meaning, agreed_by, agreed_at) "
            "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(room_id, term_key) DO UPDATE SET "
            "term = excluded.term, meaning = excluded.meaning, agreed_by = excluded.agreed_by, "
            "agreed_at = excluded.agreed_at",
            room, key, term, meaning, actor, at);
        const auto v =
            log_change(room, change, term, std::optional<std::string_view>(meaning), actor, at);
        return {change, v, std::string(term)};
    }
    GlossaryWritten withdraw(Id room, std::string_view term, Id actor, Millis at) override {
        lock(room);
        auto r =
            run(db_, "DELETE FROM room_glossary WHERE room_id = ? AND term_key = ? RETURNING term",
                room, jargon::agreed_key(term));
        if (r.rows() == 0)
            return {GlossaryChange::none, version(room), std::string(term)};
        auto stored = text(r, 0, 0);
        const auto v = log_change(room, GlossaryChange::removed, stored, std::nullopt, actor, at);
        return {GlossaryChange::removed, v, std::move(stored)};
    }

  private:
    /// Takes the room's glossary lock until the transaction ends (a no-op if this one has it).
    void lock(Id room) {
        run(db_, "SELECT pg_advisory_xact_lock(hashtextextended('liaise.glossary.' || ?::text, 0))",
            std::to_string(room));
    }
    /// Records a change as the room's next version, under lock(); returns the version.
    std::int64_t log_change(Id room, GlossaryChange change, std::string_view term,
                            std::optional<std::string_view> meaning, Id actor, Millis at) {
        return run(db_,
                   "INSERT INTO room_glossary_versions(room_id, version, change, term, meaning, "
                   "changed_by, changed_at) SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? "
                   "FROM room_glossary_versions WHERE room_id = ? RETURNING version",
                   room, kChangeNames[static_cast<int>(change)], term, meaning, actor, at, room)
            .int64(0, 0);
    }

    Connection& db_;
};

}  // namespace

std::unique_ptr<Glossary> make_glossary(Connection& db) {
    return std::make_unique<PgGlossary>(db);
}

}  // namespace liaise::server::pg
