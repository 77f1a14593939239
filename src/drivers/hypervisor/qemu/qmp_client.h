#pragma once
// QmpClient: a QEMU Machine Protocol connection over a unix socket.
//
// Connect() reads the greeting and negotiates capabilities. Execute() sends a command
// with a unique id and waits for the matching return/error. Asynchronous events
// (SHUTDOWN, RESET, STOP, …) go to the event callback, from the reader thread. When
// QEMU exits the socket closes: pending calls fail and the close callback runs once.
// Thread-safety: Execute() may be called from any thread; callbacks run on the reader
// thread and must not call Execute() synchronously (post elsewhere instead).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/status.h"

namespace strato {

class QmpClient {
 public:
  using EventFn = std::function<void(const std::string& event, const nlohmann::json& data)>;
  using CloseFn = std::function<void()>;

  // Connects, retrying until `timeout` (QEMU creates the socket shortly after start).
  static Result<std::unique_ptr<QmpClient>> Connect(const std::string& socket_path,
                                                    std::chrono::milliseconds timeout,
                                                    EventFn on_event, CloseFn on_close);
  ~QmpClient();

  Result<nlohmann::json> Execute(const std::string& command,
                                 const nlohmann::json& arguments = nullptr,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool closed() const { return closed_; }
  // Closes the socket and joins the reader; the close callback does not run.
  void Close();

 private:
  QmpClient(int fd, EventFn on_event, CloseFn on_close);
  Result<nlohmann::json> ReadMessageBlocking(std::chrono::milliseconds timeout);
  Status Handshake();
  void ReaderLoop();
  Status SendLine(const std::string& line);

  int fd_;
  EventFn on_event_;
  CloseFn on_close_;
  std::string buffer_;  // reader-owned partial input
  std::mutex write_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, nlohmann::json> replies_;  // GUARDED_BY(mu_)
  int64_t next_id_ = 1;                         // GUARDED_BY(mu_)
  std::atomic<bool> closed_{false};
  std::atomic<bool> closing_{false};
  std::thread reader_;
};

}  // namespace strato
