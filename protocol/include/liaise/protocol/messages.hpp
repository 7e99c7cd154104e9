// The request catalogue and the frame codec shared by server and client. PROTOCOL.md is the
// specification; this header is its executable form.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/expected.hpp"

namespace liaise::protocol {

/// The protocol version exchanged in `hello`.
inline constexpr std::int64_t kVersion = 1;

/// Who may make a request, checked before its handler runs. Room membership is checked by the
/// handlers themselves.
enum class Access {
    anyone,         ///< before login: hello, enrol, login
    authenticated,  ///< any logged-in account
    chair,          ///< chairs and admins
    admin,          ///< admins only
};

/// `text` is a string that may also hold line breaks and tabs (minutes); `string` may hold no
/// control characters at all.
enum class FieldType { string, integer, boolean, string_array, object, text };

struct FieldSpec {
    std::string_view name;
    FieldType type;
    bool required;
    std::int64_t max;  ///< strings: bytes; arrays: items (each item a string of at most 128 bytes);
                       ///< integers: value
    std::int64_t min = 0;  ///< strings: bytes (required strings are at least 1); integers: value
};

struct RequestSpec {
    std::string_view type;
    Access access;
    std::span<const FieldSpec> fields;
};

/// Every request type, in PROTOCOL.md order.
[[nodiscard]] std::span<const RequestSpec> request_specs() noexcept;
[[nodiscard]] const RequestSpec* find_request(std::string_view type) noexcept;

/// Roles of an account, lowest first.
enum class Role { member, chair, admin };
[[nodiscard]] std::string_view to_string(Role role) noexcept;
[[nodiscard]] std::optional<Role> parse_role(std::string_view text) noexcept;

/// A request that passed validation: every field it has is of the declared type and size, every
/// required field is present, and no other field is.
struct Request {
    std::string id;
    const RequestSpec* spec = nullptr;
    boost::json::object body;  ///< the whole request object

    [[nodiscard]] std::string_view type() const noexcept { return spec->type; }
    /// Precondition: the field is declared a string. Empty when absent.
    [[nodiscard]] std::string_view string(std::string_view field) const;
    /// Precondition: the field is declared an integer.
    [[nodiscard]] std::int64_t integer(std::string_view field, std::int64_t fallback) const;
    [[nodiscard]] bool boolean(std::string_view field, bool fallback) const;
    [[nodiscard]] std::vector<std::string> strings(std::string_view field) const;
    /// Precondition: the field is declared an object and present.
    [[nodiscard]] const boost::json::object& object(std::string_view field) const;
};

/// The outcome of decoding one frame: a request, or an error to send back. `id` is the request
/// id whenever it could be read, so the error reply can carry it as `re`.
struct Decoded {
    std::optional<Request> request;
    Error error;
    std::string id;
};

/// Parses and validates one client frame. Never throws: malformed JSON, a non-object, a missing
/// or unknown `type`, a missing or bad `id`, missing, mistyped, oversized or unknown fields,
/// invalid UTF-8 and a key repeated in any object ("duplicate key 'room'") all give
/// `bad_request` with the offending field named in the message.
[[nodiscard]] Decoded decode_request(std::string_view frame);

/// {"re": re, "type": "ok", ...fields}
[[nodiscard]] std::string encode_ok(std::string_view re, boost::json::object fields = {});
/// {"re": re, "type": "error", "code": ..., "message": ..., ...extra}; `re` omitted when empty.
[[nodiscard]] std::string encode_error(std::string_view re, const Error& error,
                                       boost::json::object extra = {});
/// {"type": type, ...fields}: a server-initiated event, with no `re`.
[[nodiscard]] std::string encode_event(std::string_view type, boost::json::object fields);

/// As encode_ok and encode_event, for fields already written as JSON text: `members` is an
/// object's members without its braces (`"a":1,"b":[…]`), possibly empty, and must be valid
/// JSON. For replies that splice stored JSON in rather than parse it again. The frame is '{',
/// then `members` unchanged, then the frame's own fields: text at offset i of `members` is at
/// offset i + 1 of the frame.
[[nodiscard]] std::string encode_ok_members(std::string_view re, std::string members);
[[nodiscard]] std::string encode_event_members(std::string_view type, std::string members);

/// A frame from the server as the client sees it.
struct ServerFrame {
    bool is_reply = false;  ///< has `re`
    std::string re;
    std::string type;  ///< "ok", "error", or the event type
    boost::json::object body;
};
[[nodiscard]] Expected<ServerFrame> decode_server_frame(std::string_view frame);

/// Stable error codes (PROTOCOL.md, "Error codes").
namespace errc {
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view unsupported_version = "unsupported_version";
inline constexpr std::string_view hello_required = "hello_required";
inline constexpr std::string_view not_authenticated = "not_authenticated";
inline constexpr std::string_view forbidden = "forbidden";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view conflict = "conflict";
inline constexpr std::string_view invalid_code = "invalid_code";
inline constexpr std::string_view code_used = "code_used";
inline constexpr std::string_view code_expired = "code_expired";
inline constexpr std::string_view bad_signature = "bad_signature";
inline constexpr std::string_view stale_membership = "stale_membership";
inline constexpr std::string_view suspended = "suspended";
inline constexpr std::string_view device_replaced = "device_replaced";
inline constexpr std::string_view internal = "internal";
inline constexpr std::string_view minutes_locked = "minutes_locked";
inline constexpr std::string_view findings_unacknowledged = "findings_unacknowledged";
inline constexpr std::string_view wrong_status = "wrong_status";
inline constexpr std::string_view invalid_dictionary = "invalid_dictionary";
inline constexpr std::string_view rate_limited = "rate_limited";  ///< carries retry_after_ms
inline constexpr std::string_view id_reused = "id_reused";  ///< same client_msg_id, other message
inline constexpr std::string_view already_reported = "already_reported";  ///< dict_feedback
/// Circulating minutes that lack a section their kind's template requires; carries `missing`.
inline constexpr std::string_view sections_missing = "sections_missing";
/// A family member's copy asked to hold a section marked professionals-only.
inline constexpr std::string_view professionals_only = "professionals_only";
/// Acknowledging or commenting on minutes that were not sent to the caller (PROTOCOL.md,
/// "After circulation").
inline constexpr std::string_view not_recipient = "not_recipient";
/// An accuracy comment after the kind's comment window closed; carries `closed_on` (YYYY-MM-DD).
inline constexpr std::string_view comments_closed = "comments_closed";
// Client-side, never sent by the server (PROTOCOL.md, "Signed audit heads"):
/// "the server's signing key is not the one this device pinned on DATE"
inline constexpr std::string_view server_key_changed = "server_key_changed";
/// "the audit log is shorter than the one this device saw on DATE (N records)"
inline constexpr std::string_view audit_log_shorter = "audit_log_shorter";
/// "the audit log does not extend the one this device saw on DATE": record N differs
inline constexpr std::string_view audit_log_rewritten = "audit_log_rewritten";
/// Client-side only (never sent by a server): plain ws:// to a host that is not this machine,
/// refused before connecting. "refusing to connect to HOST over plain ws://, …: use wss://…".
inline constexpr std::string_view insecure_transport = "insecure_transport";
/// Client-side only: a new passphrase that is too easy to guess (enrol, `liaise passphrase`).
inline constexpr std::string_view weak_passphrase = "weak_passphrase";
}  // namespace errc

/// Account, room and device names: 1–64 bytes of a-z, 0-9, '.', '_' and '-', starting with a
/// letter or digit.
[[nodiscard]] bool valid_name(std::string_view name) noexcept;

}  // namespace liaise::protocol
