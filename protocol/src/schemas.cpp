#include "liaise/protocol/schemas.hpp"

#include <algorithm>

namespace liaise::protocol {
namespace {

unsigned kind_of(const boost::json::value& v) noexcept {
    switch (v.kind()) {
        case boost::json::kind::string:
            return kString;
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
            return kInteger;
        case boost::json::kind::double_:
            return kNumber;
        case boost::json::kind::bool_:
            return kBoolean;
        case boost::json::kind::array:
            return kArray;
        case boost::json::kind::object:
            return kObject;
        case boost::json::kind::null:
            return kNull;
    }
    return 0;
}

std::string kind_names(unsigned kinds) {
    static constexpr std::pair<unsigned, std::string_view> kNames[] = {
        {kString, "string"}, {kInteger, "integer"}, {kNumber, "number"}, {kBoolean, "boolean"},
        {kArray, "array"},   {kObject, "object"},   {kNull, "null"}};
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if ((kinds & bit) == 0)
            continue;
        if (!out.empty())
            out += " or ";
        out += name;
    }
    return out;
}

const FrameShape* find(std::span<const FrameShape> shapes, std::string_view name) noexcept {
    const auto it = std::find_if(shapes.begin(), shapes.end(),
                                 [&](const FrameShape& s) { return s.name == name; });
    return it == shapes.end() ? nullptr : &*it;
}

std::optional<std::string> check_fields(const boost::json::object& frame, const FrameShape& shape,
                                        std::string_view what) {
    for (const auto& field : shape.fields) {
        const auto* v = frame.if_contains(field.name);
        if (v == nullptr) {
            if (field.always)
                return std::string(what) + ": field '" + std::string(field.name) + "' is missing";
            continue;
        }
        unsigned kinds = field.kinds;
        if (kinds & kNumber)
            kinds |= kInteger;  // 3.0 may be written 3 by some encoders
        if ((kind_of(*v) & kinds) == 0)
            return std::string(what) + ": field '" + std::string(field.name) + "' is " +
                   kind_names(kind_of(*v)) + ", not " + kind_names(field.kinds);
    }
    for (const auto& [key, value] : frame) {
        if (key == "type" || key == "re")
            continue;
        const bool declared =
            std::any_of(shape.fields.begin(), shape.fields.end(),
                        [&](const ReplyField& f) { return f.name == std::string_view(key); });
        if (!declared)
            return std::string(what) + ": field '" + std::string(key) + "' is not declared";
    }
    return std::nullopt;
}

}  // namespace

const FrameShape* find_reply_shape(std::string_view request_type) noexcept {
    return find(reply_shapes(), request_type);
}

const FrameShape* find_event_shape(std::string_view event_type) noexcept {
    return find(event_shapes(), event_type);
}

std::optional<std::string> check_server_frame(const boost::json::object& frame,
                                              std::string_view request_type) {
    const auto* type = frame.if_contains("type");
    if (type == nullptr || !type->is_string())
        return std::string("frame: no string 'type'");
    const std::string_view t = type->get_string();
    const auto* re = frame.if_contains("re");
    if (re != nullptr && !re->is_string())
        return std::string("frame: 're' is not a string");
    if (t == "error")
        return check_fields(frame, error_shape(), "error reply");
    if (re != nullptr) {
        if (t != "ok")
            return "reply of type '" + std::string(t) + "' (only ok and error)";
        const auto* shape = find_reply_shape(request_type);
        if (shape == nullptr)
            return "ok reply to unknown request type '" + std::string(request_type) + "'";
        return check_fields(frame, *shape, "reply to '" + std::string(request_type) + "'");
    }
    const auto* shape = find_event_shape(t);
    if (shape == nullptr)
        return "unknown event type '" + std::string(t) + "'";
    return check_fields(frame, *shape, "event '" + std::string(t) + "'");
}

}  // namespace liaise::protocol
