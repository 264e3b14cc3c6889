#pragma once
// The HTTP client (libcurl) for requests vessel makes to services it does
// not own: the metadata service (GET) and Heat's WaitCondition (POST).
// Per-request timeout, a body cap, no redirects, no proxy, http(s) only.
//
// Retried: transport errors (refused, timeout, reset), 5xx, 408 and 429,
// with util/backoff.hpp's policy. Final: 2xx and every other status,
// returned for the caller to judge (e.g. user_data 404 means "no user
// data"). Errors name the method and URL; callers whose URL embeds a
// credential log their own text instead (see on_retry).
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "util/backoff.hpp"
#include "util/result.hpp"

namespace vessel::net {

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

struct HttpRequest {
  std::string method = "GET";  // GET | POST | any other (DELETE...), sent with no body
  std::string url;
  std::string body;                  // POST
  std::vector<std::string> headers;  // "Name: value"; may hold secrets: never logged
};

// One attempt's outcome, for callers that log per attempt.
struct HttpAttempt {
  int number = 0;           // 1-based
  std::string error;        // transport error or "HTTP 503"; "" on a final answer
  std::chrono::milliseconds next_delay{0};
};
using OnRetry = std::function<void(const HttpAttempt&)>;

bool retryable_status(long status);

Result<HttpResponse> http_request(const HttpRequest& req, const HttpPolicy& policy, const OnRetry& on_retry = {});
Result<HttpResponse> http_get(const std::string& url, const HttpPolicy& policy);

}  // namespace vessel::net
