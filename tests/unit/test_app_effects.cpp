// The effects of app/effects.hpp that run before/after supervision: run-once
// boot scripts (real /bin/sh children) and the Heat readiness signal (real
// HTTP against an httplib server on 127.0.0.1).
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/effects.hpp"
#include "cluster_test_util.hpp"

using namespace vessel;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/vessel-effects.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

NodeConfig with_script(const std::string& instance_id, const std::string& name, const std::string& body) {
  NodeConfig cfg;
  cfg.cluster_id = "c1";
  cfg.instance_id = instance_id;
  cfg.scripts.push_back({name, body});
  return cfg;
}

// Polls `pred` until it holds or `limit` passes; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace

TEST_CASE("boot scripts run once per instance-id", "[effects]") {
  TempDir state, out;
  const std::string marker = out.path + "/marker";
  const std::string body = "#!/bin/sh\necho run >> " + marker + "\necho 'some output'\n";

  REQUIRE(run_boot_scripts(with_script("i-1", "mark", body), state.path, 10s));
  CHECK(slurp(marker) == "run\n");

  // Same instance: the .done marker makes the second boot skip it.
  REQUIRE(run_boot_scripts(with_script("i-1", "mark", body), state.path, 10s));
  CHECK(slurp(marker) == "run\n");

  // A new instance (the image was re-launched) runs it again.
  REQUIRE(run_boot_scripts(with_script("i-2", "mark", body), state.path, 10s));
  CHECK(slurp(marker) == "run\nrun\n");
}

TEST_CASE("a config without scripts runs nothing and creates nothing", "[effects]") {
  TempDir state;
  NodeConfig cfg;
  cfg.instance_id = "i-1";
  REQUIRE(run_boot_scripts(cfg, state.path, 10s));
  CHECK(std::filesystem::is_empty(state.path));
}

TEST_CASE("a failing boot script is an error naming it and its status", "[effects]") {
  TempDir state, out;
  const std::string marker = out.path + "/after";
  auto cfg = with_script("i-1", "fails", "#!/bin/sh\nexit 3\n");
  cfg.scripts.push_back({"after", "#!/bin/sh\necho ran > " + marker + "\n"});
  auto st = run_boot_scripts(cfg, state.path, 10s);
  REQUIRE_FALSE(st);
  CHECK_THAT(st.error(), Catch::Contains("fails") && Catch::Contains("status 3"));
  CHECK_FALSE(std::filesystem::exists(marker));  // later scripts do not run

  // Not marked done: the next boot retries it.
  auto again = run_boot_scripts(cfg, state.path, 10s);
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error(), Catch::Contains("status 3"));
}

TEST_CASE("a boot script past its timeout is killed with its children", "[effects]") {
  TempDir state;
  // Not `exec sleep`: the shell's child must die too (the process group).
  auto cfg = with_script("i-1", "slow", "#!/bin/sh\nsleep 30\necho never\n");
  auto t0 = std::chrono::steady_clock::now();
  auto st = run_boot_scripts(cfg, state.path, 300ms);
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(st);
  CHECK_THAT(st.error(), Catch::Contains("slow") && Catch::Contains("timed out"));
  // Not a speed goal: a wait that did not kill the child would take 30 s.
  CHECK(took < 20s);
}

namespace {

struct Recorder {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> requests;  // token, body
  std::vector<int> answers;                                   // status per request, last repeats
  std::size_t count() {
    std::lock_guard<std::mutex> l(mu);
    return requests.size();
  }
};

std::unique_ptr<httplib::Server> heat_server(Recorder& rec) {
  auto srv = std::make_unique<httplib::Server>();
  srv->Post("/signal", [&rec](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(rec.mu);
    const std::size_t i = rec.requests.size();
    rec.requests.emplace_back(req.get_header_value("X-Auth-Token"), req.body);
    res.status = rec.answers.empty() ? 200 : rec.answers[std::min(i, rec.answers.size() - 1)];
    res.set_content("{}", "application/json");
  });
  return srv;
}

NotifySettings settings(int port, const std::string& token) {
  return NotifySettings{"http://127.0.0.1:" + std::to_string(port) + "/signal", Secret(token)};
}

}  // namespace

TEST_CASE("notify_heat_async POSTs SUCCESS JSON with the token header", "[effects]") {
  Recorder rec;
  test::ServerThread srv(heat_server(rec));
  notify_heat_async(settings(srv.port(), "tok-123"), "node-7", "all services READY");
  REQUIRE(eventually([&] { return rec.count() >= 1; }, 5s));
  std::lock_guard<std::mutex> l(rec.mu);
  REQUIRE(rec.requests.size() == 1);
  CHECK(rec.requests[0].first == "tok-123");
  auto j = nlohmann::json::parse(rec.requests[0].second);
  CHECK(j.at("status") == "SUCCESS");
  CHECK(j.at("reason") == "all services READY");
  CHECK(j.at("id") == "node-7");
}

TEST_CASE("notify_heat_async retries a 500 until it succeeds, then stops", "[effects]") {
  Recorder rec;
  rec.answers = {500, 200};
  test::ServerThread srv(heat_server(rec));
  notify_heat_async(settings(srv.port(), "tok"), "n", "ready");
  // The first retry comes after 1 s.
  REQUIRE(eventually([&] { return rec.count() >= 2; }, 6s));
  // After the 200 the next retry would be due 2 s later; none may come.
  std::this_thread::sleep_for(2500ms);
  CHECK(rec.count() == 2);
  std::lock_guard<std::mutex> l(rec.mu);
  CHECK(rec.requests[1].first == "tok");
  CHECK(nlohmann::json::parse(rec.requests[1].second).at("status") == "SUCCESS");
}

TEST_CASE("notify_heat_async treats a 403 as final", "[effects]") {
  Recorder rec;
  rec.answers = {403};
  test::ServerThread srv(heat_server(rec));
  notify_heat_async(settings(srv.port(), "bad-token"), "n", "ready");
  REQUIRE(eventually([&] { return rec.count() >= 1; }, 5s));
  // A retry would come after 1 s; wait well past it.
  std::this_thread::sleep_for(3s);
  CHECK(rec.count() == 1);
}
