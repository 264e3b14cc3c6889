// The cluster API as the network sees it: raw HTTP bytes (one or several
// requests on a kept-alive connection) go through httplib's own request
// parser and our routes, in process, without sockets. httplib::Server's
// process_request is protected, so a subclass feeds it an in-memory Stream.
// Invariants: the token never appears in a response; every response is one
// of the statuses the API documents or httplib's own (404, 414, ranges...),
// never a 500 (an exception escaping a handler).
#include <httplib.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "cluster/api.hpp"
#include "cluster/membership.hpp"

#include "fuzz_check.hpp"

namespace {

// Not a valid hostname or IP, so no echoed field can legitimately contain it.
constexpr const char* kToken = "fuzz_T0ken/+=";


class MemoryStream : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view in) : in_(in) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min(size, in_.size() - pos_);
    std::copy_n(in_.data() + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "10.0.0.7";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "10.0.0.1";
    port = 8088;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  bool done() const { return pos_ >= in_.size(); }
  std::string out;

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

class InProcessServer : public httplib::Server {
 public:
  bool feed(MemoryStream& s, bool& closed) {
    return process_request(s, false, closed, [](httplib::Request&) {});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  cluster::Membership members({{"10.0.0.1", "master-1"}});
  InProcessServer server;
  server.set_payload_max_length(64 * 1024);
  cluster::register_cluster_routes(server, members, Secret(kToken));

  MemoryStream s(std::string_view(reinterpret_cast<const char*>(data), size));
  for (int i = 0; i < 8 && !s.done(); ++i) {
    bool closed = false;
    bool ok = server.feed(s, closed);
    if (!ok || closed) break;
  }
  FUZZ_CHECK(s.out.find(kToken) == std::string::npos);
  static const std::set<std::string> allowed = {"100", "200", "201", "206", "400", "401", "403", "404",
                                                "405", "409", "413", "414", "416", "417", "429", "503"};
  for (std::size_t p = s.out.find("HTTP/1.1 "); p != std::string::npos; p = s.out.find("HTTP/1.1 ", p + 1)) {
    if (p != 0 && s.out.compare(p - 2, 2, "\r\n") != 0) continue;  // inside a body
    FUZZ_CHECK(allowed.count(s.out.substr(p + 9, 3)) == 1);
  }
  for (const auto& m : members.members()) FUZZ_CHECK(m.name.find(kToken) == std::string::npos);
  return 0;
}
