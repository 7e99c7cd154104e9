// The minutes part of the email outbox (mail_notices.hpp): circulation notices to recipients and
// deadline reminders to chairs. Like the action notices, each email is sent once (recorded in
// the follow-up repository after it went) and says nothing of the case: a meeting number, what
// is due (a clock's label), a date, and where Liaise is (mail/notices.hpp).
#include <spdlog/spdlog.h>

#include <mutex>

#include "app/mail_notices.hpp"
#include "app/minutes_template.hpp"
#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/calendar/working_days.hpp"
#include "liaise/mail/notices.hpp"
#include "liaise/protocol/fields.hpp"
#include "store/store.hpp"

namespace liaise::server {
namespace {

/// Emails per pass at most; the rest wait for the next.
constexpr int kBatch = 200;

/// A reminder to write: the chair's address and what to say.
struct Reminder {
    std::string notice;  ///< deadline_soon:CLOCK or deadline_late:CLOCK
    store::Id meeting = 0;
    std::int64_t version = 0;
    store::Id chair = 0;
    std::string email, display_name;
    std::string label;
    calendar::Date due;
    bool late = false;
};

}  // namespace

int MailNotices::sweep_minutes() {
    const auto now = now_ms();
    const auto today = calendar::london_date(now);
    const auto started = calendar::london_date(since_ms_);
    // "About to pass": due today or on the next working day.
    const auto soon =
        calendar::add_working_days(calendar::BankHolidays::england_and_wales(), today, 1);
    // Each circulation email with the day its comment window closes (nullopt: the calendar does
    // not reach that far, and there is nothing sensible to say).
    std::vector<std::pair<store::FollowUpMail, std::optional<calendar::Date>>> circulated;
    std::vector<Reminder> reminders;
    store_.read_and_wait([&](const store::ReadTx& tx) {
        circulated.clear();  // a unit may run twice (store.hpp)
        reminders.clear();
        for (auto& c : tx.followup().pending_circulation_mail(since_ms_, kBatch)) {
            const auto meeting = tx.meetings().meeting(c.meeting);
            if (!meeting)
                continue;  // deleted since (retention): nothing to acknowledge
            const auto closes = minutes_template::comments_close_on(
                meeting_clocks(tx.accounts(), clocks_, meeting->kind, meeting->chair), c.sent_at);
            circulated.emplace_back(std::move(c), closes);
        }
        for (const auto& m : tx.followup().clocked_meetings(0)) {
            if (static_cast<int>(reminders.size()) >= kBatch)
                break;
            const auto chair = tx.accounts().by_id(m.chair);
            const auto email = tx.outbox().email_of(m.chair);
            if (!chair || chair->suspended || !email)
                continue;
            for (const auto& v : minutes_template::deadlines_json(
                     meeting_clocks(tx.accounts(), clocks_, m.kind, m.chair), m.starts_at,
                     m.first_circulated, now)) {
                const auto& d = v.as_object();
                const auto status = protocol::str(d, "status");
                const auto due = calendar::parse_date(protocol::str(d, "due"));
                // Clocks that fell due before the outbox started are not news to anyone.
                if (!due || *due < started || (status != "due" && status != "late"))
                    continue;
                const bool late = status == "late";
                if (!late && (!soon || *due > soon.value()))
                    continue;
                Reminder r{std::string(late ? "deadline_late:" : "deadline_soon:") +
                               protocol::str(d, "clock"),
                           m.id,
                           0,
                           m.chair,
                           *email,
                           chair->display_name,
                           protocol::str(d, "label"),
                           *due,
                           late};
                if (!tx.followup().mail_sent(r.notice, r.meeting, r.version, r.chair))
                    reminders.push_back(std::move(r));
            }
        }
    });
    const mail::Where where{config_.service_url};
    const auto stopping = [this] {
        std::lock_guard lock(mutex_);
        return stopping_;
    };
    // Claims the email (mail_notices.hpp), sends it and records it; false when the send failed
    // (the rest wait for the next pass). An email another node holds or sent is skipped.
    int sent = 0;
    const auto send = [&](const std::string& notice, store::Id meeting, std::int64_t version,
                          store::Id account, const mail::Message& message) {
        const auto key = "mail:" + notice + ":" + std::to_string(meeting) + ":" +
                         std::to_string(version) + ":" + std::to_string(account);
        if (!claim(key, [&](store::Tx& tx) {
                return tx.followup().mail_sent(notice, meeting, version, account);
            }))
            return true;
        const auto result = mail::send(config_.smtp, message);
        if (!result) {
            release_claim(key);
            spdlog::warn("email notices: {} ({}); trying again in {} s", result.error().message,
                         result.error().code, config_.check_seconds);
            return false;
        }
        record_sent(key, [&](store::Tx& tx) {
            tx.followup().mark_mail_sent(notice, meeting, version, account, now_ms());
        });
        ++sent;
        return true;
    };
    for (const auto& [c, closes] : circulated) {
        if (stopping())
            return sent;
        if (!closes)
            continue;
        if (!send(c.notice, c.meeting, c.version, c.account,
                  mail::minutes_circulated({c.email, c.display_name}, where, *closes)))
            return sent;
    }
    for (const auto& r : reminders) {
        if (stopping())
            return sent;
        if (!send(r.notice, r.meeting, r.version, r.chair,
                  mail::minutes_deadline({r.email, r.display_name}, where, r.meeting, r.label,
                                         r.due, r.late)))
            return sent;
    }
    return sent;
}

}  // namespace liaise::server
