#include "liaise/client/ledger.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

namespace liaise::client {
namespace {

namespace json = boost::json;

// Enough to check `previous` against any message a sender could reasonably have seen last.
constexpr std::size_t kHashesKept = 4000;

std::string file_of(const std::string& room) {
    return "ledger-" + room + ".json";  // room names are [a-z0-9._-]: never a path
}

std::int64_t int_of(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
}

/// An exclusive flock on `path` (created, mode 0600) for its lifetime; without one (a file
/// that cannot be opened) it goes on unlocked, as a single process would.
class FileLock {
  public:
    explicit FileLock(const std::filesystem::path& path)
        : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
        if (fd_ >= 0)
            (void)::flock(fd_, LOCK_EX);
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock() {
        if (fd_ >= 0)
            ::close(fd_);  // releases the lock
    }

  private:
    int fd_;
};

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Ledger::Room& Ledger::load(const std::string& room) {
    auto& r = rooms_[room];
    if (r.loaded)
        return r;
    r.loaded = true;
    const auto text = home_.read_file(file_of(room));
    if (!text)
        return r;
    boost::system::error_code ec;
    const auto v = json::parse(*text, ec);
    if (ec || !v.is_object())
        return r;  // a damaged ledger starts again: checks resume from here
    const auto& o = v.get_object();
    r.counter = static_cast<std::uint64_t>(int_of(o, "counter"));
    r.first_seq = int_of(o, "first_seq");
    r.contiguous_to = int_of(o, "contiguous_to");
    r.last_seq = int_of(o, "last_seq");
    if (const auto* h = o.if_contains("hashes"); h && h->is_object())
        for (const auto& [seq, hash] : h->get_object())
            if (hash.is_string())
                r.hashes[std::atoll(std::string(seq).c_str())] = std::string(hash.get_string());
    if (const auto* s = o.if_contains("senders"); s && s->is_object())
        for (const auto& [device, st] : s->get_object())
            if (st.is_array() && st.get_array().size() == 2 && st.get_array()[0].is_int64() &&
                st.get_array()[1].is_int64())
                r.senders[std::string(device)] = {
                    static_cast<std::uint64_t>(st.get_array()[0].get_int64()),
                    st.get_array()[1].get_int64()};
    for (auto [key, set] :
         {std::pair{"encrypted_to", &r.encrypted_to}, std::pair{"recipients", &r.recipients}})
        if (const auto* list = o.if_contains(key); list && list->is_array())
            for (const auto& d : list->get_array())
                if (d.is_string())
                    set->insert(std::string(d.get_string()));
    return r;
}

void Ledger::save(const std::string& room) {
    auto& r = load(room);
    r.dirty = false;
    json::object hashes, senders;
    for (const auto& [seq, hash] : r.hashes)
        hashes[std::to_string(seq)] = hash;
    for (const auto& [device, st] : r.senders)
        senders[device] = json::array{static_cast<std::int64_t>(st.counter), st.seq};
    json::object o{{"counter", static_cast<std::int64_t>(r.counter)},
                   {"first_seq", r.first_seq},
                   {"contiguous_to", r.contiguous_to},
                   {"last_seq", r.last_seq},
                   {"hashes", std::move(hashes)},
                   {"senders", std::move(senders)},
                   {"encrypted_to", json::array(r.encrypted_to.begin(), r.encrypted_to.end())},
                   {"recipients", json::array(r.recipients.begin(), r.recipients.end())}};
    (void)home_.write_file(file_of(room), json::serialize(o) + "\n");
}

crypto::History Ledger::next(const std::string& room, const std::string& sender,
                             std::int64_t now_ms) {
    auto& r = load(room);
    // Another process of this home (a chat open beside `liaise send`) may have used counters
    // since this one loaded the room: take the next one after both, under a lock, so that no
    // counter goes out twice (readers would see a replay).
    const FileLock lock(home_.dir() / ("ledger-" + room + ".lock"));
    if (const auto text = home_.read_file(file_of(room))) {
        boost::system::error_code ec;
        const auto v = json::parse(*text, ec);
        if (!ec && v.is_object())
            r.counter =
                std::max(r.counter, static_cast<std::uint64_t>(int_of(v.get_object(), "counter")));
    }
    crypto::History h;
    h.sender = sender;
    h.counter = ++r.counter;
    h.sent_at = now_ms;
    if (const auto it = r.hashes.find(r.last_seq); r.last_seq > 0 && it != r.hashes.end()) {
        if (auto bytes = crypto::from_base64(it->second); bytes && bytes->size() == 32) {
            h.previous_seq = r.last_seq;
            h.previous_hash = std::move(*bytes);
        }
    }
    save(room);
    return h;
}

void Ledger::unsend(const std::string& room, std::uint64_t counter) {
    auto& r = load(room);
    if (r.counter == counter) {
        --r.counter;
        save(room);
    }
}

std::vector<std::string> Ledger::new_readers(const std::string& room,
                                             const std::set<std::string>& readers) {
    const auto& r = load(room);
    std::vector<std::string> out;
    for (const auto& d : readers)
        if (!r.encrypted_to.contains(d))
            out.push_back(d);
    return out;
}

void Ledger::encrypted_to(const std::string& room, const std::set<std::string>& readers) {
    auto& r = load(room);
    const auto before = r.encrypted_to.size();
    r.encrypted_to.insert(readers.begin(), readers.end());
    if (r.encrypted_to.size() != before)
        save(room);
}

std::optional<Warning> Ledger::seen(Room& r, std::int64_t seq, bool rejoined) {
    if (r.first_seq == 0) {  // history before the first thing seen is not this device's
        r.first_seq = seq;
        r.contiguous_to = seq;
        return std::nullopt;
    }
    if (seq <= r.contiguous_to)
        return std::nullopt;  // seen before: the hash check says whether it is the same
    const auto from = r.contiguous_to + 1;
    if (seq == from) {
        r.contiguous_to = seq;
        return std::nullopt;
    }
    // Every seq of a room is a message or an event for each member: a hole is something left
    // out, unless this device's account was out of the room and has just been added again.
    r.first_seq = seq;  // what was left out cannot be checked later: start again from here
    r.contiguous_to = seq;
    if (rejoined)
        return std::nullopt;
    return Warning{"gap",
                   (seq - from == 1 ? "message #" + std::to_string(from) + " of this room was"
                                    : "messages #" + std::to_string(from) + " to #" +
                                          std::to_string(seq - 1) + " of this room were") +
                       " not shown to this device (withheld by the server, or lost)"};
}

void Ledger::reading_from(const std::string& room, std::int64_t after) {
    auto& r = load(room);
    if (r.first_seq != 0 && after > r.contiguous_to) {
        r.first_seq = r.contiguous_to = 0;  // skipping ahead on purpose: a new start
        r.dirty = true;
    }
}

std::vector<Warning> Ledger::observe_event(const std::string& room, std::int64_t seq,
                                           bool rejoined) {
    auto& r = load(room);
    std::vector<Warning> out;
    if (auto hole = seen(r, seq, rejoined))
        out.push_back(std::move(*hole));
    r.dirty = true;
    return out;
}

void Ledger::flush() {
    for (auto& [room, r] : rooms_)
        if (r.dirty)
            save(room);
}

void Ledger::sent(const std::string& room, std::int64_t seq, const crypto::Envelope& envelope) {
    auto& r = load(room);
    r.hashes[seq] = crypto::to_base64(crypto::message_hash(envelope));
    r.last_seq = std::max(r.last_seq, seq);
    r.senders[envelope.sender_device] = {envelope.history.counter, seq};
    if (seq == r.contiguous_to + 1)  // its own message: no hole, but no proof of one either
        r.contiguous_to = seq;
    while (r.hashes.size() > kHashesKept)
        r.hashes.erase(r.hashes.begin());
    save(room);
}

std::vector<Warning> Ledger::observe(
    const std::string& room, std::int64_t seq, std::int64_t sent_at,
    const std::string& shown_sender, const crypto::Envelope& env,
    const std::function<std::string(const std::string&)>& owner_of) {
    auto& r = load(room);
    std::vector<Warning> out;
    const auto hash = crypto::to_base64(crypto::message_hash(env));
    const auto who = env.version == 3 ? env.history.sender : shown_sender;

    // The same seq shown again must be the same message.
    if (const auto it = r.hashes.find(seq); it != r.hashes.end() && it->second != hash)
        out.push_back({"replay", "message #" + std::to_string(seq) +
                                     " is not the message this device was shown as #" +
                                     std::to_string(seq) + " before"});

    if (env.version == 3) {
        const auto& h = env.history;
        if (h.sender != shown_sender)
            out.push_back({"sender_mismatch", "shown as from " + shown_sender +
                                                  ", but signed as a message from " + h.sender});
        if (std::llabs(h.sent_at - sent_at) > kClockToleranceMs)
            out.push_back({"clock", who + "'s device says it was sent " +
                                        std::to_string(std::llabs(h.sent_at - sent_at) / 60000) +
                                        " minutes " + (h.sent_at < sent_at ? "earlier" : "later") +
                                        " than the server says"});
        // The sender's counter: one more than the last one this device saw from that device.
        const auto st = r.senders.find(env.sender_device);
        if (st != r.senders.end() && seq > st->second.seq) {
            const auto last = st->second.counter;
            if (h.counter > last + 1)
                out.push_back(
                    {"gap", plural(h.counter - last - 1, "earlier message", "earlier messages") +
                                " from " + who + " " + (h.counter - last - 1 == 1 ? "is" : "are") +
                                " missing (withheld by the server, or lost)"});
            else if (h.counter <= last)
                out.push_back(
                    {"replay", "this message from " + who +
                                   " was shown before: an old message shown again as new"});
        }
        if (st == r.senders.end() || seq > st->second.seq)
            r.senders[env.sender_device] = {
                std::max(h.counter, st == r.senders.end() ? 0 : st->second.counter), seq};
        // The message the sender had seen last must be one this device was shown there.
        if (h.previous_seq > 0) {
            const auto prev = r.hashes.find(h.previous_seq);
            const auto shown = crypto::to_base64(h.previous_hash);
            const bool within = h.previous_seq >= r.first_seq && h.previous_seq <= r.contiguous_to;
            if (h.previous_seq >= seq ||
                (prev != r.hashes.end()
                     ? prev->second != shown
                     : within && !r.hashes.empty() && h.previous_seq >= r.hashes.begin()->first))
                out.push_back({"gap", who + " had seen a message (#" +
                                          std::to_string(h.previous_seq) +
                                          ") that this device was not shown, or was shown "
                                          "differently"});
        }
    }

    // Readers the sender encrypted to that this room's messages never had before.
    if (env.version >= 2 && !r.recipients.empty()) {
        std::string added;
        for (const auto& d : env.recipients)
            if (!r.recipients.contains(d)) {
                const auto owner = owner_of(d);
                added += (added.empty() ? "" : ", ") +
                         (owner.empty() ? "device " + d : owner + " (device " + d + ")");
            }
        if (!added.empty())
            out.push_back({"new_reader", "also readable by " + added +
                                             ", who could not read this room's earlier messages"});
    }
    if (env.version >= 2)
        r.recipients.insert(env.recipients.begin(), env.recipients.end());

    r.hashes[seq] = hash;
    r.last_seq = std::max(r.last_seq, seq);
    while (r.hashes.size() > kHashesKept)
        r.hashes.erase(r.hashes.begin());
    if (auto hole = seen(r, seq, false))
        out.insert(out.begin(), std::move(*hole));
    r.dirty = true;  // saved by flush(): once per page read, not once per message
    return out;
}

void Ledger::withdrawn(const std::string& room, std::int64_t seq, const std::string& device,
                       const std::string& hash) {
    auto& r = load(room);
    r.hashes.try_emplace(seq, hash);
    if (const auto st = r.senders.find(device); st != r.senders.end() && st->second.seq < seq)
        st->second = {st->second.counter + 1, seq};
    r.dirty = true;
}

}  // namespace liaise::client
