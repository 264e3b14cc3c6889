#include "util/fs.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace vessel {
namespace {

Error sys_err(const std::string& what, const std::string& path, int e) {
  return err(what + " " + path + ": " + std::strerror(e));
}

// Closes on scope exit unless released; keeps the error paths short.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // close() can report a deferred write error (NFS, quota), so it is checked.
  int close() {
    int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

// write() until done; short writes and EINTR are normal, not errors.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Status write_file_atomic(const std::string& path, std::string_view content,
                         unsigned mode) {
  if (path.empty() || path.back() == '/') return err("write " + path + ": not a file path");
  const std::string dir = dir_of(path);
  const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string tmpl = (dir == "/" ? "" : dir) + "/." + base + ".vessel-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int raw = ::mkostemp(buf.data(), O_CLOEXEC);
  if (raw < 0) return sys_err("create temporary file for", path, errno);
  const std::string tmp(buf.data());
  Fd fd(raw);
  auto fail = [&](const std::string& what, int e) -> Status {
    ::unlink(tmp.c_str());
    return sys_err(what, path, e);
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("chmod temporary file for", errno);
  if (int e = write_all(fd.get(), content); e != 0) return fail("write", e);
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (fd.close() != 0) return fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename into", errno);
  // The new content is in place; a failing directory fsync only weakens
  // durability across a power cut, but we still report it.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return sys_err("open directory of", path, errno);
  if (::fsync(dfd.get()) != 0) return sys_err("fsync directory of", path, errno);
  return ok();
}

Status write_file_in_place(const std::string& path, std::string_view content) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return sys_err("open", path, errno);
  if (int e = write_all(fd.get(), content); e != 0) return sys_err("write", path, e);
  if (::ftruncate(fd.get(), static_cast<off_t>(content.size())) != 0)
    return sys_err("truncate", path, errno);
  if (::fsync(fd.get()) != 0) {
    // Character devices and some bind mounts do not support fsync; the data
    // has still been handed to the kernel.
    if (errno != EINVAL && errno != EROFS) return sys_err("fsync", path, errno);
  }
  if (fd.close() != 0) return sys_err("close", path, errno);
  return ok();
}

Status ensure_dir(const std::string& path, unsigned mode, uid_t uid, gid_t gid) {
  if (path.empty() || path[0] != '/') return err("ensure_dir " + path + ": path must be absolute");
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    if (part.empty() || part.back() == '/') continue;  // "//" or trailing '/'
    if (::mkdir(part.c_str(), mode) == 0) {
      // mkdir's mode is filtered by the umask; set exactly what was asked.
      if (::chmod(part.c_str(), mode) != 0) return sys_err("chmod", part, errno);
      if (::chown(part.c_str(), uid, gid) != 0) return sys_err("chown", part, errno);
      continue;
    }
    if (errno != EEXIST) return sys_err("mkdir", part, errno);
    struct stat st {};
    if (::stat(part.c_str(), &st) != 0) return sys_err("stat", part, errno);
    if (!S_ISDIR(st.st_mode)) return err("mkdir " + part + ": exists and is not a directory");
  }
  if (::chown(path.c_str(), uid, gid) != 0) return sys_err("chown", path, errno);
  return ok();
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return sys_err("open", path, errno);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_err("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes)
      return err("read " + path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return out;
}

}  // namespace vessel
