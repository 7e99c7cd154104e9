// Internal: a stream layer that gathers writes and sends them in as few system calls as it can.
// It sits between Beast's websocket::stream and the TCP (or TLS) stream, so Beast's own frames
// (handshake answer, pings, pongs, close) and the frames the session appends itself share one
// byte queue and leave in the order they were queued.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace liaise::server {

/// Write-behind over `Next` (an AsyncStream). Bytes queued while a write is on its way to the
/// kernel, or while the executor is still running the handlers ahead of the flush, go out
/// together in the next write: ten events for one reader cost one `sendmsg`, not ten.
///
/// Contract:
/// - Every member is called on the stream's executor (a strand); none is thread-safe.
/// - set_owner() must be given the object that owns this stream before anything is written:
///   a write on its way keeps the owner alive, so the owner may drop its own references at
///   any time.
/// - append() queues bytes with nothing to wait for; async_write_some() queues a copy of the
///   buffers and completes once they have been written (so Beast's close and teardown happen
///   after everything queued before them). Neither ever completes inline.
/// - After a write fails, nothing more is sent: append() returns false and writes complete
///   with that error.
/// - If the executor is destroyed with a flush or write still queued (shutdown), the writes
///   waiting here are dropped without completing, as Asio drops queued handlers.
template <class Next>
class WriteBehind {
  public:
    using next_layer_type = Next;
    using executor_type = typename Next::executor_type;

    explicit WriteBehind(Next&& next) : next_(std::move(next)) {}
    WriteBehind(const WriteBehind&) = delete;  // handlers on their way hold `this`
    WriteBehind& operator=(const WriteBehind&) = delete;

    void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

    [[nodiscard]] executor_type get_executor() noexcept { return next_.get_executor(); }
    [[nodiscard]] Next& next_layer() noexcept { return next_; }
    [[nodiscard]] const Next& next_layer() const noexcept { return next_; }

    /// Bytes queued or on their way to the kernel.
    [[nodiscard]] std::size_t unsent_bytes() const noexcept {
        return pending_.size() + writing_.size();
    }

    /// Queues `pieces`, in order. False (and nothing queued) once a write has failed.
    [[nodiscard]] bool append(std::initializer_list<std::string_view> pieces) {
        if (failed_)
            return false;
        for (const auto piece : pieces)
            pending_.append(piece);
        schedule_flush();
        return true;
    }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        return boost::asio::async_initiate<WriteToken, void(boost::beast::error_code, std::size_t)>(
            [this](auto handler, const ConstBufferSequence& b) {
                const std::size_t n = boost::asio::buffer_size(b);
                for (auto it = boost::asio::buffer_sequence_begin(b);
                     it != boost::asio::buffer_sequence_end(b); ++it) {
                    const boost::asio::const_buffer piece = *it;
                    pending_.append(static_cast<const char*>(piece.data()), piece.size());
                }
                on_sent_.emplace_back(
                    [h = std::move(handler), n](boost::beast::error_code ec) mutable {
                        std::move(h)(ec, ec ? 0 : n);
                    });
                schedule_flush();
            },
            token, buffers);
    }

    /// Completes once everything queued so far has been written (or the writing failed).
    template <class Token>
    auto async_flush(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::beast::error_code)>(
            [this](auto handler) {
                on_sent_.emplace_back(std::move(handler));
                schedule_flush();
            },
            token);
    }

  private:
    using Waiter = boost::asio::any_completion_handler<void(boost::beast::error_code)>;

    /// What a posted flush or a write on its way holds: the owner, kept alive, and the duty,
    /// should the handler be destroyed without running (the executor shut down with it still
    /// queued), to drop the writes waiting here. Those hold the owner too (Beast binds its
    /// operations to it), so left alone they would keep it, and themselves, alive for ever.
    class Hold {
      public:
        Hold(WriteBehind* self, std::shared_ptr<void> keep) noexcept
            : self_(self), keep_(std::move(keep)) {}
        Hold(Hold&& other) noexcept
            : self_(std::exchange(other.self_, nullptr)), keep_(std::move(other.keep_)) {}
        Hold& operator=(Hold&&) = delete;
        ~Hold() {
            if (self_ == nullptr)
                return;
            // Dropped here, before keep_ lets the owner (and this stream) go.
            const auto sent = std::move(self_->on_sent_);
            const auto written = std::move(self_->on_written_);
            self_->on_sent_.clear();
            self_->on_written_.clear();
        }
        /// The handler runs: nothing to drop.
        [[nodiscard]] WriteBehind& run() noexcept { return *std::exchange(self_, nullptr); }

      private:
        WriteBehind* self_;
        std::shared_ptr<void> keep_;
    };

    void schedule_flush() {
        if (flush_posted_ || writing_now_)
            return;
        auto keep = owner_.lock();
        if (!keep)
            return;  // the owner is being destroyed: nothing will be sent
        flush_posted_ = true;
        // Posted, not started here: the handlers already queued on the strand (more events
        // for this reader, say) run first and add to the same write.
        boost::asio::post(next_.get_executor(), [hold = Hold(this, std::move(keep))]() mutable {
            auto& self = hold.run();
            self.flush_posted_ = false;
            if (!self.writing_now_)
                self.start_write();
        });
    }

    void start_write() {
        if (failed_ || pending_.empty()) {
            complete(on_sent_, failed_);
            pending_.clear();
            return;
        }
        writing_.swap(pending_);
        on_written_.swap(on_sent_);
        writing_now_ = true;
        boost::asio::async_write(
            next_, boost::asio::buffer(writing_),
            [hold = Hold(this, owner_.lock())](boost::beast::error_code ec, std::size_t) mutable {
                hold.run().on_write(ec);
            });
    }

    void on_write(boost::beast::error_code ec) {
        writing_now_ = false;
        if (ec)
            failed_ = ec;
        writing_.clear();
        if (writing_.capacity() > kKeepCapacity)
            std::string().swap(writing_);  // a burst's buffer is not kept for an idle reader
        complete(on_written_, ec);
        if (failed_ || !pending_.empty() || !on_sent_.empty())
            start_write();
    }

    /// Runs and clears `waiters`; they may queue more (into on_sent_, never into `waiters`).
    static void complete(std::vector<Waiter>& waiters, boost::beast::error_code ec) {
        auto now = std::move(waiters);
        waiters.clear();
        for (auto& w : now)
            std::move(w)(ec);
    }

    static constexpr std::size_t kKeepCapacity = 64 * 1024;

    Next next_;
    std::weak_ptr<void> owner_;
    std::string pending_;             // queued, not yet handed to the kernel
    std::string writing_;             // the write on its way
    std::vector<Waiter> on_sent_;     // wait for pending_
    std::vector<Waiter> on_written_;  // wait for writing_
    boost::beast::error_code failed_;
    bool flush_posted_ = false;
    bool writing_now_ = false;
};

/// Beast's closing handshake ends with a teardown of the layer below the WebSocket: send what
/// is queued first, then tear down the stream underneath.
template <class Next, class TeardownHandler>
void async_teardown(boost::beast::role_type role, WriteBehind<Next>& stream,
                    TeardownHandler&& handler) {
    stream.async_flush([&stream, role, h = std::forward<TeardownHandler>(handler)](
                           boost::beast::error_code) mutable {
        using boost::beast::websocket::async_teardown;
        async_teardown(role, stream.next_layer(), std::move(h));
    });
}

template <class Next>
void teardown(boost::beast::role_type role, WriteBehind<Next>& stream,
              boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

}  // namespace liaise::server
