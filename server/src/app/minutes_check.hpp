// Internal: the plain-language check of a meeting's minutes, section by section, for the
// audience that will read them. A pure function of the engine, the audience and the minutes as
// minutes_json makes them (PROTOCOL.md, "Meetings and minutes"); CPU-heavy, so a caller that can
// should run it off the writer. Thread-safety: as jargon::Engine::check (any thread).
#pragma once

#include <boost/json/object.hpp>

#include "liaise/jargon/engine.hpp"

namespace liaise::server {

/// {"audience", "findings" (total), "readability" (all text), "sections": [{"section", "id",
/// "field", "label", "findings", "readability"}]}: every piece of minutes text checked, the empty
/// ones skipped.
[[nodiscard]] boost::json::object check_minutes(const jargon::Engine& engine,
                                                const jargon::Audience& audience,
                                                const boost::json::object& minutes);

}  // namespace liaise::server
