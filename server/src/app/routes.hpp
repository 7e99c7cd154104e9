// Internal: the route table (app/routes.cpp) checked against the protocol's request specs, so
// that the two lists of request types cannot drift apart.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/protocol/messages.hpp"

namespace liaise::server {

/// What disagrees between the request types the server routes (`routes`) and those the protocol
/// defines (`specs`): one plain sentence for each type with no route, each route with no spec and
/// each type routed more than once. Empty when the two agree. serve() refuses to start otherwise.
[[nodiscard]] std::vector<std::string> route_problems(std::span<const std::string_view> routes,
                                                      std::span<const protocol::RequestSpec> specs);

}  // namespace liaise::server
