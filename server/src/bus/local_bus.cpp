#include "bus/local_bus.hpp"

#include <boost/json/object.hpp>

#include <algorithm>

#include "liaise/protocol/messages.hpp"

namespace liaise::server {

void LocalBus::join(std::int64_t account, const std::shared_ptr<Sink>& sink) {
    std::lock_guard lock(mutex_);
    online_[account].push_back(sink);
}

void LocalBus::leave(std::int64_t account, const Sink* sink) {
    std::lock_guard lock(mutex_);
    const auto it = online_.find(account);
    if (it == online_.end())
        return;
    std::erase_if(it->second, [&](const std::weak_ptr<Sink>& w) {
        const auto s = w.lock();
        return !s || s.get() == sink;
    });
    if (it->second.empty())
        online_.erase(it);
}

std::size_t LocalBus::publish(const std::vector<std::int64_t>& accounts,
                              const std::shared_ptr<const Frame>& frame, const Sink* except) {
    std::vector<std::shared_ptr<Sink>> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto account : accounts) {
            const auto it = online_.find(account);
            if (it == online_.end())
                continue;
            for (const auto& w : it->second)
                if (auto s = w.lock(); s && s.get() != except)
                    targets.push_back(std::move(s));
        }
    }
    for (const auto& s : targets)
        s->deliver(frame);  // outside the lock: deliver only queues
    return targets.size();
}

bool LocalBus::any_online(const std::vector<std::int64_t>& accounts) const {
    std::lock_guard lock(mutex_);
    return std::any_of(accounts.begin(), accounts.end(),
                       [this](std::int64_t a) { return online_.contains(a); });
}

void LocalBus::broadcast(const std::shared_ptr<const Frame>& frame) {
    std::vector<std::shared_ptr<Sink>> targets;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [account, sinks] : online_)
            for (const auto& w : sinks)
                if (auto s = w.lock())
                    targets.push_back(std::move(s));
    }
    for (const auto& s : targets)
        s->deliver(frame);
}

std::size_t LocalBus::cut_off(std::int64_t account, const std::string& reason) {
    std::vector<std::shared_ptr<Sink>> targets;
    {
        std::lock_guard lock(mutex_);
        const auto it = online_.find(account);
        if (it == online_.end())
            return 0;
        for (const auto& w : it->second)
            if (auto s = w.lock())
                targets.push_back(std::move(s));
        online_.erase(it);
    }
    for (const auto& s : targets)
        s->cut_off(reason);
    return targets.size();
}

void LocalBus::dictionaries_changed(std::int64_t version) {
    broadcast(std::make_shared<const Frame>(
        protocol::encode_event("dictionaries", boost::json::object{{"version", version}})));
}

}  // namespace liaise::server
