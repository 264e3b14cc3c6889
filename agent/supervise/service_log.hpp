#pragma once
// Captures a service's stdout+stderr through one pipe that lives as long as
// the service entry (across restarts), and copies it line by line to
// vessel's stdout with a [service] prefix, so `docker logs` shows every
// service. Optionally also to a rotating file (spdlog's rotating sink opens
// its own file, so it works when vessel's stdout is a pipe that cannot seek).
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace vessel {

class ServiceLog {
 public:
  ServiceLog(std::string service, const std::string& log_file);
  ~ServiceLog();
  ServiceLog(const ServiceLog&) = delete;
  ServiceLog& operator=(const ServiceLog&) = delete;

  int read_fd() const { return rfd_; }
  int write_fd() const { return wfd_; }  // handed to the child as 1 and 2
  // Reads what is available and emits every complete line. Non-blocking.
  void drain();
  // Emits a partial last line (at shutdown).
  void flush();

 private:
  void emit(const std::string& line);
  std::string service_;
  int rfd_ = -1, wfd_ = -1;
  std::string partial_;
  std::shared_ptr<spdlog::logger> file_;
};

}  // namespace vessel
