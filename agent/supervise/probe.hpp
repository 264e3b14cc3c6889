#pragma once
// Readiness probes. TCP and HTTP probes block, so the supervisor runs them on
// a short-lived thread each and receives the result as an event; exec probes
// are children of the main loop (it alone reaps), so they are not here.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "supervise/service_spec.hpp"
#include "util/result.hpp"

namespace vessel {

struct ProbeResult {
  bool ok = false;
  Millis latency{0};
  std::string detail;  // why it failed, for /readyz and /status
  // The answer could be judged: tcp connected; http got a 2xx JSON body that
  // holds what the probe looks at, right or wrong (or a body over the cap).
  // A failure that is not conclusive (refused, timeout, HTTP 503, a JMX bean
  // or field not there yet) means "not up yet" to node checks.
  bool conclusive = false;
};

// Caps on untrusted probe input: an HTTP body, and a JSON document found
// inside a string value (Hadoop JMX's BPServiceActorInfo).
inline constexpr std::size_t kMaxProbeBody = 4u << 20;
inline constexpr std::size_t kMaxEmbeddedJson = 1u << 20;

// Runs a TCP or HTTP probe to completion within spec.timeout.
ProbeResult run_network_probe(const ProbeSpec& spec);

// Checks an HTTP body against the probe's json_pointer/equals. Pure.
ProbeResult check_json_body(const ProbeSpec& spec, const std::string& body);

// Resolves an RFC 6901 pointer in doc. When the walk meets a string and
// segments remain, the string is parsed as JSON (at most kMaxEmbeddedJson
// bytes) and the walk continues inside it. The error names the pointer and,
// for an embedded string, the prefix that held it.
Result<nlohmann::json> resolve_json_pointer(const nlohmann::json& doc, const std::string& pointer);

// A value as probes compare it: a string as itself, anything else as JSON text.
std::string json_text(const nlohmann::json& v);

std::string describe_probe(const ProbeSpec& spec);

}  // namespace vessel
