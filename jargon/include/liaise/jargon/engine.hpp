// The plain-language engine: finds jargon a given audience may not share.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liaise/jargon/dictionary.hpp"
#include "liaise/jargon/result.hpp"

namespace liaise::jargon {

/// Who will read a text: a set of disciplines, or the public (families, carers, young people),
/// for whom every term is jargon.
class Audience {
  public:
    /// Everyone: every dictionary term is flagged.
    [[nodiscard]] static Audience everyone();
    /// Readers from these disciplines only.
    [[nodiscard]] static Audience of(std::vector<std::string> disciplines);
    /// Parses "public" or a comma-separated list of discipline names ("social-care,education").
    [[nodiscard]] static Result<Audience> parse(std::string_view text);

    [[nodiscard]] bool is_public() const noexcept { return public_; }
    [[nodiscard]] const std::vector<std::string>& disciplines() const noexcept {
        return disciplines_;
    }
    /// "public" or the comma-separated disciplines.
    [[nodiscard]] std::string to_string() const;

  private:
    bool public_ = false;
    std::vector<std::string> disciplines_;  // sorted, unique
};

/// What a term means in one discipline.
struct Meaning {
    std::string discipline;
    std::vector<std::string> alternatives;
    std::string explanation;
    /// What an acronym stands for, or empty: the entry's `expansion=`, else a variant or
    /// alternative whose words' initials spell the acronym.
    std::string expansion;
    /// How each alternative fits a sentence; same size as `alternatives`.
    std::vector<Fit> fits;
    bool bare_name = false;  ///< used as a name without an article ("at core group")
};

/// The meanings of one finding, in discipline order; reads like a `const std::vector<Meaning>`.
/// It shares the immutable Meaning objects of the engine that made it rather than copying their
/// strings, and keeps them alive for as long as it exists, also after that engine is replaced or
/// destroyed: copying it copies one reference count and a few indices. Like a `const
/// std::vector`, copies may be read from several threads at once.
class Meanings {
  public:
    /// Iterates over the meanings; invalidated when its Meanings is destroyed or assigned.
    class const_iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Meaning;
        using difference_type = std::ptrdiff_t;
        using pointer = const Meaning*;
        using reference = const Meaning&;

        const_iterator() = default;
        [[nodiscard]] reference operator*() const noexcept { return table_[*id_]; }
        [[nodiscard]] pointer operator->() const noexcept { return &table_[*id_]; }
        const_iterator& operator++() noexcept {
            ++id_;
            return *this;
        }
        const_iterator operator++(int) noexcept {
            auto old = *this;
            ++id_;
            return old;
        }
        [[nodiscard]] bool operator==(const const_iterator& other) const noexcept {
            return id_ == other.id_;
        }

      private:
        friend class Meanings;
        const_iterator(const Meaning* table, const std::uint32_t* id) noexcept
            : table_(table), id_(id) {}
        const Meaning* table_ = nullptr;
        const std::uint32_t* id_ = nullptr;
    };
    using iterator = const_iterator;
    using value_type = Meaning;
    using size_type = std::size_t;

    /// No meanings (an unknown acronym).
    Meanings() = default;
    /// `(*table)[ids[0]]`, `(*table)[ids[1]]`, ... Precondition: every id < table->size().
    Meanings(std::shared_ptr<const std::vector<Meaning>> table, std::span<const std::uint32_t> ids);

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    /// Precondition: i < size().
    [[nodiscard]] const Meaning& operator[](std::size_t i) const noexcept {
        return (*table_)[ids()[i]];
    }
    /// Precondition: !empty().
    [[nodiscard]] const Meaning& front() const noexcept { return (*this)[0]; }
    /// Precondition: !empty().
    [[nodiscard]] const Meaning& back() const noexcept { return (*this)[size_ - 1]; }
    [[nodiscard]] const_iterator begin() const noexcept { return {base(), ids()}; }
    [[nodiscard]] const_iterator end() const noexcept { return {base(), ids() + size_}; }

    /// The meanings whose discipline is in `disciplines` (sorted), in order, sharing this one's
    /// table; an empty Meanings when none is.
    [[nodiscard]] Meanings only_from(const std::vector<std::string>& disciplines) const;

  private:
    static constexpr std::size_t kInline = 7;  // one per shipped discipline; more go to the heap

    [[nodiscard]] const Meaning* base() const noexcept { return table_ ? table_->data() : nullptr; }
    [[nodiscard]] const std::uint32_t* ids() const noexcept {
        return size_ <= kInline ? inline_.data() : more_.data();
    }

    std::shared_ptr<const std::vector<Meaning>> table_;
    std::array<std::uint32_t, kInline> inline_{};
    std::uint32_t size_ = 0;
    std::vector<std::uint32_t> more_;  // every id, when there are more than kInline
};

/// One flagged span of the checked text.
struct Finding {
    std::size_t start = 0;   ///< UTF-8 byte offset of the first byte
    std::size_t end = 0;     ///< UTF-8 byte offset one past the last byte
    std::size_t line = 0;    ///< 1-based line
    std::size_t column = 0;  ///< 1-based column, in code points
    std::string text;        ///< the matched text as written
    std::string term;        ///< canonical dictionary term (the text itself for unknown acronyms)
    Kind kind = Kind::term;
    Meanings meanings;  ///< one per discipline; several for an ambiguous acronym; none if unknown

    [[nodiscard]] std::vector<std::string> disciplines() const;
    /// Every meaning's alternatives, in meaning order, without repeats.
    [[nodiscard]] std::vector<std::string> alternatives() const;
    /// The explanation; for several meanings, each prefixed by its discipline.
    [[nodiscard]] std::string explanation() const;
};

/// Readability of a text of three or more sentences.
struct Readability {
    double flesch_reading_ease = 0;      ///< higher is easier; 60–70 is plain English
    double average_sentence_length = 0;  ///< words per sentence
    double long_sentence_share = 0;      ///< fraction of sentences over kLongSentenceWords words
    std::size_t sentences = 0;
    std::size_t words = 0;
};

/// A sentence with more words than this counts as long.
inline constexpr std::size_t kLongSentenceWords = 25;

struct CheckResult {
    std::vector<Finding> findings;           ///< in text order, never overlapping
    std::optional<Readability> readability;  ///< absent for texts under three sentences
};

/// A compiled, immutable dictionary set. Safe to share between threads: every member function
/// is const and touches no mutable state.
class Engine {
  public:
    /// Compiles dictionaries into matching tables. Fails if a discipline appears twice or a
    /// term has no words.
    [[nodiscard]] static Result<std::shared_ptr<const Engine>> compile(const DictionarySet& set);

    virtual ~Engine() = default;

    /// Checks `text` for terms the `audience` may not share. A term the text explains right
    /// after it, in brackets or after a spaced dash, with its expansion, a variant, an
    /// alternative or (an acronym) words whose initials spell it, is not reported there or later
    /// in the text, nor are the explanation's own words (dictionaries/README.md). Invalid UTF-8
    /// bytes never crash the check: they are treated as separators (callers that care validate
    /// first).
    [[nodiscard]] virtual CheckResult check(std::string_view text,
                                            const Audience& audience) const = 0;

    /// Every meaning the dictionaries give for `term` (matched like text, case-insensitively
    /// when no case-sensitive entry fits), or an empty vector.
    [[nodiscard]] virtual std::vector<Meaning> explain(std::string_view term) const = 0;

    /// The disciplines this engine knows, sorted.
    [[nodiscard]] virtual const std::vector<std::string>& disciplines() const noexcept = 0;

    /// Number of dictionary entries compiled in, over all disciplines.
    [[nodiscard]] virtual std::size_t entry_count() const noexcept = 0;
};

/// The plain words rewrite() puts in place of `f`: the first alternative every meaning agrees
/// on ("NFA" is "no further action" to police and social care alike), or nullptr when the
/// meanings differ (or none has an alternative) and only the writer can choose.
[[nodiscard]] const std::string* agreed_alternative(const Finding& f);

/// fix_text(text, findings, FixMode::replace_where_it_fits) (see fix.hpp): the plain alternative
/// where it fits the sentence, else the term explained in brackets on first use; ambiguous and
/// unknown acronyms are left as written. Findings must come from a check of the same `text`.
[[nodiscard]] std::string rewrite(std::string_view text, const std::vector<Finding>& findings);

/// The engine in use, swappable at run time. A reload compiles a new Engine and swaps it in; a
/// check that already holds the old one finishes with it. Thread-safe.
///
/// A mutex guards the pointer rather than std::atomic<std::shared_ptr>, which libc++ (and so
/// the WebAssembly build) does not provide; libstdc++'s is itself a lock, and get() is called
/// once per check, not per word (bench/RESULTS.md, "SharedEngine", measured no difference).
class SharedEngine {
  public:
    explicit SharedEngine(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}

    [[nodiscard]] std::shared_ptr<const Engine> get() const {
        const std::lock_guard lock(mutex_);
        return engine_;
    }
    void replace(std::shared_ptr<const Engine> engine) {
        {
            const std::lock_guard lock(mutex_);
            engine_.swap(engine);
        }
        // The old engine, if this held the last reference, is destroyed here, outside the lock.
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Engine> engine_;  // guarded by mutex_
};

}  // namespace liaise::jargon
