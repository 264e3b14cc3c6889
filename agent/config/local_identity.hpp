#pragma once
// This node's names and addresses (effects at the edge: gethostname,
// getifaddrs). Used to decide "am I vessel.master?".
#include <string>
#include <vector>

namespace vessel::config {

struct LocalIdentity {
  std::string hostname;                // gethostname()
  std::vector<std::string> addresses;  // every IPv4/IPv6 interface address, loopback included
};

LocalIdentity local_addresses();

}  // namespace vessel::config
