#include "app/remote_delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/service.hpp"
#include "bus/bus.hpp"

namespace liaise::server {

RemoteDelivery::RemoteDelivery(Service& service, Bus& local) : service_(service), local_(local) {}

void RemoteDelivery::settle(Room& r) {
    // Seqs this node delivered itself, right after what was delivered, need no read.
    while (r.delivered >= 0 && !r.here.empty() && *r.here.begin() <= r.delivered + 1) {
        r.delivered = std::max(r.delivered, *r.here.begin());
        r.here.erase(r.here.begin());
    }
}

void RemoteDelivery::committed_elsewhere(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& hints) {
    std::vector<std::pair<std::int64_t, std::int64_t>> reads;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        // A room first heard of now starts just before the lowest seq hinted for it: what came
        // earlier was before this node cared, and its sessions catch up by sync.
        std::map<std::int64_t, std::int64_t> lowest;
        for (const auto& [room, seq] : hints) {
            auto [it, fresh] = lowest.emplace(room, seq);
            if (!fresh)
                it->second = std::min(it->second, seq);
        }
        for (const auto& [room, seq] : lowest) {
            auto& r = rooms_[room];
            if (r.delivered < 0)
                r.delivered = seq - 1;
        }
        for (const auto& [room, seq] : hints) {
            auto& r = rooms_[room];
            r.wanted = std::max(r.wanted, seq);
        }
        for (auto& [id, r] : rooms_) {
            settle(r);
            if (!r.reading && (r.again || r.wanted > r.delivered)) {
                r.reading = true;
                r.again = false;
                reads.emplace_back(id, r.delivered);
            }
        }
    }
    for (const auto& [room, after] : reads)
        service_.stored_messages(
            room, after, [this, room](StoredEvents events, std::exception_ptr e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& x) {
                        spdlog::warn("could not read room {} for delivery: {}", room, x.what());
                    }
                }
                fetched(room, std::move(events), e != nullptr);
            });
}

void RemoteDelivery::delivered_here(std::int64_t room, std::int64_t seq) {
    std::lock_guard lock(mutex_);
    auto& r = rooms_[room];
    if (r.delivered >= seq)
        return;
    if (r.delivered < 0) {
        // Nothing was read here yet: this is where the room starts for this node.
        r.delivered = seq;
        return;
    }
    r.here.insert(seq);
    settle(r);
}

void RemoteDelivery::resync() {
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, r] : rooms_)
            r.again = true;
    }
    committed_elsewhere({});
}

void RemoteDelivery::fetched(std::int64_t room, StoredEvents events, bool failed) {
    std::vector<std::shared_ptr<const Frame>> deliver;
    bool more = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        auto& r = rooms_[room];
        r.reading = false;
        if (!failed) {
            for (auto& [seq, frame] : events.messages) {
                if (seq <= r.delivered)
                    continue;
                if (r.here.erase(seq) > 0)
                    continue;  // delivered by this node when it stored it
                deliver.push_back(std::move(frame));
            }
            r.delivered = std::max(r.delivered, events.last);
            r.here.erase(r.here.begin(), r.here.upper_bound(r.delivered));
            settle(r);
            delivered_ += deliver.size();
            if (events.more)
                r.again = true;
            more = r.again || r.wanted > r.delivered;
        }
        // Published under the lock: the next read of this room cannot overtake these.
        for (const auto& frame : deliver)
            local_.publish(events.accounts, frame);
    }
    if (more)
        committed_elsewhere({});
}

void RemoteDelivery::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
}

std::uint64_t RemoteDelivery::delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
}

}  // namespace liaise::server
