// The statements both stores run alike (store/sqlite/ and store/postgres/), written once: each
// header beside this one holds, for one repository, the SQL text and row mapping that are the
// same on both, as a class template over the store's connection handle. A store's own file
// derives from it and keeps only what really differs (upserts, RETURNING, locks, collations,
// how a new id is read back). Nothing here names a database type: the handle comes in as a
// template parameter and is reached through two calls that each store defines beside its
// connection, found by argument-dependent lookup:
//
//   query(db, sql, args...)  the rows of `sql` (with `?` placeholders) run with `args`, as an
//                            input range, read once in order; each row (a `Row`) answers
//                              int64(col)        an integer value that is not NULL
//                              text(col)         the text, "" for NULL
//                              is_null(col)
//                              optional_int(col) nullopt for NULL
//                              id_or_0(col)      0 for NULL
//                              boolean(col)      a boolean column (SQLite's 0/1, PostgreSQL's
//                                                boolean)
//                              bytes(col)        a blob / bytea column
//   run(db, sql, args...)    runs `sql` for its effect (what it returns is the store's own).
//
// Arguments bind as the stores' helpers bind them (integers, text, bytes, std::optional for
// NULL). Columns are numbered from 0. The templates add no virtual call and allocate nothing
// the stores' own code did not: each instantiates into the store's repository as if written
// there.
#pragma once

#include <optional>
#include <utility>
#include <vector>

namespace liaise::server::store::sql {

/// The first row of `rows` mapped by `map`, or nullopt when there is none.
template <class Rows, class Map>
[[nodiscard]] auto first(Rows&& rows, Map map) -> std::optional<decltype(map(*rows.begin()))> {
    for (const auto& row : rows)
        return map(row);
    return std::nullopt;
}

/// Every row of `rows` mapped by `map`, in order.
template <class Rows, class Map>
[[nodiscard]] auto all(Rows&& rows, Map map) -> std::vector<decltype(map(*rows.begin()))> {
    std::vector<decltype(map(*rows.begin()))> out;
    for (const auto& row : rows)
        out.push_back(map(row));
    return out;
}

/// True when `rows` has at least one row.
template <class Rows>
[[nodiscard]] bool any(Rows&& rows) {
    return rows.begin() != rows.end();
}

/// The first column of every row, as integers.
template <class Rows>
[[nodiscard]] std::vector<std::int64_t> int64_column(Rows&& rows) {
    std::vector<std::int64_t> out;
    for (const auto& row : rows)
        out.push_back(row.int64(0));
    return out;
}

}  // namespace liaise::server::store::sql
