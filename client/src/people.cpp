#include "liaise/client/people.hpp"

#include <boost/json/object.hpp>

#include "liaise/client/display.hpp"

namespace liaise::client {
namespace {

namespace json = boost::json;

std::string field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// `s` with ASCII capitals made small: "Bea Patel" and "bea patel" are one name to a reader.
std::string folded(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

}  // namespace

People::People(const json::array& members) {
    struct Member {
        std::string user, display, agency;
    };
    std::vector<Member> list;
    std::map<std::string, int> uses;  // folded display name -> how many members have it
    for (const auto& v : members) {
        if (!v.is_object())
            continue;
        const auto& m = v.get_object();
        const auto* user = m.if_contains("user");
        if (user == nullptr || !user->is_string())
            continue;
        Member one{std::string(user->get_string()), field(m, "display_name"), field(m, "agency")};
        if (one.display.empty())
            one.display = one.user;
        ++uses[folded(display_line(one.display))];
        list.push_back(std::move(one));
    }
    for (const auto& m : list) {
        const auto display = display_line(m.display);
        std::string detail = display_line(m.agency);
        // Told apart by the account, which is unique, unless the name already is the account.
        if (uses[folded(display)] > 1 && display != display_line(m.user))
            detail += (detail.empty() ? "" : ", ") + display_line(m.user);
        names_[m.user] = detail.empty() ? display : display + " (" + detail + ")";
    }
}

std::string People::name(std::string_view user) const {
    const auto found = names_.find(user);
    return found != names_.end() ? found->second : display_line(user);
}

bool People::knows(std::string_view user) const {
    return names_.find(user) != names_.end();
}

}  // namespace liaise::client
