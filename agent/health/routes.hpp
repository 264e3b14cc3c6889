#pragma once
// Routes mounted on the running health port. The port is up from vessel's
// first moment (waiting for config, boot scripts, services), but some
// routes exist only once the plan says so (the membership API on a node
// whose role serves it). httplib's own route lists must not change while it
// serves, so the server routes /v1/... to this table, which may be filled at
// any time: handlers are looked up under a lock and run outside it.
#include <httplib.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace vessel {

class RouteTable {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  using BodyHandler =
      std::function<void(const httplib::Request&, httplib::Response&, const httplib::ContentReader&)>;

  // Exact paths. A later mount of the same method and path replaces it.
  void Get(const std::string& path, Handler h) { put(get_, path, std::move(h)); }
  // POST and DELETE handlers stream the body themselves (to enforce their own caps).
  void Post(const std::string& path, BodyHandler h) { put(post_, path, std::move(h)); }
  void Delete(const std::string& path, BodyHandler h) { put(del_, path, std::move(h)); }
  // Prefix routes (a path under `prefix`, e.g. "/v1/cluster/members/"): an
  // exact path wins, then the longest prefix; the handler parses the rest.
  void GetPrefix(const std::string& prefix, Handler h) { put(get_, prefix + kPrefixMark, std::move(h)); }
  void PostPrefix(const std::string& prefix, BodyHandler h) { put(post_, prefix + kPrefixMark, std::move(h)); }
  void DeletePrefix(const std::string& prefix, BodyHandler h) { put(del_, prefix + kPrefixMark, std::move(h)); }

  Handler get(const std::string& path) const { return find(get_, path); }
  BodyHandler post(const std::string& path) const { return find(post_, path); }
  BodyHandler del(const std::string& path) const { return find(del_, path); }

 private:
  // Marks a prefix key; a request path never holds a NUL.
  static constexpr char kPrefixMark = '\0';

  template <class H>
  void put(std::map<std::string, H>& m, const std::string& key, H h) {
    std::lock_guard g(mu_);
    m[key] = std::move(h);
  }
  template <class H>
  H find(const std::map<std::string, H>& m, const std::string& path) const {
    std::lock_guard g(mu_);
    if (auto it = m.find(path); it != m.end()) return it->second;
    const H* best = nullptr;
    size_t best_len = 0;
    for (const auto& [key, h] : m) {
      if (key.empty() || key.back() != kPrefixMark) continue;
      const size_t n = key.size() - 1;
      if (n >= best_len && path.size() > n && path.compare(0, n, key, 0, n) == 0) best = &h, best_len = n;
    }
    return best ? *best : H{};
  }

  mutable std::mutex mu_;
  std::map<std::string, Handler> get_;
  std::map<std::string, BodyHandler> post_, del_;
};

}  // namespace vessel
