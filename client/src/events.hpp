// Internal: membership events of a room's history (PROTOCOL.md, "Room events") in words, as
// `liaise read` and `liaise chat` show them.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "liaise/client/people.hpp"

namespace liaise::client {

/// One sentence for `event`, e.g. "Sam Jones, Westshire Police, was added by Hana Ali" or
/// "New device for Bea Patel (Riverside Primary), issued by admin Hana Ali on 6 Dec 2026:
/// verify Bea Patel again before trusting it". People are named by display name (their user
/// name if it has none); dates are local. The server supplies every name, so control
/// characters in them are shown as '?': an event cannot draw anything on the terminal. An
/// event of a kind this version does not know is still shown, by its kind.
[[nodiscard]] std::string describe_event(const boost::json::object& event);

/// One sentence for a notice the server pushed to this person (PROTOCOL.md, "Events") that is
/// not one of a room's messages: an action given to them, minutes circulated, a room they were
/// added to or removed from, a reminder, an answered question, a new device, new dictionaries.
/// E.g. "Action for you: 'Send Kelly the attendance letter', due 4 Dec 2026, from meeting 1
/// ('Core group') in case-2041". `me` is this person's user name (to say "you"). Nothing for a
/// `message` event (shown as a message) and for a `membership` event of `room`, the room being
/// shown (its change arrives as a room event in its history). A type this version does not
/// know is still mentioned, by its type. Controls in the server's strings are shown as '?'.
/// Someone `people` (the members of `room`) knows is named as People::name() names them ("Bea
/// Patel (Riverside Primary) has a new device"), anyone else by account name; a command to
/// type keeps the account name ('liaise fingerprint bea').
[[nodiscard]] std::optional<std::string> describe_notice(const boost::json::object& event,
                                                         std::string_view me, std::string_view room,
                                                         const People& people = {});

}  // namespace liaise::client
