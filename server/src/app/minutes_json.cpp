#include "app/minutes_json.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "app/error.hpp"
#include "app/minutes_template.hpp"
#include "liaise/protocol/fields.hpp"

namespace liaise::server::minutes {
namespace {

namespace json = boost::json;
namespace errc = protocol::errc;
using minutes_rules::array_of;
using protocol::flag;
using protocol::str;

json::value nullable(const std::optional<std::int64_t>& v) {
    return v ? json::value(*v) : json::value();
}

}  // namespace

json::object person_json(const store::AccountRow& p) {
    return {{"user", p.user}, {"display_name", p.display_name}, {"agency", p.agency}};
}

json::object action_json(const Action& a) {
    json::object owner{{"name", str(a.body, "owner_name")},
                       {"agency", str(a.body, "owner_agency")}};
    if (!a.owner_user.empty())
        owner["user"] = a.owner_user;
    json::object o{{"id", a.id},
                   {"room", a.room},
                   {"meeting", a.raised_in},
                   {"what", str(a.body, "what")},
                   {"outcome", str(a.body, "outcome")},
                   {"owner", std::move(owner)},
                   {"due", a.due},
                   {"review", a.review.empty() ? json::value() : json::value(a.review)},
                   {"status", a.status},
                   {"evidence", str(a.body, "evidence")},
                   {"overdue", minutes_rules::is_open(a.status) && a.due < protocol::utc_date()}};
    return o;
}

json::object minutes_json(const Reader& r, const AtRestKey& key, const Meeting& m) {
    json::array raised, carried;
    for (const auto& [row, is_carried] : r.meetings.actions_of(m.id))
        (is_carried ? carried : raised).push_back(action_json(opened_action(row, key)));
    json::object o{
        {"meeting", m.id},
        {"room", m.room.name},
        {"version", m.version},
        {"status", m.status},
        {"kind", m.kind},
        {"title", str(m.body, "title")},
        {"starts_at", m.starts_at},
        {"place", str(m.body, "place")},
        {"chair", person_json(person_by_id(r, m.chair))},
        {"minute_taker", person_json(person_by_id(r, m.minute_taker))},
        {"marking", m.marking},
        {"next_meeting", m.next_meeting.empty() ? json::value() : json::value(m.next_meeting)},
        {"attendance", array_of(m.body, "attendance")},
        {"agenda", array_of(m.body, "agenda")},
        {"decisions", array_of(m.body, "decisions")},
        {"actions", std::move(raised)},
        {"carried_forward", std::move(carried)}};
    if (const auto* c = m.body.if_contains("correction"); c != nullptr && c->is_object())
        o["correction"] = *c;
    // The kind's template (minutes_template.hpp): sections, reports received, agencies' views.
    const auto& kind = minutes_template::kind_of(m.kind);
    o["case_reference"] = str(m.body, "case_reference");
    o["kind_label"] = kind.label;
    o["vote_recorded"] = kind.vote_recorded;
    o["templated"] = minutes_template::templated(kind, m.body);
    o["sections"] = minutes_template::sections_json(kind, m.body);
    o["reports"] = array_of(m.body, "reports");
    o["agency_views"] = array_of(m.body, "agency_views");
    o["missing_sections"] = minutes_template::missing_sections(kind, o);
    return o;
}

jargon::Audience minutes_audience(const Reader& r, const Meeting& m) {
    if (m.room.is_public)
        return jargon::Audience::everyone();
    std::set<std::string> disciplines;
    for (const auto& v : array_of(m.body, "attendance")) {
        const auto& e = v.as_object();
        if (flag(e, "family") && (str(e, "status") == "present" || flag(e, "copy")))
            return jargon::Audience::everyone();
        if (const auto user = str(e, "user"); !user.empty()) {
            if (const auto p = r.accounts.find(user))
                disciplines.insert(p->discipline);
        } else if (const auto d = str(e, "discipline"); !d.empty()) {
            disciplines.insert(d);
        }
    }
    if (disciplines.empty())
        for (const auto id : r.rooms.member_accounts(m.room.id))
            disciplines.insert(person_by_id(r, id).discipline);
    return jargon::Audience::of({disciplines.begin(), disciplines.end()});
}

json::object signer_keys_json(Id device, const std::string& sign_key, const std::string& box_key,
                              const std::string& box_key_signature) {
    return {{"device", std::to_string(device)},
            {"sign_key", sign_key},
            {"box_key", box_key},
            {"box_key_signature", box_key_signature}};
}

json::array signatures_json(const Reader& r, Id meeting, std::int64_t version) {
    json::array out;
    for (const auto& s : r.meetings.signatures(meeting, version)) {
        out.push_back(json::object{{"act", s.act},
                                   {"user", s.user},
                                   {"display_name", s.display_name},
                                   {"agency", s.agency},
                                   {"device", std::to_string(s.device)},
                                   {"signed_at", s.signed_at},
                                   {"signature", s.signature},
                                   {"signer_keys", signer_keys_json(s.device, s.sign_key, s.box_key,
                                                                    s.box_key_signature)}});
    }
    return out;
}

json::value ack_signature_json(const store::Distribution& d) {
    if (!d.acknowledged_at || !d.ack_signature)
        return nullptr;
    const auto& s = *d.ack_signature;
    return json::object{
        {"device", std::to_string(s.device)},
        {"signed_at", s.signed_at},
        {"signature", s.signature},
        {"signer_keys", signer_keys_json(s.device, s.sign_key, s.box_key, s.box_key_signature)}};
}

json::array recipients_json(const Reader& r, Id room) {
    json::array out;
    for (const auto& m : r.rooms.members(room))
        out.push_back(json::object{{"user", m.account.user},
                                   {"name", m.account.display_name},
                                   {"agency", m.account.agency}});
    return out;
}

json::array distribution_json(const Reader& r, Id meeting, std::int64_t version,
                              const json::object& snapshot) {
    std::map<std::string, const json::object*> as_sent;
    for (const auto& v : array_of(snapshot, "recipients"))
        as_sent[str(v.as_object(), "user")] = &v.as_object();
    json::array out;
    for (const auto& d : r.meetings.distribution(meeting, version)) {
        const auto kept = as_sent.find(d.user);
        json::object o{
            {"user", d.user},
            {"name", kept != as_sent.end() ? str(*kept->second, "name") : d.display_name},
            {"agency", kept != as_sent.end() ? str(*kept->second, "agency") : d.agency},
            {"sent_at", d.sent_at}};
        o["received_at"] = nullable(d.received_at);
        o["acknowledged_at"] = nullable(d.acknowledged_at);
        o["ack_signature"] = ack_signature_json(d);
        out.push_back(std::move(o));
    }
    for (const auto& c : array_of(snapshot, "copies"))
        out.push_back(c);
    return out;
}

json::object fixed_version(const Reader& r, const AtRestKey& key, Id meeting,
                           std::int64_t version) {
    const auto v = r.meetings.version(meeting, version);
    if (!v)
        throw ServiceError(errc::not_found, "meeting " + std::to_string(meeting) +
                                                " has no circulated version " +
                                                std::to_string(version));
    auto m = open_body(key, v->body, "minutes_versions", meeting, version, "minutes version");
    m["status"] = v->status;
    m["circulated_by"] = person_json(person_by_id(r, v->circulated_by));
    m["circulated_at"] = v->circulated_at;
    if (v->approved_by != 0) {
        m["approved_by"] = person_json(person_by_id(r, v->approved_by));
        m["approved_at"] = v->approved_at.value_or(0);
    }
    m["findings_acknowledged"] = v->findings;
    m["distribution"] = distribution_json(r, meeting, version, m);
    m["signatures"] = signatures_json(r, meeting, version);
    m.erase("copies");
    m.erase("recipients");
    return m;
}

json::array versions_json(const Reader& r, Id meeting) {
    json::array out;
    for (const auto& v : r.meetings.versions(meeting))
        out.push_back(json::object{{"version", v.version},
                                   {"status", v.status},
                                   {"circulated_at", v.circulated_at},
                                   {"approved_at", nullable(v.approved_at)}});
    return out;
}

json::array deadlines(const Reader& r, const Meeting& m, const calendar::ClockSettings& settings) {
    std::optional<std::int64_t> circulated;
    for (const auto& v : r.meetings.versions(m.id))
        if (!circulated || v.circulated_at < *circulated)
            circulated = v.circulated_at;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return minutes_template::deadlines_json(meeting_clocks(r.accounts, settings, m.kind, m.chair),
                                            m.starts_at, circulated, now);
}

json::object meeting_summary(const Reader& r, const Meeting& m,
                             const calendar::ClockSettings& settings) {
    return {{"meeting", m.id},
            {"case_reference", str(m.body, "case_reference")},
            {"deadlines", deadlines(r, m, settings)},
            {"room", m.room.name},
            {"kind", m.kind},
            {"title", str(m.body, "title")},
            {"starts_at", m.starts_at},
            {"status", m.status},
            {"version", m.version},
            {"chair", person_by_id(r, m.chair).user},
            {"minute_taker", person_by_id(r, m.minute_taker).user}};
}

}  // namespace liaise::server::minutes
