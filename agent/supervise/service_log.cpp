#include "supervise/service_log.hpp"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "util/log.hpp"

namespace vessel {
namespace {
constexpr std::size_t kMaxLine = 64 * 1024;  // a runaway line is cut, not buffered forever
}

ServiceLog::ServiceLog(std::string service, const std::string& log_file) : service_(std::move(service)) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) == 0) {
    rfd_ = fds[0];
    wfd_ = fds[1];
    fcntl(rfd_, F_SETFL, fcntl(rfd_, F_GETFL) | O_NONBLOCK);
  } else {
    spdlog::error("{}: cannot create log pipe: {}", service_, std::strerror(errno));
  }
  if (!log_file.empty()) {
    try {
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(log_file, 10 * 1024 * 1024, 3);
      file_ = std::make_shared<spdlog::logger>(service_ + "-file", sink);
      file_->set_pattern("%Y-%m-%dT%H:%M:%S.%e %v");
      file_->flush_on(spdlog::level::info);
    } catch (const spdlog::spdlog_ex& e) {
      spdlog::warn("{}: log_file {}: {}; logging to stdout only", service_, log_file, e.what());
    }
  }
}

ServiceLog::~ServiceLog() {
  flush();
  if (rfd_ >= 0) close(rfd_);
  if (wfd_ >= 0) close(wfd_);
}

void ServiceLog::emit(const std::string& line) {
  emit_service_line(service_, line);
  if (file_) file_->info(line);
}

void ServiceLog::drain() {
  if (rfd_ < 0) return;
  char buf[16384];
  for (;;) {
    ssize_t n = read(rfd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial_.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = partial_.find('\n', start)) != std::string::npos) {
      emit(partial_.substr(start, nl - start));
      start = nl + 1;
    }
    partial_.erase(0, start);
    if (partial_.size() > kMaxLine) {
      emit(partial_);
      partial_.clear();
    }
  }
}

void ServiceLog::flush() {
  drain();
  if (!partial_.empty()) {
    emit(partial_);
    partial_.clear();
  }
}

}  // namespace vessel
