#include "store/sealed.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>
#include <string_view>

#include "store/at_rest.hpp"
#include "store/audit.hpp"

namespace liaise::server::sealed {
namespace {

/// A sealed `body` column: each row's body is sealed for RecordId{table, id, version}, with the
/// row's values of the columns named here.
struct SealedColumn {
    std::string_view table;
    std::string_view id;       ///< the column that gives RecordId::id
    std::string_view version;  ///< the column that gives RecordId::version
};

/// Every sealed column except the audit log's (audit::reseal re-seals that with its chain).
constexpr SealedColumn kSealedColumns[] = {
    {"meetings", "id", "rev"},
    {"minutes_versions", "meeting_id", "version"},
    {"actions", "id", "rev"},
};

struct Row {
    std::int64_t id = 0;
    std::int64_t version = 0;
    std::vector<unsigned char> body;
};

std::vector<Row> rows_of(SQLite::Database& db, const SealedColumn& c, bool first_only) {
    SQLite::Statement q(db, "SELECT " + std::string(c.id) + ", " + std::string(c.version) +
                                ", body FROM " + std::string(c.table) +
                                (first_only ? " LIMIT 1" : ""));
    std::vector<Row> out;
    while (q.executeStep()) {
        const auto body = q.getColumn(2);
        const auto* data = static_cast<const unsigned char*>(body.getBlob());
        out.push_back(
            {q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), {data, data + body.getBytes()}});
    }
    return out;
}

}  // namespace

std::vector<Count> reseal_all(SQLite::Database& db, const AtRestKey& from, const AtRestKey& to) {
    std::vector<Count> counts;
    for (const auto& c : kSealedColumns) {
        // Read first, then write: no row changes under an open scan of its table.
        const auto rows = rows_of(db, c, false);
        SQLite::Statement update(db, "UPDATE " + std::string(c.table) + " SET body = ? WHERE " +
                                         std::string(c.id) + " = ? AND " + std::string(c.version) +
                                         " = ?");
        for (const auto& row : rows) {
            const RecordId where{c.table, row.id, row.version};
            const auto opened = from.open(row.body, where);
            if (!opened)
                throw std::runtime_error(
                    std::string(c.table) + " record " + std::to_string(row.id) + " (version " +
                    std::to_string(row.version) + ") does not open with the current key");
            const auto sealed = to.seal(opened.value(), where);
            update.bind(1, sealed.data(), static_cast<int>(sealed.size()));
            update.bind(2, row.id);
            update.bind(3, row.version);
            update.exec();
            update.reset();
        }
        counts.push_back({std::string(c.table), static_cast<std::int64_t>(rows.size())});
    }
    audit::reseal(db, from, to);
    counts.push_back({"audit", db.execAndGet("SELECT COUNT(*) FROM audit").getInt64()});
    return counts;
}

std::optional<bool> opens(SQLite::Database& db, const AtRestKey& key) {
    const auto first = audit::list(db, key, 0, 1);
    if (!first.empty())
        return !first.front().details.contains("unreadable");
    for (const auto& c : kSealedColumns)
        for (const auto& row : rows_of(db, c, true))
            return key.open(row.body, {c.table, row.id, row.version}).ok();
    return std::nullopt;
}

}  // namespace liaise::server::sealed
