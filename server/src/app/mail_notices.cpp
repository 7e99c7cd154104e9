#include "app/mail_notices.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "clock.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/mail/notices.hpp"
#include "store/store.hpp"

namespace liaise::server {
namespace {

/// Notices sent per pass at most; the rest wait for the next.
constexpr int kBatch = 200;

/// "08:00" (two digits, a colon, two digits; 00:00 to 23:59) as minutes past midnight.
std::optional<int> digest_minutes(std::string_view hhmm) {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (hhmm.size() != 5 || hhmm[2] != ':' || !digit(hhmm[0]) || !digit(hhmm[1]) ||
        !digit(hhmm[3]) || !digit(hhmm[4]))
        return std::nullopt;
    const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59)
        return std::nullopt;
    return h * 60 + m;
}

}  // namespace

MailNotices::MailNotices(store::Store& store, MailConfig config, calendar::ClockSettings clocks,
                         std::string node)
    : store_(store),
      config_(std::move(config)),
      clocks_(std::move(clocks)),
      node_(std::move(node)),
      // A send is a handful of SMTP steps, each within the timeout; a claim outlasts them all.
      lease_(std::chrono::minutes(1) + 10 * config_.smtp.timeout) {
    store_.write_and_wait([this](store::Tx& tx) { since_ms_ = tx.outbox().started_at(now_ms()); });
    spdlog::info("email notices on, through {}:{}", config_.smtp.host, config_.smtp.port);
    thread_ = std::thread([this] { run(); });
}

MailNotices::~MailNotices() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void MailNotices::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            sweep();
        } catch (const std::exception& e) {
            spdlog::warn("email notices: {}", e.what());
        }
        lock.lock();
        wake_.wait_for(lock, std::chrono::seconds(config_.check_seconds),
                       [this] { return stopping_; });
    }
}

bool MailNotices::claim(const std::string& key, const std::function<bool(store::Tx&)>& was_sent) {
    bool mine = false;
    store_.write_and_wait([&](store::Tx& tx) {
        const auto now = now_ms();
        mine = tx.claims().claim(key, node_, now, now + lease_.count());
        // Asked after the claim, in its unit: a node that sent it and released its claim just
        // before has committed its record, and this sees it.
        if (mine && was_sent(tx)) {
            tx.claims().release(key, node_);
            mine = false;
        }
    });
    return mine;
}

void MailNotices::record_sent(const std::string& key,
                              const std::function<void(store::Tx&)>& record) {
    store_.write_and_wait([&](store::Tx& tx) {
        record(tx);
        tx.claims().release(key, node_);
    });
}

void MailNotices::release_claim(const std::string& key) {
    store_.write_and_wait([&](store::Tx& tx) { tx.claims().release(key, node_); });
}

int MailNotices::sweep() {
    const auto today = calendar::iso_text(calendar::london_date(now_ms()));
    const auto todo = store_.read_now(
        [&](const store::ReadTx& tx) { return tx.outbox().pending(since_ms_, today, kBatch); });
    const mail::Where where{config_.service_url};
    int sent = 0;
    bool failed = false;
    for (const auto& p : todo) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                break;
        }
        const auto due = calendar::parse_date(p.due);
        if (!due)
            continue;  // not a date (the minutes code validates dues): nothing sensible to say
        const bool assigned = p.notice == store::Notice::action_assigned;
        const auto key = std::string("mail:") +
                         (assigned ? "action_assigned:" : "action_overdue:") +
                         std::to_string(p.action) + ":" + std::to_string(p.account);
        if (!claim(key, [&](store::Tx& tx) { return tx.outbox().was_sent(p); }))
            continue;  // another node sends it, or has
        const mail::Recipient to{p.email, p.display_name};
        const auto message = assigned ? mail::action_assigned(to, where, p.action, *due)
                                      : mail::action_overdue(to, where, p.action, *due);
        const auto result = mail::send(config_.smtp, message);
        if (!result) {
            release_claim(key);
            // The relay's words, never the message; the rest wait for the next pass.
            spdlog::warn("email notices: {} ({}); trying again in {} s", result.error().message,
                         result.error().code, config_.check_seconds);
            failed = true;
            break;
        }
        record_sent(key, [&](store::Tx& tx) { tx.outbox().mark_sent(p, now_ms()); });
        ++sent;
    }
    if (!failed)
        sent += sweep_minutes();
    if (!failed)
        sent += sweep_digest();
    if (sent > 0)
        spdlog::info("email notices: {} sent", sent);
    return sent;
}

std::string load_smtp_config(const toml::node& node, Config& config) {
    const auto* table = node.as_table();
    if (table == nullptr)
        return "smtp must be a table: [smtp]";
    MailConfig mail;
    for (const auto& [key, value] : *table) {
        const std::string k(key.str());
        const auto text = [&]() -> std::optional<std::string> {
            auto v = value.value<std::string>();
            if (!value.is_string() || !v || v->empty())
                return std::nullopt;
            return v;
        };
        const auto number = [&](std::int64_t min, std::int64_t max) -> std::optional<std::int64_t> {
            auto v = value.value<std::int64_t>();
            if (!value.is_integer() || !v || *v < min || *v > max)
                return std::nullopt;
            return v;
        };
        if (k == "host" || k == "from" || k == "from_name" || k == "username" ||
            k == "service_url") {
            const auto v = text();
            if (!v)
                return "smtp." + k + " must be a string";
            if (k == "host")
                mail.smtp.host = *v;
            else if (k == "from")
                mail.smtp.from = *v;
            else if (k == "from_name")
                mail.smtp.from_name = *v;
            else if (k == "username")
                mail.smtp.username = *v;
            else
                mail.service_url = *v;
        } else if (k == "password_file" || k == "ca_file") {
            const auto v = text();
            if (!v)
                return "smtp." + k + " must be the name of a file";
            if (k == "ca_file") {
                mail.smtp.ca_file = *v;
                continue;
            }
            std::ifstream in(*v, std::ios::binary);
            if (!in)
                return "smtp.password_file: " + *v + " cannot be read";
            std::ostringstream s;
            s << in.rdbuf();
            auto password = s.str();
            while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
                password.pop_back();
            if (password.empty())
                return "smtp.password_file: " + *v + " is empty";
            mail.smtp.password = std::move(password);
        } else if (k == "port") {
            const auto v = number(1, 65535);
            if (!v)
                return "smtp.port must be an integer from 1 to 65535";
            mail.smtp.port = static_cast<std::uint16_t>(*v);
        } else if (k == "timeout_ms") {
            const auto v = number(100, 600'000);
            if (!v)
                return "smtp.timeout_ms must be an integer from 100 to 600000";
            mail.smtp.timeout = std::chrono::milliseconds(*v);
        } else if (k == "check_seconds") {
            const auto v = number(1, 86'400);
            if (!v)
                return "smtp.check_seconds must be an integer from 1 to 86400";
            mail.check_seconds = static_cast<int>(*v);
        } else if (k == "digest") {
            const auto v = value.value<bool>();
            if (!value.is_boolean() || !v)
                return "smtp.digest must be true or false";
            mail.digest = *v;
        } else if (k == "digest_time") {
            const auto v = text();
            const auto minutes = v ? digest_minutes(*v) : std::nullopt;
            if (!minutes)
                return "smtp.digest_time must be a time of day like \"08:00\" (London time)";
            mail.digest_minutes = *minutes;
        } else if (k == "plain_loopback") {
            const auto v = value.value<bool>();
            if (!value.is_boolean() || !v)
                return "smtp.plain_loopback must be true or false";
            mail.smtp.plain_loopback = *v;
        } else {
            return "unknown setting 'smtp." + k + "'";
        }
    }
    if (!mail.smtp.username.empty() && mail.smtp.password.empty())
        return "smtp.username is set without smtp.password_file";
    if (const auto ok = mail::check_settings(mail.smtp); !ok)
        return "smtp: " + ok.error().message;
    config.mail = std::move(mail);
    return {};
}

}  // namespace liaise::server
