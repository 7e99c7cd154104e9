#include "store/store.hpp"

#include <future>

namespace liaise::server::store {
namespace {

/// Runs `start` (which queues a unit of work with the Done it is given) and waits for it.
template <class Start>
void wait_for(Start&& start) {
    auto promise = std::make_shared<std::promise<void>>();
    auto done = promise->get_future();
    start([promise](std::exception_ptr error) {
        if (error)
            promise->set_exception(error);
        else
            promise->set_value();
    });
    done.get();
}

}  // namespace

void Store::write_and_wait(WriteJob job) {
    wait_for([&](Done done) { write(std::move(job), std::move(done)); });
}

void Store::read_and_wait(ReadJob job) {
    wait_for([&](Done done) { read(std::move(job), std::move(done)); });
}

}  // namespace liaise::server::store
