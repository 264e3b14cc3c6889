#pragma once
// Where node configuration may come from (see config/load.hpp for the order).
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "config/local_identity.hpp"

namespace vessel {

struct SourceOptions {
  std::string source = "auto";  // auto|file|env|configdrive|nocloud|openstack
  std::string user_data_file, meta_data_file;  // --user-data / --meta-data
  // Empty: look for a mounted /mnt/config or /config-2, else a device
  // labelled config-2/CONFIG-2 (mounted read-only; needs root).
  std::string configdrive_dir;
  std::string nocloud_dir = "/var/lib/cloud/seed/nocloud";  // meta-data, user-data
  std::string metadata_url = "http://169.254.169.254";
  std::chrono::milliseconds http_timeout{10000};  // per request
  int http_retries = 5;                           // retries after the first attempt
  std::chrono::milliseconds http_backoff{1000};   // doubles per retry, capped at 30 s
  std::string role_override;                      // --role
  std::map<std::string, std::string> env;         // copy of the process environment
  // This node's names/addresses; nullopt = probe with local_addresses().
  // Tests inject their own.
  std::optional<config::LocalIdentity> identity;
};

}  // namespace vessel
