#include "app/rows_json.hpp"

#include <string>

namespace liaise::server {

namespace json = boost::json;

json::object account_json(const store::AccountRow& a) {
    return {{"user", a.user},
            {"display_name", a.display_name},
            {"agency", a.agency},
            {"discipline", a.discipline},
            {"role", protocol::to_string(a.role)}};
}

json::array devices_json(const std::vector<store::Device>& devices) {
    json::array out;
    for (const auto& d : devices) {
        json::object o{{"device", std::to_string(d.id)},
                       {"name", d.name},
                       {"sign_key", d.sign_key},
                       {"box_key", d.box_key},
                       {"box_key_signature", d.box_key_signature}};
        if (d.issued_by != 0) {
            o["issued_by"] = d.issued_by_user;
            o["issued_by_display_name"] = d.issued_by_display_name;
            o["issued_at"] = d.issued_at.value_or(0);
            if (d.replaces != 0)
                o["replaces"] = std::to_string(d.replaces);
        }
        out.push_back(std::move(o));
    }
    return out;
}

json::array members_json(const store::RoomsView& rooms, const store::AccountsView& accounts,
                         store::Id room, bool names_only) {
    json::array out;
    for (const auto& m : rooms.members(room)) {
        auto o = account_json(m.account);
        if (m.account.suspended)
            o["suspended"] = true;
        if (!names_only)
            o["devices"] =
                m.account.suspended ? json::array{} : devices_json(accounts.devices(m.account.id));
        out.push_back(std::move(o));
    }
    return out;
}

json::array logins_json(const std::vector<store::Login>& logins) {
    json::array out;
    for (const auto& l : logins) {
        json::object o{{"session", l.session},
                       {"device", std::to_string(l.device)},
                       {"device_name", l.device_name},
                       {"at", l.at},
                       {"address", l.address}};
        if (l.issued_at) {
            o["issued_by"] = l.issued_by;
            o["issued_at"] = *l.issued_at;
        }
        out.push_back(std::move(o));
    }
    return out;
}

json::object glossary_json(std::int64_t version, const std::vector<store::GlossaryTerm>& terms) {
    json::array list;
    for (const auto& t : terms)
        list.push_back(json::object{
            {"term", t.term}, {"meaning", t.meaning}, {"by", t.agreed_by}, {"at", t.agreed_at}});
    return {{"version", version}, {"terms", std::move(list)}};
}

}  // namespace liaise::server
