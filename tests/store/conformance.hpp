// The repository conformance suite: every store implementation (store/store.hpp) runs the same
// test cases. An implementation registers a factory (see sqlite_factory.cpp); each test case
// runs once per registered store, in a section named after it, on a fresh empty store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace liaise::server::store::conformance {

/// A fresh, empty store (schema applied, no rows) and whatever keeps it alive.
class Fixture {
  public:
    virtual ~Fixture() = default;
    [[nodiscard]] virtual Store& store() = 0;
};

struct Factory {
    std::string name;
    /// nullptr when the store cannot be made here (say, no database server): its cases skip.
    std::function<std::unique_ptr<Fixture>()> make;
};

/// Every registered factory, in registration order.
[[nodiscard]] std::vector<Factory>& factories();

/// Registers `f` at static initialisation: `static const Registered r{{"name", make}};`
struct Registered {
    explicit Registered(Factory f) { factories().push_back(std::move(f)); }
};

}  // namespace liaise::server::store::conformance
