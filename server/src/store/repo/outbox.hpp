// Repository: what the email outbox keeps (store/store.hpp): each account's email address,
// which notices were sent (each is sent once), and when the outbox first ran (notices cover
// only actions given after that, so turning email on does not mail everyone about every old
// action). Addresses are personal data: the app never writes them to the audit log.
//
// Several nodes on one store each run an outbox (app/mail_notices.hpp), and each email goes out
// once: before sending, a node claims it (Claims, repo/claims.hpp, key "mail:NOTICE:...") and,
// in the same unit, checks it was not sent meanwhile (was_sent(), or FollowUp::mail_sent for
// the minutes' emails); only then does it send, then records it sent and releases the claim in
// one unit. A node that does not get the claim leaves the email to the holder. A claim runs out
// (a node that died mid-send): another node then takes it and sends the email again; that, and
// a node that sends but dies before recording it, are the only ways an email goes twice.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/repo/types.hpp"

namespace liaise::server::store {

/// Which notice: an action given to its owner, or an action past its due date.
enum class Notice { action_assigned, action_overdue };

/// A notice to send: the action, its owner and where to write, its due date (YYYY-MM-DD).
struct PendingNotice {
    Notice notice = Notice::action_assigned;
    Id action = 0;
    Id account = 0;
    std::string email;
    std::string display_name;
    std::string due;
};

class OutboxView {
  public:
    virtual ~OutboxView() = default;
    /// The account's email address, if it has one.
    [[nodiscard]] virtual std::optional<std::string> email_of(Id account) const = 0;
    /// Notices not yet sent, oldest action first, at most `limit`: actions given (created or
    /// reassigned) at or after `since` to an account that is not suspended and has an email
    /// address, then open actions of such accounts due before `today` (YYYY-MM-DD). Open: not
    /// done, not_done or cancelled.
    [[nodiscard]] virtual std::vector<PendingNotice> pending(Millis since, std::string_view today,
                                                             int limit) const = 0;
    /// Whether `p` (its notice, action and account) was recorded as sent.
    [[nodiscard]] virtual bool was_sent(const PendingNotice& p) const = 0;
};

class Outbox : public OutboxView {
  public:
    /// Sets (or, with an empty address, clears) an account's email address; false (and no
    /// change) when it was so already.
    [[nodiscard]] virtual bool set_email(Id account, std::string_view email) = 0;
    /// Records that `p` was sent at `at`; a notice recorded already stays as it was.
    virtual void mark_sent(const PendingNotice& p, Millis at) = 0;
    /// When the outbox first ran: set to `now` the first time, and returned ever after.
    [[nodiscard]] virtual Millis started_at(Millis now) = 0;
};

}  // namespace liaise::server::store
