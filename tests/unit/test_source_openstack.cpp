// The OpenStack source against a real HTTP server on 127.0.0.1 (cpp-httplib),
// with request counting on the server side.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "source/load.hpp"
#include "source/sources.hpp"

using vessel::SourceOptions;

namespace {

class FakeMetadata {
 public:
  FakeMetadata() {
    port_ = srv_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
  }
  // Handlers must all be registered (on()) before start(): httplib's handler
  // table is not synchronised with the accept thread.
  void start() {
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    // bind already happened, so connections queue; wait for the accept loop anyway.
    while (!srv_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeMetadata() {
    srv_.stop();
    if (thread_.joinable()) thread_.join();
  }
  // handler(n) gets the 1-based request count for that path.
  void on(const std::string& path, std::function<void(int, httplib::Response&)> h) {
    srv_.Get(path, [this, path, h](const httplib::Request&, httplib::Response& res) {
      int n;
      {
        std::lock_guard<std::mutex> l(mu_);
        n = ++count_[path];
      }
      h(n, res);
    });
  }
  int count(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return count_[path];
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int> count_;
};

const char* kVersions = "2012-08-10\n2013-04-04\n2016-06-30\n2099-01-01\nlatest";
const char* kMeta = R"({"uuid": "9f1b2c3d-0000-4000-8000-000000000001", "hostname": "w-1", "meta": {"role": "worker"}})";
const char* kUser = "#cloud-config\nvessel:\n  cluster_id: os-1\n  master: 10.0.0.5\n";

void ok_text(httplib::Response& r, const std::string& body) { r.set_content(body, "text/plain"); }

// Starts the server: call after registering handlers.
SourceOptions opts(FakeMetadata& f) {
  f.start();
  SourceOptions o;
  o.source = "openstack";
  o.metadata_url = f.url() + "/";
  o.http_timeout = std::chrono::milliseconds(2000);
  o.http_retries = 3;
  o.http_backoff = std::chrono::milliseconds(5);
  o.identity = vessel::config::LocalIdentity{"w-1", {"10.0.0.6"}};
  return o;
}

void standard_listing(FakeMetadata& f) {
  f.on("/openstack", [](int, auto& r) { ok_text(r, kVersions); });
}

}  // namespace

TEST_CASE("openstack: good path picks the newest known version", "[source][openstack]") {
  FakeMetadata f;
  standard_listing(f);
  f.on("/openstack/2016-06-30/meta_data.json", [](int, auto& r) { ok_text(r, kMeta); });
  f.on("/openstack/2016-06-30/user_data", [](int, auto& r) { ok_text(r, kUser); });
  auto c = vessel::load_node_config(opts(f));
  REQUIRE(c);
  CHECK(c->source == "openstack");
  CHECK(c->cluster_id == "os-1");
  CHECK(c->instance_id == "9f1b2c3d-0000-4000-8000-000000000001");
  CHECK(c->role == "worker");
  CHECK(c->role_from == "meta_data meta.role");
  CHECK(f.count("/openstack") == 1);
  CHECK(f.count("/openstack/2016-06-30/meta_data.json") == 1);
}

TEST_CASE("openstack: unknown versions only -> latest", "[source][openstack]") {
  FakeMetadata f;
  f.on("/openstack", [](int, auto& r) { ok_text(r, "2099-01-01\nlatest\n"); });
  f.on("/openstack/latest/meta_data.json", [](int, auto& r) { ok_text(r, kMeta); });
  f.on("/openstack/latest/user_data", [](int, auto& r) { ok_text(r, kUser); });
  auto raw = vessel::source::read_openstack_source(opts(f));
  REQUIRE(raw);
  REQUIRE(*raw);
  CHECK((*raw)->user_data == std::string(kUser));
}

TEST_CASE("openstack: user_data 404 means no user data", "[source][openstack]") {
  FakeMetadata f;
  standard_listing(f);
  f.on("/openstack/2016-06-30/meta_data.json", [](int, auto& r) { ok_text(r, kMeta); });
  f.on("/openstack/2016-06-30/user_data", [](int, auto& r) { r.status = 404; });
  auto o = opts(f);
  auto raw = vessel::source::read_openstack_source(o);
  REQUIRE(raw);
  REQUIRE(*raw);
  CHECK_FALSE((*raw)->user_data.has_value());
  CHECK(f.count("/openstack/2016-06-30/user_data") == 1);  // 404 is final
  auto c = vessel::load_node_config(o);
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: user_data: no vessel configuration (need a vessel: mapping with cluster_id)");
}

TEST_CASE("openstack: 500 then success is retried", "[source][openstack]") {
  FakeMetadata f;
  standard_listing(f);
  f.on("/openstack/2016-06-30/meta_data.json", [](int n, auto& r) {
    if (n == 1) r.status = 500; else ok_text(r, kMeta);
  });
  f.on("/openstack/2016-06-30/user_data", [](int n, auto& r) {
    if (n == 1) r.status = 429; else ok_text(r, kUser);
  });
  auto c = vessel::load_node_config(opts(f));
  REQUIRE(c);
  CHECK(c->cluster_id == "os-1");
  CHECK(f.count("/openstack/2016-06-30/meta_data.json") == 2);
  CHECK(f.count("/openstack/2016-06-30/user_data") == 2);
}

TEST_CASE("openstack: persistent 500 fails after all retries", "[source][openstack]") {
  FakeMetadata f;
  standard_listing(f);
  f.on("/openstack/2016-06-30/meta_data.json", [](int, auto& r) { r.status = 503; });
  auto o = opts(f);
  o.http_retries = 2;
  auto c = vessel::load_node_config(o);
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: meta_data.json: GET " + f.url() +
                         "/openstack/2016-06-30/meta_data.json: HTTP 503 (gave up after 3 attempts)");
  CHECK(f.count("/openstack/2016-06-30/meta_data.json") == 3);
}

TEST_CASE("openstack: 403 is final, no retry", "[source][openstack]") {
  FakeMetadata f;
  f.on("/openstack", [](int, auto& r) { r.status = 403; });
  auto c = vessel::load_node_config(opts(f));
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: GET " + f.url() + "/openstack: HTTP 403");
  CHECK(f.count("/openstack") == 1);
}

TEST_CASE("openstack: 408 and 429 are retried on the listing too", "[source][openstack]") {
  FakeMetadata f;
  f.on("/openstack", [](int n, auto& r) {
    if (n == 1) r.status = 408;
    else if (n == 2) r.status = 429;
    else ok_text(r, kVersions);
  });
  f.on("/openstack/2016-06-30/meta_data.json", [](int, auto& r) { ok_text(r, kMeta); });
  f.on("/openstack/2016-06-30/user_data", [](int, auto& r) { ok_text(r, kUser); });
  REQUIRE(vessel::load_node_config(opts(f)));
  CHECK(f.count("/openstack") == 3);
}

TEST_CASE("openstack: a server that never answers in time", "[source][openstack]") {
  FakeMetadata f;
  f.on("/openstack", [](int, auto& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    ok_text(r, kVersions);
  });
  auto o = opts(f);
  o.http_timeout = std::chrono::milliseconds(100);
  o.http_retries = 1;
  auto c = vessel::load_node_config(o);
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: GET " + f.url() + "/openstack: Timeout was reached (gave up after 2 attempts)");
  CHECK(f.count("/openstack") == 2);
}

TEST_CASE("openstack: garbage meta_data.json names the file", "[source][openstack]") {
  FakeMetadata f;
  standard_listing(f);
  f.on("/openstack/2016-06-30/meta_data.json", [](int, auto& r) { ok_text(r, "{\"uuid\": oops"); });
  f.on("/openstack/2016-06-30/user_data", [](int, auto& r) { ok_text(r, kUser); });
  auto c = vessel::load_node_config(opts(f));
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: meta_data.json: invalid JSON at byte 10");
}

TEST_CASE("openstack: nothing listening is an error after retries", "[source][openstack]") {
  SourceOptions o;
  o.source = "openstack";
  o.metadata_url = "http://127.0.0.1:1";
  o.http_retries = 1;
  o.http_backoff = std::chrono::milliseconds(1);
  auto c = vessel::load_node_config(o);
  REQUIRE_FALSE(c);
  CHECK(c.error() == "openstack: GET http://127.0.0.1:1/openstack: Couldn't connect to server (gave up after 2 attempts)");
}
