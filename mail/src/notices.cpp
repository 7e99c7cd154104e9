#include "liaise/mail/notices.hpp"

#include "liaise/calendar/london_time.hpp"

namespace liaise::mail {
namespace {

std::string greeting(const Recipient& to) {
    return to.display_name.empty() ? "Hello,\n\n" : "Hello " + to.display_name + ",\n\n";
}

/// The closing lines: where to read it, and why the email says so little.
std::string closing(const Where& where) {
    std::string out = "\n";
    out += where.service_url.empty() ? "Open Liaise to see it.\n"
                                     : "Open Liaise to see it: " + where.service_url + "\n";
    out +=
        "\nThis email has no details on purpose: they stay in Liaise, where only the people "
        "involved can read them.\nThis is an automatic message; replies are not read.\n";
    return out;
}

Message make(const Recipient& to, std::string subject, const std::string& text,
             const Where& where) {
    return {to.address, std::move(subject), greeting(to) + text + closing(where)};
}

}  // namespace

Message minutes_circulated(const Recipient& to, const Where& where, calendar::Date acknowledge_by) {
    return make(to, "Minutes are waiting for your acknowledgement",
                "Minutes of a meeting you were invited to have been sent to you. Please read "
                "them and acknowledge them by " +
                    calendar::uk_long_date(acknowledge_by) +
                    ". If anything in them is wrong, you can send a correction by then.\n",
                where);
}

Message action_assigned(const Recipient& to, const Where& where, std::int64_t action,
                        calendar::Date due) {
    return make(to, "An action has been given to you",
                "Action " + std::to_string(action) + " has been given to you. It is due on " +
                    calendar::uk_long_date(due) + ".\n",
                where);
}

Message action_overdue(const Recipient& to, const Where& where, std::int64_t action,
                       calendar::Date due) {
    return make(to, "An action of yours is overdue",
                "Action " + std::to_string(action) + " was due on " + calendar::uk_long_date(due) +
                    " and is not marked done. Please update it, or say why it cannot be done.\n",
                where);
}

Message minutes_deadline(const Recipient& to, const Where& where, std::int64_t meeting,
                         std::string_view what, calendar::Date due, bool late) {
    std::string lower(what);  // "Full record" in a subject, "the full record of" in a sentence
    if (!lower.empty() && lower[0] >= 'A' && lower[0] <= 'Z')
        lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
    const std::string item = lower + " of meeting " + std::to_string(meeting);
    if (late)
        return make(to, "Minutes are late: " + std::string(what),
                    "The " + item + " was due on " + calendar::uk_long_date(due) +
                        " and has not been circulated. Please circulate it, or record why it "
                        "is late.\n",
                    where);
    return make(to, "Minutes due soon: " + std::string(what),
                "The " + item + " is due on " + calendar::uk_long_date(due) +
                    " and has not been circulated yet.\n",
                where);
}

Message unread_digest(const Recipient& to, const Where& where, int rooms) {
    const std::string count =
        rooms == 1 ? std::string("1 room has") : std::to_string(rooms) + " rooms have";
    return make(to, "You have unread messages in Liaise",
                count + " messages you have not read yet.\n", where);
}

}  // namespace liaise::mail
