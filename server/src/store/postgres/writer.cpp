#include "store/postgres/writer.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace liaise::server::pg {

namespace {

/// True for a failure of the whole transaction, after which the batch is run again.
bool batch_level(const Error& e, const Connection* db) {
    return e.sqlstate() == "40P01" || e.sqlstate() == "40001" || e.sqlstate() == "55P03" ||
           stale_plan(e) || !db || !db->healthy();
}

/// True if `failure` is a stale prepared statement's (stale_plan()).
bool stale_plan_failure(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const Error& e) {
        return stale_plan(e);
    } catch (...) {
        return false;
    }
}

/// True for a deadlock or a lock wait over the batch's limit: the batch is then run again one
/// job per transaction.
bool lock_conflict(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const Error& e) {
        return e.sqlstate() == "40P01" || e.sqlstate() == "55P03";
    } catch (...) {
        return false;
    }
}

/// The rooms `batch` named, distinct, as a PostgreSQL text[] literal ({"a","b"}), or nullopt if
/// it named none.
template <class Batch>
std::optional<std::string> named_rooms(const Batch& batch) {
    std::vector<const std::string*> names;
    for (const auto& p : batch)
        for (const auto& r : p.rooms)
            names.push_back(&r);
    if (names.empty())
        return std::nullopt;
    std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
    names.erase(std::unique(names.begin(), names.end(), [](auto* a, auto* b) { return *a == *b; }),
                names.end());
    std::string out = "{";
    for (const auto* name : names) {
        if (out.size() > 1)
            out += ',';
        out += '"';
        for (const char c : *name) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
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

void Writer::write(Job job, Done done, std::vector<std::string> rooms) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(job), std::move(done), std::move(rooms)});
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

void Writer::run_batch(std::deque<Pending>& batch, std::vector<std::exception_ptr>& errors,
                       bool alone) {
    if (!db_ || !db_->healthy())
        db_ = std::make_unique<Connection>(url_);
    errors.assign(batch.size(), nullptr);
    // One round trip: the named rooms locked in ascending id order, waiting as long as the
    // session's lock_timeout allows (PostgreSQL's default: no limit; batches that lock in one
    // order cannot deadlock), then the batch's limit for whatever else its jobs lock.
    std::vector<Query> start;
    start.push_back({"BEGIN", {}, {}});
    if (auto rooms = named_rooms(batch))
        start.push_back({"SELECT id FROM rooms WHERE name = ANY($1::text[]) ORDER BY id FOR UPDATE",
                         {std::move(rooms)},
                         "liaise_writer_lock_rooms"});
    if (!alone)
        start.push_back(
            {"SET LOCAL lock_timeout = " + std::to_string(std::max(1, options_.lock_wait_ms)),
             {},
             {}});
    // Each job runs under a savepoint of its own. Savepoints cost no round trip of their own:
    // the first rides with the batch's start, each later one with the end of the job before it,
    // and the last job's end with the COMMIT.
    start.push_back({"SAVEPOINT job", {}, {}});
    for (auto& r : db_->pipeline(start))
        std::move(r).check("starting a batch");
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            batch[i].job(*db_);
        } catch (const Error& e) {
            if (batch_level(e, db_.get()))
                throw;
            errors[i] = std::current_exception();
        } catch (...) {
            errors[i] = std::current_exception();
        }
        std::string end = errors[i] ? "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job"
                                    : "RELEASE SAVEPOINT job";
        end += i + 1 == batch.size() ? "; COMMIT" : "; SAVEPOINT job";
        db_->exec(end);
    }
}

std::exception_ptr Writer::run_with_retries(std::deque<Pending>& batch,
                                            std::vector<std::exception_ptr>& errors, bool alone) {
    bool replanned = false;
    for (int attempt = 1;; ++attempt) {
        try {
            run_batch(batch, errors, alone);
            return nullptr;
        } catch (const std::exception&) {
            auto failed = std::current_exception();
            try {
                if (db_ && db_->healthy())
                    db_->exec("ROLLBACK");
            } catch (const Error&) {
                db_.reset();
            }
            if (db_ && !db_->healthy())
                db_.reset();
            // A statement prepared before a schema change (a rolling upgrade): prepare them all
            // afresh and run the batch once more at once, not counted as an attempt.
            if (!replanned && stale_plan_failure(failed)) {
                replanned = true;
                --attempt;
                try {
                    if (db_)
                        db_->forget_prepared();
                } catch (const Error&) {
                    db_.reset();  // a new connection has nothing prepared
                }
                std::lock_guard lock(mutex_);
                ++retries_;
                continue;
            }
            // A lock conflict in a batch is settled by running it one job at a time (run()).
            if (!alone && batch.size() > 1 && lock_conflict(failed))
                return failed;
            // A job alone that lost a deadlock met another node's job locking the same rows in
            // another order (each deadlock lets the other finish); run in step, the two would
            // meet again and again, so it waits a random while, and has ten times the attempts.
            const bool lost = alone && lock_conflict(failed);
            if (attempt >= (lost ? 10 : 1) * options_.attempts)
                return failed;
            {
                std::lock_guard lock(mutex_);
                ++retries_;
            }
            thread_local std::minstd_rand random(std::random_device{}());
            std::this_thread::sleep_for(std::chrono::milliseconds(
                lost ? std::uniform_int_distribution<int>(5, 60)(random) : 20));
        }
    }
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
        auto failed = run_with_retries(batch, errors, batch.size() == 1);
        if (failed && batch.size() > 1 && lock_conflict(failed)) {
            // Another node's batch holds rows this one needs, or needs rows it holds: one job
            // per transaction, in queue order (see the class comment), each answered as soon as
            // its own transaction commits (a job behind a long wait holds up none before it).
            {
                std::lock_guard lock(mutex_);
                ++retries_;
            }
            for (auto& pending : batch) {
                std::deque<Pending> one;
                one.push_back(std::move(pending));
                std::vector<std::exception_ptr> one_error;
                const auto f = run_with_retries(one, one_error, true);
                if (!f) {
                    std::lock_guard lock(mutex_);
                    ++commits_;
                }
                finish(one.front(), f ? f : one_error.at(0));
            }
            continue;
        }
        if (!failed) {
            std::lock_guard lock(mutex_);
            ++commits_;
        }
        for (std::size_t i = 0; i < batch.size(); ++i)
            finish(batch[i], failed ? failed : errors[i]);
    }
}

void Writer::finish(Pending& pending, std::exception_ptr error) {
    try {
        pending.done(std::move(error));
    } catch (...) {
        // `done` must not throw; what it throws is dropped (store.hpp).
    }
}

}  // namespace liaise::server::pg
