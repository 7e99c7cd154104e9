#include "liaise/client/check.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <sstream>

#include "liaise/base/utf8.hpp"
#include "liaise/client/display.hpp"
#include "liaise/client/plain.hpp"
#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/findings_json.hpp"
#include "liaise/jargon/fix.hpp"
#include "liaise/jargon/reading_age.hpp"
#include "liaise/jargon/utf8.hpp"
#include "plain_reading.hpp"

namespace liaise::client {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty())
            out += sep;
        out += s;
    }
    return out;
}

/// "CIN (social-care) -> child in need: explanation", as a compiler would put it.
std::string describe(const jargon::Finding& f) {
    if (f.kind == jargon::Kind::unknown_acronym)
        return f.text + " (unknown acronym): " + f.explanation();
    std::string out = f.text + " (" + join(f.disciplines(), ", ") + ") -> ";
    if (f.meanings.size() == 1) {
        out += join(f.meanings.front().alternatives, " | ");
    } else {
        std::vector<std::string> each;
        for (const auto& m : f.meanings)
            each.push_back(join(m.alternatives, " / ") + " (" + m.discipline + ")");
        out += join(each, " | ");
    }
    return out + ": " + f.explanation();
}

bool read_input(const CheckOptions& options, std::istream& in, std::string& text,
                std::ostream& err) {
    std::ostringstream buf;
    if (options.input == "-") {
        buf << in.rdbuf();
    } else {
        std::ifstream file(options.input, std::ios::binary);
        if (!file) {
            std::error_code ec;
            const bool exists = fs::exists(options.input, ec);
            err << "liaise check: cannot open '" << options.input
                << "': " << (exists ? "permission denied or not a file" : "no such file") << "\n";
            return false;
        }
        buf << file.rdbuf();
    }
    text = std::move(buf).str();
    return true;
}

jargon::FixMode fix_mode(const CheckOptions& options) {
    return options.explain_fix ? jargon::FixMode::explain_only
                               : jargon::FixMode::replace_where_it_fits;
}

}  // namespace

CheckStatus run_check(const CheckOptions& options, std::istream& in, std::ostream& out,
                      std::ostream& err) {
    // Default: the dictionaries this device fetched from its server, else the shipped ones.
    const Home home;
    const auto dir = options.dictionaries ? options.dictionaries : DictionaryCache(home).source();
    if (!dir) {
        err << "liaise check: no dictionaries found; pass --dictionaries DIR\n";
        return CheckStatus::error;
    }
    const auto set = jargon::load_dictionary_dir(*dir);
    if (!set.ok()) {
        for (const auto& p : set.problems())
            err << "liaise check: " << p.to_string() << "\n";
        return CheckStatus::error;
    }
    const auto engine = jargon::Engine::compile(set.value());
    if (!engine.ok()) {
        for (const auto& p : engine.problems())
            err << "liaise check: " << p.to_string() << "\n";
        return CheckStatus::error;
    }
    const auto audience = jargon::Audience::parse(options.audience);
    if (!audience.ok()) {
        err << "liaise check: " << audience.problems().front().reason << "\n";
        return CheckStatus::error;
    }
    const auto& known = engine.value()->disciplines();
    for (const auto& d : audience.value().disciplines()) {
        if (std::find(known.begin(), known.end(), d) == known.end()) {
            // `general` (officialese) is flagged for every audience: not one to name.
            std::vector<std::string> audiences;
            std::copy_if(known.begin(), known.end(), std::back_inserter(audiences),
                         [](const std::string& k) { return k != jargon::kGeneralDiscipline; });
            err << "liaise check: unknown discipline '" << d
                << "' in --audience (known: " << join(audiences, ", ") << ", or public)\n";
            return CheckStatus::error;
        }
    }

    std::string text;
    if (!read_input(options, in, text, err))
        return CheckStatus::error;
    const std::string name = options.input == "-" ? "<stdin>" : options.input;
    if (const auto bad = base::find_invalid_utf8(text)) {
        const auto line =
            1 + std::count(text.begin(), text.begin() + static_cast<long>(*bad), '\n');
        err << "liaise check: " << name << ": invalid UTF-8 at byte " << *bad << " (line " << line
            << ")\n";
        return CheckStatus::error;
    }

    const auto result = engine.value()->check(text, audience.value());
    const auto status = result.findings.empty() ? CheckStatus::clean : CheckStatus::findings;
    // For families: how old a reader the text needs, and what to shorten first.
    const auto age = audience.value().is_public() ? jargon::reading_age(text)
                                                  : std::optional<jargon::ReadingAge>();
    if (options.json) {
        auto doc = boost::json::parse(jargon::findings_json(result));
        doc.as_object()["audience"] = audience.value().to_string();
        if (age)
            doc.as_object()["reading_age"] =
                boost::json::parse(jargon::reading_age_json(text, *age));
        if (options.fix || options.explain_fix)
            doc.as_object()["fixed"] = jargon::fix_text(text, result.findings, fix_mode(options));
        out << boost::json::serialize(doc) << "\n";
        return status;
    }
    if (options.fix || options.explain_fix) {
        out << jargon::fix_text(text, result.findings, fix_mode(options));
        return status;
    }
    for (const auto& f : result.findings)
        out << name << ":" << f.line << ":" << f.column << ": " << display_line(describe(f))
            << "\n";
    const auto n = result.findings.size();
    if (n == 0)
        out << "no findings for audience " << audience.value().to_string() << "\n";
    else
        out << n << (n == 1 ? " finding" : " findings") << " for audience "
            << audience.value().to_string() << "\n";
    if (result.readability) {
        const auto& r = *result.readability;
        out << std::fixed << std::setprecision(1) << "readability: Flesch reading ease "
            << r.flesch_reading_ease << ", " << r.average_sentence_length << " words per sentence, "
            << std::setprecision(0) << r.long_sentence_share * 100 << "% of " << r.sentences
            << " sentences over " << jargon::kLongSentenceWords << " words\n";
    }
    if (age)
        for (const auto& line : reading_age_lines(text, *age))
            out << line << "\n";
    return status;
}

}  // namespace liaise::client
