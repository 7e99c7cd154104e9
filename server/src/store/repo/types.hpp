// The plain values the store's repositories pass in and out (store/store.hpp). No type of any
// database appears here: every store implementation (SQLite today, PostgreSQL next) reads and
// writes these.
#pragma once

#include <cstdint>
#include <vector>

namespace liaise::server::store {

/// Milliseconds since the epoch: every time the store keeps. Callers pass the time of a change
/// in; the store never reads a clock of its own, so two nodes' rows differ only by what their
/// callers said.
using Millis = std::int64_t;

/// Row ids (accounts, devices, rooms, meetings, actions, questions) are positive and never
/// reused; 0 means "none".
using Id = std::int64_t;

/// Opaque bytes: sealed bodies (at_rest.hpp), hashes, MACs and signatures. The store keeps them
/// exactly as given.
using Bytes = std::vector<unsigned char>;

}  // namespace liaise::server::store
