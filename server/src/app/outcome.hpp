// Internal: what a write job hands back once it has run, as typed fields rather than JSON.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace liaise::server {

/// Filled by a write job on the writer thread; read by the job's `after` step once the change
/// has committed (and never if it did not). Only `reply` is sent to the requester.
struct Outcome {
    /// The fields of the ok reply.
    boost::json::object reply;
    /// Accounts that `after` tells of the change (with `event`, or an event it builds itself).
    std::vector<std::int64_t> notify;
    /// An encoded event frame (protocol::encode_event) for `notify`; empty when `after` builds
    /// its own.
    std::string event;
    /// The account the change was about, whose sessions `after` may cut off (a suspension, a
    /// changed role, a replaced device); 0 for none.
    std::int64_t account = 0;
    /// An action's owner, told by `after` that the action is theirs.
    std::optional<std::int64_t> owner;
    /// Live events (never stored) that Service::completion delivers once the change has
    /// committed, after the reply and whatever `after` does: each an encoded event frame and
    /// the accounts it goes to.
    std::vector<std::pair<std::vector<std::int64_t>, std::string>> live;
    /// The job answered the request itself, before the commit (ServiceConfig::
    /// unsafe_ack_before_commit, tests only): the completion must not answer again.
    bool replied = false;
};

/// Sets the accounts `after` tells: any range of account ids.
template <class Ids>
void notify_later(Outcome& out, const Ids& accounts) {
    out.notify.assign(std::begin(accounts), std::end(accounts));
}

}  // namespace liaise::server
