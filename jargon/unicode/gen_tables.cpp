// Writes the tables behind the offline Unicode seam (src/unicode_offline.cpp) from the ICU this
// program is linked with: `gen_unicode_tables OUT.inc`. Run at build time, so the WebAssembly
// engine answers exactly as the native one does with the same machine's ICU (see README.md).
//
// Every table is a sorted array of 32-bit numbers, looked up by binary search:
//   kProps          start << 8 | flags: runs of code points with the same property bits
//   kCcc            start << 8 | canonical combining class: runs
//   kUpper          pairs {c, simple uppercase of c}, where they differ
//   kDecompositions {c, offset << 5 | length} into kDecompositionPool: full canonical
//                   decomposition (NFD) of c, where it is not c itself; Hangul syllables are
//                   left to the algorithm
//   kCompositions   triples {first, second, composite}: every canonical primary composite
//                   (not Hangul)
//   kFolds          {c, offset << 5 | length} into kFoldPool: NFKC_Casefold of c (in NFC),
//                   for each c that the fold changes, except those in the next two tables
//   kFoldRuns       triples {start, count << 8 | stride, delta}: start + k * stride (k < count)
//                   folds to itself + delta (mod 2^32), and nothing else in that span folds
//   kFoldRemoved    pairs {first, last}: ranges of code points the fold removes
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uversion.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr UChar32 kMax = 0x10FFFF;

bool is_surrogate(UChar32 c) {
    return c >= 0xD800 && c <= 0xDFFF;
}
bool is_hangul_syllable(UChar32 c) {
    return c >= 0xAC00 && c <= 0xD7A3;
}

std::vector<std::uint32_t> code_points(const icu::UnicodeString& s) {
    std::vector<std::uint32_t> out;
    for (int32_t i = 0; i < s.length();) {
        const UChar32 c = s.char32At(i);
        out.push_back(static_cast<std::uint32_t>(c));
        i += U16_LENGTH(c);
    }
    return out;
}

std::uint32_t flags(UChar32 c) {
    const auto type = u_charType(c);
    return (u_isUWhiteSpace(c) ? 1u : 0u) | (u_isalnum(c) ? 2u : 0u) |
           (type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
                    type == U_ENCLOSING_MARK
                ? 4u
                : 0u) |
           (u_isupper(c) ? 8u : 0u) | (u_islower(c) ? 16u : 0u) | (u_isdigit(c) ? 32u : 0u);
}

void write_array(std::ostream& out, const char* name, const std::vector<std::uint32_t>& values) {
    out << "inline constexpr std::uint32_t " << name << "[] = {";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out << (i % 8 == 0 ? "\n    " : " ") << "0x" << std::hex << values[i] << std::dec << ",";
    }
    out << "\n};\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: gen_unicode_tables OUT.inc\n";
        return 2;
    }
    UErrorCode status = U_ZERO_ERROR;
    const auto* nfc = icu::Normalizer2::getNFCInstance(status);
    const auto* nfd = icu::Normalizer2::getNFDInstance(status);
    const auto* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) {
        std::cerr << "gen_unicode_tables: ICU normalisation data missing: " << u_errorName(status)
                  << "\n";
        return 1;
    }

    std::vector<std::uint32_t> props, ccc, upper, decompositions, decomposition_pool, compositions,
        folds, fold_pool, fold_runs, fold_removed;
    struct Fold {
        std::uint32_t c;
        std::vector<std::uint32_t> to;
    };
    std::vector<Fold> all_folds;
    std::uint32_t last_flags = ~0u, last_ccc = ~0u;
    for (UChar32 c = 0; c <= kMax; ++c) {
        const auto uc = static_cast<std::uint32_t>(c);
        if (const auto f = flags(c); f != last_flags) {
            props.push_back(uc << 8 | f);
            last_flags = f;
        }
        if (const std::uint32_t k = u_getCombiningClass(c); k != last_ccc) {
            ccc.push_back(uc << 8 | k);
            last_ccc = k;
        }
        if (const auto up = static_cast<std::uint32_t>(u_toupper(c)); up != uc) {
            upper.push_back(uc);
            upper.push_back(up);
        }
        if (is_surrogate(c) || is_hangul_syllable(c))
            continue;
        icu::UnicodeString s;
        if (nfd->getDecomposition(c, s)) {
            const auto cps = code_points(s);
            if (cps.size() != 1 || cps[0] != uc) {
                decompositions.push_back(uc);
                decompositions.push_back(
                    static_cast<std::uint32_t>(decomposition_pool.size() << 5 | cps.size()));
                decomposition_pool.insert(decomposition_pool.end(), cps.begin(), cps.end());
            }
        }
        icu::UnicodeString raw;
        if (nfc->getRawDecomposition(c, raw)) {
            const auto cps = code_points(raw);
            if (cps.size() == 2 &&
                nfc->composePair(static_cast<UChar32>(cps[0]), static_cast<UChar32>(cps[1])) == c)
                compositions.insert(compositions.end(), {cps[0], cps[1], uc});
        }
        {
            const auto folded = code_points(fold->normalize(icu::UnicodeString(c), status));
            if (U_FAILURE(status)) {
                std::cerr << "gen_unicode_tables: folding U+" << std::hex << uc << " failed\n";
                return 1;
            }
            if (folded.size() != 1 || folded[0] != uc)
                all_folds.push_back({uc, folded});
        }
    }
    // Folds, compacted: removed code points as ranges; runs of at least 3 code points, 1 or 2
    // apart, each folding to one code point at the same distance (A-Z, Ā ā Ă ă …) as runs whose
    // span holds no other fold; the rest one by one.
    const auto single = [&](std::size_t i) { return all_folds[i].to.size() == 1; };
    const auto delta = [&](std::size_t i) { return all_folds[i].to[0] - all_folds[i].c; };
    for (std::size_t i = 0; i < all_folds.size();) {
        const auto& f = all_folds[i];
        if (f.to.empty()) {
            std::size_t j = i + 1;
            while (j < all_folds.size() && all_folds[j].to.empty() &&
                   all_folds[j].c == all_folds[j - 1].c + 1)
                ++j;
            fold_removed.insert(fold_removed.end(), {f.c, all_folds[j - 1].c});
            i = j;
            continue;
        }
        if (single(i) && i + 1 < all_folds.size() && single(i + 1) && delta(i + 1) == delta(i)) {
            const auto stride = all_folds[i + 1].c - f.c;
            std::size_t j = i + 1;
            if (stride <= 2) {
                while (j + 1 < all_folds.size() && single(j + 1) && delta(j + 1) == delta(i) &&
                       all_folds[j + 1].c == all_folds[j].c + stride)
                    ++j;
            }
            if (stride <= 2 && j - i + 1 >= 3) {
                fold_runs.insert(
                    fold_runs.end(),
                    {f.c, static_cast<std::uint32_t>((j - i + 1) << 8 | stride), delta(i)});
                i = j + 1;
                continue;
            }
        }
        folds.push_back(f.c);
        folds.push_back(static_cast<std::uint32_t>(fold_pool.size() << 5 | f.to.size()));
        fold_pool.insert(fold_pool.end(), f.to.begin(), f.to.end());
        ++i;
    }

    // Sorted by (first, second) for the lookup.
    std::vector<std::array<std::uint32_t, 3>> triples;
    for (std::size_t i = 0; i < compositions.size(); i += 3)
        triples.push_back({compositions[i], compositions[i + 1], compositions[i + 2]});
    std::sort(triples.begin(), triples.end());
    compositions.clear();
    for (const auto& t : triples)
        compositions.insert(compositions.end(), t.begin(), t.end());

    std::ofstream out(argv[1], std::ios::binary);
    UVersionInfo unicode;
    u_getUnicodeVersion(unicode);
    char version[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(unicode, version);
    out << "// Generated by jargon/unicode/gen_tables.cpp from ICU " << U_ICU_VERSION
        << " (Unicode " << version << "). Do not edit.\n"
        << "inline constexpr const char* kUnicodeVersion = \"" << version << "\";\n";
    write_array(out, "kProps", props);
    write_array(out, "kCcc", ccc);
    write_array(out, "kUpper", upper);
    write_array(out, "kDecompositions", decompositions);
    write_array(out, "kDecompositionPool", decomposition_pool);
    write_array(out, "kCompositions", compositions);
    write_array(out, "kFolds", folds);
    write_array(out, "kFoldPool", fold_pool);
    write_array(out, "kFoldRuns", fold_runs);
    write_array(out, "kFoldRemoved", fold_removed);
    if (!out) {
        std::cerr << "gen_unicode_tables: cannot write " << argv[1] << "\n";
        return 1;
    }
    std::cerr << "gen_unicode_tables: " << props.size() << " property runs, " << ccc.size()
              << " ccc runs, " << upper.size() / 2 << " uppercase, " << decompositions.size() / 2
              << " decompositions, " << triples.size() << " compositions, " << folds.size() / 2
              << " single folds (" << fold_pool.size() << " code points), " << fold_runs.size() / 3
              << " fold runs, " << fold_removed.size() / 2 << " removed ranges\n";
    return 0;
}
