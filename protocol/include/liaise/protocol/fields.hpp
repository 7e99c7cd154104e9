// Lenient readers of JSON object fields, for replies and events that were already validated
// (or whose absence is harmless). They never throw.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace liaise::protocol {

/// `o[key]` if it is a string, else "".
[[nodiscard]] std::string str(const boost::json::object& o, std::string_view key);
/// `o[key]` if it is an integer, else 0.
[[nodiscard]] std::int64_t num(const boost::json::object& o, std::string_view key);
/// `o[key]` if it is a boolean, else false.
[[nodiscard]] bool flag(const boost::json::object& o, std::string_view key);
/// `o[key]` if it is an array, else an empty one.
[[nodiscard]] const boost::json::array& list(const boost::json::object& o, std::string_view key);

/// "2026-11-22 10:04 UTC" (with `utc`) or "2026-11-22 10:04" in local time, from
/// milliseconds since the epoch.
[[nodiscard]] std::string minute_time(std::int64_t ms, bool utc);

/// Today (UTC) plus `days`, as "YYYY-MM-DD": the day the server counts due dates by.
[[nodiscard]] std::string utc_date(int days = 0);

}  // namespace liaise::protocol
