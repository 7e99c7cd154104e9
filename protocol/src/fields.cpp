#include "liaise/protocol/fields.hpp"

#include <ctime>

namespace liaise::protocol {

std::string str(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t num(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

bool flag(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_bool() && v->get_bool();
}

const boost::json::array& list(const boost::json::object& o, std::string_view key) {
    static const boost::json::array empty;
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_array() ? v->get_array() : empty;
}

std::string minute_time(std::int64_t ms, bool utc) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    if (utc)
        gmtime_r(&t, &tm);
    else
        localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, utc ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string utc_date(int days) {
    const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

}  // namespace liaise::protocol
