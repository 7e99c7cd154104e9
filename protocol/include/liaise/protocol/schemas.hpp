// The shapes of what the server sends: each request's `ok` reply, the `error` reply and each
// event type, field by field. PROTOCOL.md ("Requests", "Events", "Error codes") is the spec;
// this table is its checkable form, beside request_specs() for what clients send. Tests check
// every frame the real server sends against it; protocol/testdata/vectors/frames.json holds an
// example of each shape for other implementations.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace liaise::protocol {

/// JSON value kinds, combinable: a field may be `kString | kNull`.
enum JsonKind : unsigned {
    kString = 1u << 0,
    kInteger = 1u << 1,  ///< a number without fraction or exponent
    kNumber = 1u << 2,   ///< a number with a fraction or exponent (or an integer in its place)
    kBoolean = 1u << 3,
    kArray = 1u << 4,
    kObject = 1u << 5,
    kNull = 1u << 6,
};

/// One top-level field of a server frame. Nested shapes (the items of `messages`, a member's
/// `devices`) are described in PROTOCOL.md, not here.
struct ReplyField {
    std::string_view name;
    unsigned kinds;  ///< JsonKind bits
    bool always;     ///< present in every frame of this shape, else only sometimes
};

/// A reply (named by the request type it answers), the error reply, or an event (named by its
/// `type`). `re` and `type` are implied and not listed.
struct FrameShape {
    std::string_view name;
    std::span<const ReplyField> fields;
};

/// One per request type in request_specs(), in the same order: the `ok` reply's fields.
[[nodiscard]] std::span<const FrameShape> reply_shapes() noexcept;
/// One per event type the server sends.
[[nodiscard]] std::span<const FrameShape> event_shapes() noexcept;
/// `code` and `message` always, and the extra fields some codes carry.
[[nodiscard]] const FrameShape& error_shape() noexcept;
[[nodiscard]] const FrameShape* find_reply_shape(std::string_view request_type) noexcept;
[[nodiscard]] const FrameShape* find_event_shape(std::string_view event_type) noexcept;

/// Checks one frame the server sent. `request_type` names the request a reply answers (ignored
/// for events). Returns nullopt when the frame conforms, else what is wrong, naming the shape
/// and the field: no or unknown `type`, an `ok` for an unknown request type, an unknown event
/// type, a missing `always` field, a field of another kind, or a field the shape does not
/// declare.
[[nodiscard]] std::optional<std::string> check_server_frame(const boost::json::object& frame,
                                                            std::string_view request_type);

}  // namespace liaise::protocol
