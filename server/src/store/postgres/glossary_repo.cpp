// store::Glossary on PostgreSQL (repos.hpp). A room's change takes the room's next version under
// a transaction-level advisory lock on the room (any node's writer takes the same one), so two
// nodes changing one room's glossary at once take turns; the primary key on (room, version) is
// the backstop. The lock is not the room's row lock, so senders to the room never wait on it.
// The statements both stores share are in store/sql/glossary.hpp.
#include "liaise/jargon/glossary.hpp"
#include "store/postgres/repos.hpp"
#include "store/postgres/sql.hpp"
#include "store/sql/glossary.hpp"

namespace liaise::server::pg {

using namespace store;

namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::GlossaryStatements kOwnStatements = {
    .terms =
        "SELECT g.term, g.meaning, a.username, g.agreed_at FROM "
        "room_glossary g JOIN accounts a ON a.id = g.agreed_by WHERE "
        "g.room_id = ? ORDER BY g.term_key COLLATE \"C\""};

class PgGlossary final : public sql::SharedGlossary<Connection&> {
  public:
    explicit PgGlossary(Connection& db) : SharedGlossary(db, kOwnStatements) {}

    GlossaryWritten agree(Id room, std::string_view term, std::string_view meaning, Id actor,
                          Millis at) override {
        lock(room);
        const auto change = put_term(room, term, meaning, actor, at);
        if (change == GlossaryChange::none)
            return {GlossaryChange::none, version(room), std::string(term)};
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
                   room, sql::kGlossaryChangeNames[static_cast<int>(change)], term, meaning, actor,
                   at, room)
            .int64(0, 0);
    }
};

}  // namespace

std::unique_ptr<Glossary> make_glossary(Connection& db) {
    return std::make_unique<PgGlossary>(db);
}

}  // namespace liaise::server::pg
