// Meeting kinds as data: for each kind of multi-agency meeting, the sections its record must have
// (its template), which of them a family member's copy leaves out by default, and its
// circulation clocks. The shipped catalogue is meeting_kinds/data/kinds.toml (the format and the
// sources are described at its top); a deployment may load its own.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/base/expected.hpp"
#include "liaise/calendar/clocks.hpp"

namespace liaise::meeting_kinds {

/// A heading in a record.
struct Section {
    std::string id;        ///< "child-views"
    std::string label;     ///< "The child's views and wishes"
    std::string guidance;  ///< what goes under it, for the minute-taker
};

struct Kind {
    std::string id;     ///< "core-group"; lower-case letters, digits and '-'
    std::string label;  ///< "Core group"
    /// The section ids its record must have, in the order they appear.
    std::vector<std::string> sections;
    /// The sections left out of a family member's copy unless the chair decides otherwise.
    std::set<std::string, std::less<>> professionals_only;
    /// Whether the decision records each agency's view (child protection conferences).
    bool vote_recorded = false;
    /// The kind's own clocks; an unset clock does not apply to this kind.
    calendar::ClockDays clocks;

    [[nodiscard]] bool has_section(std::string_view id) const;
    [[nodiscard]] bool is_professionals_only(std::string_view id) const {
        return professionals_only.contains(id);
    }
};

class Catalogue {
  public:
    /// Parses a catalogue in the format of meeting_kinds/data/kinds.toml. Fails with
    /// "kinds_bad_data" and a message naming `source` and the kind or section for a TOML syntax
    /// error, an unknown key, an id that is not lower-case letters, digits and '-', a missing or
    /// empty label, a kind with no sections, a section named twice in a kind, a section or
    /// professionals-only entry that is not defined (or not among the kind's sections), or a
    /// clock that is unknown or not 0 to 60 working days.
    [[nodiscard]] static base::Expected<Catalogue> parse(std::string_view toml,
                                                         std::string_view source);
    [[nodiscard]] static base::Expected<Catalogue> load(const std::filesystem::path& file);
    /// The shipped catalogue, compiled into the library.
    [[nodiscard]] static const Catalogue& shipped();

    /// Null when there is no such kind or section.
    [[nodiscard]] const Kind* kind(std::string_view id) const;
    [[nodiscard]] const Section* section(std::string_view id) const;
    /// Every kind, in the order of the file.
    [[nodiscard]] const std::vector<Kind>& kinds() const noexcept { return kinds_; }

    /// The clocks for a meeting of `kind` held by `agency` under `settings`; nullopt for an
    /// unknown kind.
    [[nodiscard]] std::optional<calendar::ClockDays> clocks(
        std::string_view kind, std::string_view agency,
        const calendar::ClockSettings& settings) const;
    /// Loads an agency clock settings file (calendar::ClockSettings) whose kinds must be this
    /// catalogue's.
    [[nodiscard]] base::Expected<calendar::ClockSettings> load_clock_settings(
        const std::filesystem::path& file) const;

    /// The kind's sections that `filled` (section ids with content) lacks, in the kind's order;
    /// "kinds_unknown" for an unknown kind, "kinds_unknown_section" for a filled id the kind
    /// does not have.
    [[nodiscard]] base::Expected<std::vector<std::string>> missing_sections(
        std::string_view kind, const std::set<std::string, std::less<>>& filled) const;

  private:
    Catalogue() = default;
    std::vector<Kind> kinds_;
    std::map<std::string, Section, std::less<>> sections_;
};

}  // namespace liaise::meeting_kinds
