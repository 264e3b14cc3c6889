#pragma once
// A string that never prints itself: formatting a Secret yields "<redacted>",
// so a token cannot leak into logs, /status or error messages by accident.
// Code that truly needs the value calls reveal().
#include <ostream>
#include <string>

namespace vessel {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  const std::string& reveal() const { return v_; }
  bool empty() const { return v_.empty(); }
  friend std::ostream& operator<<(std::ostream& os, const Secret& s) {
    return os << (s.v_.empty() ? "" : "<redacted>");
  }
  bool operator==(const Secret&) const = default;

 private:
  std::string v_;
};

}  // namespace vessel
