// The services YAML loader: good files load into the expected specs, and
// every bad field is rejected with a message naming the file and the field.
#include <catch2/catch.hpp>
#include <csignal>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "supervise/loader.hpp"

using namespace vessel;

namespace {

const std::map<std::string, std::string> kVars{{"hostname", "node-1"}, {"port", "8020"}};

Result<ServiceSet> load(const std::string& yaml) { return load_services_yaml(yaml, "svc.yaml", kVars); }

// Loads `yaml`, requires failure, returns the message.
std::string load_error(const std::string& yaml) {
  auto r = load(yaml);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

// A one-service file whose service body is `body` (indented under `- `).
std::string one(const std::string& body) { return "services:\n  - name: a\n" + body; }

}  // namespace

TEST_CASE("loader: the full example file loads every field", "[supervise][loader]") {
  const std::string yaml = R"(
supervisor: {backoff_initial: 100ms, backoff_max: 2s, stable_after: 60s, max_restarts: 3, restart_window: 10s, shutdown_deadline: 20s}
services:
  - name: a
    argv: [python3, -m, http.server, "18001", --bind, 127.0.0.1]
    readiness: {tcp: "127.0.0.1:18001", interval: 200ms}
    stop_signal: TERM
    stop_grace: 2s
    restart: always
    critical: true
    depends_on: [other]
    wait_for: [{tcp: "127.0.0.1:9"}]
    forward_signals: [USR1, USR2]
    env: {K: V}
    user: nobody
  - name: other
    argv: [sleep, "100"]
    readiness: {http: {url: "http://127.0.0.1:1/x", json_pointer: /status, equals: ALIVE}}
    restart: on-failure
    stop_signal: SIGINT
    forward_signals: []
  - name: third
    argv: [true]
    readiness: {exec: [test, -e, /tmp/x], timeout: 500ms}
    restart: never
    stop_signal: "9"
)";
  auto r = load(yaml);
  REQUIRE(r.ok());
  const auto& s = *r;
  CHECK(s.role.empty());
  CHECK(s.settings.backoff_initial == Millis{100});
  CHECK(s.settings.backoff_max == Millis{2000});
  CHECK(s.settings.stable_after == Millis{60000});
  CHECK(s.settings.max_restarts == 3);
  CHECK(s.settings.restart_window == Millis{10000});
  CHECK(s.settings.shutdown_deadline == Millis{20000});
  REQUIRE(s.services.size() == 3);
  // Dependency order: `other` comes before `a`, `third` keeps its place after.
  CHECK(s.services[0].name == "other");
  CHECK(s.services[1].name == "a");
  CHECK(s.services[2].name == "third");

  const auto& a = s.services[1];
  CHECK(a.argv == std::vector<std::string>{"python3", "-m", "http.server", "18001", "--bind", "127.0.0.1"});
  CHECK(a.readiness.kind == ProbeSpec::Kind::Tcp);
  CHECK(a.readiness.host == "127.0.0.1");
  CHECK(a.readiness.port == 18001);
  CHECK(a.readiness.interval == Millis{200});
  CHECK(a.readiness.timeout == Millis{2000});  // default
  CHECK(a.stop_signal == 15);
  CHECK(a.stop_grace == Millis{2000});
  CHECK(a.restart == RestartPolicy::Always);
  CHECK(a.critical);
  CHECK(a.depends_on == std::vector<std::string>{"other"});
  REQUIRE(a.wait_for.size() == 1);
  CHECK(a.wait_for[0].kind == ProbeSpec::Kind::Tcp);
  CHECK(a.wait_for[0].port == 9);
  CHECK(a.forward_signals == std::vector<int>{10, 12});
  CHECK(a.env == std::map<std::string, std::string>{{"K", "V"}});
  CHECK(a.user == "nobody");

  const auto& o = s.services[0];
  CHECK(o.readiness.kind == ProbeSpec::Kind::Http);
  CHECK(o.readiness.host == "127.0.0.1");
  CHECK(o.readiness.port == 1);
  CHECK(o.readiness.path == "/x");
  CHECK(o.readiness.json_pointer == "/status");
  REQUIRE(o.readiness.json_equals.has_value());
  CHECK(*o.readiness.json_equals == "ALIVE");
  CHECK(o.restart == RestartPolicy::OnFailure);
  CHECK(o.stop_signal == 2);
  CHECK(o.forward_signals.empty());
  CHECK_FALSE(o.critical);

  const auto& t = s.services[2];
  CHECK(t.readiness.kind == ProbeSpec::Kind::Exec);
  CHECK(t.readiness.argv == std::vector<std::string>{"test", "-e", "/tmp/x"});
  CHECK(t.readiness.timeout == Millis{500});
  CHECK(t.restart == RestartPolicy::Never);
  CHECK(t.stop_signal == 9);
}

TEST_CASE("loader: defaults for a minimal file", "[supervise][loader]") {
  auto r = load(one("    argv: [sleep, '1']\n"));
  REQUIRE(r.ok());
  CHECK(r->settings == SupervisorSettings{});
  REQUIRE(r->services.size() == 1);
  const auto& s = r->services[0];
  CHECK(s.readiness.kind == ProbeSpec::Kind::None);
  CHECK(s.restart == RestartPolicy::Always);
  CHECK(s.stop_signal == 15);
  CHECK(s.stop_grace == Millis{10000});
  CHECK(s.forward_signals.empty());  // opt-in: an unprepared JVM dies of SIGUSR1
  CHECK_FALSE(s.critical);
}

TEST_CASE("loader: http url without a path probes /", "[supervise][loader]") {
  auto r = load(one("    argv: [x]\n    readiness: {http: {url: 'http://[::1]:9870'}}\n"));
  REQUIRE(r.ok());
  CHECK(r->services[0].readiness.host == "::1");
  CHECK(r->services[0].readiness.port == 9870);
  CHECK(r->services[0].readiness.path == "/");
  CHECK(r->services[0].readiness.json_pointer.empty());
}

TEST_CASE("loader: ${var} and $$ expansion in argv, env, probes and workdir", "[supervise][loader]") {
  auto r = load(one("    argv: [run, '--host=${hostname}', 'cost: $$5', '$HOME']\n"
                    "    env: {ADDR: '${hostname}:${port}'}\n"
                    "    workdir: /srv/${hostname}\n"
                    "    readiness: {tcp: '${hostname}:${port}'}\n"));
  REQUIRE(r.ok());
  const auto& s = r->services[0];
  // `$HOME` is not our syntax: it stays literal, no shell will ever expand it.
  CHECK(s.argv == std::vector<std::string>{"run", "--host=node-1", "cost: $5", "$HOME"});
  CHECK(s.env.at("ADDR") == "node-1:8020");
  CHECK(s.workdir == "/srv/node-1");
  CHECK(s.readiness.host == "node-1");
  CHECK(s.readiness.port == 8020);
}

TEST_CASE("loader: a service name is never expanded", "[supervise][loader]") {
  CHECK(load_error("services:\n  - name: '${hostname}'\n    argv: [x]\n") ==
        "svc.yaml: services[0].name: must be 1-64 characters of [A-Za-z0-9_-], got '${hostname}'");
}

TEST_CASE("loader: role and config layers", "[supervise][loader]") {
  auto r = load("role: worker\nconfig:\n  hdfs: {dfs.replication: '3', dfs.host: '${hostname}'}\n"
                "services:\n  - name: a\n    argv: [x]\n");
  REQUIRE(r.ok());
  CHECK(r->role == "worker");
  CHECK(r->config.at("hdfs").at("dfs.replication") == "3");
  CHECK(r->config.at("hdfs").at("dfs.host") == "node-1");
}

TEST_CASE("loader: each bad field is named in the error", "[supervise][loader]") {
  SECTION("unknown key in a service (a typo must not pass silently)") {
    CHECK(load_error(one("    argv: [x]\n    depend_on: [b]\n")) == "svc.yaml: services[0].depend_on: unknown key");
  }
  SECTION("unknown top-level key") {
    CHECK(load_error("servics: []\nservices:\n  - {name: a, argv: [x]}\n") == "svc.yaml: servics: unknown key");
  }
  SECTION("unknown supervisor key") {
    CHECK(load_error("supervisor: {backof: 1s}\nservices:\n  - {name: a, argv: [x]}\n") ==
          "svc.yaml: supervisor.backof: unknown key");
  }
  SECTION("unknown probe key") {
    CHECK(load_error(one("    argv: [x]\n    readiness: {tcp: 'h:1', every: 1s}\n")) ==
          "svc.yaml: services.a.readiness.every: unknown key");
  }
  SECTION("argv is a string, not a list") {
    CHECK(load_error(one("    argv: 'sleep 1'\n")) ==
          "svc.yaml: services.a.argv: expected a list of strings, got 'sleep 1'");
  }
  SECTION("argv element is a mapping") {
    CHECK(load_error(one("    argv: [x, {a: b}]\n")) ==
          "svc.yaml: services.a.argv[1]: expected a string, got a mapping");
  }
  SECTION("empty argv") {
    CHECK(load_error(one("    argv: []\n")) == "svc.yaml: services.a.argv: must not be empty");
  }
  SECTION("env is a list") {
    CHECK(load_error(one("    argv: [x]\n    env: [A]\n")) == "svc.yaml: services.a.env: expected a mapping, got a list");
  }
  SECTION("env key with '='") {
    CHECK(load_error(one("    argv: [x]\n    env: {'A=B': c}\n")) ==
          "svc.yaml: services.a.env: invalid variable name 'A=B'");
  }
  SECTION("env key starting with a digit") {
    CHECK(load_error(one("    argv: [x]\n    env: {'1A': c}\n")) ==
          "svc.yaml: services.a.env: invalid variable name '1A'");
  }
  SECTION("critical is not a boolean") {
    CHECK(load_error(one("    argv: [x]\n    critical: maybe\n")) ==
          "svc.yaml: services.a.critical: expected true or false, got 'maybe'");
  }
  SECTION("bad duration") {
    CHECK(load_error(one("    argv: [x]\n    stop_grace: soon\n")) ==
          "svc.yaml: services.a.stop_grace: expected a duration like 10s, got 'soon'");
  }
  SECTION("duration given as a list") {
    CHECK(load_error(one("    argv: [x]\n    stop_grace: [1]\n")) ==
          "svc.yaml: services.a.stop_grace: expected a duration like 10s, got a list");
  }
  SECTION("bad supervisor duration") {
    CHECK(load_error("supervisor: {backoff_max: 5 minutes}\nservices:\n  - {name: a, argv: [x]}\n") ==
          "svc.yaml: supervisor.backoff_max: expected a duration like 10s, got '5 minutes'");
  }
  SECTION("negative max_restarts") {
    CHECK(load_error("supervisor: {max_restarts: -1}\nservices:\n  - {name: a, argv: [x]}\n") ==
          "svc.yaml: supervisor.max_restarts: expected an integer >= 0");
  }
  SECTION("supervisor is not a mapping") {
    CHECK(load_error("supervisor: fast\nservices:\n  - {name: a, argv: [x]}\n") ==
          "svc.yaml: supervisor: expected a mapping");
  }
  SECTION("bad stop signal") {
    CHECK(load_error(one("    argv: [x]\n    stop_signal: TERMINATE\n")) ==
          "svc.yaml: services.a.stop_signal: expected a signal name like TERM, got 'TERMINATE'");
  }
  SECTION("signal number out of range") {
    CHECK(load_error(one("    argv: [x]\n    stop_signal: 0\n")) ==
          "svc.yaml: services.a.stop_signal: expected a signal name like TERM, got '0'");
  }
  SECTION("bad forwarded signal") {
    CHECK(load_error(one("    argv: [x]\n    forward_signals: [USR1, USR3]\n")) ==
          "svc.yaml: services.a.forward_signals[1]: expected a signal name like TERM, got 'USR3'");
  }
  SECTION("bad restart policy") {
    CHECK(load_error(one("    argv: [x]\n    restart: sometimes\n")) ==
          "svc.yaml: services.a.restart: expected always, on-failure or never, got 'sometimes'");
  }
  SECTION("bad name") {
    CHECK(load_error("services:\n  - name: 'a b'\n    argv: [x]\n") ==
          "svc.yaml: services[0].name: must be 1-64 characters of [A-Za-z0-9_-], got 'a b'");
  }
  SECTION("empty name") {
    CHECK(load_error("services:\n  - name: ''\n    argv: [x]\n") ==
          "svc.yaml: services[0].name: must be 1-64 characters of [A-Za-z0-9_-], got ''");
  }
  SECTION("name too long") {
    const std::string n(65, 'x');
    CHECK(load_error("services:\n  - name: " + n + "\n    argv: [x]\n") ==
          "svc.yaml: services[0].name: must be 1-64 characters of [A-Za-z0-9_-], got '" + n + "'");
  }
  SECTION("unknown dependency") {
    CHECK(load_error(one("    argv: [x]\n    depends_on: [zz]\n")) ==
          "svc.yaml: services.a.depends_on: unknown service 'zz'");
  }
  SECTION("self dependency") {
    CHECK(load_error(one("    argv: [x]\n    depends_on: [a]\n")) ==
          "svc.yaml: services.a.depends_on: a service cannot depend on itself");
  }
  SECTION("cycle names the cycle path") {
    CHECK(load_error("services:\n"
                     "  - {name: a, argv: [x], depends_on: [b]}\n"
                     "  - {name: b, argv: [x], depends_on: [c]}\n"
                     "  - {name: c, argv: [x], depends_on: [a]}\n") ==
          "svc.yaml: services: dependency cycle: a -> b -> c -> a");
  }
  SECTION("duplicate names") {
    CHECK(load_error("services:\n  - {name: a, argv: [x]}\n  - {name: a, argv: [y]}\n") ==
          "svc.yaml: services: duplicate service name 'a'");
  }
  SECTION("unknown ${var} in argv") {
    CHECK(load_error(one("    argv: [x, '${nope}']\n")) == "svc.yaml: services.a.argv[1]: unknown variable ${nope}");
  }
  SECTION("unknown ${var} in env") {
    CHECK(load_error(one("    argv: [x]\n    env: {A: '${nope}'}\n")) ==
          "svc.yaml: services.a.env.A: unknown variable ${nope}");
  }
  SECTION("unterminated ${") {
    CHECK(load_error(one("    argv: ['${hostname']\n")) ==
          "svc.yaml: services.a.argv[0]: unterminated ${ in '${hostname'");
  }
  SECTION("services missing") {
    CHECK(load_error("supervisor: {}\n") == "svc.yaml: services: expected a non-empty list");
  }
  SECTION("services empty") {
    CHECK(load_error("services: []\n") == "svc.yaml: services: expected a non-empty list");
  }
  SECTION("file is not a mapping") {
    CHECK(load_error("- a\n- b\n") == "svc.yaml: file: expected a mapping with `services:`");
  }
  SECTION("service is not a mapping") {
    CHECK(load_error("services: [a]\n") == "svc.yaml: services[0]: expected a mapping, got 'a'");
  }
}

TEST_CASE("loader: bad probe specs", "[supervise][loader]") {
  auto probe_error = [](const std::string& readiness) {
    return load_error(one("    argv: [x]\n    readiness: " + readiness + "\n"));
  };
  CHECK(probe_error("{tcp: localhost}") == "svc.yaml: services.a.readiness.tcp: expected HOST:PORT, got 'localhost'");
  CHECK(probe_error("{tcp: ':80'}") == "svc.yaml: services.a.readiness.tcp: expected HOST:PORT, got ':80'");
  CHECK(probe_error("{tcp: 'h:70000'}") == "svc.yaml: services.a.readiness.tcp: expected a port 1..65535 in 'h:70000'");
  CHECK(probe_error("{tcp: 'h:0'}") == "svc.yaml: services.a.readiness.tcp: expected a port 1..65535 in 'h:0'");
  CHECK(probe_error("{tcp: 'h:80x'}") == "svc.yaml: services.a.readiness.tcp: expected a port 1..65535 in 'h:80x'");
  CHECK(probe_error("{interval: 1s}") == "svc.yaml: services.a.readiness: needs exactly one of tcp, http, exec");
  CHECK(probe_error("{tcp: 'h:1', exec: [x]}") == "svc.yaml: services.a.readiness: needs exactly one of tcp, http, exec");
  CHECK(probe_error("tcp") == "svc.yaml: services.a.readiness: expected a mapping with one of tcp, http, exec");
  CHECK(probe_error("{exec: []}") == "svc.yaml: services.a.readiness.exec: must not be empty");
  CHECK(probe_error("{exec: 'test -e x'}") ==
        "svc.yaml: services.a.readiness.exec: expected a list of strings, got 'test -e x'");
  CHECK(probe_error("{http: 'http://h:1/'}") ==
        "svc.yaml: services.a.readiness.http: expected a mapping with url, got 'http://h:1/'");
  CHECK(probe_error("{http: {url: 'https://h:1/'}}") ==
        "svc.yaml: services.a.readiness.http.url: only http:// URLs are supported");
  CHECK(probe_error("{http: {url: 'http://h:1/a b'}}") ==
        "svc.yaml: services.a.readiness.http.url: must be percent-encoded: no spaces, controls, non-ASCII or any of "
        "\"<>\\^`{|}");
  CHECK(probe_error("{http: {url: 'http://h:1/{x}'}}") ==
        "svc.yaml: services.a.readiness.http.url: must be percent-encoded: no spaces, controls, non-ASCII or any of "
        "\"<>\\^`{|}");
  CHECK(probe_error("{http: {url: 'http://h/'}}") == "svc.yaml: services.a.readiness.http.url: expected HOST:PORT, got 'h'");
  CHECK(probe_error("{http: {url: 'http://h:1/', json_pointer: status}}") ==
        "svc.yaml: services.a.readiness.http.json_pointer: must start with '/'");
  CHECK(probe_error("{http: {url: 'http://h:1/', method: POST}}") ==
        "svc.yaml: services.a.readiness.http.method: unknown key");
  CHECK(probe_error("{tcp: 'h:1', interval: often}") ==
        "svc.yaml: services.a.readiness.interval: expected a duration like 10s, got 'often'");
  CHECK(probe_error("{tcp: 'h:1', timeout: -1s}") ==
        "svc.yaml: services.a.readiness.timeout: expected a duration like 10s, got '-1s'");
  CHECK(load_error(one("    argv: [x]\n    wait_for: [{tcp: 'h:1'}, {tcp: nope}]\n")) ==
        "svc.yaml: services.a.wait_for[1].tcp: expected HOST:PORT, got 'nope'");
  CHECK(load_error(one("    argv: [x]\n    wait_for: {tcp: 'h:1'}\n")) ==
        "svc.yaml: services.a.wait_for: expected a list of probes");
}

TEST_CASE("loader: pre_start steps", "[supervise][loader]") {
  auto r = load(one("    argv: [x]\n    pre_start:\n      - {guard: hdfs-format, argv: [fmt], timeout: 5m}\n"
                    "      - {argv: [prep]}\n"));
  REQUIRE(r.ok());
  const auto& ps = r->services[0].pre_start;
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].guard == "hdfs-format");
  CHECK(ps[0].timeout == Millis{300000});
  CHECK(ps[1].guard.empty());
  CHECK(ps[1].argv == std::vector<std::string>{"prep"});
  CHECK(load_error(one("    argv: [x]\n    pre_start: [{guard: wipe, argv: [x]}]\n")) ==
        "svc.yaml: services.a.pre_start[0].guard: unknown guard 'wipe' (known: hdfs-format)");
  CHECK(load_error(one("    argv: [x]\n    pre_start: [{argv: []}]\n")) ==
        "svc.yaml: services.a.pre_start[0].argv: must not be empty");
}

TEST_CASE("loader: invalid YAML reports the line", "[supervise][loader]") {
  auto e = load_error("services:\n  - name: a\n    argv: [x\n    restart: never\n  - : :\n");
  CHECK_THAT(e, Catch::StartsWith("svc.yaml: invalid YAML at line "));
  // The flow sequence opened on line 3 is never closed; yaml-cpp notices on a later line.
  const auto line = std::stoi(e.substr(std::string("svc.yaml: invalid YAML at line ").size()));
  CHECK(line >= 3);
  CHECK(line <= 5);

  auto tab = load_error("services:\n  - name: a\n\t argv: [x]\n");
  CHECK_THAT(tab, Catch::StartsWith("svc.yaml: invalid YAML at line 3: "));
}

TEST_CASE("loader: files", "[supervise][loader]") {
  auto missing = load_services_file("/nonexistent/vessel/services.yaml", kVars);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error() == "/nonexistent/vessel/services.yaml: cannot open");

  char tmpl[] = "/tmp/vessel-loader-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string path = tmpl;
  std::ofstream(path) << "services:\n  - name: a\n    argv: [x]\n    restart: nope\n";
  auto bad = load_services_file(path, kVars);
  std::remove(path.c_str());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == path + ": services.a.restart: expected always, on-failure or never, got 'nope'");
}

TEST_CASE("loader: an oversized file is refused", "[supervise][loader]") {
  std::string big = "services:\n  - name: a\n    argv: [x]\n#" + std::string(1 << 20, 'x') + "\n";
  CHECK(load_error(big) == "svc.yaml: file: larger than 1 MiB");
}

TEST_CASE("parse_duration", "[supervise][loader]") {
  CHECK(*parse_duration("500ms") == Millis{500});
  CHECK(*parse_duration("10s") == Millis{10000});
  CHECK(*parse_duration("2m") == Millis{120000});
  CHECK(*parse_duration("1h") == Millis{3600000});
  CHECK(*parse_duration("7") == Millis{7000});  // bare number = seconds
  CHECK(*parse_duration("0") == Millis{0});
  for (const char* bad : {"", "s", "ms", "-1s", "1.5s", "10 s", "10sec", "1d", "abc", "10S",
                          "9999999999999999999999", "366d", "8761h"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).ok());
  }
  CHECK(parse_duration("8760h").ok());  // a year is the cap
}

TEST_CASE("expand_vars", "[supervise][loader]") {
  const std::map<std::string, std::string> v{{"a", "1"}, {"b", "${a}"}, {"empty", ""}};
  CHECK(*expand_vars("x${a}y", v, "f") == "x1y");
  CHECK(*expand_vars("$$", v, "f") == "$");
  CHECK(*expand_vars("$${a}", v, "f") == "${a}");  // escaped: no expansion
  CHECK(*expand_vars("$$$${a}", v, "f") == "$${a}");
  CHECK(*expand_vars("${b}", v, "f") == "${a}");   // one pass: values are not re-expanded
  CHECK(*expand_vars("[${empty}]", v, "f") == "[]");
  CHECK(*expand_vars("a$", v, "f") == "a$");
  CHECK(*expand_vars("$a", v, "f") == "$a");
  auto unknown = expand_vars("${zz}", v, "services.x.argv[0]");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error() == "services.x.argv[0]: unknown variable ${zz}");
  auto open = expand_vars("${a", v, "f");
  REQUIRE_FALSE(open.ok());
  CHECK(open.error() == "f: unterminated ${ in '${a'");
}

TEST_CASE("loader: required fields that are missing are named", "[supervise][loader]") {
  CHECK(load_error("services:\n  - argv: [x]\n") == "svc.yaml: services[0].name: is required");
  CHECK(load_error("services:\n  - name: a\n") == "svc.yaml: services.a.argv: is required");
  CHECK(load_error(one("    argv: [x]\n    readiness: {http: {json_pointer: /a}}\n")) ==
        "svc.yaml: services.a.readiness.http.url: is required");
  CHECK(load_error(one("    argv: [x]\n    pre_start: [{guard: hdfs-format}]\n")) ==
        "svc.yaml: services.a.pre_start[0].argv: is required");
}

TEST_CASE("loader: json_any in an http probe", "[supervise][loader][probe]") {
  auto r = load(one("    argv: [x]\n    readiness:\n      http:\n        url: 'http://m:8080/json/'\n"
                    "        json_any: {pointer: /workers, where: {host: '${hostname}', state: ALIVE}}\n"));
  REQUIRE(r.ok());
  const auto& p = r->services[0].readiness;
  REQUIRE(p.json_any.has_value());
  CHECK(p.json_any->pointer == "/workers");
  CHECK(p.json_any->where == std::map<std::string, std::string>{{"host", "node-1"}, {"state", "ALIVE"}});
  CHECK(p.json_pointer.empty());

  auto any_error = [](const std::string& any) {
    return load_error(one("    argv: [x]\n    readiness: {http: {url: 'http://m:1/', json_any: " + any + "}}\n"));
  };
  const std::string f = "svc.yaml: services.a.readiness.http.json_any";
  CHECK(any_error("/workers") == f + ": expected a mapping with pointer and where, got '/workers'");
  CHECK(any_error("{where: {a: b}}") == f + ".pointer: is required");
  CHECK(any_error("{pointer: workers, where: {a: b}}") == f + ".pointer: must start with '/'");
  CHECK(any_error("{pointer: /w, where: {a: b}, all: true}") == f + ".all: unknown key");
  CHECK(any_error("{pointer: /w}") == f + ".where: is required");
  CHECK(any_error("{pointer: /w, where: {}}") == f + ".where: expected a mapping of 1..16 field: value pairs, got a mapping");
  CHECK(any_error("{pointer: /w, where: [a]}") == f + ".where: expected a mapping of 1..16 field: value pairs, got a list");
  CHECK(any_error("{pointer: /w, where: {host: [a]}}") == f + ".where.host: expected a string, got a list");
  CHECK(any_error("{pointer: /w, where: {host: '${nope}'}}") == f + ".where.host: unknown variable ${nope}");
  CHECK(load_error(one("    argv: [x]\n    readiness: {http: {url: 'http://m:1/', json_pointer: /a~2}}\n")) ==
        "svc.yaml: services.a.readiness.http.json_pointer: not a JSON pointer (a '~' must be followed by 0 or 1)");
}

TEST_CASE("loader: node checks", "[supervise][loader][checks]") {
  const std::string svc = "services:\n  - {name: a, argv: [x]}\n";
  auto r = load(svc + "checks:\n"
                      "  - name: data-disk\n"
                      "    disk: {path: '/data/${hostname}', max_used_percent: '85'}\n"
                      "    interval: 5s\n"
                      "  - name: volumes\n"
                      "    http: {url: 'http://127.0.0.1:9864/jmx?qry=x', json_pointer: /beans/0/NumFailedVolumes, equals: '0'}\n"
                      "    timeout: 1s\n"
                      "  - {name: port, tcp: '127.0.0.1:9866'}\n"
                      "  - {name: default-disk, disk: {path: /}}\n");
  REQUIRE(r.ok());
  REQUIRE(r->checks.size() == 4);
  const auto& d = r->checks[0];
  CHECK(d.name == "data-disk");
  CHECK(d.kind == CheckSpec::Kind::Disk);
  CHECK(d.disk_path == "/data/node-1");
  CHECK(d.max_used_percent == 85);
  CHECK(d.interval == Millis{5000});
  const auto& v = r->checks[1];
  CHECK(v.kind == CheckSpec::Kind::Probe);
  CHECK(v.probe.kind == ProbeSpec::Kind::Http);
  CHECK(v.probe.port == 9864);
  CHECK(v.probe.path == "/jmx?qry=x");
  CHECK(v.probe.json_pointer == "/beans/0/NumFailedVolumes");
  CHECK(v.probe.json_equals == std::optional<std::string>("0"));
  CHECK(v.probe.timeout == Millis{1000});
  CHECK(v.interval == Millis{10000});  // default
  CHECK(r->checks[2].probe.kind == ProbeSpec::Kind::Tcp);
  CHECK(r->checks[3].max_used_percent == 90);  // default
  CHECK(load(svc)->checks.empty());
}

TEST_CASE("loader: bad node checks name the field", "[supervise][loader][checks]") {
  auto check_error = [](const std::string& checks) {
    return load_error("services:\n  - {name: a, argv: [x]}\nchecks: " + checks + "\n");
  };
  CHECK(check_error("{name: x}") == "svc.yaml: checks: expected a list of at most 32 checks");
  CHECK(check_error("[x]") == "svc.yaml: checks[0]: expected a mapping with name and one of disk, tcp, http");
  CHECK(check_error("[{disk: {path: /}}]") == "svc.yaml: checks[0].name: is required");
  CHECK(check_error("[{name: 'a b', disk: {path: /}}]") ==
        "svc.yaml: checks[0].name: must be 1-64 characters of [A-Za-z0-9_-], got 'a b'");
  CHECK(check_error("[{name: a, disk: {path: /}}, {name: a, disk: {path: /}}]") ==
        "svc.yaml: checks[1].name: duplicate check name 'a'");
  CHECK(check_error("[{name: a}]") == "svc.yaml: checks[0]: needs exactly one of disk, tcp, http");
  CHECK(check_error("[{name: a, disk: {path: /}, tcp: 'h:1'}]") == "svc.yaml: checks[0]: needs exactly one of disk, tcp, http");
  CHECK(check_error("[{name: a, exec: [df]}]") == "svc.yaml: checks[0].exec: unknown key");
  CHECK(check_error("[{name: a, disk: /data}]") ==
        "svc.yaml: checks[0].disk: expected a mapping with path and max_used_percent, got '/data'");
  CHECK(check_error("[{name: a, disk: {max_used_percent: 90}}]") == "svc.yaml: checks[0].disk.path: is required");
  CHECK(check_error("[{name: a, disk: {path: data}}]") == "svc.yaml: checks[0].disk.path: must be an absolute path, got 'data'");
  CHECK(check_error("[{name: a, disk: {path: /, max_used: 90}}]") == "svc.yaml: checks[0].disk.max_used: unknown key");
  for (const char* bad : {"0", "101", "-5", "90%", "ninety", "''"}) {
    INFO(bad);
    CHECK_THAT(check_error(std::string("[{name: a, disk: {path: /, max_used_percent: ") + bad + "}}]"),
               Catch::StartsWith("svc.yaml: checks[0].disk.max_used_percent: must be 1..100, got '"));
  }
  CHECK(check_error("[{name: a, disk: {path: /, max_used_percent: '${nope}'}}]") ==
        "svc.yaml: checks[0].disk.max_used_percent: unknown variable ${nope}");
  CHECK(check_error("[{name: a, disk: {path: /}, timeout: 1s}]") == "svc.yaml: checks[0].timeout: not used by a disk check");
  CHECK(check_error("[{name: a, disk: {path: /}, interval: 10ms}]") == "svc.yaml: checks[0].interval: must be at least 100ms");
  CHECK(check_error("[{name: a, disk: {path: /}, interval: often}]") ==
        "svc.yaml: checks[0].interval: expected a duration like 10s, got 'often'");
  CHECK(check_error("[{name: a, http: {url: 'https://h:1/'}}]") == "svc.yaml: checks[0].http.url: only http:// URLs are supported");
  CHECK(check_error("[{name: a, tcp: nope}]") == "svc.yaml: checks[0].tcp: expected HOST:PORT, got 'nope'");
}


// The repo's role files, with the vars the plan gives them.
namespace {
const std::map<std::string, std::string> kRoleVars{
      {"cluster_id", "c1"},          {"role", "worker"},           {"master", "10.1.1.1"},
      {"hostname", "w1"},            {"self_ip", "10.1.1.2"},      {"data_dir", "/data"},
      {"hadoop_home", "/opt/hadoop"}, {"spark_home", "/opt/spark"}, {"java_home", "/usr/lib/jvm/default"},
      {"hadoop_conf_dir", "/etc/hadoop"}, {"spark_conf_dir", "/etc/spark"}, {"hadoop_classpath", "/cp"},
      {"worker_cores", "2"},         {"worker_memory", "2g"},      {"disk_max_used_percent", "90"}};

Result<ServiceSet> load_role(const std::string& role, const std::map<std::string, std::string>& vars = kRoleVars) {
  return load_services_file(VESSEL_SOURCE_DIR "/roles/" + role + ".yaml", vars);
}
}  // namespace

TEST_CASE("roles: DataNode and Worker are READY only when they serve the cluster", "[supervise][loader][probe]") {
  for (const char* role : {"worker", "standalone"}) {
    INFO(role);
    auto set = load_role(role);
    REQUIRE(set.ok());
    const ServiceSpec* dn = nullptr;
    const ServiceSpec* sw = nullptr;
    for (const auto& s : set->services) {
      if (s.name == "datanode") dn = &s;
      if (s.name == "spark-worker") sw = &s;
    }
    REQUIRE(dn);
    REQUIRE(sw);
    CHECK(dn->readiness.kind == ProbeSpec::Kind::Http);
    CHECK(dn->readiness.host == "127.0.0.1");
    CHECK(dn->readiness.port == 9864);
    CHECK(dn->readiness.path == "/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo");
    CHECK(dn->readiness.json_pointer == "/beans/0/BPServiceActorInfo/0/ActorState");
    CHECK(dn->readiness.json_equals == std::optional<std::string>("RUNNING"));
    CHECK(dn->readiness.interval == Millis{1000});
    CHECK(dn->readiness.timeout == Millis{3000});

    CHECK(sw->readiness.kind == ProbeSpec::Kind::Http);
    CHECK(sw->readiness.host == "10.1.1.1");
    CHECK(sw->readiness.port == 8080);
    CHECK(sw->readiness.path == "/json/");
    REQUIRE(sw->readiness.json_any.has_value());
    CHECK(sw->readiness.json_any->pointer == "/workers");
    CHECK(sw->readiness.json_any->where == std::map<std::string, std::string>{{"host", "10.1.1.2"}, {"state", "ALIVE"}});
    // The master lists the worker by the --host it registers with.
    auto host = std::find(sw->argv.begin(), sw->argv.end(), "--host");
    REQUIRE(host + 1 < sw->argv.end());
    CHECK(*(host + 1) == "10.1.1.2");
  }
}

TEST_CASE("roles: worker and standalone carry the disk, volume and still-serving checks", "[supervise][loader][checks]") {
  for (const char* role : {"worker", "standalone"}) {
    INFO(role);
    auto set = load_role(role);
    REQUIRE(set.ok());
    REQUIRE(set->checks.size() == 4);
    CHECK(set->checks[2].name == "datanode-registered");
    CHECK(set->checks[2].probe.json_pointer == "/beans/0/BPServiceActorInfo/0/ActorState");
    CHECK(set->checks[3].name == "spark-worker-alive");
    REQUIRE(set->checks[3].probe.json_any);
    CHECK(set->checks[3].probe.json_any->pointer == "/workers");
    CHECK(set->checks[0].name == "data-disk");
    CHECK(set->checks[0].kind == CheckSpec::Kind::Disk);
    CHECK(set->checks[0].disk_path == "/data");
    CHECK(set->checks[0].max_used_percent == 90);
    CHECK(set->checks[0].interval == Millis{10000});
    CHECK(set->checks[1].name == "datanode-volumes");
    CHECK(set->checks[1].probe.port == 9864);
    CHECK(set->checks[1].probe.json_pointer == "/beans/0/NumFailedVolumes");
    CHECK(set->checks[1].probe.json_equals == std::optional<std::string>("0"));
  }
  // The limit is the plan's var, not a constant in the file.
  auto v = kRoleVars;
  v["disk_max_used_percent"] = "75";
  auto w = load_role("worker", v);
  REQUIRE(w.ok());
  CHECK(w->checks[0].max_used_percent == 75);
  v.erase("disk_max_used_percent");
  auto missing = load_role("worker", v);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error(), Catch::EndsWith("checks[0].disk.max_used_percent: unknown variable ${disk_max_used_percent}"));
}

TEST_CASE("roles: the worker's Spark worker decommissions on SIGPWR, done when it runs no executor",
          "[supervise][loader][drain]") {
  auto set = load_role("worker");
  REQUIRE(set.ok());
  const ServiceSpec* sw = nullptr;
  for (const auto& s : set->services)
    if (s.name == "spark-worker") sw = &s;
  REQUIRE(sw);
  REQUIRE(sw->decommission);
  CHECK(sw->decommission->signal == SIGPWR);
  CHECK(sw->decommission->done.kind == ProbeSpec::Kind::Http);
  // The worker's own UI (the master's coresused for a decommissioned worker
  // never drops: see roles/worker.yaml).
  CHECK(sw->decommission->done.host == "10.1.1.2");
  CHECK(sw->decommission->done.port == 8081);
  CHECK(sw->decommission->done.json_pointer == "/coresused");
  CHECK(sw->decommission->done.json_equals == std::optional<std::string>("0"));
  CHECK(sw->decommission->within == std::chrono::seconds(120));
}

TEST_CASE("loader: a bad decommission is an error naming the field", "[supervise][loader][drain]") {
  auto load = [](const std::string& d) {
    return load_services_yaml("services:\n  - name: a\n    argv: [/bin/a]\n    decommission: " + d + "\n", "t", {});
  };
  CHECK(load("{signal: PWR}").ok());
  auto bad_sig = load("{signal: NOPE}");
  REQUIRE_FALSE(bad_sig);
  CHECK(bad_sig.error().find("services.a.decommission.signal") != std::string::npos);
  auto key = load("{signal: PWR, wait: 1s}");
  REQUIRE_FALSE(key);
  CHECK(key.error().find("wait") != std::string::npos);
  auto exec = load("{done: {exec: [/bin/true]}}");
  REQUIRE_FALSE(exec);
  CHECK(exec.error().find("services.a.decommission.done") != std::string::npos);
  auto within = load("{within: 10ms}");
  REQUIRE_FALSE(within);
  CHECK(within.error().find("services.a.decommission.within") != std::string::npos);
  CHECK_FALSE(load("[PWR]"));
}
