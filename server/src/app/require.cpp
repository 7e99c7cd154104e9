#include "app/require.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "app/error.hpp"
#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/engine.hpp"

namespace liaise::server {

namespace errc = protocol::errc;
namespace json = boost::json;

store::AccountRow require_account(const store::AccountsView& accounts, std::string_view user) {
    auto a = accounts.find(user);
    if (!a)
        throw ServiceError(errc::not_found, "no account named '" + std::string(user) + "'");
    return std::move(*a);
}

store::DictionaryFiles require_version(const store::DictionariesView& dictionaries,
                                       std::int64_t version) {
    auto files = dictionaries.at_version(version);
    if (!files)
        throw ServiceError(errc::not_found,
                           "there is no dictionary version " + std::to_string(version));
    return std::move(*files);
}

std::shared_ptr<const jargon::Engine> require_compiled(const store::DictionaryFiles& files,
                                                       std::string_view common_acronyms) {
    jargon::DictionarySet set;
    std::vector<jargon::Problem> problems;
    for (const auto& [discipline, tsv] : files) {
        auto parsed = jargon::parse_dictionary(discipline, discipline, tsv);
        if (!parsed.ok()) {
            problems.insert(problems.end(), parsed.problems().begin(), parsed.problems().end());
            continue;
        }
        set.dictionaries.push_back(std::move(parsed).value());
    }
    std::shared_ptr<const jargon::Engine> engine;
    if (problems.empty()) {
        auto acronyms = jargon::parse_common_acronyms("common-acronyms", common_acronyms);
        if (acronyms.ok())
            set.common_acronyms = std::move(acronyms).value();
        auto compiled = jargon::Engine::compile(set);
        if (compiled.ok())
            engine = std::move(compiled).value();
        else
            problems = compiled.problems();
    }
    if (problems.empty())
        return engine;
    json::array listed;
    for (const auto& p : problems)
        listed.push_back(
            json::object{{"discipline", p.file}, {"line", p.line}, {"message", p.reason}});
    throw ServiceError(errc::invalid_dictionary,
                       std::to_string(problems.size()) +
                           (problems.size() == 1 ? " problem" : " problems") +
                           "; nothing was changed. First: " + problems.front().to_string(),
                       {{"problems", std::move(listed)}});
}

void require_discipline(const store::DictionariesView& dictionaries,
                        const std::string& discipline) {
    std::vector<std::string> known;
    for (const auto& [name, tsv] : dictionaries.current())
        if (name != jargon::kGeneralDiscipline)
            known.push_back(name);
    if (std::find(known.begin(), known.end(), discipline) != known.end())
        return;
    std::string list;
    for (const auto& name : known)
        list += (list.empty() ? "" : ", ") + name;
    throw ServiceError(errc::bad_request, "discipline: '" + discipline + "' is not one of " + list);
}

std::pair<store::Id, std::int64_t> require_membership(const store::RoomsView& rooms,
                                                      const std::string& room, store::Id account) {
    const auto found = rooms.find(room);
    const auto joined = found ? rooms.membership(found->id, account) : std::nullopt;
    if (!joined)
        throw ServiceError(errc::not_found, "no room named '" + room + "'");
    return {found->id, *joined};
}

}  // namespace liaise::server
