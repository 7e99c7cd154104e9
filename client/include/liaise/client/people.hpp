// Who is speaking: a room's members named as a person reads them, "Bea Patel (Riverside
// Primary)", instead of account names. The names and agencies are the server's word (room_show's
// members, PROTOCOL.md "account"): the account a message is signed by is checked on the device,
// the name shown for it is not. `liaise room show ROOM` shows the account behind each name.
#pragma once

#include <boost/json/array.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace liaise::client {

/// The members of one room, by account name. A value type, built once per room_show reply;
/// const member functions are safe to call from several threads.
class People {
  public:
    /// Nobody known: name() gives every account name as it is.
    People() = default;
    /// From room_show's `members` ({"user", "display_name", "agency", …} each); entries without
    /// a string `user` are skipped.
    explicit People(const boost::json::array& members);

    /// How `user` is shown to a person, safe to print on a terminal (display_line()):
    /// "Bea Patel (Riverside Primary)"; "Bea Patel (Riverside Primary, bea)" when another member
    /// has the same display name (ignoring capitals), so that the two can be told apart;
    /// "Bea Patel" when the agency is empty; the account name when the display name is empty.
    /// Someone who is not a member (who left, or never was) is shown by account name alone.
    [[nodiscard]] std::string name(std::string_view user) const;

    /// True if `user` is a member this was built with.
    [[nodiscard]] bool knows(std::string_view user) const;

  private:
    std::map<std::string, std::string, std::less<>> names_;  // account -> how it is shown
};

}  // namespace liaise::client
