// Records every frame a test's connections exchange with the real server and checks each frame
// the server sent against the protocol's reply and event shapes (protocol/schemas.hpp).
#pragma once

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "liaise/client/connection.hpp"
#include "liaise/protocol/schemas.hpp"

namespace liaise::test {

class FrameLog {
  public:
    struct Received {
        std::string request_type;  ///< for replies: the type of the request answered
        std::string text;
    };

    /// From now on, records what `conn` sends and receives. The log must outlive `conn`'s use.
    void watch(client::Connection& conn) {
        auto sent_types = std::make_shared<std::map<std::string, std::string>>();
        conn.observe_frames([this, sent_types](bool sent, std::string_view frame) {
            boost::system::error_code ec;
            const auto v = boost::json::parse(frame, ec);
            if (sent) {
                if (!ec && v.is_object() && v.as_object().contains("id") &&
                    v.as_object().at("id").is_string() && v.as_object().contains("type") &&
                    v.as_object().at("type").is_string())
                    (*sent_types)[std::string(v.at("id").as_string())] =
                        std::string(v.at("type").as_string());
                return;
            }
            std::string type;
            if (!ec && v.is_object())
                if (const auto* re = v.as_object().if_contains("re"); re && re->is_string())
                    if (const auto it = sent_types->find(std::string(re->get_string()));
                        it != sent_types->end())
                        type = it->second;
            received_.push_back({type, std::string(frame)});
        });
    }

    [[nodiscard]] const std::vector<Received>& received() const noexcept { return received_; }

    /// Every frame received conforms to its shape; returns the shapes seen ("reply:rooms",
    /// "event:message", "error").
    std::set<std::string> check_all() const {
        std::set<std::string> seen;
        for (const auto& r : received_) {
            boost::system::error_code ec;
            const auto v = boost::json::parse(r.text, ec);
            INFO("frame: " << r.text);
            REQUIRE_FALSE(ec);
            REQUIRE(v.is_object());
            const auto problem = protocol::check_server_frame(v.as_object(), r.request_type);
            CHECK(problem.value_or("") == "");
            const auto type = std::string(v.at("type").as_string());
            seen.insert(type == "ok"      ? "reply:" + r.request_type
                        : type == "error" ? std::string("error")
                                          : "event:" + type);
        }
        // LIAISE_FRAME_LOG=FILE writes the frames as JSON lines, for updating the shapes.
        if (const char* path = std::getenv("LIAISE_FRAME_LOG"); path != nullptr && *path) {
            std::ofstream out(path, std::ios::app);
            for (const auto& r : received_)
                out << boost::json::serialize(boost::json::object{
                           {"request", r.request_type}, {"frame", boost::json::parse(r.text)}})
                    << "\n";
        }
        return seen;
    }

  private:
    std::vector<Received> received_;
};

}  // namespace liaise::test
