// `liaise`: the Liaise command-line client.
#include <CLI/CLI.hpp>
#include <iostream>

#include "liaise/client/check.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Liaise: secure multi-agency messaging and plain-language checks", "liaise"};
    app.require_subcommand(1);

    liaise::client::CheckOptions check;
    std::string dictionaries;
    auto* check_cmd = app.add_subcommand(
        "check", "Flag jargon and acronyms the audience may not share (works offline)");
    check_cmd->add_option(
        "--audience", check.audience,
        "'public' (default) or comma-separated disciplines, e.g. social-care,education");
    check_cmd->add_option("--dictionaries", dictionaries,
                          "Folder of dictionaries (default: the shipped ones)");
    check_cmd->add_flag("--json", check.json, "Print one JSON object");
    check_cmd->add_flag("--fix", check.fix,
                        "Print the text with each finding replaced by its first alternative");
    check_cmd->add_option("input", check.input, "File to check, or - for standard input (default)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "liaise: " << e.what() << "\n"
                  << "Run 'liaise --help' for usage.\n";
        return 2;
    }
    if (check_cmd->parsed()) {
        if (!dictionaries.empty())
            check.dictionaries = dictionaries;
        return static_cast<int>(liaise::client::run_check(check, std::cin, std::cout, std::cerr));
    }
    return 2;
}
