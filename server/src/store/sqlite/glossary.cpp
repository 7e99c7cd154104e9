#include <SQLiteCpp/SQLiteCpp.h>

#include "liaise/jargon/glossary.hpp"
#include "store/sqlite/repos.hpp"

namespace liaise::server::store::sqlite {
namespace {

constexpr const char* kChangeNames[] = {"none", "added", "changed", "removed"};

GlossaryChange change_from(const std::string& name) {
    if (name == "changed")
        return GlossaryChange::changed;
    if (name == "removed")
        return GlossaryChange::removed;
    return GlossaryChange::added;
}

class SqlGlossary final : public Glossary {
  public:
    explicit SqlGlossary(const Conn& c) : c_(c) {}

    std::int64_t version(Id room) const override {
        auto q = c_.sql.use(
            "SELECT COALESCE(MAX(version), 0) FROM room_glossary_versions WHERE room_id = ?");
        bind_all(*q, room);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }
    std::vector<GlossaryTerm> terms(Id room) const override {
        auto q = c_.sql.use(
            "SELECT g.term, g.meaning, a.username, g.agreed_at FROM room_glossary g JOIN "
            "accounts a ON a.id = g.agreed_by WHERE g.room_id = ? ORDER BY g.term_key");
        bind_all(*q, room);
        std::vector<GlossaryTerm> out;
        while (q->executeStep())
            out.push_back({q->getColumn(0).getString(), q->getColumn(1).getString(),
                           q->getColumn(2).getString(), q->getColumn(3).getInt64()});
        return out;
    }
    std::vector<GlossaryVersion> history(Id room, std::int64_t limit) const override {
        auto q = c_.sql.use(
            "SELECT v.version, v.change, v.term, v.meaning, a.username, v.changed_at FROM "
            "room_glossary_versions v JOIN accounts a ON a.id = v.changed_by WHERE "
            "v.room_id = ? ORDER BY v.version DESC LIMIT ?");
        bind_all(*q, room, limit);
        std::vector<GlossaryVersion> out;
        while (q->executeStep()) {
            auto& v = out.emplace_back();
            v.version = q->getColumn(0).getInt64();
            v.change = change_from(q->getColumn(1).getString());
            v.term = q->getColumn(2).getString();
            if (!q->getColumn(3).isNull())
                v.meaning = q->getColumn(3).getString();
            v.by = q->getColumn(4).getString();
            v.at = q->getColumn(5).getInt64();
        }
        return out;
    }
    std::int64_t count(Id room) const override {
        auto q = c_.sql.use("SELECT COUNT(*) FROM room_glossary WHERE room_id = ?");
        bind_all(*q, room);
        q->executeStep();
        return q->getColumn(0).getInt64();
    }
    bool has(Id room, std::string_view term) const override {
        auto q = c_.sql.use("SELECT 1 FROM room_glossary WHERE room_id = ? AND term_key = ?");
        bind_all(*q, room, jargon::agreed_key(std::string(term)));
        return q->executeStep();
    }

    GlossaryWritten agree(Id room, std::string_view term, std::string_view meaning, Id actor,
                          Millis at) override {
        const auto key = jargon::agreed_key(std::string(term));
        bool exists = false;
        {
            auto q = c_.sql.use(
                "SELECT term, meaning FROM room_glossary WHERE room_id = ? AND term_key = ?");
            bind_all(*q, room, key);
            exists = q->executeStep();
            if (exists && q->getColumn(0).getString() == term &&
                q->getColumn(1).getString() == meaning)
                return {GlossaryChange::none, version(room), std::string(term)};
        }
        const auto change = exists ? GlossaryChange::changed : GlossaryChange::added;
        run(c_,
            "INSERT INTO room_glossary(room_id, term_key, term, meaning, agreed_by, agreed_at) "
            "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(room_id, term_key) DO UPDATE SET "
            "term = excluded.term, meaning = excluded.meaning, agreed_by = excluded.agreed_by, "
            "agreed_at = excluded.agreed_at",
            room, key, term, meaning, actor, at);
        const auto v = version(room) + 1;
        log_change(room, v, change, term, std::optional<std::string_view>(meaning), actor, at);
        return {change, v, std::string(term)};
    }
    GlossaryWritten withdraw(Id room, std::string_view term, Id actor, Millis at) override {
        const auto key = jargon::agreed_key(std::string(term));
        std::string stored;
        {
            auto q =
                c_.sql.use("SELECT term FROM room_glossary WHERE room_id = ? AND term_key = ?");
            bind_all(*q, room, key);
            if (!q->executeStep())
                return {GlossaryChange::none, version(room), std::string(term)};
            stored = q->getColumn(0).getString();
        }
        run(c_, "DELETE FROM room_glossary WHERE room_id = ? AND term_key = ?", room, key);
        const auto v = version(room) + 1;
        log_change(room, v, GlossaryChange::removed, stored, std::nullopt, actor, at);
        return {GlossaryChange::removed, v, stored};
    }

  private:
    void log_change(Id room, std::int64_t v, GlossaryChange change, std::string_view term,
                    std::optional<std::string_view> meaning, Id actor, Millis at) {
        run(c_,
            "INSERT INTO room_glossary_versions(room_id, version, change, term, meaning, "
            "changed_by, changed_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
            room, v, kChangeNames[static_cast<int>(change)], term, meaning, actor, at);
    }

    Conn c_;
};

}  // namespace

std::unique_ptr<Glossary> make_glossary(const Conn& c) {
    return std::make_unique<SqlGlossary>(c);
}

}  // namespace liaise::server::store::sqlite
