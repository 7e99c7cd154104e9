#include "app/require.hpp"

#include <algorithm>

#include "app/error.hpp"

namespace liaise::server {

namespace errc = protocol::errc;

Account require_account(SQLite::Database& db, std::string_view user) {
    auto a = find_account(db, user);
    if (!a)
        throw ServiceError(errc::not_found, "no account named '" + std::string(user) + "'");
    return *a;
}

dictionary_store::Files require_version(SQLite::Database& db, std::int64_t version) {
    auto files = dictionary_store::at_version(db, version);
    if (!files)
        throw ServiceError(errc::not_found,
                           "there is no dictionary version " + std::to_string(version));
    return std::move(*files);
}

dictionary_store::Compiled require_compiled(SQLite::Database& db,
                                            const dictionary_store::Files& files) {
    auto compiled = dictionary_store::compile(db, files);
    const auto& problems = compiled.problems;
    if (!problems.empty())
        throw ServiceError(errc::invalid_dictionary,
                           std::to_string(problems.size()) +
                               (problems.size() == 1 ? " problem" : " problems") +
                               "; nothing was changed. First: " + problems.front().to_string(),
                           {{"problems", dictionary_store::problems_json(problems)}});
    return compiled;
}

void require_discipline(SQLite::Database& db, const std::string& discipline) {
    const auto known = dictionary_store::agency_disciplines(db);
    if (std::find(known.begin(), known.end(), discipline) != known.end())
        return;
    std::string list;
    for (const auto& name : known)
        list += (list.empty() ? "" : ", ") + name;
    throw ServiceError(errc::bad_request, "discipline: '" + discipline + "' is not one of " + list);
}

}  // namespace liaise::server
