// End-to-end tests of `liaise check`: the real binary, its output and exit statuses.
#include <sys/wait.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Run {
    int status = -1;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

/// This process's scratch folder, removed when the process ends.
struct TempDir {
    fs::path path = fs::temp_directory_path() / ("liaise-cli-test-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

fs::path temp_dir() {
    static const TempDir dir;
    return dir.path;
}

fs::path write_temp(const std::string& name, const std::string& content) {
    const auto p = temp_dir() / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

/// Runs `liaise ARGS` with `input` on standard input.
Run liaise(const std::string& args, const std::string& input = "") {
    const auto in = write_temp("stdin", input);
    const auto out = temp_dir() / "stdout";
    const auto err = temp_dir() / "stderr";
    const std::string cmd = std::string("'") + LIAISE_BINARY + "' " + args + " < '" + in.string() +
                            "' > '" + out.string() + "' 2> '" + err.string() + "'";
    const int raw = std::system(cmd.c_str());
    Run r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

const std::string kDicts = std::string("--dictionaries '") + LIAISE_TEST_DATA + "/dicts' ";

}  // namespace

TEST_CASE("liaise check reports like a compiler and exits 1 on findings", "[cli]") {
    const auto file = write_temp("note.txt", "Hello.\nThe CIN plan, going forward.\n");
    const auto r = liaise("check " + kDicts + "'" + file.string() + "'");
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Catch::Contains(file.string() +
                                      ":2:5: CIN (social-care) -> child who needs extra help: "));
    CHECK_THAT(r.out,
               Catch::Contains(file.string() + ":2:15: going forward (general) -> from now on: "));
    CHECK_THAT(r.out, Catch::Contains("2 findings for audience public"));
    CHECK(r.err.empty());
}

TEST_CASE("liaise check exits 0 when the audience shares the terms", "[cli]") {
    const auto r =
        liaise("check " + kDicts + "--audience social-care -", "The CIN core group met.");
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("no findings for audience social-care"));
}

TEST_CASE("liaise check --json prints the documented object", "[cli]") {
    const auto r = liaise("check " + kDicts + "--json --audience education", "The CIN met.\n");
    CHECK(r.status == 1);
    const auto doc = boost::json::parse(r.out).as_object();
    const auto& findings = doc.at("findings").as_array();
    REQUIRE(findings.size() == 1);
    const auto& f = findings[0].as_object();
    for (const char* key : {"start", "end", "line", "column", "text", "term", "kind", "disciplines",
                            "alternatives", "explanation"})
        CHECK(f.contains(key));
    CHECK(f.at("start").as_int64() == 4);
    CHECK(f.at("end").as_int64() == 7);
    CHECK(f.at("kind").as_string() == "acronym");
    CHECK(f.at("disciplines").as_array().at(0).as_string() == "social-care");
    CHECK(doc.at("readability").is_null());
}

TEST_CASE("liaise check --fix prints the rewritten text", "[cli]") {
    const auto r = liaise("check " + kDicts + "--fix", "CIN plan: we will utilise the room.\n");
    CHECK(r.status == 1);
    CHECK(r.out == "CIN (child in need) plan: we will use the room.\n");
}

TEST_CASE("liaise check input and usage errors exit 2 with one clear line", "[cli]") {
    struct Row {
        const char* name;
        std::string args;
        std::string input;
        const char* message;
    };
    const std::vector<Row> rows = {
        {"missing file", "check " + kDicts + "/no/such/file.txt", "",
         "cannot open '/no/such/file.txt'"},
        {"invalid UTF-8", "check " + kDicts + "-", "ok \xC3\x28 bad", "invalid UTF-8 at byte 3"},
        {"unknown discipline", "check " + kDicts + "--audience teachers -", "x",
         "unknown discipline 'teachers'"},
        {"empty audience item", "check " + kDicts + "--audience education,, -", "x",
         "empty discipline name"},
        {"bad dictionaries", std::string("check --dictionaries '") + LIAISE_TEST_DATA + "/bad' -",
         "x", "bad-rows.tsv:4: missing column"},
        {"no dictionaries", "check --dictionaries /no/such/folder -", "x",
         "not a folder of dictionaries"},
        {"unknown option", "check --colour", "",
         "liaise check: The following argument was not expected: --colour\nUsage: liaise check "},
        {"no command", "", "", "liaise:"},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        const auto r = liaise(row.args, row.input);
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains(row.message));
        CHECK(r.out.empty());
    }
    // The audiences it names are disciplines: officialese (general) is flagged for all of them.
    CHECK(liaise("check " + kDicts + "--audience teachers -", "x").err.find("general") ==
          std::string::npos);
}

TEST_CASE("liaise check finds the shipped dictionaries by itself", "[cli]") {
    const auto r = liaise("check --json", "The SENCO asked about the EHCP.");
    CHECK(r.status == 1);
    const auto doc = boost::json::parse(r.out).as_object();
    CHECK(doc.at("findings").as_array().size() == 2);
}

TEST_CASE("liaise --version, and a usage error points at the command's own help", "[cli]") {
    const auto version = liaise("--version");
    CHECK(version.status == 0);
    CHECK_THAT(version.out, Catch::StartsWith("liaise 0.") && Catch::Contains("(protocol 1)"));
    const auto missing = liaise("action add");
    CHECK(missing.status == 2);
    CHECK_THAT(missing.err, Catch::Contains("Run 'liaise action add --help' for usage."));
    CHECK_THAT(liaise("bogus").err, Catch::Contains("Run 'liaise --help' for usage."));
}
