#include "app/remote_delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/service.hpp"
#include "bus/local_bus.hpp"
#include "metrics.hpp"

namespace liaise::server {

RemoteDelivery::RemoteDelivery(Service& service, LocalBus& local, Metrics* metrics)
    : service_(service), local_(local), metrics_(metrics) {}

void RemoteDelivery::settle(Room& r) {
    // Seqs this node delivered itself, right after what was delivered, need no read.
    while (r.delivered >= 0 && !r.here.empty() && *r.here.begin() <= r.delivered + 1) {
        r.delivered = std::max(r.delivered, *r.here.begin());
        r.here.erase(r.here.begin());
    }
}

void RemoteDelivery::hear(Room& r, std::int64_t seq) {
    if (r.heard >= 0 && seq > r.heard + 1) {
        // A seq nobody told this node of lies between: perhaps a membership change. Counted
        // even when no members are remembered: a read in flight must not restore them.
        r.members.reset();
        ++r.forgotten;
    }
    r.heard = std::max(r.heard, seq);
}

RemoteDelivery::Read RemoteDelivery::due() {
    Read read;
    if (closed_ || reading_)
        return read;
    for (auto& [id, r] : rooms_) {
        settle(r);
        if (!r.again && r.wanted <= r.delivered)
            continue;
        r.again = false;
        if (r.members && !local_.any_online(*r.members)) {
            // Nobody who can read the room has a session here: whoever logs in later reads
            // these rows by `sync` (the contract in the header).
            r.delivered = std::max(r.delivered, r.wanted);
            r.here.erase(r.here.begin(), r.here.upper_bound(r.delivered));
            ++counts_.rooms_skipped;
            if (metrics_)
                metrics_->remote_skipped();
            continue;
        }
        read.rooms.emplace_back(id, r.delivered);
        read.forgotten.emplace(id, r.forgotten);
    }
    if (!read.rooms.empty()) {
        reading_ = true;
        ++counts_.reads;
        counts_.rooms_read += read.rooms.size();
        if (metrics_)
            metrics_->remote_read(read.rooms.size());
    }
    return read;
}

void RemoteDelivery::start(Read read) {
    if (read.rooms.empty())
        return;
    auto rooms = read.rooms;
    service_.stored_messages(
        std::move(rooms),
        [this, read = std::move(read)](std::vector<StoredEvents> events, std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    spdlog::warn("could not read {} rooms for delivery: {}", read.rooms.size(),
                                 x.what());
                }
            }
            fetched(std::move(events), read, e != nullptr);
        });
}

void RemoteDelivery::committed_elsewhere(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& hints) {
    Read read;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        // Lowest first, so hints of one batch are not taken for gaps among themselves.
        auto sorted = hints;
        std::sort(sorted.begin(), sorted.end());
        for (const auto& [room, seq] : sorted) {
            auto& r = rooms_[room];
            // A room first heard of now starts just before the lowest seq hinted for it: what
            // came earlier was before this node cared, and its sessions catch up by sync.
            if (r.delivered < 0)
                r.delivered = seq - 1;
            r.wanted = std::max(r.wanted, seq);
            hear(r, seq);
        }
        read = due();
    }
    start(std::move(read));
}

void RemoteDelivery::delivered_here(std::int64_t room, std::int64_t seq) {
    std::lock_guard lock(mutex_);
    auto& r = rooms_[room];
    hear(r, seq);
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
        for (auto& [id, r] : rooms_) {
            r.again = true;
            r.members.reset();
            ++r.forgotten;
        }
    }
    committed_elsewhere({});
}

void RemoteDelivery::fetched(std::vector<StoredEvents> rooms, const Read& read, bool failed) {
    Read next;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        reading_ = false;
        if (failed) {
            // Read again with the next hint (or resync), not at once: the store may be down.
            for (const auto& [id, after] : read.rooms)
                rooms_[id].again = true;
            return;
        }
        for (auto& events : rooms) {
            auto& r = rooms_[events.room];
            std::vector<std::shared_ptr<const Frame>> deliver;
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
            r.heard = std::max(r.heard, events.last);
            // Members as this read saw them, unless a gap was heard while it ran.
            const auto at_start = read.forgotten.find(events.room);
            if (at_start != read.forgotten.end() && at_start->second == r.forgotten)
                r.members = events.accounts;  // none for a room that is gone
            counts_.delivered += deliver.size();
            if (events.more)
                r.again = true;
            // Published under the lock: the next read of this room cannot overtake these.
            for (const auto& frame : deliver)
                local_.publish(events.accounts, frame);
        }
        next = due();
    }
    start(std::move(next));
}

void RemoteDelivery::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
}

RemoteDelivery::Counts RemoteDelivery::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

}  // namespace liaise::server
