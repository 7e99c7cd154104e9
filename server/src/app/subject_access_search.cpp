// What a subject access request finds (subject_access_search.hpp).
#include "app/subject_access_search.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>

#include "app/minutes_json.hpp"
#include "app/minutes_records.hpp"
#include "liaise/calendar/london_time.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/minutes_export.hpp"
#include "store/audit.hpp"

namespace liaise::server::subject_access {
namespace {

namespace json = boost::json;
using protocol::str;

/// `s` with A-Z lowered and every run of white space as one space, trimmed.
std::string folded(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// "20 Nov 2026 10:00" from a meeting's "YYYY-MM-DD HH:MM" (a London time as the chair wrote it);
/// the text itself when it is not one.
std::string uk_meeting_time(std::string_view starts_at) {
    const auto day = calendar::parse_date(starts_at.substr(0, 10));
    if (!day)
        return std::string(starts_at);
    const auto rest = starts_at.size() > 11 ? starts_at.substr(11, 5) : std::string_view();
    return calendar::uk_date(*day) + (rest.empty() ? "" : " " + std::string(rest));
}

std::string uk_day(std::string_view iso) {
    const auto day = calendar::parse_date(iso);
    return day ? calendar::uk_date(*day) : std::string(iso);
}

/// A JSON entry as lines a person can read: "field: value" for every non-empty text, number and
/// true flag, nested fields as "owner name: …"; ids, keys and signatures left out.
void flatten(const json::value& v, const std::string& path, std::string& out) {
    static const std::set<std::string_view> skip = {
        "id",     "signature", "signer_keys", "sign_key", "box_key", "box_key_signature",
        "device", "agenda",    "entry",       "guidance", "label"};
    if (v.is_object()) {
        for (const auto& kv : v.as_object()) {
            if (skip.contains(kv.key()))
                continue;
            const auto key = std::string(kv.key());
            std::string label = path.empty() ? key : path + " " + key;
            for (auto& c : label)
                if (c == '_')
                    c = ' ';
            flatten(kv.value(), label, out);
        }
    } else if (v.is_array()) {
        for (const auto& e : v.as_array())
            flatten(e, path, out);
    } else if (v.is_string() && !v.get_string().empty()) {
        // Dates and meeting times as people in the UK write them.
        std::string_view text = v.get_string();
        const bool iso_date = text.size() == 10 && calendar::parse_date(text).has_value();
        const bool iso_time = text.size() == 16 && text[10] == ' ' &&
                              calendar::parse_date(text.substr(0, 10)).has_value();
        const auto shown = iso_date   ? uk_day(text)
                           : iso_time ? uk_meeting_time(text)
                                      : std::string(text);
        out += (path.empty() ? "" : path + ": ") + shown + "\n";
    } else if (v.is_bool() && v.get_bool()) {
        out += path + ": yes\n";
    } else if (v.is_int64() && (path.ends_with(" at") || path.ends_with("at"))) {
        if (v.get_int64() > 0)
            out += path + ": " + calendar::london_date_time(v.get_int64()) + "\n";
    }
}

/// How an entry names the subject.
class Matcher {
  public:
    explicit Matcher(const Subject& s) {
        if (s.account) {
            user_ = s.account->user;
            words_.push_back(folded(s.account->display_name));
            words_.push_back(folded(s.account->user));
        } else {
            words_.push_back(folded(s.name));
        }
    }

    /// The ways `v` names the subject ("account field 'owner user'", "name in the text"), empty for
    /// none.
    [[nodiscard]] std::set<std::string> why(const json::value& v) const {
        std::set<std::string> out;
        walk(v, "", out);
        return out;
    }

    [[nodiscard]] bool text_names(std::string_view text) const {
        for (const auto& w : words_)
            if (names(text, w))
                return true;
        return false;
    }

  private:
    void walk(const json::value& v, std::string_view field, std::set<std::string>& out) const {
        if (v.is_object()) {
            for (const auto& kv : v.as_object()) {
                if (kv.key() == "guidance" || kv.key() == "label")
                    continue;  // the template's own words, the same in every record
                const auto& x = kv.value();
                const bool account_field = kv.key() == "user" || kv.key() == "by" ||
                                           kv.key() == "owner_user" || kv.key() == "actor" ||
                                           kv.key() == "sender" || kv.key() == "for_user";
                if (!user_.empty() && account_field && x.is_string() && x.get_string() == user_)
                    out.insert("account field '" +
                               (field.empty() ? std::string(kv.key())
                                              : std::string(field) + "." + std::string(kv.key())) +
                               "'");
                else
                    walk(x, kv.key(), out);
            }
        } else if (v.is_array()) {
            for (const auto& e : v.as_array())
                walk(e, field, out);
        } else if (v.is_string() && text_names(v.get_string())) {
            out.insert("name in the text");
        }
    }

    std::string user_;
    std::vector<std::string> words_;
};

json::array as_array(const std::set<std::string>& s) {
    json::array out;
    for (const auto& x : s)
        out.push_back(json::string(x));
    return out;
}

/// The heading an entry of the minutes field `key` goes under.
std::string section_of(std::string_view key, const json::value& entry) {
    static const std::map<std::string_view, std::string_view> labels = {
        {"title", "Title"},
        {"place", "Place"},
        {"case_reference", "Case reference"},
        {"chair", "Chair"},
        {"minute_taker", "Minutes taken by"},
        {"attendance", "Attendance"},
        {"agenda", "Agenda and discussion"},
        {"decisions", "Decisions"},
        {"reports", "Reports received"},
        {"agency_views", "Each agency's view of the decision"},
        {"correction", "Correction"},
        {"distribution", "Distribution (copies sent and received)"},
        {"recipients", "Distribution (room members at circulation)"},
        {"copies", "Copies for people without an account"},
        {"signatures", "Signatures"},
        {"circulated_by", "Circulated by"},
        {"approved_by", "Approved by"}};
    if (key == "sections" && entry.is_object())
        return "Record: " + str(entry.as_object(), "label");
    const auto it = labels.find(key);
    return it != labels.end() ? std::string(it->second) : std::string(key);
}

/// Minutes fields that say nothing about a person (or are searched elsewhere: actions).
bool skipped_field(std::string_view key) {
    static const std::set<std::string_view> skip = {
        "meeting",         "room",        "version",
        "status",          "kind",        "kind_label",
        "vote_recorded",   "templated",   "marking",
        "next_meeting",    "starts_at",   "actions",
        "carried_forward", "deadlines",   "missing_sections",
        "circulated_at",   "approved_at", "findings_acknowledged"};
    return skip.contains(key);
}

/// Everyone a meeting names as a person (attendees, chair, minute-taker, recipients), for the
/// reviewer: the names in an item that are not the subject's.
std::vector<std::string> people_of(const json::object& doc) {
    std::set<std::string> out;
    const auto add = [&](const json::object& o, std::string_view field) {
        if (auto n = str(o, field); !n.empty())
            out.insert(n);
    };
    for (const auto& v : protocol::list(doc, "attendance"))
        if (v.is_object())
            add(v.as_object(), "name");
    for (const auto* key : {"chair", "minute_taker"})
        if (const auto* p = doc.if_contains(key); p && p->is_object())
            add(p->as_object(), "display_name");
    for (const auto& v : protocol::list(doc, "distribution"))
        if (v.is_object())
            add(v.as_object(), "name");
    return {out.begin(), out.end()};
}

json::array others_named(const Matcher& m, const std::vector<std::string>& people,
                         const std::string& text) {
    json::array out;
    for (const auto& p : people)
        if (!m.text_names(p) && names(text, folded(p)))
            out.push_back(json::string(p));
    return out;
}

struct Search {
    Search(const minutes::Reader& reader, const store::MessagesView& m,
           const store::AuditLogView& a, const AtRestKey& k, const Subject& s)
        : r(reader), messages(m), audit(a), key(k), subject(s) {}

    const minutes::Reader& r;
    const store::MessagesView& messages;
    const store::AuditLogView& audit;
    const AtRestKey& key;
    const Subject& subject;
    Matcher match{subject};
    Found found;
    std::map<store::Id, std::string> room_names;
    std::set<store::Id> rooms_named;  ///< rooms whose minutes or actions name the subject

    /// One meeting: the draft as it stands and each circulated version, an entry found in
    /// several of them once with the versions it is in.
    void meeting(const minutes::Meeting& m) {
        std::vector<std::pair<std::string, json::object>> docs;
        docs.emplace_back(m.status == "draft" ? "draft" : "current",
                          minutes::minutes_json(r, key, m));
        for (const auto& v : r.meetings.versions(m.id))
            docs.emplace_back("version " + std::to_string(v.version),
                              minutes::fixed_version(r, key, m.id, v.version));
        std::map<std::string, std::size_t> seen;  // section + entry text -> index in found.items
        const auto& head = docs.front().second;
        const auto when = uk_meeting_time(m.starts_at);
        for (const auto& [label, doc] : docs) {
            const auto people = people_of(doc);
            for (const auto& kv : doc) {
                if (skipped_field(kv.key()))
                    continue;
                const auto add = [&](const json::value& entry) {
                    if (entry.is_object() && kv.key() == "sections" &&
                        str(entry.as_object(), "text").empty())
                        return;
                    const auto why = match.why(entry);
                    if (why.empty())
                        return;
                    const auto section = section_of(kv.key(), entry);
                    const auto id = section + "\n" + json::serialize(entry);
                    if (const auto it = seen.find(id); it != seen.end()) {
                        found.items[it->second]["versions"].as_array().push_back(
                            json::string(label));
                        return;
                    }
                    std::string text;
                    flatten(entry, "", text);
                    seen.emplace(id, found.items.size());
                    rooms_named.insert(m.room.id);
                    found.items.push_back(
                        json::object{{"source", "minutes"},
                                     {"meeting", m.id},
                                     {"title", str(head, "title")},
                                     {"kind", str(head, "kind_label")},
                                     {"room", m.room.name},
                                     {"case_reference", str(head, "case_reference")},
                                     {"date", when},
                                     {"section", section},
                                     {"versions", json::array{json::string(label)}},
                                     {"matched", as_array(why)},
                                     {"others_named", others_named(match, people, text)},
                                     {"text", text},
                                     {"entry", entry}});
                };
                if (kv.value().is_array())
                    for (const auto& e : kv.value().as_array())
                        add(e);
                else
                    add(kv.value());
            }
        }
    }

    void action(const minutes::Action& a, const std::map<store::Id, std::string>& titles) {
        const auto entry = minutes::action_json(a);
        const auto why = match.why(entry);
        if (why.empty())
            return;
        std::string text;
        flatten(entry, "", text);
        rooms_named.insert(a.room_id);
        const auto title = titles.find(a.raised_in);
        found.items.push_back(json::object{
            {"source", "action"},
            {"action", a.id},
            {"meeting", a.raised_in},
            {"title", title != titles.end() ? title->second : std::string()},
            {"room", a.room},
            {"date", "due " + uk_day(a.due)},
            {"section", "Action: " + protocol::term_label(protocol::kActionStatuses, a.status)},
            {"matched", as_array(why)},
            {"text", text},
            {"entry", entry}});
    }

    void audit_record(const audit::Record& rec) {
        auto why = match.why(rec.details);
        if (subject.account && rec.actor == subject.account->user)
            why.insert("actor");
        if (why.empty())
            return;
        std::string text;
        flatten(rec.details, "", text);
        found.items.push_back(json::object{{"source", "audit"},
                                           {"seq", rec.seq},
                                           {"date", calendar::london_date_time(rec.at)},
                                           {"section", "Audit: " + rec.kind},
                                           {"actor", rec.actor},
                                           {"matched", as_array(why)},
                                           {"text", text},
                                           {"entry", rec.details}});
    }

    /// The rooms whose messages the members should search, with what the server knows of them.
    void rooms() {
        std::map<store::Id, json::object> out;
        const auto entry = [&](store::Id id) -> json::object& {
            auto [it, fresh] = out.try_emplace(id);
            if (fresh)
                it->second = {{"room", room_names[id]},
                              {"member", false},
                              {"member_since", nullptr},
                              {"messages_sent", 0},
                              {"first_sent", nullptr},
                              {"last_sent", nullptr},
                              {"named_in_minutes", rooms_named.contains(id)}};
            return it->second;
        };
        if (subject.account) {
            const auto account = subject.account->id;
            for (const auto& room : r.rooms.rooms_with(account)) {
                auto& o = entry(room.id);
                o["member"] = true;
                const auto joined = r.rooms.membership(room.id, account).value_or(0);
                const auto row = messages.after(room.id, joined - 1, 1);
                if (joined > 0 && !row.empty())
                    o["member_since"] = calendar::london_date_time(row.front().sent_at);
            }
            for (const auto& span : messages.sent_by(account)) {
                auto& o = entry(span.room);
                o["messages_sent"] = span.count;
                o["first_sent"] = calendar::london_date_time(span.first_at);
                o["last_sent"] = calendar::london_date_time(span.last_at);
            }
        }
        for (const auto id : rooms_named)
            entry(id);
        for (auto& [id, o] : out)
            found.rooms.push_back(std::move(o));
    }

    void run() {
        std::map<store::Id, std::string> titles;
        for (const auto& room : r.rooms.all()) {
            room_names[room.id] = room.name;
            for (const auto id : r.meetings.meetings_in(room.id)) {
                const auto m = minutes::load_meeting(r, key, id);
                titles[id] = str(m.body, "title");
                meeting(m);
            }
        }
        for (const auto& row : r.meetings.actions(store::ActionFilter{}))
            action(minutes::opened_action(row, key), titles);
        for (const auto& rec : audit::list(audit, key, 0, -1))
            audit_record(rec);
        rooms();
    }
};

}  // namespace

bool names(std::string_view text, std::string_view needle) {
    const auto n = folded(needle);
    if (n.empty())
        return false;
    const auto t = folded(text);
    for (auto at = t.find(n); at != std::string::npos; at = t.find(n, at + 1)) {
        const bool left = at == 0 || !word_byte(t[at - 1]);
        const auto end = at + n.size();
        const bool right = end == t.size() || !word_byte(t[end]);
        if (left && right)
            return true;
    }
    return false;
}

Found search(const store::ReadTx& tx, const AtRestKey& key, const Subject& subject) {
    const auto r = minutes::reader_of(tx);
    Search s{r, tx.messages(), tx.audit(), key, subject};
    s.run();
    return std::move(s.found);
}

Found search(store::Tx& tx, const AtRestKey& key, const Subject& subject) {
    const auto r = minutes::reader_of(tx);
    Search s{r, tx.messages(), tx.audit(), key, subject};
    s.run();
    return std::move(s.found);
}

std::string respond_by(std::string_view received) {
    using namespace std::chrono;
    const auto day = calendar::parse_date(received);
    if (!day)
        return std::string(received);
    year_month_day due = *day + months{1};
    if (!due.ok())
        due = year_month_day_last(due.year(), month_day_last(due.month()));
    return calendar::uk_date(due);
}

}  // namespace liaise::server::subject_access
