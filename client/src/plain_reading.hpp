// Internal: the reading age of text for families (jargon/reading_age.hpp) as `check`, `send` and
// `chat` show it.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/reading_age.hpp"

namespace liaise::client {

/// "Reading age about 14: the aim for families is 9 to 11. The sentences that raise it most:"
/// then one indented line per hardest sentence ("  [about 17] Following the …", shortened to
/// about 90 characters); one line when within the aim. Safe to print (display_line()).
[[nodiscard]] std::vector<std::string> reading_age_lines(std::string_view text,
                                                         const jargon::ReadingAge& age);
/// The same lines for a reading age as the server sends it (jargon::reading_age_json: `years`,
/// `above_aim`, `hardest` [{`reading_age`, `text`}]), e.g. a family member's copy of minutes.
[[nodiscard]] std::vector<std::string> reading_age_lines(const boost::json::object& age);

}  // namespace liaise::client
