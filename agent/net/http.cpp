#include "net/http.hpp"

#include <spdlog/spdlog.h>

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

namespace vessel::net {
namespace {

struct Sink {
  std::string body;
  std::size_t max = 0;
  bool overflow = false;
};

std::size_t on_data(char* p, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  std::size_t len = size * n;
  if (s->body.size() + len > s->max) {
    s->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  s->body.append(p, len);
  return len;
}

struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  bool overflow = false;
  std::string body;
};

Attempt once(const HttpRequest& req, const HttpPolicy& policy) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  Attempt a;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
  if (!h) {
    a.code = CURLE_FAILED_INIT;
    return a;
  }
  Sink sink;
  sink.max = policy.max_body;
  curl_easy_setopt(h.get(), CURLOPT_URL, req.url.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
  for (const auto& hd : req.headers) headers.reset(curl_slist_append(headers.release(), hd.c_str()));
  if (headers) curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
  if (req.method == "POST") {
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
  } else if (req.method != "GET") {
    // DELETE (a member leaving) and the like: without this, curl sends a GET.
    curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(policy.timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);         // we may run in threads
  curl_easy_setopt(h.get(), CURLOPT_FOLLOWLOCATION, 0L);   // metadata and Heat never redirect
  curl_easy_setopt(h.get(), CURLOPT_PROXY, "");            // link-local / cloud-internal: ignore http_proxy
  curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &on_data);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &sink);
  a.code = curl_easy_perform(h.get());
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &a.status);
  a.overflow = sink.overflow;
  a.body = std::move(sink.body);
  return a;
}

}  // namespace

bool retryable_status(long s) { return s >= 500 || s == 408 || s == 429; }

Result<HttpResponse> http_request(const HttpRequest& req, const HttpPolicy& policy, const OnRetry& on_retry) {
  const BackoffPolicy backoff{policy.backoff, std::chrono::seconds(30)};
  std::string last;
  const int attempts = std::max(0, policy.retries) + 1;
  for (int i = 1; i <= attempts; ++i) {
    Attempt a = once(req, policy);
    if (a.overflow)
      return err(req.method + " " + req.url + ": response larger than " + std::to_string(policy.max_body) + " bytes");
    if (a.code != CURLE_OK) {
      last = curl_easy_strerror(a.code);
    } else if (retryable_status(a.status)) {
      last = "HTTP " + std::to_string(a.status);
    } else {
      return HttpResponse{a.status, std::move(a.body)};
    }
    if (i == attempts) break;
    auto delay = backoff.delay(static_cast<unsigned>(i));
    if (on_retry) on_retry(HttpAttempt{i, last, delay});
    std::this_thread::sleep_for(delay);
  }
  return err(req.method + " " + req.url + ": " + last + " (gave up after " + std::to_string(attempts) + " attempts)");
}

Result<HttpResponse> http_get(const std::string& url, const HttpPolicy& policy) {
  HttpRequest req;
  req.url = url;
  return http_request(req, policy);
}

}  // namespace vessel::net
