// Internal: membership events of a room's history (PROTOCOL.md, "Room events") in words, as
// `liaise read` and `liaise chat` show them.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace liaise::client {

/// One sentence for `event`, e.g. "Sam Jones, Westshire Police, was added by Hana Ali" or
/// "New device for Bea Patel (Riverside Primary), issued by admin Hana Ali on 6 Dec 2026:
/// verify Bea Patel again before trusting it". People are named by display name (their user
/// name if it has none); dates are local. The server supplies every name, so control
/// characters in them are shown as '?': an event cannot draw anything on the terminal. An
/// event of a kind this version does not know is still shown, by its kind.
[[nodiscard]] std::string describe_event(const boost::json::object& event);

}  // namespace liaise::client
