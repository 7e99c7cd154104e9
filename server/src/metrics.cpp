#include "metrics.hpp"

#include <sstream>

namespace liaise::server {

void Metrics::request(std::string_view type) {
    std::lock_guard lock(mutex_);
    auto it = requests_.find(type);
    if (it == requests_.end())
        it = requests_.emplace(std::string(type), 0).first;
    ++it->second;
}

void Metrics::error(std::string_view code) {
    std::lock_guard lock(mutex_);
    auto it = errors_.find(code);
    if (it == errors_.end())
        it = errors_.emplace(std::string(code), 0).first;
    ++it->second;
}

void Metrics::commit(double seconds, std::size_t jobs) {
    std::lock_guard lock(mutex_);
    ++commits_;
    committed_jobs_ += jobs;
    commit_seconds_ += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i])
            ++commit_buckets_[i];
}

std::string Metrics::render() const {
    std::ostringstream out;
    out << "# HELP liaise_connections Open WebSocket connections.\n"
           "# TYPE liaise_connections gauge\n"
        << "liaise_connections " << connections_open_.load() << "\n"
        << "# HELP liaise_connections_total WebSocket connections accepted.\n"
           "# TYPE liaise_connections_total counter\n"
        << "liaise_connections_total " << connections_total_.load() << "\n"
        << "# HELP liaise_connections_refused_total Connections turned away by the connection "
           "limits.\n"
           "# TYPE liaise_connections_refused_total counter\n"
        << "liaise_connections_refused_total " << connections_refused_.load() << "\n"
        << "# HELP liaise_messages_stored_total Messages committed.\n"
           "# TYPE liaise_messages_stored_total counter\n"
        << "liaise_messages_stored_total " << messages_stored_.load() << "\n"
        << "# HELP liaise_messages_delivered_total Message events pushed to online devices.\n"
           "# TYPE liaise_messages_delivered_total counter\n"
        << "liaise_messages_delivered_total " << messages_delivered_.load() << "\n"
        << "# HELP liaise_remote_reads_total Read units for messages other nodes committed.\n"
           "# TYPE liaise_remote_reads_total counter\n"
        << "liaise_remote_reads_total " << remote_reads_.load() << "\n"
        << "# HELP liaise_remote_rooms_read_total Rooms those read units read.\n"
           "# TYPE liaise_remote_rooms_read_total counter\n"
        << "liaise_remote_rooms_read_total " << remote_rooms_read_.load() << "\n"
        << "# HELP liaise_remote_rooms_skipped_total Hinted rooms not read: nobody in them on "
           "this node.\n"
           "# TYPE liaise_remote_rooms_skipped_total counter\n"
        << "liaise_remote_rooms_skipped_total " << remote_rooms_skipped_.load() << "\n";
    std::lock_guard lock(mutex_);
    out << "# HELP liaise_requests_total Requests received, by type.\n"
           "# TYPE liaise_requests_total counter\n";
    for (const auto& [type, n] : requests_)
        out << "liaise_requests_total{type=\"" << type << "\"} " << n << "\n";
    out << "# HELP liaise_errors_total Error replies, by code.\n"
           "# TYPE liaise_errors_total counter\n";
    for (const auto& [code, n] : errors_)
        out << "liaise_errors_total{code=\"" << code << "\"} " << n << "\n";
    out << "# HELP liaise_commit_seconds Time of one grouped commit.\n"
           "# TYPE liaise_commit_seconds histogram\n";
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        out << "liaise_commit_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << commit_buckets_[i]
            << "\n";
    out << "liaise_commit_seconds_bucket{le=\"+Inf\"} " << commits_ << "\n"
        << "liaise_commit_seconds_sum " << commit_seconds_ << "\n"
        << "liaise_commit_seconds_count " << commits_ << "\n"
        << "# HELP liaise_committed_jobs_total Writes committed (one commit groups many).\n"
           "# TYPE liaise_committed_jobs_total counter\n"
        << "liaise_committed_jobs_total " << committed_jobs_ << "\n";
    return out.str();
}

}  // namespace liaise::server
