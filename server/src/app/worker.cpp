#include "app/worker.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace liaise::server {

Worker::Worker(std::function<void()> before_each)
    : before_each_(std::move(before_each)), thread_([this] { run(); }) {}

Worker::~Worker() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Worker::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void Worker::run() {
    while (true) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_)
                return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            if (before_each_)
                before_each_();
            job();
        } catch (const std::exception& e) {
            spdlog::error("a worker job failed: {}", e.what());
        } catch (...) {
            spdlog::error("a worker job failed");
        }
    }
}

}  // namespace liaise::server
