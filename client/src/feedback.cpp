#include "liaise/client/feedback.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>

#include "liaise/client/connection.hpp"
#include "liaise/protocol/messages.hpp"

namespace liaise::client::feedback {
namespace {

namespace json = boost::json;

/// The saved state, or an empty one when the file is missing or unreadable (statistics are not
/// worth refusing a command over).
json::object load(const Home& home) {
    const auto text = home.read_file(kFile);
    if (!text)
        return {};
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object())
        return {};
    return std::move(v.get_object());
}

std::string day_of(const json::object& state, std::string_view field) {
    const auto* v = state.if_contains(field);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

protocol::Expected<bool> save(const Home& home, const json::object& state) {
    return home.write_file(kFile, json::serialize(state));
}

}  // namespace

std::string utc_day(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char out[16];
    std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
    return out;
}

protocol::Expected<std::size_t> record(const Home& home, std::string_view outcome,
                                       const std::vector<jargon::Finding>& findings,
                                       std::string_view today) {
    auto state = load(home);
    auto* counts = state.if_contains("counts");
    if (counts == nullptr || !counts->is_object())
        counts = &(state["counts"] = json::object());
    std::size_t counted = 0;
    for (const auto& f : findings) {
        const bool as_written = outcome != "fixed" || jargon::agreed_alternative(f) == nullptr;
        const auto* column = as_written ? "sent_anyway" : "fixed";
        for (const auto& discipline : f.disciplines()) {
            auto& entry = counts->get_object()[discipline + ":" + f.term];
            if (!entry.is_object())
                entry = json::object{{"fixed", 0}, {"sent_anyway", 0}};
            auto& n = entry.get_object()[column];
            const auto now = n.is_int64() ? n.get_int64() : 0;
            n = std::min(now + 1, kMaxCount);
            ++counted;
        }
    }
    if (counted == 0)
        return counted;
    state["counted"] = today;
    if (day_of(state, "reported").empty())
        state["reported"] = today;  // a new device waits a day like any other
    if (auto saved = save(home, state); !saved)
        return saved.error();
    return counted;
}

protocol::Expected<bool> report_if_due(const Home& home, Connection& connection,
                                       std::string_view today) {
    auto state = load(home);
    const auto* counts = state.if_contains("counts");
    if (counts == nullptr || !counts->is_object() || counts->get_object().empty())
        return false;
    // Days compare as text: "YYYY-MM-DD".
    if (!(day_of(state, "counted") < today && day_of(state, "reported") < today))
        return false;
    json::object report;
    for (const auto& [entry, v] : counts->get_object()) {
        if (!v.is_object())
            continue;
        json::object both;
        for (const char* column : {"fixed", "sent_anyway"}) {
            const auto* n = v.get_object().if_contains(column);
            both[column] = n != nullptr && n->is_int64()
                               ? std::clamp<std::int64_t>(n->get_int64(), 0, kMaxCount)
                               : 0;
        }
        report[entry] = std::move(both);
    }
    auto reply = connection.request("dict_feedback", {{"counts", std::move(report)}});
    const std::string code = reply ? std::string() : reply.error().code;
    if (reply || code == protocol::errc::bad_request)
        state["counts"] = json::object();
    else if (code != protocol::errc::already_reported)
        return reply.error();  // the next command that logs in tries again
    state["reported"] = today;
    if (auto saved = save(home, state); !saved)
        return saved.error();
    if (!reply)
        return reply.error();
    return true;
}

}  // namespace liaise::client::feedback
