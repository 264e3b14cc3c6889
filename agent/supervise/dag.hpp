#pragma once
// Start order: services form a DAG through depends_on. A cycle or an unknown
// dependency is a load-time error, never a runtime hang.
#include <string>
#include <vector>

#include "supervise/service_spec.hpp"
#include "util/result.hpp"

namespace vessel {

// Returns the services reordered so every service comes after everything it
// depends on (stable: ties keep file order). Errors name the cycle.
Result<std::vector<ServiceSpec>> order_services(std::vector<ServiceSpec> services);

}  // namespace vessel
