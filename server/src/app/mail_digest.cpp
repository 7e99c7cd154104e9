// The daily digest part of the email outbox (mail_notices.hpp): once a day, to each account with
// unread messages that arrived since its previous digest, one email saying how many rooms have
// unread messages and where Liaise is. It names no room, no sender and nothing that was said
// (room names can name a family; mail/notices.hpp).
//
// When: on a working day in England and Wales, from the configured time (London) on, counting
// messages sent up to that time; or, if sooner, when an admin asked for it to run now
// (digest_run), counting messages sent up to the request. A day has one run: its cutoff is
// fixed in the store when it starts, and which digest went to whom is recorded as each is sent
// (store/repo/reading.hpp). So each account gets at most one a day, a restart (or another node)
// resumes the day's run and counts nothing newer, and the next day's digest counts only messages
// after this one's cutoff.
//
// Several nodes on one store: each digest is claimed per (person, day) before it is sent, as
// every email of the outbox is (store/repo/claims.hpp, key "mail:digest:DAY:ACCOUNT"); the claim
// and the question whether that digest went already are one unit. So of several nodes running
// the day's pass at once exactly one sends a person's digest; the others pass it by. A node that
// dies mid-send holds its claim until the lease runs out, and then another node sends it. A node
// counts its day's run done only when the store has no digest of the day left to send, so one
// left by a failed or dead node is picked up by whichever node passes next.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "app/mail_notices.hpp"
#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/calendar/working_days.hpp"
#include "liaise/mail/notices.hpp"
#include "store/store.hpp"

namespace liaise::server {
namespace {

/// Digests per pass at most; the rest wait for the next.
constexpr int kBatch = 200;

/// The instant (ms) London's clocks show `minutes` past midnight on `day` (on the days the
/// clocks change, as calendar/london_time.hpp says).
std::int64_t london_instant(calendar::Date day, int minutes) {
    using namespace std::chrono;
    return duration_cast<milliseconds>(calendar::london_instant(day, minutes).time_since_epoch())
        .count();
}

}  // namespace

int MailNotices::sweep_digest() {
    if (!config_.digest)
        return 0;
    const auto now = now_ms();
    const auto today = calendar::london_date(now);
    std::optional<std::int64_t> cutoff;
    const auto working =
        calendar::is_working_day(calendar::BankHolidays::england_and_wales(), today);
    if (working && working.value()) {
        const auto at = london_instant(today, config_.digest_minutes);
        if (now >= at)
            cutoff = at;
    }
    const auto day = calendar::iso_text(today);
    if (digest_done_ == day)
        return 0;
    std::vector<store::PendingDigest> todo;
    store_.read_and_wait([&](const store::ReadTx& tx) {
        if (const auto fixed = tx.reading().digest_cutoff(day)) {
            cutoff = fixed;  // today's run started: resume it, counting nothing newer
            return;
        }
        const auto asked = tx.reading().digest_requested();
        if (asked && *asked <= now && calendar::london_date(*asked) == today)
            cutoff = std::min(cutoff.value_or(*asked), *asked);
    });
    if (!cutoff)
        return 0;
    store_.write_and_wait(
        [&](store::Tx& tx) { cutoff = tx.reading().fix_digest_cutoff(day, *cutoff); });
    store_.read_and_wait([&](const store::ReadTx& tx) {
        todo = tx.reading().pending_digests(day, since_ms_, *cutoff, kBatch);
    });
    const mail::Where where{config_.service_url};
    int sent = 0;
    for (const auto& d : todo) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return sent;
        }
        const auto key = "mail:digest:" + day + ":" + std::to_string(d.account);
        if (!claim(key, [&](store::Tx& tx) { return tx.reading().digest_sent(d.account, day); }))
            continue;  // another node sends it, or has
        const auto result = mail::send(
            config_.smtp, mail::unread_digest({d.email, d.display_name}, where, d.unread_rooms));
        if (!result) {
            release_claim(key);
            // The relay's words, never the message; the rest wait for the next pass.
            spdlog::warn("email notices: {} ({}); trying again in {} s", result.error().message,
                         result.error().code, config_.check_seconds);
            return sent;
        }
        record_sent(key, [&](store::Tx& tx) {
            tx.reading().mark_digest_sent(d.account, day, *cutoff, now_ms());
        });
        ++sent;
    }
    // Over on this node once nothing of the day is left to send, by this node or another (one
    // passed by above may still be another node's, sending or dead).
    const bool left = store_.read_now([&](const store::ReadTx& tx) {
        return !tx.reading().pending_digests(day, since_ms_, *cutoff, 1).empty();
    });
    if (!left)
        digest_done_ = day;
    return sent;
}

}  // namespace liaise::server
