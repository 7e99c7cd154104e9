#include "events.hpp"

#include <string_view>

#include "liaise/client/local_time.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;

std::string field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// `s` with C0 controls and DEL as '?', and C1 controls (U+0080-U+009F) left out.
std::string safe(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) {
            out += '?';
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

/// The display name under `display`, else the user name under `user`.
std::string name(const json::object& e, std::string_view display, std::string_view user) {
    auto n = field(e, display);
    return safe(n.empty() ? field(e, user) : n);
}

std::string subject(const json::object& e) {
    return name(e, "display_name", "user");
}
std::string actor(const json::object& e) {
    return name(e, "by_display_name", "by");
}

/// "Sam Jones, Westshire Police" (or just the name when the agency is unknown).
std::string with_agency(const json::object& e) {
    const auto agency = safe(field(e, "agency"));
    return agency.empty() ? subject(e) : subject(e) + ", " + agency;
}

std::int64_t number(const json::object& e, std::string_view key) {
    const auto* v = e.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
}

/// "2026-12-04" as "4 Dec 2026"; anything else as it came (made safe).
std::string due_day(std::string_view date) {
    return safe(calendar_text(date));
}

bool flag(const json::object& e, std::string_view key) {
    const auto* v = e.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

std::string action_assigned(const json::object& a) {
    auto out = "Action for you: '" + safe(field(a, "what")) + "'";
    if (const auto due = field(a, "due"); !due.empty())
        out += ", due " + due_day(due);
    if (const auto meeting = number(a, "meeting"); meeting > 0) {
        out += ", from meeting " + std::to_string(meeting);
        if (const auto title = safe(field(a, "meeting_title")); !title.empty())
            out += " ('" + title + "')";
    }
    if (const auto room = safe(field(a, "room")); !room.empty())
        out += " in " + room;
    if (flag(a, "overdue"))
        out += ": already overdue";
    return out + " ('liaise actions --mine' lists yours)";
}

std::string membership(const json::object& e, std::string_view me, const People& people) {
    const auto room = safe(field(e, "room"));
    const auto change = field(e, "change");
    const auto user = field(e, "user");
    const bool you = !user.empty() && user == me;
    if (change == "created")
        return "You are in a new room, " + room + " ('liaise chat " + room + "' opens it)";
    if (change == "added")
        return you ? "You were added to " + room + " ('liaise chat " + room + "' opens it)"
                   : people.name(user) + " was added to " + room;
    if (change == "removed")
        return you ? "You were removed from " + room + ": you can no longer read or send there"
                   : people.name(user) + " was removed from " + room;
    if (change == "audience")
        return flag(e, "public") ? room + " now includes the public"
                                 : room + " is now for professionals only";
    return "Who reads " + room + " changed";
}

std::string reminder(const json::object& e) {
    auto out = "Reminder: you have " + std::to_string(number(e, "overdue")) +
               " overdue action(s) and " + std::to_string(number(e, "due_soon")) +
               " due within two days";
    const char* separator = ": ";
    if (const auto* list = e.if_contains("actions"); list && list->is_array())
        for (const auto& v : list->get_array()) {
            if (!v.is_object())
                continue;
            const auto& a = v.get_object();
            out += separator + ("#" + std::to_string(number(a, "id"))) + " " +
                   safe(field(a, "what")) + " (due " + due_day(field(a, "due")) + ")";
            separator = "; ";
        }
    return out + ". 'liaise actions --mine' lists them";
}

}  // namespace

std::string describe_event(const json::object& e) {
    const auto kind = field(e, "kind");
    if (kind == "member_added")
        return with_agency(e) + ", was added by " + actor(e);
    if (kind == "member_removed")
        return field(e, "user") == field(e, "by") ? with_agency(e) + ", left the room"
                                                  : with_agency(e) + ", was removed by " + actor(e);
    if (kind == "room_created") {
        std::string people;
        if (const auto* list = e.if_contains("members"); list && list->is_array())
            for (const auto& m : list->get_array()) {
                if (!m.is_object())
                    continue;
                people += people.empty() ? "" : "; ";
                people += with_agency(m.get_object());
            }
        return actor(e) + " created the room for " + people;
    }
    if (kind == "audience_changed") {
        const auto* p = e.if_contains("public");
        const bool is_public = p && p->is_bool() && p->get_bool();
        return (is_public ? "The room now includes the public (changed by "
                          : "The room is now for professionals only (changed by ") +
               actor(e) + ")";
    }
    if (kind == "glossary_changed") {
        const auto change = field(e, "change");
        const auto term = safe(field(e, "term"));
        if (change == "removed")
            return actor(e) + " withdrew the agreed term " + term + " from this room";
        return actor(e) + (change == "changed" ? " gave the agreed term " : " agreed the term ") +
               term + " for this room: " + safe(field(e, "meaning"));
    }
    if (kind == "role_changed")
        return subject(e) + "'s role changed from " + safe(field(e, "previous_role")) + " to " +
               safe(field(e, "role")) + " (changed by " + actor(e) + ")";
    if (kind == "account_suspended")
        return subject(e) + "'s account was suspended by " + actor(e) +
               ": new messages no longer go to them";
    if (kind == "account_reinstated")
        return subject(e) + "'s account was reinstated by " + actor(e) +
               ": new messages go to them again";
    if (kind == "device_replaced") {
        const auto agency = safe(field(e, "agency"));
        auto out = "New device for " + subject(e) + (agency.empty() ? "" : " (" + agency + ")");
        const auto admin = name(e, "issued_by_display_name", "issued_by");
        if (!admin.empty())
            out += ", issued by admin " + admin;
        if (const auto at = number(e, "issued_at"); at > 0)
            out += " on " + local_date(at);
        return out + ": verify " + subject(e) + " again before trusting it";
    }
    if (kind == "history_shared")  // "Hana Ali shared history since 1 Mar 2026 with Sam Jones"
        return actor(e) + " shared history since " + local_date(number(e, "since")) + " with " +
               subject(e);
    if (kind == "message_withdrawn") {  // checked by Client::check_withdrawal
        const auto seq = std::to_string(number(e, "seq"));
        if (flag(e, "refused"))
            return "Warning: the server says " + actor(e) + " withdrew message #" + seq +
                   ", but the withdrawal did not check out; it is refused and the message kept";
        const auto at = number(e, "withdrawn_at");
        return "A message (#" + seq + ") was withdrawn by " + actor(e) +
               (at > 0 ? " at " + local_clock(at) + " on " + local_date(at) : std::string()) +
               "; this device deleted its copy";
    }
    if (kind == "withdrawn") {  // the place of a withdrawn message
        const auto at = number(e, "withdrawn_at");
        return flag(e, "checked") ? "A message was withdrawn by " + actor(e) +
                                        (at > 0 ? " at " + local_clock(at) : std::string())
                                  : "A message withdrawn by " + actor(e) + " (see #" +
                                        std::to_string(number(e, "withdrawal_seq")) + ")";
    }
    if (kind == "expired")  // the place of a message deleted under the retention schedule
        return "A message was deleted by the server under the retention schedule (kept " +
               std::to_string(number(e, "days")) + " days after the room's last message)";
    return "The room changed ('" + safe(kind) + "'; a newer liaise shows it in words)";
}

std::optional<std::string> describe_notice(const json::object& e, std::string_view me,
                                           std::string_view room, const People& people) {
    const auto type = field(e, "type");
    // minutes_changed: live hints for screens showing a meeting (the browser refetches it);
    // nothing a person at a terminal needs to read.
    if (type == "message" || type == "minutes_changed")
        return std::nullopt;
    if (type == "membership")
        return field(e, "room") == room ? std::nullopt : std::optional(membership(e, me, people));
    if (type == "action_assigned")
        return action_assigned(e);
    if (type == "minutes_circulated") {
        const auto meeting = std::to_string(number(e, "meeting"));
        return "Minutes of meeting " + meeting + " in " + safe(field(e, "room")) +
               " were circulated (version " + std::to_string(number(e, "version")) +
               "): 'liaise meeting show " + meeting + "' shows them";
    }
    if (type == "action_reminder")
        return reminder(e);
    if (type == "question")
        return "Your question about '" + safe(field(e, "term")) + "' was " +
               safe(field(e, "status")) + ": " + safe(field(e, "reply"));
    if (type == "keys_changed") {
        const auto user = safe(field(e, "user"));
        return (people.knows(field(e, "user")) ? people.name(field(e, "user")) : user) +
               " has a new device: compare safety numbers ('liaise fingerprint " + user +
               "'), then 'liaise verify " + user + " NUMBER'";
    }
    if (type == "dictionaries")
        return "The dictionaries were updated (version " + std::to_string(number(e, "version")) +
               ")";
    return "The server sent a notice this liaise does not know ('" + safe(type) +
           "'; a newer liaise shows it in words)";
}

}  // namespace liaise::client
