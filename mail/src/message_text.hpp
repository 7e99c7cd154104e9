// Internal: a Message as the text sent after DATA (RFC 5322 headers, body with CRLF line ends
// and dot-stuffing, without the final ".\r\n").
#pragma once

#include <string>
#include <string_view>

#include "liaise/mail/smtp.hpp"

namespace liaise::mail {

/// One line of printable ASCII, 1 to 200 characters.
[[nodiscard]] bool plain_subject(std::string_view subject);

/// Precondition: the settings, recipient and subject were checked (send() does).
[[nodiscard]] std::string message_text(const SmtpSettings& settings, const Message& message);

}  // namespace liaise::mail
