#include "events.hpp"

#include <ctime>
#include <string_view>

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

/// "6 Dec 2026", local.
std::string day(std::int64_t ms) {
    const auto t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%d %b %Y", &tm);
    std::string out = buf;
    return out.starts_with('0') ? out.substr(1) : out;
}

std::int64_t number(const json::object& e, std::string_view key) {
    const auto* v = e.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
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
            out += " on " + day(at);
        return out + ": verify " + subject(e) + " again before trusting it";
    }
    return "The room changed ('" + safe(kind) + "'; a newer liaise shows it in words)";
}

}  // namespace liaise::client
