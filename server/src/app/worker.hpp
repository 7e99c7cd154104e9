// Internal: the thread the Service runs CPU work on (dictionary compiles, minutes checks), so
// that neither a network thread nor the store's writer waits for it (issue #22).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace liaise::server {

/// One thread that runs jobs in the order they were posted. Owned by the Service: its
/// destructor runs no more jobs, waits for the one running, and joins the thread (jobs still
/// queued are destroyed unrun, so a request whose job was dropped at shutdown gets no answer).
/// post() is thread-safe. A job must not throw: what it throws is logged and dropped.
class Worker {
  public:
    /// `before_each`, when given, runs on the worker before every job (tests only: holds a job
    /// back to show what does not wait for it).
    explicit Worker(std::function<void()> before_each = {});
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void post(std::function<void()> job);

  private:
    void run();

    std::function<void()> before_each_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;  // GUARDED_BY(mutex_)
    bool stopping_ = false;                   // GUARDED_BY(mutex_)
    std::thread thread_;                      // last: started once the rest is ready
};

}  // namespace liaise::server
