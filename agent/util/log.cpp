#include "util/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

namespace vessel {
namespace {

bool g_json = false;
std::mutex g_out_mu;

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout gone: nothing sensible to do, never block PID 1
    }
    off += static_cast<std::size_t>(n);
  }
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// JSON lines built with nlohmann so messages are escaped correctly.
class JsonSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    nlohmann::json j;
    j["ts_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                             spdlog::level::to_string_view(msg.level).size());
    j["msg"] = std::string(msg.payload.data(), msg.payload.size());
    std::lock_guard<std::mutex> g(g_out_mu);
    write_all(2, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  void flush_() override {}
};

}  // namespace

void setup_logging(const std::string& format, const std::string& level) {
  g_json = format == "json";
  std::shared_ptr<spdlog::logger> logger;
  if (g_json) {
    logger = std::make_shared<spdlog::logger>("vessel", std::make_shared<JsonSink>());
  } else {
    logger = std::make_shared<spdlog::logger>("vessel", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e vessel %l: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

bool log_is_json() { return g_json; }

void emit_service_line(const std::string& service, const std::string& line) {
  std::string out;
  if (g_json) {
    nlohmann::json j{{"ts_ms", now_ms()}, {"service", service}, {"line", line}};
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    out = "[" + service + "] " + line + "\n";
  }
  std::lock_guard<std::mutex> g(g_out_mu);
  write_all(1, out);
}

}  // namespace vessel
