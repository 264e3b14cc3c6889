#pragma once
// ServiceSpec: one supervised daemon, as loaded from a role or services YAML.
// argv is a list, never a shell string.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vessel {

using Millis = std::chrono::milliseconds;

enum class RestartPolicy { Always, OnFailure, Never };

// http: passes when at least one element of the array at `pointer` has every
// field in `where` equal to the given text (numbers/booleans compare as their
// JSON text). E.g. Spark master /json/: {pointer: /workers, where: {host: IP,
// state: ALIVE}}.
struct JsonAny {
  std::string pointer;                       // RFC 6901, may cross JSON-in-string
  std::map<std::string, std::string> where;  // field -> expected text, non-empty
  bool operator==(const JsonAny&) const = default;
};

struct ProbeSpec {
  enum class Kind { None, Tcp, Http, Exec };
  Kind kind = Kind::None;
  std::string host;                 // tcp/http
  int port = 0;                     // tcp/http
  std::string path = "/";           // http
  std::string json_pointer;         // http: optional JSON field check (RFC 6901)
  std::optional<std::string> json_equals;  // expected value, compared as text
  std::optional<JsonAny> json_any;  // http: optional array match (with json_pointer, both must pass)
  std::vector<std::string> argv;    // exec
  Millis interval{1000};
  Millis timeout{2000};
  bool operator==(const ProbeSpec&) const = default;
};

// A node-level check (role file `checks:`): a failing check makes the node
// DEGRADED (not ready) and restarts nothing. Run by NodeChecks.
struct CheckSpec {
  enum class Kind { Disk, Probe };
  std::string name;                 // [A-Za-z0-9_-]{1,64}, unique
  Kind kind = Kind::Disk;
  std::string disk_path;            // disk: absolute path (its filesystem is checked)
  int max_used_percent = 90;        // disk: 1..100, fails when used% is above it
  ProbeSpec probe;                  // probe: tcp or http (no exec: the main loop owns children)
  Millis interval{10000};
  bool operator==(const CheckSpec&) const = default;
};

// A one-shot step run before the main process (e.g. the HDFS format guard).
struct PreStartStep {
  std::string guard;               // "" or "hdfs-format"
  std::vector<std::string> argv;
  Millis timeout{120000};
  bool operator==(const PreStartStep&) const = default;
};

// How a service leaves a draining node gracefully (issue 10, role file
// `decommission:`): a signal, then a probe that holds once it is done. E.g.
// Spark's worker: SIGPWR, then its own /json/ shows no core in use. Not done
// within `within`: the drain goes on (logged).
struct DecommissionSpec {
  int signal = 0;    // 0 = send nothing
  ProbeSpec done;    // Kind::None = done once signalled
  Millis within{120000};
  bool operator==(const DecommissionSpec&) const = default;
};

struct ServiceSpec {
  std::string name;
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string user;                // "" = stay as vessel's user
  std::string group;               // "" = user's primary group
  std::string workdir;
  int stop_signal = 15;            // SIGTERM
  Millis stop_grace{10000};
  RestartPolicy restart = RestartPolicy::Always;
  bool critical = false;
  std::vector<std::string> depends_on;   // local services that must be READY
  std::vector<ProbeSpec> wait_for;       // remote conditions before start
  ProbeSpec readiness;                   // Kind::None => READY once started
  // Signals vessel passes on to this service's process group. Empty by
  // default: a JVM (or sleep) that does not handle SIGUSR1 dies of it.
  std::vector<int> forward_signals;
  // Restart a service that started but is not READY within this time (0 =
  // wait forever): a DataNode the NameNode refused once never retries
  // registering, so only a restart lets it serve again.
  Millis ready_within{0};
  std::vector<PreStartStep> pre_start;
  std::string log_file;                  // optional rotating file (spdlog)
  // Hash of the rendered configs this service reads (set by the plan), so a
  // reload that changes a config file restarts the service.
  std::string config_digest;
  std::optional<DecommissionSpec> decommission;
  bool operator==(const ServiceSpec&) const = default;
};

}  // namespace vessel
