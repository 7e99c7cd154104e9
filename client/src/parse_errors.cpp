#include "parse_errors.hpp"

#include <cctype>
#include <string_view>

namespace liaise::client::cli {
namespace {

/// "MEETING" for the argument "meeting"; "--due" for an option.
std::string shown_name(const CLI::Option& opt) {
    if (!opt.get_positional() || opt.nonpositional())
        return opt.get_name();
    std::string name = opt.get_name();
    for (auto& c : name)
        c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

/// A value's kind for people: NUMBER for an integer, else the parser's TEXT.
std::string value_name(const CLI::Option& opt) {
    const auto type = opt.get_type_name();
    if (type == "INT" || type == "UINT")
        return "NUMBER";
    return type.empty() ? "VALUE" : type;
}

/// The description as a parenthesis: " (the meeting number)"; empty without one.
std::string described(const CLI::Option& opt) {
    std::string d = opt.get_description();
    std::string name = opt.get_name();
    if (d.empty() || CLI::detail::to_lower(d) == CLI::detail::to_lower(name))
        return {};  // "Room" for ROOM says nothing more
    if (d.size() > 1 && std::isupper(static_cast<unsigned char>(d[0])) &&
        std::islower(static_cast<unsigned char>(d[1])))
        d[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(d[0])));
    return " (" + d + ")";
}

bool shown_in_usage(const CLI::Option& opt, const CLI::App& cmd) {
    return &opt != cmd.get_help_ptr() && &opt != cmd.get_help_all_ptr() && !opt.get_group().empty();
}

}  // namespace

std::string usage_line(const CLI::App& cmd) {
    std::string path = cmd.get_name();
    for (const CLI::App* up = cmd.get_parent(); up != nullptr; up = up->get_parent())
        path = up->get_name() + " " + path;
    std::string line = path;
    const auto options = cmd.get_options();
    for (const auto* opt : options) {  // the arguments first, in their order
        if (!opt->get_positional() || opt->nonpositional() || !shown_in_usage(*opt, cmd))
            continue;
        std::string arg = shown_name(*opt);
        if (opt->get_items_expected_max() > 1)
            arg += "...";
        line += " " + (opt->get_required() ? arg : "[" + arg + "]");
    }
    for (const auto* opt : options) {
        if (!opt->nonpositional() || !shown_in_usage(*opt, cmd))
            continue;
        std::string arg = opt->get_name();
        if (opt->get_type_size_max() > 0 && opt->get_items_expected_max() > 0)
            arg += " " + value_name(*opt);
        line += " " + (opt->get_required() ? arg : "[" + arg + "]");
    }
    return line;
}

std::string parse_error_text(const CLI::App& app, const CLI::ParseError& error) {
    // The command being given: the innermost subcommand parsed so far.
    const CLI::App* at = &app;
    while (!at->get_subcommands().empty())
        at = at->get_subcommands().front();
    std::string where = "liaise";
    {
        std::string path;
        for (const CLI::App* up = at; up != nullptr && up != &app; up = up->get_parent())
            path = " " + up->get_name() + path;
        where += path;
    }
    const std::string_view what = error.what();
    std::string said;
    const auto missing_argument = [&]() -> const CLI::Option* {
        for (const auto* opt : at->get_options())
            if (opt->get_required() && opt->count() == 0 && shown_in_usage(*opt, *at))
                return opt;
        return nullptr;
    };
    if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr &&
        what.starts_with("Could not convert: ")) {
        // "Could not convert: NAME = VALUE"
        const auto rest = what.substr(std::string_view("Could not convert: ").size());
        const auto eq = rest.find(" = ");
        const auto name = std::string(rest.substr(0, eq));
        const auto value =
            eq == std::string_view::npos ? std::string() : std::string(rest.substr(eq + 3));
        const CLI::Option* opt = at->get_option_no_throw(name);
        if (opt == nullptr)
            opt = at->get_option_no_throw("--" + name);
        if (opt != nullptr && opt->get_positional() && !opt->nonpositional()) {
            // A word where a number goes, with an argument after it left without a value: the
            // number was left out ("liaise meeting agenda 'Item 1'"), not mistyped.
            bool later_missing = false, after = false;
            for (const auto* o : at->get_options()) {
                if (o == opt)
                    after = true;
                else if (after && o->get_positional() && !o->nonpositional() && o->get_required() &&
                         o->count() == 0)
                    later_missing = true;
            }
            said = later_missing ? "missing " + shown_name(*opt) + described(*opt)
                                 : shown_name(*opt) + " must be a number" + described(*opt) +
                                       ", not '" + value + "'";
        } else if (opt != nullptr) {
            said =
                opt->get_name() + " must be a number" + described(*opt) + ", not '" + value + "'";
        }
    } else if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
        if (const auto* opt = missing_argument())
            said = "missing " + shown_name(*opt) + described(*opt);
    } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
        // "--due: 1 required TEXT missing"
        const auto colon = what.find(':');
        if (colon != std::string_view::npos)
            if (const auto* opt = at->get_option_no_throw(std::string(what.substr(0, colon))))
                said = opt->get_name() + " needs a value" + described(*opt);
    }
    if (said.empty())
        said = std::string(what);
    std::string text = where + ": " + said + "\n";
    if (at != &app)
        text += "Usage: " + usage_line(*at) + "\n";
    text += "Run '" + where + " --help' for usage.\n";
    return text;
}

}  // namespace liaise::client::cli
