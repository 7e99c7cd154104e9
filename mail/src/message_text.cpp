#include "message_text.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace liaise::mail {
namespace {

/// "Mon, 07 Dec 2026 01:14:27 +0000".
std::string rfc5322_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    constexpr std::array days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    constexpr std::array months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char out[64];
    std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return out;
}

std::string message_id(std::string_view from) {
    std::random_device random;
    std::string id;
    constexpr std::string_view hex = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
        const auto r = random();
        for (int j = 0; j < 4; ++j)
            id += hex[(r >> (j * 4)) & 0xf];
    }
    return "<" + id + "." + std::to_string(std::time(nullptr)) +
           std::string(from.substr(from.find('@'))) + ">";
}

}  // namespace

bool plain_subject(std::string_view subject) {
    if (subject.empty() || subject.size() > 200)
        return false;
    for (char c : subject)
        if (c < ' ' || c > '~')
            return false;
    return true;
}

std::string message_text(const SmtpSettings& settings, const Message& message) {
    std::string out;
    const auto header = [&](std::string_view name, const std::string& value) {
        out += std::string(name) + ": " + value + "\r\n";
    };
    header("From", settings.from_name.empty()
                       ? settings.from
                       : "\"" + settings.from_name + "\" <" + settings.from + ">");
    header("To", message.to);
    header("Subject", message.subject);
    header("Date", rfc5322_now());
    header("Message-ID", message_id(settings.from));
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");
    header("Content-Transfer-Encoding", "8bit");
    // Notices are not to be answered, and automatic replies are not wanted.
    header("Auto-Submitted", "auto-generated");
    out += "\r\n";
    // Body: every line end becomes CRLF; a line starting with '.' gets another (RFC 5321 4.5.2).
    bool line_start = true;
    for (std::size_t i = 0; i < message.body.size(); ++i) {
        const char c = message.body[i];
        if (c == '\r')
            continue;
        if (line_start && c == '.')
            out += '.';
        if (c == '\n') {
            out += "\r\n";
            line_start = true;
            continue;
        }
        out += c;
        line_start = false;
    }
    if (!line_start)
        out += "\r\n";
    return out;
}

}  // namespace liaise::mail
