// Every fuzz target defines this libFuzzer entry point. Built with -fsanitize=fuzzer it is
// fuzzed (scripts/fuzz); built normally it is linked with replay_main.cpp, which feeds it every
// file of the committed corpus so the ordinary test suite replays the corpus.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
