#include "store/postgres/writer.hpp"

#include <chrono>
#include <vector>

namespace liaise::server::pg {

namespace {

/// True for a failure of the whole transaction, after which the batch is run again.
bool batch_level(const Error& e, const Connection* db) {
    return e.sqlstate() == "40P01" || e.sqlstate() == "40001" || !db || !db->healthy();
}

}  // namespace

Writer::Writer(std::string url, Options options)
    : url_(std::move(url)), options_(options), db_(std::make_unique<Connection>(url_)) {
    thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Writer::write(Job job, Done done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(job), std::move(done)});
    }
    wake_.notify_one();
}

std::size_t Writer::commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
}

std::size_t Writer::retries() const {
    std::lock_guard lock(mutex_);
    return retries_;
}

void Writer::run_batch(std::deque<Pending>& batch, std::vector<std::exception_ptr>& errors) {
    if (!db_ || !db_->healthy())
        db_ = std::make_unique<Connection>(url_);
    errors.assign(batch.size(), nullptr);
    db_->exec("BEGIN");
    for (std::size_t i = 0; i < batch.size(); ++i) {
        db_->exec("SAVEPOINT job");
        try {
            batch[i].job(*db_);
            db_->exec("RELEASE SAVEPOINT job");
        } catch (const Error& e) {
            if (batch_level(e, db_.get()))
                throw;
            errors[i] = std::current_exception();
            db_->exec("ROLLBACK TO SAVEPOINT job");
        } catch (...) {
            errors[i] = std::current_exception();
            db_->exec("ROLLBACK TO SAVEPOINT job");
        }
    }
    db_->exec("COMMIT");
}

void Writer::run() {
    for (;;) {
        std::deque<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return;  // stopping, and nothing left
            while (!queue_.empty() && batch.size() < options_.max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        std::vector<std::exception_ptr> errors;
        std::exception_ptr failed;
        for (int attempt = 1;; ++attempt) {
            try {
                run_batch(batch, errors);
                failed = nullptr;
                break;
            } catch (const std::exception&) {
                failed = std::current_exception();
                try {
                    if (db_ && db_->healthy())
                        db_->exec("ROLLBACK");
                } catch (const Error&) {
                    db_.reset();
                }
                if (db_ && !db_->healthy())
                    db_.reset();
                if (attempt >= options_.attempts)
                    break;
                std::lock_guard lock(mutex_);
                ++retries_;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!failed) {
            std::lock_guard lock(mutex_);
            ++commits_;
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            try {
                batch[i].done(failed ? failed : errors[i]);
            } catch (...) {
                // `done` must not throw; what it throws is dropped (store.hpp).
            }
        }
    }
}

}  // namespace liaise::server::pg
