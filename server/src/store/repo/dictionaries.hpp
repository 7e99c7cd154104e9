// Repository: the plain-language dictionaries with their history, the common acronyms, noisy
// entry feedback and jargon questions (store/store.hpp). Every change is a new version: the
// files of version N are, per discipline, the newest file at or below N.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// One version's dictionary files: discipline -> TSV text.
using DictionaryFiles = std::map<std::string, std::string>;

struct DictionaryVersion {
    std::int64_t version = 0;
    std::string by;  ///< user name, "" if unknown
    Millis at = 0;
    std::string summary;
};

struct NoisyEntry {
    std::string discipline, term;
    std::int64_t fixed = 0, sent_anyway = 0, reporters = 0;
};

struct Question {
    Id id = 0;
    std::string term, room;  ///< room "" when asked outside a room
    Id asked_by = 0;
    std::string asked_by_user;
    Millis asked_at = 0;
    std::string status;  ///< open, answered, dismissed
    std::string reply;
    std::string answered_by_user;
    std::optional<Millis> answered_at;
};

class DictionariesView {
  public:
    virtual ~DictionariesView() = default;
    [[nodiscard]] virtual std::int64_t current_version() const = 0;
    [[nodiscard]] virtual DictionaryFiles current() const = 0;
    /// nullopt for a version that does not exist.
    [[nodiscard]] virtual std::optional<DictionaryFiles> at_version(std::int64_t v) const = 0;
    [[nodiscard]] virtual std::string common_acronyms() const = 0;
    /// Newest first, at most `limit`.
    [[nodiscard]] virtual std::vector<DictionaryVersion> versions(std::int64_t limit) const = 0;
    /// Entries that at least `min_reporters` accounts reported noisy, with their counts summed
    /// over every day: most sent anyway first, then by override rate, then by term.
    [[nodiscard]] virtual std::vector<NoisyEntry> noisy(std::int64_t min_reporters) const = 0;
    [[nodiscard]] virtual std::optional<Question> question(Id id) const = 0;
    /// Questions with `status` ("" for all), oldest first, at most `limit`.
    [[nodiscard]] virtual std::vector<Question> questions(std::string_view status,
                                                          std::int64_t limit) const = 0;
    /// The questions `account` asked, newest first, at most `limit`.
    [[nodiscard]] virtual std::vector<Question> questions_asked_by(Id account,
                                                                   std::int64_t limit) const = 0;
};

class Dictionaries : public DictionariesView {
  public:
    /// Stores `files` as a new version if they differ from the current ones; returns it, or
    /// nullopt when nothing changed.
    [[nodiscard]] virtual std::optional<std::int64_t> commit(const DictionaryFiles& files, Id actor,
                                                             std::string_view summary,
                                                             Millis at) = 0;
    /// Records one account's noisy-entry counts (`reporters` ignored) for `day` (YYYY-MM-DD,
    /// UTC); false, recording nothing, if it already reported on `day` or later (one report a
    /// day).
    [[nodiscard]] virtual bool report_noisy(Id account, std::string_view day,
                                            const std::vector<NoisyEntry>& entries) = 0;
    /// Records a question; returns its id.
    [[nodiscard]] virtual Id ask(std::string_view term, Id room, Id asked_by, Millis at) = 0;
    virtual void close_question(Id id, std::string_view status, std::string_view reply,
                                Id answered_by, Millis at) = 0;
    /// Replaces the common acronyms list (not versioned; common_acronyms() returns it).
    virtual void set_common_acronyms(std::string_view text) = 0;
    /// For dictionaries stored before there were versions: if no version is recorded, records
    /// the current files as version max(current_version(), 1), made by the operator at `at`
    /// with `summary`, and returns true; otherwise changes nothing and returns false.
    virtual bool ensure_history(Millis at, std::string_view summary) = 0;
};

}  // namespace liaise::server::store
