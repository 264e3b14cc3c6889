#pragma once
// Readiness probes. TCP and HTTP probes block, so the supervisor runs them on
// a short-lived thread each and receives the result as an event; exec probes
// are children of the main loop (it alone reaps), so they are not here.
#include <string>

#include "supervise/service_spec.hpp"

namespace vessel {

struct ProbeResult {
  bool ok = false;
  Millis latency{0};
  std::string detail;  // why it failed, for /readyz and /status
};

// Runs a TCP or HTTP probe to completion within spec.timeout.
ProbeResult run_network_probe(const ProbeSpec& spec);

// Checks an HTTP body against the probe's json_pointer/equals. Pure.
ProbeResult check_json_body(const ProbeSpec& spec, const std::string& body);

std::string describe_probe(const ProbeSpec& spec);

}  // namespace vessel
