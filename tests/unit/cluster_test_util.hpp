#pragma once
// Helpers for cluster tests: a real httplib server on 127.0.0.1 with an
// ephemeral port, run in its own thread.
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
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

// Captures what spdlog's default logger prints while alive, then restores it.
// Read text() only while no other thread logs (the stream is not locked).
class LogCapture {
 public:
  LogCapture() : saved_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(saved_); }
  std::string text() const { return out_.str(); }
  size_t count(const std::string& needle) const {
    const std::string t = text();
    size_t n = 0;
    for (size_t p = t.find(needle); p != std::string::npos; p = t.find(needle, p + 1)) ++n;
    return n;
  }

 private:
  std::shared_ptr<spdlog::logger> saved_;
  std::ostringstream out_;
};

}  // namespace vessel::test
