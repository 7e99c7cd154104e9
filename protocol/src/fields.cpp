#include "liaise/protocol/fields.hpp"

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

}  // namespace liaise::protocol
