// store::Glossary on SQLite: the statements both stores share are in store/sql/glossary.hpp.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/sql/glossary.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

/// What this store words its own way (store/sql/: the same parameters and columns).
constexpr sql::GlossaryStatements kOwnStatements = {
    .terms =
        "SELECT g.term, g.meaning, a.username, g.agreed_at FROM "
        "room_glossary g JOIN accounts a ON a.id = g.agreed_by WHERE "
        "g.room_id = ? ORDER BY g.term_key"};

class SqlGlossary final : public sql::SharedGlossary<Conn> {
  public:
    explicit SqlGlossary(const Conn& c) : SharedGlossary(c, kOwnStatements) {}

    GlossaryWritten agree(Id room, std::string_view term, std::string_view meaning, Id actor,
                          Millis at) override {
        const auto change = put_term(room, term, meaning, actor, at);
        if (change == GlossaryChange::none)
            return {GlossaryChange::none, version(room), std::string(term)};
        const auto v = version(room) + 1;
        log_change(room, v, change, term, std::optional<std::string_view>(meaning), actor, at);
        return {change, v, std::string(term)};
    }
    GlossaryWritten withdraw(Id room, std::string_view term, Id actor, Millis at) override {
        const auto key = jargon::agreed_key(term);
        auto stored = sql::first(
            query(db_, "SELECT term FROM room_glossary WHERE room_id = ? AND term_key = ?", room,
                  key),
            [](const Row& r) { return r.text(0); });
        if (!stored)
            return {GlossaryChange::none, version(room), std::string(term)};
        run(db_, "DELETE FROM room_glossary WHERE room_id = ? AND term_key = ?", room, key);
        const auto v = version(room) + 1;
        log_change(room, v, GlossaryChange::removed, *stored, std::nullopt, actor, at);
        return {GlossaryChange::removed, v, std::move(*stored)};
    }

  private:
    void log_change(Id room, std::int64_t v, GlossaryChange change, std::string_view term,
                    std::optional<std::string_view> meaning, Id actor, Millis at) {
        run(db_,
            "INSERT INTO room_glossary_versions(room_id, version, change, term, meaning, "
            "changed_by, changed_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
            room, v, sql::kGlossaryChangeNames[static_cast<int>(change)], term, meaning, actor, at);
    }
};

}  // namespace

std::unique_ptr<Glossary> make_glossary(const Conn& c) {
    return std::make_unique<SqlGlossary>(c);
}

}  // namespace liaise::server::store::sqlite
