#include "cluster/in_place_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vessel::cluster {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Error sys_err(const std::string& what, const std::string& path) {
  return err(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

Result<bool> rewrite_file_in_place(
    const std::string& path, size_t max_bytes,
    const std::function<std::optional<std::string>(const std::string&)>& rewrite) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return sys_err("open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_err("stat", path);
  if (!S_ISREG(st.st_mode)) return err(path + ": not a regular file");
  if (static_cast<size_t>(st.st_size) > max_bytes)
    return err(path + ": larger than " + std::to_string(max_bytes) + " bytes");

  // Read until EOF, not just st_size bytes: the file may grow meanwhile.
  std::string current;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_err("read", path);
    }
    if (n == 0) break;
    current.append(buf, static_cast<size_t>(n));
    if (current.size() > max_bytes)
      return err(path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }

  std::optional<std::string> next = rewrite(current);
  if (!next) return false;

  size_t off = 0;
  while (off < next->size()) {
    ssize_t n = ::pwrite(fd.get(), next->data() + off, next->size() - off,
                         static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_err("write", path);
    }
    off += static_cast<size_t>(n);
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(next->size())) != 0)
    return sys_err("truncate", path);
  if (::fsync(fd.get()) != 0) return sys_err("fsync", path);
  return true;
}

}  // namespace vessel::cluster
