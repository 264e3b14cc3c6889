// Node-level checks: the disk check against an injected statvfs and a real
// directory, and NodeChecks' unknown/ok/failing transitions, logged once per
// change, driven by a fake clock (run_due) instead of sleeps.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <deque>
#include <sstream>

#include "supervise/checks.hpp"

using namespace vessel;
using namespace std::chrono_literals;

namespace {

CheckSpec disk(std::string name, std::string path, int max_pct, Millis interval = Millis{10000}) {
  CheckSpec c;
  c.name = std::move(name);
  c.kind = CheckSpec::Kind::Disk;
  c.disk_path = std::move(path);
  c.max_used_percent = max_pct;
  c.interval = interval;
  return c;
}

CheckSpec http_check(std::string name, Millis interval = Millis{10000}) {
  CheckSpec c;
  c.name = std::move(name);
  c.kind = CheckSpec::Kind::Probe;
  c.probe.kind = ProbeSpec::Kind::Http;
  c.probe.host = "127.0.0.1";
  c.probe.port = 9864;
  c.probe.path = "/jmx";
  c.interval = interval;
  return c;
}

// A filesystem of 1000 blocks: `used` in use, `reserved` kept for root.
StatvfsFn fake_fs(const unsigned long* used, unsigned long reserved = 0) {
  return [used, reserved](const char*, struct statvfs* st) {
    *st = {};
    st->f_blocks = 1000;
    st->f_bfree = 1000 - *used;
    st->f_bavail = st->f_bfree > reserved ? st->f_bfree - reserved : 0;
    return 0;
  };
}

// Captures what spdlog's default logger writes while it lives.
struct LogCapture {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> saved = spdlog::default_logger();
  LogCapture() {
    auto l = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    l->set_pattern("%l %v");
    l->set_level(spdlog::level::debug);
    spdlog::set_default_logger(l);
  }
  ~LogCapture() { spdlog::set_default_logger(saved); }
  std::string take() {
    auto s = out.str();
    out.str("");
    return s;
  }
};

}  // namespace

TEST_CASE("disk check: used% like df, above the limit fails", "[checks]") {
  unsigned long used = 900;
  const auto spec = disk("data-disk", "/data", 90);
  CHECK(run_disk_check(spec, fake_fs(&used)).ok);  // exactly 90% is within the limit
  used = 901;
  auto r = run_disk_check(spec, fake_fs(&used));
  CHECK_FALSE(r.ok);
  CHECK(r.conclusive);
  CHECK(r.detail == "/data 91% used (limit 90%)");  // 90.1% rounds up, like df

  // Root's reserved blocks are not available to the hdfs user: 850 used of
  // 850 + (150 - 50) usable is 90% (ceil of 89.47).
  used = 850;
  CHECK(run_disk_check(disk("d", "/data", 89), fake_fs(&used, 50)).detail == "/data 90% used (limit 89%)");
  CHECK(run_disk_check(disk("d", "/data", 90), fake_fs(&used, 50)).ok);

  used = 1000;  // full: 100% never exceeds a limit of 100
  CHECK(run_disk_check(disk("d", "/data", 100), fake_fs(&used)).ok);
  CHECK(run_disk_check(disk("d", "/data", 99), fake_fs(&used)).detail == "/data 100% used (limit 99%)");

  auto zero = [](const char*, struct statvfs* st) {
    *st = {};
    return 0;
  };
  CHECK(run_disk_check(disk("d", "/proc", 1), zero).ok);  // no blocks: 0%
}

TEST_CASE("disk check: a real directory through the real statvfs", "[checks]") {
  const StatvfsFn real = [](const char* p, struct statvfs* st) { return ::statvfs(p, st); };
  CHECK(run_disk_check(disk("d", "/tmp", 100), real).ok);
  auto missing = run_disk_check(disk("d", "/nonexistent/vessel-data", 100), real);
  CHECK_FALSE(missing.ok);
  CHECK(missing.conclusive);
  CHECK(missing.detail == "statvfs /nonexistent/vessel-data: No such file or directory");
}

TEST_CASE("NodeChecks: unknown until run, problem only while failing, logged once per change", "[checks]") {
  LogCapture log;
  unsigned long used = 500;
  NodeChecks::Deps deps;
  deps.statvfs = fake_fs(&used);
  long long wall = 1000;
  deps.unix_ms = [&] { return wall; };
  NodeChecks nc({disk("data-disk", "/data", 90)}, deps);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;

  // Before the first run: unknown, no problem.
  CHECK(nc.problems().empty());
  CHECK(nc.view()[0]["state"] == "unknown");
  CHECK(nc.view()[0]["ok"].is_null());

  CHECK(nc.run_due(t0) == t0 + 10s);
  CHECK(nc.problems().empty());
  CHECK(nc.view()[0]["state"] == "ok");
  CHECK(nc.view()[0]["since_unix_ms"] == 1000);
  CHECK(log.take().find("warn") == std::string::npos);

  used = 950;
  wall = 2000;
  nc.run_due(t0 + 5s);  // not due yet: nothing runs
  CHECK(nc.problems().empty());
  nc.run_due(t0 + 10s);
  CHECK(nc.problems() == std::vector<std::string>{"data-disk: /data 95% used (limit 90%)"});
  CHECK(nc.view()[0]["state"] == "failing");
  CHECK(nc.view()[0]["ok"] == false);
  CHECK(nc.view()[0]["since_unix_ms"] == 2000);
  CHECK(log.take() == "warning check data-disk: failing: /data 95% used (limit 90%)\n");

  used = 960;  // still failing, other numbers: the problem follows, the log stays quiet
  wall = 3000;
  nc.run_due(t0 + 20s);
  CHECK(nc.problems() == std::vector<std::string>{"data-disk: /data 96% used (limit 90%)"});
  CHECK(nc.view()[0]["since_unix_ms"] == 2000);
  CHECK(log.take().empty());

  used = 100;
  wall = 4000;
  nc.run_due(t0 + 30s);
  CHECK(nc.problems().empty());
  CHECK(nc.view()[0]["since_unix_ms"] == 4000);
  CHECK(log.take() == "info check data-disk: recovered\n");
}

TEST_CASE("NodeChecks: a target that never answered stays unknown; once seen, unreachable is a problem",
          "[checks]") {
  LogCapture log;
  std::deque<ProbeResult> script;
  int calls = 0;
  NodeChecks::Deps deps;
  deps.probe = [&](const ProbeSpec&) {
    ++calls;
    REQUIRE_FALSE(script.empty());
    auto r = script.front();
    script.pop_front();
    return r;
  };
  NodeChecks nc({http_check("datanode-volumes")}, deps);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const ProbeResult refused{false, Millis{0}, "GET http://127.0.0.1:9864/jmx: Connection", false};
  const ProbeResult wrong{false, Millis{0}, "http://127.0.0.1:9864/jmx: /beans/0/NumFailedVolumes is '1', want '0'",
                          true};
  const ProbeResult good{true, Millis{0}, "", true};

  script = {refused, refused};
  nc.run_due(t0);
  nc.run_due(t0 + 10s);
  CHECK(calls == 2);
  CHECK(nc.problems().empty());  // DataNode still starting: not a problem, no log
  CHECK(nc.view()[0]["state"] == "unknown");
  CHECK(nc.view()[0]["detail"] == refused.detail);  // but /status shows why
  CHECK(log.take().empty());

  script = {good, refused};
  nc.run_due(t0 + 20s);
  CHECK(nc.problems().empty());
  nc.run_due(t0 + 30s);  // it answered before: now gone is a problem
  CHECK(nc.problems() == std::vector<std::string>{"datanode-volumes: " + refused.detail});
  CHECK(log.take() == "warning check datanode-volumes: failing: " + refused.detail + "\n");

  script = {wrong};  // failing -> failing: no new log line
  nc.run_due(t0 + 40s);
  CHECK(nc.problems() == std::vector<std::string>{"datanode-volumes: " + wrong.detail});
  CHECK(log.take().empty());

  // A target that is up but wrong from the start is a problem at once.
  script = {wrong};
  NodeChecks fresh({http_check("v2")}, deps);
  fresh.run_due(t0);
  CHECK(fresh.problems() == std::vector<std::string>{"v2: " + wrong.detail});
}

TEST_CASE("NodeChecks: schedule per interval, reload keeps unchanged checks", "[checks]") {
  unsigned long used = 950;
  NodeChecks::Deps deps;
  deps.statvfs = fake_fs(&used);
  int probes = 0;
  deps.probe = [&](const ProbeSpec&) {
    ++probes;
    return ProbeResult{true, Millis{0}, "", true};
  };
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  NodeChecks nc({disk("data-disk", "/data", 90, Millis{10000}), http_check("h", Millis{3000})}, deps);
  CHECK(nc.run_due(t0) == t0 + 3s);  // the sooner of the two
  CHECK(probes == 1);
  CHECK(nc.run_due(t0 + 3s) == t0 + 6s);
  CHECK(probes == 2);
  CHECK(nc.problems().size() == 1);

  // Reload: data-disk unchanged keeps failing (and its schedule); a new check
  // is due at once; a removed one is gone.
  nc.set_specs({disk("data-disk", "/data", 90, Millis{10000}), http_check("h2", Millis{3000})});
  CHECK(nc.problems().size() == 1);
  CHECK(nc.run_due(t0 + 4s) == t0 + 7s);
  CHECK(probes == 3);
  auto v = nc.view();
  REQUIRE(v.size() == 2);
  CHECK(v[1]["name"] == "h2");
  CHECK(v[1]["state"] == "ok");

  // A changed limit is a new check: unknown until it runs again.
  nc.set_specs({disk("data-disk", "/data", 99, Millis{10000})});
  CHECK(nc.problems().empty());
  CHECK(nc.view()[0]["state"] == "unknown");
  nc.run_due(t0 + 5s);
  CHECK(nc.view()[0]["state"] == "ok");

  NodeChecks none({}, deps);
  CHECK(none.run_due(t0) == t0 + 1h);
  CHECK(none.view().empty());
}

TEST_CASE("NodeChecks: the thread runs checks and stop() is prompt", "[checks]") {
  unsigned long used = 950;
  NodeChecks::Deps deps;
  deps.statvfs = fake_fs(&used);
  NodeChecks nc({disk("data-disk", "/data", 90, Millis{3600000})}, deps);
  nc.start();
  for (int i = 0; i < 500 && nc.problems().empty(); ++i) std::this_thread::sleep_for(2ms);
  CHECK(nc.problems() == std::vector<std::string>{"data-disk: /data 95% used (limit 90%)"});
  const auto t = std::chrono::steady_clock::now();
  nc.stop();  // the next run is an hour away: stop must not wait for it
  CHECK(std::chrono::steady_clock::now() - t < 2s);
}
