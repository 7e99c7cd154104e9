#include "liaise/protocol/findings.hpp"

#include <boost/json.hpp>

namespace liaise::protocol {
namespace {

boost::json::array strings(const std::vector<std::string>& items) {
    boost::json::array out;
    for (const auto& s : items)
        out.emplace_back(s);
    return out;
}

}  // namespace

boost::json::value to_json(const jargon::Finding& f) {
    boost::json::array meanings;
    for (const auto& m : f.meanings) {
        meanings.push_back(boost::json::object{{"discipline", m.discipline},
                                               {"alternatives", strings(m.alternatives)},
                                               {"explanation", m.explanation}});
    }
    return boost::json::object{
        {"start", f.start},
        {"end", f.end},
        {"line", f.line},
        {"column", f.column},
        {"text", f.text},
        {"term", f.term},
        {"kind", jargon::to_string(f.kind)},
        {"disciplines", strings(f.disciplines())},
        {"alternatives", strings(f.alternatives())},
        {"explanation", f.explanation()},
        {"meanings", std::move(meanings)},
    };
}

boost::json::value to_json(const jargon::CheckResult& result) {
    boost::json::array findings;
    for (const auto& f : result.findings)
        findings.push_back(to_json(f));
    boost::json::value readability = nullptr;
    if (result.readability) {
        const auto& r = *result.readability;
        readability = boost::json::object{
            {"flesch_reading_ease", r.flesch_reading_ease},
            {"average_sentence_length", r.average_sentence_length},
            {"long_sentence_share", r.long_sentence_share},
            {"sentences", r.sentences},
            {"words", r.words},
        };
    }
    return boost::json::object{{"findings", std::move(findings)}, {"readability", readability}};
}

}  // namespace liaise::protocol
