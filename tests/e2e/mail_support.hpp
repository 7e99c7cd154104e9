// Helpers shared by the email and minutes follow-up e2e tests (mail_e2e_tests): what a mail's text
// holds, today's date as the server counts it, and one meeting of a `minutes_due` reply.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <ctime>
#include <string>

namespace liaise::test {

/// Whether `text` (a mail as the SMTP sink saved it, or a message) contains `part`.
inline bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// Today in UTC, "YYYY-MM-DD" (London's date too, except in the hour after midnight in summer).
inline std::string today() {
    const auto now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

/// The meeting `id` in a `minutes_due` reply, or null when the reply does not list it.
inline const boost::json::object* find_meeting(const boost::json::object& due, std::int64_t id) {
    for (const auto& v : due.at("meetings").as_array())
        if (v.at("meeting").as_int64() == id)
            return &v.as_object();
    return nullptr;
}

}  // namespace liaise::test
