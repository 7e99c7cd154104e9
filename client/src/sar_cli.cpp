#include "sar_cli.hpp"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_support.hpp"
#include "liaise/protocol/fields.hpp"
#include "liaise/protocol/subject_access_export.hpp"

namespace liaise::client::cli {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using protocol::list;
using protocol::num;
using protocol::str;

struct State {
    std::string user, name, reason, out;
    bool grant = false, withdraw = false, list = false;
};

/// Writes `content` to `path`, readable by its owner only (the bundle is personal data); an
/// error message, or "" when written.
std::string write_private(const fs::path& path, const std::string& content) {
    const auto partial = path.string() + ".partial";
    {
        std::ofstream f(partial, std::ios::binary | std::ios::trunc);
        if (!f)
            return "cannot write " + partial;
        std::error_code ec;
        fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write,
                        fs::perm_options::replace, ec);
        f << content;
        f.close();
        if (!f)
            return "cannot write " + partial;
    }
    std::error_code ec;
    fs::rename(partial, path, ec);
    return ec ? "cannot write " + path.string() + ": " + ec.message() : std::string();
}

int governance(const Options& o, const State& s) {
    if (s.list)
        return simple(o, "governance_list", {}, [](const json::object& r) {
            if (list(r, "officers").empty())
                std::cout << "Nobody holds the information-governance permission.\n";
            for (const auto& v : list(r, "officers")) {
                const auto& x = v.as_object();
                std::cout << shown(x, "user") << " (" << shown(x, "display_name") << ", "
                          << shown(x, "agency") << ")"
                          << (protocol::flag(x, "suspended") ? " [suspended]" : "") << ": given by "
                          << shown(x, "granted_by") << " on " << clock_time(num(x, "granted_at"))
                          << ", reason " << shown(x, "reason") << "\n";
            }
        });
    if (s.user.empty() || s.grant == s.withdraw) {
        std::cerr << "liaise: admin governance: give USER and one of --grant or --withdraw (with "
                     "--reason), or --list\n";
        return 2;
    }
    return simple(
        o, "governance_grant", {{"user", s.user}, {"grant", s.grant}, {"reason", s.reason}},
        [](const json::object& r) {
            const bool has = r.at("governance").as_bool();
            std::cout << (r.at("changed").as_bool() ? "" : "No change: ") << shown(r, "user")
                      << (has ? " holds the information-governance permission.\n"
                              : " does not hold the information-governance "
                                "permission.\n");
        });
}

int sar(const Options& o, const State& s) {
    json::object f{{"reason", s.reason}};
    if (!s.user.empty())
        f["user"] = s.user;
    if (!s.name.empty())
        f["name"] = s.name;
    std::error_code ec;
    fs::create_directories(s.out, ec);
    if (ec || !fs::is_directory(s.out)) {
        std::cerr << "liaise: --out: cannot make the folder " << s.out << "\n";
        return 1;
    }
    fs::permissions(s.out, fs::perms::owner_all, fs::perm_options::replace, ec);
    return with_client(o, [&](Client& c) {
        json::object bundle;
        json::array items;
        std::int64_t pages = 1;
        for (std::int64_t page = 1; page <= pages; ++page) {
            f["page"] = page;
            auto r = c.call("subject_access", f);
            if (!r)
                return report(r.error());
            pages = num(r.value(), "pages");
            auto& b = r.value().at("bundle").as_object();
            for (auto& item : b["items"].as_array())
                items.push_back(std::move(item));
            if (page == 1)
                bundle = std::move(b);
        }
        bundle["items"] = std::move(items);
        bundle.erase("first_item");
        const fs::path dir(s.out);
        for (const auto& [file, content] :
             {std::pair<std::string, std::string>{"bundle.json", json::serialize(bundle) + "\n"},
              {"bundle.md", protocol::subject_access_markdown(bundle)},
              {"bundle.html", protocol::subject_access_html(bundle)}})
            if (const auto why = write_private(dir / file, content); !why.empty())
                return report({"io_error", why});
        if (o.json) {
            std::cout << json::serialize(json::object{{"out", s.out},
                                                      {"items", num(bundle, "total_items")},
                                                      {"rooms", list(bundle, "rooms").size()},
                                                      {"pages", pages}})
                      << "\n";
        } else {
            std::cout << "Found " << num(bundle, "total_items") << " item(s) and "
                      << list(bundle, "rooms").size() << " room(s) to search; wrote "
                      << (dir / "bundle.json").string() << ", bundle.md and bundle.html.\n"
                      << "Review every item for other people's information before release; "
                         "the answer is due by "
                      << shown(bundle, "respond_by") << ".\n";
        }
        return 0;
    });
}

}  // namespace

void add_governance_commands(CLI::App& admin, Options& o, std::function<int()>& action) {
    static State s;  // option values live as long as the program: `action` refers to them
    auto* gov = admin.add_subcommand(
        "governance", "Give or withdraw the information-governance permission (admins)");
    gov->add_option("user", s.user, "The account");
    gov->add_flag("--grant", s.grant, "Give the permission");
    gov->add_flag("--withdraw", s.withdraw, "Withdraw the permission");
    gov->add_option("--reason", s.reason, "Why (kept in the audit log)");
    gov->add_flag("--list", s.list, "List who holds it");
    gov->add_flag("--json", o.json, "Print JSON for scripts");
    gov->callback([&] { action = [&] { return governance(o, s); }; });

    auto* cmd = admin.add_subcommand(
        "sar", "Subject access request: everything held that names a person (IG officers)");
    cmd->add_option("user", s.user, "The person's account (user name)");
    cmd->add_option("--name", s.name, "Or a name as written in the minutes, e.g. a parent's");
    cmd->add_option("--reason", s.reason, "Why, e.g. the request's case reference")->required();
    cmd->add_option("--out", s.out, "Folder to write bundle.json, bundle.md and bundle.html")
        ->required();
    cmd->add_flag("--json", o.json, "Print JSON for scripts");
    cmd->callback([&] { action = [&] { return sar(o, s); }; });
}

}  // namespace liaise::client::cli
