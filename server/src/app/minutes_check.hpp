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

/// For each family member who receives a copy of `minutes` (as minutes_json makes them): the
/// reading age of what their copy would hold now (minutes_template::copy_document: the sections
/// chosen for them, with the decisions, reports, agency views and actions that go with those),
/// as `liaise check` gives it for the public: [{"entry", "name", "role", "sections" (how many),
/// "reading_age" (reading_age_json, or null for a copy without words)}]. An entry whose chosen
/// sections include one marked professionals-only since is left out (circulation refuses it).
[[nodiscard]] boost::json::array copy_reading_ages(const boost::json::object& minutes);

}  // namespace liaise::server
