// Plain-language check speed with every shipped dictionary loaded.
//   build/bench/jargon_bench
// Reports time per 200-byte chat message and MB/s over a long document: one dense with jargon
// (a finding every ~60 bytes) and one written plainly.
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "liaise/jargon/engine.hpp"
#include "liaise/jargon/findings_json.hpp"

using namespace liaise::jargon;

namespace {

const std::shared_ptr<const Engine>& shared_engine() {
    static const auto compiled = [] {
        const auto set = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
        if (!set.ok()) {
            for (const auto& p : set.problems())
                std::fprintf(stderr, "%s\n", p.to_string().c_str());
            std::exit(2);
        }
        auto e = Engine::compile(set.value());
        if (!e.ok())
            std::exit(2);
        return e.value();
    }();
    return compiled;
}

const Engine& engine() {
    return *shared_engine();
}

// Realistic chat: a mix of plain words, dictionary terms and an unknown acronym.
const char* const kMessages[] = {
    "Hi both, the CIN plan review is on Tuesday at 10. Can the SENCO send the attendance figures "
    "and can health confirm the GP is aware? The core group agreed to step down if things hold. ",
    "Thanks. Mum DNA'd the paediatric appointment again, so I have asked the HV to visit. School "
    "say attendance is 78% this term. Going forward we will meet fortnightly at the family home. ",
    "Quick update: the s47 concluded with NFA, but we will keep the EHCP review on 12 March and "
    "the PEP next week. Police logged one call to the address; no arrests. Will share minutes. ",
};

std::string message(std::size_t i) {
    std::string m = kMessages[i % 3];
    m.resize(200, ' ');
    return m;
}

void BM_Chat200(benchmark::State& state) {
    const auto& e = engine();
    const std::string msgs[3] = {message(0), message(1), message(2)};
    const auto audience = Audience::of({"social-care", "education"});
    std::size_t i = 0, findings = 0;
    for (auto _ : state) {
        auto r = e.check(msgs[i++ % 3], audience);
        findings += r.findings.size();
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 200);
    state.counters["findings_per_msg"] =
        benchmark::Counter(static_cast<double>(findings) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Chat200);

// BM_Chat200 with the engine taken from a SharedEngine for every message, as the server does;
// and the same with std::atomic<std::shared_ptr> (what SharedEngine used before it moved to a
// mutex, for the WebAssembly build): compare the two in one run. ->Threads(2) has both cores
// take it at once.
template <class Holder>
void chat_through(benchmark::State& state, const Holder& holder) {
    const std::string msgs[3] = {message(0), message(1), message(2)};
    const auto audience = Audience::of({"social-care", "education"});
    std::size_t i = 0;
    for (auto _ : state) {
        const auto e = holder.get();
        auto r = e->check(msgs[i++ % 3], audience);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 200);
}

void BM_Chat200Shared(benchmark::State& state) {
    static const SharedEngine shared(shared_engine());
    chat_through(state, shared);
}
// The 1,000-character draft that bench/jargon_wasm_bench.js checks with the WebAssembly engine
// (audience social-care + education, 20 findings): the check alone, and the check with the JSON
// `liaise check --json` prints (what the browser's engine returns).
std::string draft() {
    std::ifstream in(LIAISE_BENCH_DRAFT, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.empty())
        std::exit(2);
    return text;
}

void BM_Draft1000(benchmark::State& state) {
    const auto& e = engine();
    const auto text = draft();
    const auto audience = Audience::of({"social-care", "education"});
    for (auto _ : state) {
        auto r = e.check(text, audience);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Draft1000);

void BM_Draft1000Json(benchmark::State& state) {
    const auto& e = engine();
    const auto text = draft();
    const auto audience = Audience::of({"social-care", "education"});
    for (auto _ : state) {
        const auto r = e.check(text, audience);
        // As the CLI does: the engine writes the findings, the caller adds its fields.
        auto doc = boost::json::parse(liaise::jargon::findings_json(r));
        doc.as_object()["audience"] = audience.to_string();
        auto json = boost::json::serialize(doc);
        benchmark::DoNotOptimize(json);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Draft1000Json);

BENCHMARK(BM_Chat200Shared)->Threads(1)->Threads(2);

#if defined(__cpp_lib_atomic_shared_ptr)
struct AtomicHolder {
    explicit AtomicHolder(std::shared_ptr<const Engine> e) : engine(std::move(e)) {}
    std::shared_ptr<const Engine> get() const { return engine.load(); }
    std::atomic<std::shared_ptr<const Engine>> engine;
};

void BM_Chat200AtomicBaseline(benchmark::State& state) {
    static const AtomicHolder shared(shared_engine());
    chat_through(state, shared);
}
BENCHMARK(BM_Chat200AtomicBaseline)->Threads(1)->Threads(2);
#endif

void BM_LongDocument(benchmark::State& state) {
    const auto& e = engine();
    std::string doc;
    while (doc.size() < static_cast<std::size_t>(state.range(0))) {
        for (const auto* m : kMessages)
            doc += m;
        doc +=
            "\n\nThe meeting discussed the family's situation in detail and agreed the next steps. "
            "Everyone understood what they need to do and by when.\n";
    }
    const auto audience = Audience::everyone();
    for (auto _ : state) {
        auto r = e.check(doc, audience);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_LongDocument)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// The same size of minutes written plainly: the common case once people use the checker.
void BM_LongPlainDocument(benchmark::State& state) {
    const auto& e = engine();
    const std::string paragraph =
        "Mum said she will bring him to school on Monday. He had a good week and made two new "
        "friends. The housing officer visited on Tuesday and the flat is warm and dry now. I spoke "
        "to the doctor, who is happy with his weight. We will meet again in three weeks to see how "
        "things are going, and the teacher will tell us how he is doing in class.\n\n";
    std::string doc;
    while (doc.size() < static_cast<std::size_t>(state.range(0)))
        doc += paragraph;
    const auto audience = Audience::everyone();
    for (auto _ : state) {
        auto r = e.check(doc, audience);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_LongPlainDocument)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BM_Compile(benchmark::State& state) {
    const auto set = load_dictionary_dir(LIAISE_SOURCE_DICTIONARIES);
    for (auto _ : state) {
        auto e = Engine::compile(set.value());
        benchmark::DoNotOptimize(e);
    }
    state.counters["entries"] = static_cast<double>(engine().entry_count());
}
BENCHMARK(BM_Compile)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
