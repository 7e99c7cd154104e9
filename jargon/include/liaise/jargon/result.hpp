// A value or a list of problems: the result type for parsing and validation.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace liaise::jargon {

/// One validation problem, tied to a place in an input ("FILE:LINE: reason").
struct Problem {
    std::string file;    ///< file name as given by the caller; may be empty
    int line = 0;        ///< 1-based line number; 0 when the problem is not tied to a line
    std::string reason;  ///< stable, human-readable reason, e.g. "duplicate term 'CIN'"

    /// "FILE:LINE: reason", leaving out the parts that are empty or zero.
    [[nodiscard]] std::string to_string() const;
};

/// Holds either a value or at least one Problem. Never both: a result with problems has no value,
/// so a caller cannot use a half-loaded input by accident.
template <class T>
class [[nodiscard]] Result {
  public:
    static Result success(T value) { return Result(std::move(value)); }
    static Result failure(std::vector<Problem> problems) {
        Result r;
        r.problems_ = std::move(problems);
        return r;
    }

    [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
    /// Precondition: ok().
    [[nodiscard]] const T& value() const& { return *value_; }
    [[nodiscard]] T&& value() && { return std::move(*value_); }
    [[nodiscard]] const std::vector<Problem>& problems() const noexcept { return problems_; }

  private:
    Result() = default;
    explicit Result(T value) : value_(std::move(value)) {}

    std::optional<T> value_;
    std::vector<Problem> problems_;
};

}  // namespace liaise::jargon
