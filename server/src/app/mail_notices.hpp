// Internal: the email outbox. A thread of its own that, every `check_seconds`, finds the action
// notices due (an action given to someone, an action overdue) and the minutes notices due
// (minutes circulated for acknowledgement, a chair's deadline reminders) for accounts with an
// email address
// and sends each through the operator's SMTP relay, then records it as sent. It never runs on
// the request path: a slow or broken relay delays only the next email, never a request, and a
// failed send is tried again at the next check. Emails carry no case content (mail/notices.hpp).
// At least once: a crash between a send and its record sends that notice again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include <toml++/toml.h>

#include "liaise/server/server.hpp"

namespace liaise::server {

namespace store {
class Store;
}

class MailNotices {
  public:
    /// Starts the outbox thread; `store` must outlive this. Its thread waits for the store's
    /// units of work (store/repo/outbox.hpp), never a network thread.
    MailNotices(store::Store& store, MailConfig config);
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
    /// The daily digest (mail_digest.cpp): on a working day from the configured time, or on
    /// the day an admin asked for it to run now (digest_run), one email to each account due
    /// one (store/repo/reading.hpp), each recorded once sent. Returns how many were sent;
    /// stops at the first failed send (tried again next pass).
    int sweep_digest();

    store::Store& store_;
    MailConfig config_;
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
