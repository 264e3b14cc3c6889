#pragma once
// Helpers for cluster tests: a real httplib server on 127.0.0.1 with an
// ephemeral port, run in its own thread.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>

namespace vessel::test {

class ServerThread {
 public:
  // port 0 = pick an ephemeral port; a fixed port restarts a stopped master.
  explicit ServerThread(std::unique_ptr<httplib::Server> server, int port = 0)
      : server_(std::move(server)) {
    if (port == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      port_ = server_->bind_to_port("127.0.0.1", port) ? port : -1;
    }
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(server_->is_running());
  }
  ~ServerThread() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  int port() const { return port_; }
  httplib::Server& server() { return *server_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
  std::thread thread_;
};

// A steady clock the test advances by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1)};
  auto fn() {
    return [this] { return t; };
  }
};

}  // namespace vessel::test
