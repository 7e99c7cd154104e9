#include "app/minutes_rules.hpp"

#include <boost/json.hpp>
#include <cstdlib>

#include "app/error.hpp"
#include "app/minutes_template.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::server::minutes_rules {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;
using protocol::num;
using protocol::str;

bool digits(std::string_view s, std::size_t from, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

// ---- dates -------------------------------------------------------------------------------------

bool valid_date(std::string_view s) {
    int y = 0, m = 0, d = 0;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) ||
        !digits(s, 5, 2, m) || !digits(s, 8, 2, d))
        return false;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<std::string> parse_datetime(std::string_view s) {
    int h = 0, m = 0;
    if (s.size() != 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
        !valid_date(s.substr(0, 10)) || !digits(s, 11, 2, h) || !digits(s, 14, 2, m) || h > 23 ||
        m > 59)
        return std::nullopt;
    std::string out(s);
    out[10] = ' ';
    return out;
}

std::optional<std::string> parse_when(std::string_view s) {
    if (valid_date(s))
        return std::string(s);
    return parse_datetime(s);
}

std::string require_datetime(std::string_view field, std::string_view value) {
    auto v = parse_datetime(value);
    if (!v)
        throw ServiceError(errc::bad_request,
                           std::string(field) + ": must be a date and time, YYYY-MM-DD HH:MM");
    return *v;
}

std::string require_when(std::string_view field, std::string_view value) {
    auto v = parse_when(value);
    if (!v)
        throw ServiceError(errc::bad_request, std::string(field) +
                                                  ": must be a date, YYYY-MM-DD, or a date and "
                                                  "time, YYYY-MM-DD HH:MM");
    return *v;
}

std::string require_date(std::string_view field, std::string_view value) {
    if (!valid_date(value))
        throw ServiceError(errc::bad_request, std::string(field) + ": must be a date, YYYY-MM-DD");
    return std::string(value);
}

// ---- vocabularies ------------------------------------------------------------------------------

std::string require_marking(std::string_view marking) {
    if (!known(kMarkings, marking))
        throw ServiceError(errc::bad_request, "marking: must be OFFICIAL or OFFICIAL-SENSITIVE");
    return std::string(marking);
}

std::string require_kind(std::string_view kind) {
    return minutes_template::require_kind(kind).id;
}

void require_attendance_status(std::string_view status) {
    if (!known(protocol::kAttendanceStatuses, status))
        throw ServiceError(errc::bad_request,
                           "status: must be one of " + codes(protocol::kAttendanceStatuses));
}

void require_action_status(std::string_view status) {
    if (!known(protocol::kActionStatuses, status))
        throw ServiceError(errc::bad_request,
                           "status: must be one of " + codes(protocol::kActionStatuses));
}

const std::vector<std::string>& open_statuses() {
    static const std::vector<std::string> statuses{"open", "in_progress",
                                                   std::string(kCarriedForward)};
    return statuses;
}

bool is_open(std::string_view status) {
    return status == "open" || status == "in_progress" || status == kCarriedForward;
}

bool is_closed(std::string_view status) {
    return status == "done" || status == "not_done" || status == "cancelled";
}

void require_evidence(std::string_view status, std::string_view evidence) {
    if (is_closed(status) && evidence.empty())
        throw ServiceError(errc::bad_request, "evidence: say what shows the action is " +
                                                  label(protocol::kActionStatuses, status) +
                                                  " (a closed action needs a note of evidence)");
}

// ---- who may do what, and the lifecycle --------------------------------------------------------

bool runs(const MeetingState& m, std::int64_t account) {
    return account == m.chair || account == m.minute_taker;
}

void require_draft(const MeetingState& m) {
    if (m.status != "draft")
        throw ServiceError(errc::minutes_locked,
                           "version " + std::to_string(m.version) + " of these minutes is " +
                               m.status +
                               " and locked; the chair or minute-taker can start a correction " +
                               "(meeting_correct) to make a new version");
}

void require_editor(const MeetingState& m, std::int64_t account, const UserOf& user_of) {
    if (!runs(m, account))
        throw ServiceError(errc::forbidden, "only the meeting's chair (" + user_of(m.chair) +
                                                ") and minute-taker (" + user_of(m.minute_taker) +
                                                ") may edit these minutes");
    require_draft(m);
}

void require_may_circulate(const MeetingState& m, std::int64_t account) {
    if (!runs(m, account))
        throw ServiceError(errc::forbidden,
                           "only the meeting's chair and minute-taker may circulate it");
    if (m.status != "draft")
        throw ServiceError(errc::wrong_status, "version " + std::to_string(m.version) +
                                                   " of these minutes is already " + m.status);
}

void require_may_approve(const MeetingState& m, std::int64_t account, const UserOf& user_of) {
    if (account != m.chair)
        throw ServiceError(errc::forbidden, "only the meeting's chair (" + user_of(m.chair) +
                                                ") may approve its minutes");
    if (m.status == "draft")
        throw ServiceError(errc::wrong_status, "circulate the minutes before approving them");
    if (m.status == "approved")
        throw ServiceError(errc::wrong_status,
                           "version " + std::to_string(m.version) + " is already approved");
}

void require_may_correct(const MeetingState& m, std::int64_t account) {
    if (!runs(m, account))
        throw ServiceError(errc::forbidden,
                           "only the meeting's chair and minute-taker may correct its minutes");
    if (m.status == "draft")
        throw ServiceError(errc::wrong_status, "version " + std::to_string(m.version) +
                                                   " is still a draft: edit it directly");
}

std::string status_after_correction(std::string_view version_status) {
    return version_status == "circulated" ? "superseded" : std::string(version_status);
}

void require_acknowledged(const json::object& check, bool acknowledge, bool is_chair,
                          std::string_view doing) {
    const auto findings = check.at("findings").as_int64();
    if (findings == 0)
        return;
    if (!acknowledge)
        throw ServiceError(errc::findings_unacknowledged,
                           "the minutes have " + std::to_string(findings) + " plain-language " +
                               (findings == 1 ? "finding" : "findings") + " for their readers (" +
                               str(check, "audience") + "); reword them, or the chair must " +
                               "acknowledge them (acknowledge: true) before " + std::string(doing),
                           {{"check", check}});
    if (!is_chair)
        throw ServiceError(errc::findings_unacknowledged,
                           "only the chair may acknowledge plain-language findings",
                           {{"check", check}});
}

void require_signed_near(std::int64_t signed_at, std::int64_t now) {
    if (std::llabs(signed_at - now) > kSignatureSkewMs)
        throw ServiceError(errc::bad_request,
                           "signed_at: is more than 10 minutes from the server's clock (" +
                               protocol::minute_time(now, true) + "); check this device's clock");
}

// ---- the numbered items of a meeting's body ----------------------------------------------------

json::array& array_of(json::object& o, std::string_view key) {
    auto& v = o[key];
    if (!v.is_array())
        v = json::array();
    return v.as_array();
}

const json::array& array_of(const json::object& o, std::string_view key) {
    return protocol::list(o, key);
}

std::int64_t next_id(json::object& body, std::string_view section) {
    const auto key = "next_" + std::string(section);
    const auto id = std::max<std::int64_t>(num(body, key), 1);
    body[key] = id + 1;
    return id;
}

json::object* find_item(json::object& body, std::string_view section, std::int64_t id) {
    for (auto& v : array_of(body, section))
        if (v.is_object() && num(v.as_object(), "id") == id)
            return &v.as_object();
    return nullptr;
}

void put_item(json::object& body, std::string_view section, json::object* target, json::object& e) {
    if (target != nullptr) {
        e["id"] = num(*target, "id");
        *target = e;
    } else {
        e["id"] = next_id(body, section);
        array_of(body, section).push_back(e);
    }
}

json::object* existing_item(json::object& body, std::string_view section, std::int64_t id,
                            std::string_view field, std::string_view what) {
    if (id == 0)
        return nullptr;
    auto* target = find_item(body, section, id);
    if (target == nullptr)
        throw ServiceError(errc::not_found, std::string(field) + ": no " + std::string(what) + " " +
                                                std::to_string(id) + " in this meeting");
    return target;
}

bool remove_item(json::object& body, std::string_view section, std::int64_t id) {
    auto& list = array_of(body, section == "decision" ? "decisions" : section);
    const auto before = list.size();
    for (auto it = list.begin(); it != list.end();) {
        if (num(it->as_object(), "id") == id)
            it = list.erase(it);
        else
            ++it;
    }
    if (list.size() == before)
        return false;
    if (section == "agenda")  // decisions under it stay, no longer tied to an item
        for (auto& d : array_of(body, "decisions"))
            if (num(d.as_object(), "agenda") == id)
                d.as_object()["agenda"] = nullptr;
    return true;
}

}  // namespace liaise::server::minutes_rules
