#include "liaise/jargon/reader.hpp"

#include <algorithm>

namespace liaise::jargon {
namespace {

/// A meaning in plain words: its first alternative, else its explanation.
const std::string& plain_words(const Meaning& m) {
    return m.alternatives.empty() ? m.explanation : m.alternatives.front();
}

}  // namespace

void settle_meanings(CheckResult& result, std::vector<std::string> writer_disciplines) {
    std::sort(writer_disciplines.begin(), writer_disciplines.end());
    writer_disciplines.erase(std::unique(writer_disciplines.begin(), writer_disciplines.end()),
                             writer_disciplines.end());
    for (auto& f : result.findings) {
        if (f.meanings.size() < 2)
            continue;
        auto writers = f.meanings.only_from(writer_disciplines);
        if (writers.empty())
            continue;
        const bool one_meaning = std::all_of(writers.begin(), writers.end(), [&](const Meaning& m) {
            return plain_words(m) == plain_words(writers.front());
        });
        if (one_meaning)
            f.meanings = std::move(writers);
    }
}

CheckResult check_for_reader(const Engine& engine, std::string_view text,
                             const std::string& reader_discipline,
                             std::vector<std::string> writer_disciplines) {
    auto result = engine.check(text, Audience::of({reader_discipline}));
    // The disciplines whose meaning the writer may have had in mind.
    auto others = writer_disciplines;
    std::sort(others.begin(), others.end());
    others.erase(std::unique(others.begin(), others.end()), others.end());
    std::erase(others, reader_discipline);
    if (others.empty())
        return result;  // written in the reader's own discipline: it means what they think
    auto with_reader = others;
    with_reader.push_back(reader_discipline);
    const auto wider = engine.check(text, Audience::of(std::move(with_reader)));
    bool added = false;
    for (const auto& f : wider.findings) {
        const auto mine = std::find_if(f.meanings.begin(), f.meanings.end(), [&](const auto& m) {
            return m.discipline == reader_discipline;
        });
        if (mine == f.meanings.end())
            continue;  // not the reader's term: the reader's own check has it
        const bool differs =
            std::any_of(f.meanings.begin(), f.meanings.end(), [&](const Meaning& m) {
                return std::binary_search(others.begin(), others.end(), m.discipline) &&
                       plain_words(m) != plain_words(*mine);
            });
        const bool overlaps =
            std::any_of(result.findings.begin(), result.findings.end(),
                        [&](const Finding& g) { return g.start < f.end && f.start < g.end; });
        if (differs && !overlaps) {
            result.findings.push_back(f);
            added = true;
        }
    }
    if (added)
        std::sort(result.findings.begin(), result.findings.end(),
                  [](const Finding& a, const Finding& b) { return a.start < b.start; });
    // The writer's discipline settles what an ambiguous term means.
    settle_meanings(result, std::move(writer_disciplines));
    return result;
}

}  // namespace liaise::jargon
