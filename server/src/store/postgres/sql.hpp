// Internal to the PostgreSQL store: the helpers its repositories share. Statements are written
// with `?` placeholders, as in the SQLite store, and numbered ($1, $2, ...) here; values are
// sent in text form (bytes as bytea hex), and read back the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/postgres/pq.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::pg {

/// A NULL parameter.
struct Null {};

[[nodiscard]] inline std::optional<std::string> param(std::int64_t v) {
    return std::to_string(v);
}
[[nodiscard]] inline std::optional<std::string> param(int v) {
    return std::to_string(v);
}
[[nodiscard]] inline std::optional<std::string> param(bool v) {
    return std::string(v ? "true" : "false");
}
[[nodiscard]] inline std::optional<std::string> param(std::string_view v) {
    return std::string(v);
}
[[nodiscard]] inline std::optional<std::string> param(const std::string& v) {
    return v;
}
[[nodiscard]] inline std::optional<std::string> param(const char* v) {
    return std::string(v);
}
/// Bytes as bytea's hex input form.
[[nodiscard]] std::optional<std::string> param(const store::Bytes& v);
[[nodiscard]] inline std::optional<std::string> param(Null) {
    return std::nullopt;
}
template <class T>
[[nodiscard]] std::optional<std::string> param(const std::optional<T>& v) {
    if (!v)
        return std::nullopt;
    return param(*v);
}

/// `sql` with its `?` placeholders numbered $1, $2, ... in order. (No statement of the store
/// has a `?` inside a literal.)
[[nodiscard]] std::string numbered(std::string_view sql);

/// Runs `sql` (with `?` placeholders) with `args`; throws Error on failure.
template <class... Args>
Result run(Connection& db, std::string_view sql, const Args&... args) {
    return db.exec(numbered(sql), Params{param(args)...});
}

/// Row `i` of a result, read as store/sql/rows.hpp reads rows.
class Row {
  public:
    Row(const Result& r, int i) : r_(&r), i_(i) {}

    /// Throws Error for NULL.
    [[nodiscard]] std::int64_t int64(int col) const { return r_->int64(i_, col); }
    [[nodiscard]] std::string text(int col) const { return std::string(r_->text(i_, col)); }
    [[nodiscard]] bool is_null(int col) const { return r_->is_null(i_, col); }
    [[nodiscard]] std::optional<std::int64_t> optional_int(int col) const {
        if (is_null(col))
            return std::nullopt;
        return int64(col);
    }
    [[nodiscard]] std::int64_t id_or_0(int col) const { return is_null(col) ? 0 : int64(col); }
    [[nodiscard]] bool boolean(int col) const { return r_->text(i_, col) == "t"; }
    [[nodiscard]] store::Bytes bytes(int col) const;

  private:
    const Result* r_;
    int i_;
};

/// The rows of one result, as a range (the result is read whole when the statement runs).
class Rows {
  public:
    explicit Rows(Result r) : r_(std::move(r)) {}

    struct End {};
    class Iterator {
      public:
        Iterator(const Result& r, int i) : r_(&r), i_(i) {}
        [[nodiscard]] Row operator*() const { return Row(*r_, i_); }
        Iterator& operator++() {
            ++i_;
            return *this;
        }
        [[nodiscard]] bool operator==(End) const { return i_ >= r_->rows(); }

      private:
        const Result* r_;
        int i_;
    };
    [[nodiscard]] Iterator begin() const { return Iterator(r_, 0); }
    [[nodiscard]] End end() const { return {}; }

  private:
    Result r_;
};

/// The rows of `sql` (with `?` placeholders) run with `args`, for store/sql/; throws Error on
/// failure.
template <class... Args>
[[nodiscard]] Rows query(Connection& db, std::string_view sql, const Args&... args) {
    return Rows(run(db, sql, args...));
}

/// An id as stored: NULL for 0.
[[nodiscard]] inline std::optional<std::int64_t> nullable(store::Id id) {
    if (id == 0)
        return std::nullopt;
    return id;
}
/// "" as NULL.
[[nodiscard]] inline std::optional<std::string> empty_null(const std::string& s) {
    if (s.empty())
        return std::nullopt;
    return s;
}

/// Reading a result's values (row, column).
[[nodiscard]] inline std::string text(const Result& r, int row, int col) {
    return std::string(r.text(row, col));
}
/// 0 for NULL.
[[nodiscard]] inline std::int64_t id_or_0(const Result& r, int row, int col) {
    return r.is_null(row, col) ? 0 : r.int64(row, col);
}
[[nodiscard]] inline std::optional<std::int64_t> optional_int(const Result& r, int row, int col) {
    if (r.is_null(row, col))
        return std::nullopt;
    return r.int64(row, col);
}
/// A boolean column ("t" / "f").
[[nodiscard]] inline bool boolean(const Result& r, int row, int col) {
    return r.text(row, col) == "t";
}
/// A bytea column (hex output form, PostgreSQL's default).
[[nodiscard]] store::Bytes bytes(const Result& r, int row, int col);
/// The first column of every row.
[[nodiscard]] std::vector<std::int64_t> int64_column(const Result& r);

}  // namespace liaise::server::pg
