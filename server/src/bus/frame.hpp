// Internal: frames the server sends unasked (events, and replies queued like them), and how a
// stored envelope is cut down to one device's copy.
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace liaise::server {

/// A frame for one or many connections. Most frames are the same text for every device. A
/// `message` event whose envelope is version 2 holds every recipient's wrapped key but gives
/// each device only its own (crypto::Envelope explains why that is enough): the text with
/// the other entries of the key list left out. Immutable; shared between threads.
class Frame {
  public:
    /// One wrapped-key entry: its device and where the entry lies in the text.
    struct Entry {
        std::int64_t device = 0;
        std::size_t offset = 0;
        std::size_t size = 0;
    };

    /// The same text for every device.
    explicit Frame(std::string text) : text_(std::move(text)) {}

    /// `text` holds a list of per-device entries between `list_begin` and `list_end` (the
    /// bytes inside the JSON array's brackets); `entries` are inside that range, in any order.
    /// Precondition (std::invalid_argument): the ranges lie inside the text.
    Frame(std::string text, std::size_t list_begin, std::size_t list_end,
          std::vector<Entry> entries);

    /// The text `device` receives, in pieces to send one after the other: the text before the
    /// list, the device's entry (empty if it has none), the text after. A frame without a list
    /// is {text, "", ""}.
    [[nodiscard]] std::array<std::string_view, 3> pieces_for(std::int64_t device) const;

    /// True for a frame with per-device entries (a `message` event): its text is not what any
    /// one device receives. A bus that carries frames between nodes carries only the others.
    [[nodiscard]] bool per_device() const noexcept { return has_list_; }
    /// The whole text (for a per_device() frame, with every device's entry).
    [[nodiscard]] const std::string& text() const noexcept { return text_; }

    /// The size of what `device` receives (the sum of pieces_for(device)).
    [[nodiscard]] std::size_t size_for(std::int64_t device) const;

  private:
    [[nodiscard]] const Entry* entry_for(std::int64_t device) const;

    std::string text_;
    std::size_t list_begin_ = 0;
    std::size_t list_end_ = 0;
    bool has_list_ = false;
    std::vector<Entry> entries_;  // sorted by device
};

/// The wrapped-key list of a version 2 envelope as the server stores it: the text
/// serialize(crypto::to_json(env)) writes, which ends with
/// `"keys":[{"device":"<digits>","wrapped":"<base64>"},...]}`. Offsets are into `envelope`.
/// Nullopt for any other text: a version 1 envelope, whose every key is signed, goes whole.
struct KeyList {
    std::size_t begin = 0;  ///< just after '['
    std::size_t end = 0;    ///< at ']'
    std::vector<Frame::Entry> entries;
};
[[nodiscard]] std::optional<KeyList> find_key_list(std::string_view envelope);

/// The text the server stores for a version 2 or 3 envelope: serialize(crypto::to_json(env))
/// for the envelope crypto::envelope_from_json read from `accepted`, built from the accepted
/// JSON's own strings (envelope_from_json takes only canonical base64, so nothing is decoded or
/// encoded again). Precondition: envelope_from_json(accepted) gave a version 2 or 3 envelope.
[[nodiscard]] std::string stored_envelope_text(const boost::json::object& accepted);

/// Appends `envelope` as `device` should receive it: a version 2 envelope with only that
/// device's wrapped key, anything else whole.
void append_envelope_for(std::string& out, std::string_view envelope, std::int64_t device);

}  // namespace liaise::server
