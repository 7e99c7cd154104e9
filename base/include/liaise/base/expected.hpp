// A value or an expected failure: the result type for decoding, validation and crypto in every
// library above base/.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace liaise::base {

/// An expected failure with a stable machine-readable code (see PROTOCOL.md, "Error codes")
/// and a message for people. Messages never contain secrets, message text or keys.
struct Error {
    std::string code;
    std::string message;
};

/// Holds either a T or an Error, never both.
template <class T>
class [[nodiscard]] Expected {
  public:
    Expected(T value) : value_(std::move(value)) {}      // NOLINT: implicit by design
    Expected(Error error) : error_(std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    /// Precondition: ok().
    [[nodiscard]] const T& value() const& { return *value_; }
    [[nodiscard]] T& value() & { return *value_; }
    [[nodiscard]] T&& value() && { return std::move(*value_); }
    /// Precondition: !ok().
    [[nodiscard]] const Error& error() const { return error_; }

  private:
    std::optional<T> value_;
    Error error_;
};

}  // namespace liaise::base
