// The emails Liaise sends. None carries case content: no message or minutes text, no room or
// meeting names, no action wording, no names of children or families. Each says only that
// something is waiting, with a number and a date where needed, and where to open Liaise; the
// person reads the rest there, end-to-end encrypted. Dates are in UK order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "liaise/calendar/date.hpp"
#include "liaise/mail/smtp.hpp"

namespace liaise::mail {

/// Who the notice is for and where Liaise is.
struct Recipient {
    std::string address;
    std::string display_name;  ///< "Bea Patel": the account's display name
};
struct Where {
    std::string service_url;  ///< "https://liaise.council.example.org"; empty: not mentioned
};

/// Minutes circulated to the recipient for acknowledgement, due back by `acknowledge_by`.
[[nodiscard]] Message minutes_circulated(const Recipient& to, const Where& where,
                                         calendar::Date acknowledge_by);
/// An action (number `action`) given to the recipient, due on `due`.
[[nodiscard]] Message action_assigned(const Recipient& to, const Where& where, std::int64_t action,
                                      calendar::Date due);
/// An action of the recipient's now past its due date.
[[nodiscard]] Message action_overdue(const Recipient& to, const Where& where, std::int64_t action,
                                     calendar::Date due);
/// To a meeting's chair: a circulation clock of meeting number `meeting` (what is due, as
/// calendar::clock_label says it: "Full record") falls due on `due`, or (`late`) has passed.
[[nodiscard]] Message minutes_deadline(const Recipient& to, const Where& where,
                                       std::int64_t meeting, std::string_view what,
                                       calendar::Date due, bool late);
/// Once a day: `rooms` rooms have messages the recipient has not read.
[[nodiscard]] Message unread_digest(const Recipient& to, const Where& where, int rooms);

}  // namespace liaise::mail
