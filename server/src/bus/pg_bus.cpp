#include "bus/pg_bus.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <random>

#include "store/postgres/pq.hpp"

namespace liaise::server {

namespace json = boost::json;

namespace {

constexpr const char* channel = "liaise_bus";
/// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; stay clear of it.
constexpr std::size_t payload_limit = 7900;
/// Hints per NOTIFY: well under the payload limit (each pair is at most ~42 bytes).
constexpr std::size_t hints_per_notify = 150;

std::string random_node_id() {
    std::random_device rd;
    const auto v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    return std::to_string(v);
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

PgBus::PgBus(const std::string& url, Handlers handlers)
    : url_(url), handlers_(std::move(handlers)), node_(random_node_id()) {
    notifier_ = std::make_unique<pg::Connection>(url_);
    listener_ = std::make_unique<pg::Connection>(url_);
    listener_->listen(channel);
    thread_ = std::thread([this] { listen_loop(); });
    hinter_ = std::thread([this] { hint_loop(); });
}

PgBus::~PgBus() {
    {
        std::lock_guard lock(hint_mutex_);
        hints_stop_ = true;
    }
    hint_wake_.notify_one();
    if (hinter_.joinable())
        hinter_.join();  // after sending what was queued
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
}

void PgBus::join(std::int64_t account, const std::shared_ptr<Sink>& sink) {
    local_.join(account, sink);
}

void PgBus::leave(std::int64_t account, const Sink* sink) {
    local_.leave(account, sink);
}

std::size_t PgBus::publish(const std::vector<std::int64_t>& accounts,
                           const std::shared_ptr<const Frame>& frame, const Sink* except) {
    const auto here = local_.publish(accounts, frame, except);
    if (!frame->per_device() && !accounts.empty()) {
        json::array a;
        for (const auto id : accounts)
            a.push_back(id);
        notify(json::serialize(
            json::object{{"n", node_}, {"k", "f"}, {"a", std::move(a)}, {"t", frame->text()}}));
    }
    return here;
}

void PgBus::broadcast(const std::shared_ptr<const Frame>& frame) {
    local_.broadcast(frame);
    if (!frame->per_device())
        notify(json::serialize(json::object{{"n", node_}, {"k", "b"}, {"t", frame->text()}}));
}

std::size_t PgBus::cut_off(std::int64_t account, const std::string& reason) {
    const auto here = local_.cut_off(account, reason);
    notify(json::serialize(json::object{{"n", node_}, {"k", "c"}, {"a", account}, {"r", reason}}));
    return here;
}

void PgBus::dictionaries_changed(std::int64_t version) {
    local_.dictionaries_changed(version);
    notify(json::serialize(json::object{{"n", node_}, {"k", "d"}, {"v", version}}));
}

void PgBus::messages_committed(const std::vector<RoomSeq>& hints) {
    for (std::size_t begin = 0; begin < hints.size(); begin += hints_per_notify) {
        const auto end = std::min(hints.size(), begin + hints_per_notify);
        json::array h;
        for (auto i = begin; i < end; ++i)
            h.push_back(json::array{hints[i].room, hints[i].seq});
        notify(json::serialize(json::object{{"n", node_}, {"k", "m"}, {"h", std::move(h)}}));
    }
}

void PgBus::hint(std::int64_t room, std::int64_t seq) {
    {
        std::lock_guard lock(hint_mutex_);
        hints_.push_back({room, seq});
    }
    hint_wake_.notify_one();
}

void PgBus::hint_loop() {
    std::unique_lock lock(hint_mutex_);
    while (true) {
        hint_wake_.wait(lock, [this] { return hints_stop_ || !hints_.empty(); });
        if (hints_.empty())
            return;  // stopping, nothing left
        auto batch = std::move(hints_);
        hints_.clear();
        lock.unlock();
        messages_committed(batch);
        lock.lock();
    }
}

void PgBus::notify(const std::string& payload) {
    std::lock_guard lock(notify_mutex_);
    // One retry on a fresh connection: PostgreSQL may have restarted since the last NOTIFY.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            if (!notifier_ || !notifier_->healthy())
                notifier_ = std::make_unique<pg::Connection>(url_);
            if (payload.size() <= payload_limit) {
                notifier_->exec("SELECT pg_notify($1, $2)", {channel, payload});
            } else {
                const auto now = now_ms();
                auto results = notifier_->pipeline({
                    {"BEGIN", {}, {}},
                    {"DELETE FROM bus_frames WHERE created_at < $1",
                     {std::to_string(now - 60'000)},
                     {}},
                    {"INSERT INTO bus_frames(payload, created_at) VALUES ($1, $2) RETURNING id",
                     {payload, std::to_string(now)},
                     {}},
                    {"COMMIT", {}, {}},
                });
                for (auto& r : results)
                    r.check("storing a bus frame");
                const auto id = results[2].int64(0, 0);
                notifier_->exec(
                    "SELECT pg_notify($1, $2)",
                    {channel, json::serialize(json::object{{"n", node_}, {"k", "x"}, {"id", id}})});
            }
            ++sent_;
            return;
        } catch (const pg::Error& e) {
            spdlog::warn("bus: cannot notify the other nodes ({}){}", e.what(),
                         attempt == 0 ? ", reconnecting" : "");
            notifier_.reset();
        }
    }
}

void PgBus::listen_loop() {
    bool reconnected = false;
    while (!stopping_) {
        try {
            if (!listener_) {
                listener_ = std::make_unique<pg::Connection>(url_);
                listener_->listen(channel);
                reconnected = true;
            }
            if (reconnected) {
                reconnected = false;
                spdlog::info("bus: listening again; catching up from the store");
                if (handlers_.resync)
                    handlers_.resync();
            }
            for (const auto& n : listener_->notifications(std::chrono::milliseconds(100)))
                handle(n.payload);
        } catch (const pg::Error& e) {
            spdlog::warn("bus: the listening connection failed ({}); reconnecting", e.what());
            listener_.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

void PgBus::handle(const std::string& payload) {
    json::object o;
    try {
        o = json::parse(payload).as_object();
    } catch (const std::exception&) {
        spdlog::warn("bus: ignored a notification that is not an object");
        return;
    }
    const auto* node = o.if_contains("n");
    if (!node || !node->is_string() || node->as_string() == node_)
        return;  // our own, already delivered here
    const auto* kind = o.if_contains("k");
    if (!kind || !kind->is_string())
        return;
    const std::string_view k = kind->as_string();
    try {
        if (k == "x") {
            auto r = listener_->exec("SELECT payload FROM bus_frames WHERE id = $1",
                                     {std::to_string(o.at("id").as_int64())});
            if (r.rows() == 1)
                handle(std::string(r.text(0, 0)));
            return;
        }
        ++received_;
        if (k == "f") {
            std::vector<std::int64_t> accounts;
            for (const auto& a : o.at("a").as_array())
                accounts.push_back(a.as_int64());
            local_.publish(accounts,
                           std::make_shared<const Frame>(std::string(o.at("t").as_string())));
        } else if (k == "b") {
            local_.broadcast(std::make_shared<const Frame>(std::string(o.at("t").as_string())));
        } else if (k == "c") {
            local_.cut_off(o.at("a").as_int64(), std::string(o.at("r").as_string()));
        } else if (k == "d") {
            const auto version = o.at("v").as_int64();
            if (handlers_.dictionaries)
                handlers_.dictionaries(version);
            local_.dictionaries_changed(version);
        } else if (k == "m") {
            std::vector<RoomSeq> hints;
            for (const auto& h : o.at("h").as_array())
                hints.push_back({h.as_array().at(0).as_int64(), h.as_array().at(1).as_int64()});
            if (handlers_.messages)
                handlers_.messages(hints);
        }
    } catch (const pg::Error&) {
        throw;  // the listening connection: reconnect
    } catch (const std::exception&) {
        spdlog::warn("bus: ignored a malformed notification of kind '{}'", k);
    }
}

}  // namespace liaise::server
