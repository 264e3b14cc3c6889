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
  void Get(const std::string& path, Handler h) {
    std::lock_guard g(mu_);
    get_[path] = std::move(h);
  }
  // POST handlers stream the body themselves (to enforce their own caps).
  void Post(const std::string& path, BodyHandler h) {
    std::lock_guard g(mu_);
    post_[path] = std::move(h);
  }
  Handler get(const std::string& path) const {
    std::lock_guard g(mu_);
    auto it = get_.find(path);
    return it == get_.end() ? Handler{} : it->second;
  }
  BodyHandler post(const std::string& path) const {
    std::lock_guard g(mu_);
    auto it = post_.find(path);
    return it == post_.end() ? BodyHandler{} : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Handler> get_;
  std::map<std::string, BodyHandler> post_;
};

}  // namespace vessel
