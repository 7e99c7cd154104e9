// Signed acknowledgements and accuracy comments for the e2e tests (PROTOCOL.md, "Signed
// acknowledgements and comments"): the fields a recipient's device sends, signed as `liaise
// meeting acknowledge` and `liaise meeting comment` sign them.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "liaise/client/client.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_receipts.hpp"

namespace liaise::test {

/// The circulated version of `meeting` that a recipient request (`asked`, else the newest fixed
/// one) is about, as `conn` is shown it; empty when it cannot be shown (it will be refused).
inline boost::json::object circulated_for(client::Connection& conn, std::int64_t meeting,
                                          std::int64_t asked) {
    if (asked == 0) {
        auto shown = conn.request("meeting_show", {{"meeting", meeting}});
        if (!shown)
            return {};
        asked = protocol::num(shown.value(), "version") -
                (protocol::str(shown.value(), "status") == "draft" ? 1 : 0);
    }
    auto fixed = conn.request("meeting_show", {{"meeting", meeting}, {"version", asked}});
    return fixed ? fixed.value() : boost::json::object{};
}

inline std::int64_t now_ms_for_tests() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// `fields` of minutes_acknowledge (PROTOCOL.md, "Signed acknowledgements and comments") with
/// the signature `keys` (`user`'s device) makes over the version as `conn` is shown it, as
/// `liaise meeting acknowledge` signs it.
inline boost::json::object ack_signed_as(client::Connection& conn, const crypto::DeviceKeys& keys,
                                         const std::string& user, boost::json::object fields) {
    const auto meeting = fields.at("meeting").as_int64();
    const auto minutes = circulated_for(conn, meeting, protocol::num(fields, "version"));
    const auto now = now_ms_for_tests();
    const protocol::Acknowledgement a{meeting,
                                      protocol::str(minutes, "room"),
                                      protocol::num(minutes, "version"),
                                      protocol::circulation_digest(minutes),
                                      user,
                                      now};
    fields["signed_at"] = now;
    fields["signature"] = protocol::sign_acknowledgement(keys, a).to_base64();
    return fields;
}

/// `fields` of minutes_comment with the signature `keys` (`user`'s device) makes.
inline boost::json::object comment_signed_as(client::Connection& conn,
                                             const crypto::DeviceKeys& keys,
                                             const std::string& user, boost::json::object fields) {
    const auto meeting = fields.at("meeting").as_int64();
    const auto minutes = circulated_for(conn, meeting, protocol::num(fields, "version"));
    const auto now = now_ms_for_tests();
    const protocol::CommentSignature c{meeting,
                                       protocol::num(minutes, "version"),
                                       protocol::str(fields, "section"),
                                       protocol::str(fields, "text"),
                                       user,
                                       now};
    fields["signed_at"] = now;
    fields["signature"] = protocol::sign_comment(keys, c).to_base64();
    return fields;
}

/// ack_signed_as() and comment_signed_as() for a client library user.
inline boost::json::object ack_signed_by(client::Client& c, boost::json::object fields) {
    return ack_signed_as(c.connection(), c.keys(), c.profile().user, std::move(fields));
}
inline boost::json::object comment_signed_by(client::Client& c, boost::json::object fields) {
    return comment_signed_as(c.connection(), c.keys(), c.profile().user, std::move(fields));
}

}  // namespace liaise::test
