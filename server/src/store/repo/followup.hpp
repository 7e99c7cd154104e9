// Repository: what follows the circulation of minutes (store/store.hpp): each recipient's
// acknowledgement of the version sent to them, accuracy comments on it and how the chair resolved
// each, the meetings whose circulation clocks someone must watch, and which follow-up emails were
// sent (each once). A comment's text and an answer's text are case content: they reach the store
// only sealed (at_rest.hpp, for ("minutes_comments", id, rev)); the store keeps who, on which
// version and section, when, and how it was resolved, to be asked by.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/meetings.hpp"
#include "store/repo/types.hpp"

namespace liaise::server::store {

/// What acknowledge() did.
enum class Acknowledged {
    now,  ///< recorded at the time given
    /// It had been acknowledged before acknowledgements were signed: that acknowledgement keeps
    /// its time and now has the signature given.
    signed_now,
    already,        ///< it had been acknowledged before; the first time stays
    not_recipient,  ///< the account was not sent that version
};

/// An accuracy comment on a section of a circulated version.
struct AccuracyComment {
    Id id = 0;
    Id meeting = 0;
    std::int64_t version = 0;
    Id author = 0;
    std::string author_user;  ///< on reads
    std::string section;      ///< a template section id, "decisions", "actions" or "general"
    Millis sent_at = 0;
    std::string resolution;  ///< "" while open, "answered" or "corrected"
    Id resolved_by = 0;      ///< 0 while open
    std::optional<Millis> resolved_at;
    std::int64_t corrected_in = 0;  ///< for "corrected": the version that corrects it
    std::int64_t rev = 0;
    Bytes body;  ///< sealed {"text", "answer"} for ("minutes_comments", id, rev)
};

/// A meeting as its clocks need it: no sealed body.
struct ClockedMeeting {
    Id id = 0;
    Id room = 0;
    std::string room_name;
    std::string kind, starts_at, status;
    Id chair = 0, minute_taker = 0;
    std::int64_t version = 0;
    std::optional<Millis> first_circulated;  ///< the first version's circulation, if any
};

/// A follow-up email to send: to `account` about version `version` of `meeting`.
struct FollowUpMail {
    std::string notice;  ///< "minutes_circulated", or "deadline_soon:CLOCK" / "deadline_late:CLOCK"
    Id meeting = 0;
    std::int64_t version = 0;
    Id account = 0;
    std::string email, display_name;
    std::string kind;    ///< the meeting's kind, for its clocks
    Millis sent_at = 0;  ///< for minutes_circulated: when the version was sent to the account
};

class FollowUpView {
  public:
    virtual ~FollowUpView() = default;
    /// When the account acknowledged version `v` of the meeting; nullopt if it has not (or was
    /// not sent it).
    [[nodiscard]] virtual std::optional<Millis> acknowledged_at(Id meeting, std::int64_t v,
                                                                Id account) const = 0;
    [[nodiscard]] virtual std::optional<AccuracyComment> comment(Id id) const = 0;
    /// The meeting's comments on every version, oldest first.
    [[nodiscard]] virtual std::vector<AccuracyComment> comments(Id meeting) const = 0;
    /// The meetings `account` chairs or takes the minutes of (every one when account is 0)
    /// that are not approved, by start and id.
    [[nodiscard]] virtual std::vector<ClockedMeeting> clocked_meetings(Id account) const = 0;
    /// Circulation emails not yet sent, oldest first, at most `limit`: each copy of a version
    /// sent at or after `since` to an account that is not suspended and has an email address,
    /// and that has not acknowledged it.
    [[nodiscard]] virtual std::vector<FollowUpMail> pending_circulation_mail(Millis since,
                                                                             int limit) const = 0;
    /// Whether `notice` was sent to `account` about that version of the meeting.
    [[nodiscard]] virtual bool mail_sent(std::string_view notice, Id meeting, std::int64_t v,
                                         Id account) const = 0;
};

class FollowUp : public FollowUpView {
  public:
    /// Records that `account` acknowledged receipt of version `v` of the meeting at `at`, with
    /// the signature its device made (already checked; its key fields are ignored; an empty
    /// `signature.signature` records an unsigned one, as acknowledgements were before they were
    /// signed). A copy acknowledged before keeps its first time; its signature stays too, except
    /// that an unsigned acknowledgement takes the first signature given for it (signed_now). A
    /// signed one is never replaced, by an unsigned or by a different signature.
    [[nodiscard]] virtual Acknowledged acknowledge(Id meeting, std::int64_t v, Id account,
                                                   Millis at, const AckSignature& signature) = 0;
    /// Adds a comment (c.id and c.rev ignored; rev starts at 1); returns its id. Its body is
    /// sealed by the caller afterwards (the id is part of the associated data): update it.
    [[nodiscard]] virtual Id add_comment(const AccuracyComment& c) = 0;
    /// Writes body, rev and the resolution fields of comment c.id.
    virtual void update_comment(const AccuracyComment& c) = 0;
    /// Records that `notice` was sent to `account` at `at`; a notice recorded already stays.
    virtual void mark_mail_sent(std::string_view notice, Id meeting, std::int64_t v, Id account,
                                Millis at) = 0;
};

}  // namespace liaise::server::store
