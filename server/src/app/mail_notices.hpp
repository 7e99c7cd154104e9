// Internal: the email outbox. A thread of its own that, every `check_seconds`, finds the action
// notices due (an action given to someone, an action overdue) and the minutes notices due
// (minutes circulated for acknowledgement, a chair's deadline reminders) for accounts with an
// email address
// and sends each through the operator's SMTP relay, then records it as sent. It never runs on
// the request path: a slow or broken relay delays only the next email, never a request, and a
// failed send is tried again at the next check. Emails carry no case content (mail/notices.hpp).
// At least once: a crash between a send and its record sends that notice again.
//
// Several nodes on one store (PostgreSQL) each run an outbox and share the work: each email is
// claimed in the store before it is sent (store/repo/outbox.hpp has the contract), so it goes out
// from one node only; a node that dies mid-send leaves its claim to run out, and another sends.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <toml++/toml.h>

#include "liaise/calendar/clocks.hpp"
#include "liaise/server/server.hpp"

namespace liaise::server {

namespace store {
class Store;
class Tx;
}  // namespace store

class MailNotices {
  public:
    /// Starts the outbox thread; `store` must outlive this. Its thread waits for the store's
    /// units of work (store/repo/outbox.hpp), never a network thread. `clocks` are the
    /// operator's circulation clock settings, for the deadlines the minutes emails name (the
    /// same as the Service's: app/meeting_clocks.hpp). `node` names this server process in the
    /// claims it makes (unique among the nodes sharing the store).
    MailNotices(store::Store& store, MailConfig config, calendar::ClockSettings clocks = {},
                std::string node = "local");
    /// Stops the thread, after the send under way (at most one SMTP timeout per step).
    ~MailNotices();
    MailNotices(const MailNotices&) = delete;
    MailNotices& operator=(const MailNotices&) = delete;

  private:
    void run();
    /// One pass: sends what is pending; returns how many were sent.
    int sweep();
    /// The minutes part of a pass (minutes_mail.cpp): "minutes circulated for your
    /// acknowledgement" to each recipient with an address, and to each meeting's chair a
    /// reminder when a circulation clock falls due within a working day and when it has passed.
    /// Returns how many were sent; stops at the first failed send (tried again next pass).
    int sweep_minutes();
    /// Claims email `key` for this node in one write unit: true when this node is to send it
    /// now, false when another node holds it or (`sent`, asked in the same unit after the claim)
    /// it went already.
    bool claim(const std::string& key, const std::function<bool(store::Tx&)>& was_sent);
    /// After a send: `record` it and release the claim, in one write unit.
    void record_sent(const std::string& key, const std::function<void(store::Tx&)>& record);
    /// After a failed send: releases the claim, so that any node tries again at its next pass.
    void release_claim(const std::string& key);
    /// The daily digest (mail_digest.cpp): on a working day from the configured time, or on
    /// the day an admin asked for it to run now (digest_run), one email to each account due
    /// one (store/repo/reading.hpp), each claimed per (person, day) like every email here and
    /// recorded once sent, so that of several nodes exactly one sends it. Returns how many were
    /// sent; stops at the first failed send (tried again next pass).
    int sweep_digest();

    store::Store& store_;
    MailConfig config_;
    calendar::ClockSettings clocks_;
    std::string node_;
    std::chrono::milliseconds lease_;  ///< how long a claim lasts: longer than any one send
    std::int64_t since_ms_ = 0;
    /// The day (YYYY-MM-DD) whose digest run this node finished: not looked at again that day.
    /// Outbox thread only.
    std::string digest_done_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

/// Reads the server config's [smtp] table into `config.mail`; returns the problem in plain words,
/// or empty. Keys: host, port, from, from_name, username, password_file, ca_file,
/// plain_loopback, timeout_ms, service_url, check_seconds, digest, digest_time.
[[nodiscard]] std::string load_smtp_config(const toml::node& node, Config& config);

}  // namespace liaise::server
