// How long opening a keystore takes: what the person waits for once a day (`liaise unlock`) and
// what each guess costs someone who copied the keystore (bench/RESULTS.md has the figures).
#include <benchmark/benchmark.h>

#include "liaise/protocol/crypto.hpp"

namespace {

using liaise::crypto::KeystoreCost;

void BM_OpenKeystore(benchmark::State& state) {
    const auto cost = state.range(0) == 0 ? KeystoreCost::moderate : KeystoreCost::interactive;
    state.SetLabel(state.range(0) == 0 ? "moderate" : "interactive");
    const auto keys = liaise::crypto::DeviceKeys::generate();
    const auto text = liaise::crypto::seal_keystore(keys, "kettle violin harbour crayon", cost);
    for (auto _ : state) {
        auto opened = liaise::crypto::open_keystore(text, "kettle violin harbour crayon");
        if (!opened)
            state.SkipWithError("did not open");
        benchmark::DoNotOptimize(opened);
    }
}
BENCHMARK(BM_OpenKeystore)->Arg(0)->Arg(1)->Iterations(5)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
