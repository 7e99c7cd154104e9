// Internal: how a handler refuses a request. Thrown inside handlers and write jobs, caught once
// where the request is dispatched or its write completes, and sent as an error reply. The store
// never throws it: its row helpers return results that the app maps to these (app/require.hpp).
#pragma once

#include <boost/json/object.hpp>
#include <exception>
#include <string>
#include <string_view>

#include "liaise/protocol/messages.hpp"

namespace liaise::server {

/// A failure a handler reports to the client: a stable code, a message and optional fields.
struct ServiceError : std::exception {
    ServiceError(std::string_view code, std::string message, boost::json::object extra = {})
        : error{std::string(code), std::move(message)}, extra(std::move(extra)) {}
    const char* what() const noexcept override { return error.message.c_str(); }
    protocol::Error error;
    boost::json::object extra;
};

/// What a write unit throws (with code conflict) when what its request read beforehand, to work
/// on off the writer, has changed meanwhile (Service::off_writer): nothing is written, and the
/// request runs once more from a new read.
struct Moved final : ServiceError {
    explicit Moved(std::string message)
        : ServiceError(protocol::errc::conflict, std::move(message)) {}
};

}  // namespace liaise::server
