#pragma once
// Loads services (a plain services YAML or a role file) into ServiceSpecs.
// Every error names the file and the field: "roles/worker.yaml:
// services[1].stop_grace: expected a duration like 10s, got 'soon'".
#include <map>
#include <string>
#include <vector>

#include "config/role_caps.hpp"
#include "supervise/service_spec.hpp"
#include "util/result.hpp"

namespace vessel {

// Supervisor-wide tuning, optional in YAML under `supervisor:`.
struct SupervisorSettings {
  Millis backoff_initial{200};
  Millis backoff_max{30000};
  Millis stable_after{60000};     // a run this long resets the backoff
  int max_restarts = 5;           // more restarts than this within...
  Millis restart_window{60000};   // ...this window => FAILED
  Millis shutdown_deadline{60000};  // overall cap for an ordered shutdown
  bool operator==(const SupervisorSettings&) const = default;
};

// A directory a role needs before its services start (data dirs owned by
// the service users).
struct DirSpec {
  std::string path;   // absolute, no ".."
  std::string owner;  // user name, "" = root
  std::string group;  // group name, "" = owner's group
  unsigned mode = 0755;
  bool operator==(const DirSpec&) const = default;
};

struct ServiceSet {
  std::string role;                            // "" for a plain services file
  RoleCaps caps;                               // `capabilities:` (what the role is)
  std::vector<ServiceSpec> services;           // in dependency order
  SupervisorSettings settings;
  std::vector<DirSpec> dirs;
  // Optional config layers a role file may carry: core/hdfs/spark maps.
  std::map<std::string, std::map<std::string, std::string>> config;
  // Node-level checks (`checks:`): failing ones make the node DEGRADED.
  std::vector<CheckSpec> checks;
};

// `vars` are substituted into ${name} placeholders in argv, env values,
// probe hosts/paths and workdir; `$$` is a literal `$`. An unknown variable
// is an error naming the field. Values are inserted as whole strings; no
// shell ever sees them.
Result<ServiceSet> load_services_yaml(const std::string& text, const std::string& origin,
                                      const std::map<std::string, std::string>& vars);
Result<ServiceSet> load_services_file(const std::string& path,
                                      const std::map<std::string, std::string>& vars);

// "500ms", "10s", "2m", "1h" or a bare number of seconds.
Result<Millis> parse_duration(const std::string& s);

// Expands ${var} using vars; error text names `field`.
Result<std::string> expand_vars(const std::string& in, const std::map<std::string, std::string>& vars,
                                const std::string& field);

}  // namespace vessel
