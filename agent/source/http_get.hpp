#pragma once
// GET with a per-request timeout and retries (libcurl), for the metadata
// service. Retried: transport errors (refused, timeout, reset), 5xx, 408,
// 429. Final: 2xx and every other status, returned for the caller to judge
// (e.g. user_data 404 means "no user data").
#include <chrono>
#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace vessel::source {

struct HttpPolicy {
  std::chrono::milliseconds timeout{10000};
  int retries = 5;                          // after the first attempt
  std::chrono::milliseconds backoff{1000};  // doubles per retry, capped at 30 s
  std::size_t max_body = 16u << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// Errors name the URL (never a credential: the metadata service has none).
Result<HttpResponse> http_get(const std::string& url, const HttpPolicy& policy);

}  // namespace vessel::source
