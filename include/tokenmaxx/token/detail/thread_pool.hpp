// Internal to the tokenizer; include <tokenmaxx/token/batch.hpp> instead.
//
// A process-wide pool of native threads for the batch calls (count_batch, encode_batch, and the
// Python package's batch methods).
//
// parallel_for(n, threads, f) runs f(i) for every i in [0, n) on the calling thread plus up to
// threads - 1 pool threads, handing out indices one at a time (documents vary in size), and
// returns once every index is done. The caller never waits for a helper that has not started:
// helpers that start late find no work and leave. Exceptions are collected per call; the one
// with the lowest index is rethrown, as a sequential loop would report it. Workers are created on
// demand and live for the process; after fork() the child builds a fresh pool (the parent's
// threads do not exist there).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tokenmaxx::token_detail {

class thread_pool {
 public:
  static constexpr std::size_t max_threads = 256;

  static thread_pool& instance() {
    static std::mutex mu;
    static thread_pool* pool = nullptr;
    static pid_t owner = 0;
    std::lock_guard lock(mu);
    if (!pool || owner != getpid()) {
      pool = new thread_pool();  // intentionally leaked: workers never outlive a joined owner
      owner = getpid();
    }
    return *pool;
  }

  template <class F>
  void parallel_for(std::size_t n, std::size_t threads, F&& f) {
    if (n == 0) return;
    threads = std::clamp<std::size_t>(threads, 1, std::min(n, max_threads));
    if (threads == 1) {
      for (std::size_t i = 0; i < n; ++i) f(i);
      return;
    }
    struct state {
      std::function<void(std::size_t)> body;
      std::size_t n = 0;
      std::atomic<std::size_t> next{0};
      std::mutex mu;
      std::condition_variable cv;
      std::size_t done = 0;
      std::size_t error_index = static_cast<std::size_t>(-1);
      std::exception_ptr error;
      void run() {
        std::size_t finished = 0;
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
          try {
            body(i);
          } catch (...) {
            std::lock_guard lock(mu);
            if (i < error_index) error_index = i, error = std::current_exception();
          }
#else
          body(i);
#endif
          ++finished;
        }
        if (finished) {
          std::lock_guard lock(mu);
          done += finished;
          if (done == n) cv.notify_all();
        }
      }
    };
    auto st = std::make_shared<state>();
    st->body = std::ref(f);
    st->n = n;
    ensure_workers(threads - 1);
    {
      std::lock_guard lock(mu_);
      for (std::size_t k = 0; k + 1 < threads; ++k) queue_.emplace_back([st] { st->run(); });
    }
    cv_.notify_all();
    st->run();
    std::unique_lock lock(st->mu);
    st->cv.wait(lock, [&] { return st->done == n; });
    // From here no helper calls body again (every index is claimed and finished).
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    if (st->error) std::rethrow_exception(st->error);
#endif
  }

 private:
  thread_pool() = default;

  void ensure_workers(std::size_t k) {
    std::lock_guard lock(mu_);
    while (workers_ < k) {
      std::thread([this] { work(); }).detach();
      ++workers_;
    }
  }

  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t workers_ = 0;
};

}  // namespace tokenmaxx::token_detail
