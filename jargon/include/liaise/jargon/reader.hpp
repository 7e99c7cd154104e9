// The reader's check: what someone reading a message may not understand in it, which depends on
// who wrote it as well as who reads it. Shared by `liaise read` and the browser's engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/engine.hpp"

namespace liaise::jargon {

/// What a reader from `reader_discipline` may not know in `text`, written by someone from one of
/// `writer_disciplines` (the writer's own, or every discipline of the room when the writer is not
/// known): every term from another discipline (and officialese), and every term the reader's own
/// dictionary knows that means something else (other plain words) in a writer's discipline ("CP"
/// is cerebral palsy to a nurse, child protection to a social worker). Findings in text order,
/// never overlapping. Written in the reader's own discipline, a term means what they think. An
/// ambiguous term keeps only the meaning of the writer's discipline(s) when they have exactly
/// one (settle_meanings).
/// Narrows each finding with several meanings to those of `writer_disciplines` when the writer's
/// disciplines give it exactly one meaning in plain words ("CP" written by a social worker is
/// child protection); other findings are left as they are. For the send-side check as well.
void settle_meanings(CheckResult& result, std::vector<std::string> writer_disciplines);

[[nodiscard]] CheckResult check_for_reader(const Engine& engine, std::string_view text,
                                           const std::string& reader_discipline,
                                           std::vector<std::string> writer_disciplines);

}  // namespace liaise::jargon
