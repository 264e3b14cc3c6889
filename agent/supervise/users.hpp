#pragma once
// Who a service runs as, and the clean environment it gets: nothing from
// vessel's own environment (which may hold the cluster token) leaks into a
// service; it gets PATH, HOME, USER, LOGNAME and what its definition says.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace vessel {

struct Identity {
  std::optional<uid_t> uid;  // nullopt: keep vessel's own
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;
  std::string name;
  std::string home = "/";
};

// "" user keeps vessel's identity. A user or group that does not exist is
// an error naming it.
Result<Identity> resolve_identity(const std::string& user, const std::string& group);

std::vector<std::string> service_environment(const Identity& id, const std::map<std::string, std::string>& env);

}  // namespace vessel
