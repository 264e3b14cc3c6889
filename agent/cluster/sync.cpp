#include "cluster/sync.hpp"

#include "util/backoff.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "cluster/hosts_block.hpp"

namespace vessel::cluster {

namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Responses from the master are network input: cap what we buffer.
constexpr size_t kMaxResponseBytes = 1 << 20;
constexpr size_t kMaxEntries = 4096;

struct Reply {
  int status = 0;
  std::string body;
};

// One request with a capped response body. Returns the httplib error name
// (never headers or bodies) on transport failure.
Result<Reply> exchange(httplib::Client& cli, const std::string& method, const std::string& path,
                       const httplib::Headers& headers, const std::string& body) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = headers;
  if (!body.empty()) {
    req.body = body;
    req.set_header("Content-Type", "application/json");
  }
  std::string received;
  bool too_big = false;
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    if (received.size() + len > kMaxResponseBytes) {
      too_big = true;
      return false;
    }
    received.append(data, len);
    return true;
  };
  auto res = cli.send(req);
  if (too_big) return err("response larger than " + std::to_string(kMaxResponseBytes) + " bytes");
  if (!res) return err(httplib::to_string(res.error()));
  return Reply{res->status, std::move(received)};
}

// Only our own short "error" field, truncated: a hostile or confused peer
// must not be able to stuff arbitrary text into /status.
std::string error_field(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) return {};
  std::string e = j["error"].get<std::string>().substr(0, 200);
  std::replace_if(e.begin(), e.end(), [](char c) { return c < 0x20 || c == 0x7f; }, ' ');
  return e;
}

Result<std::pair<uint64_t, std::vector<HostEntry>>> parse_hosts(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("hosts") || !j["hosts"].is_array() ||
      !j.contains("version") || !j["version"].is_number_unsigned())
    return err("hosts: malformed response");
  if (j["hosts"].size() > kMaxEntries) return err("hosts: too many entries");
  std::vector<HostEntry> out;
  for (const auto& h : j["hosts"]) {
    if (!h.is_object() || !h.contains("ip") || !h.contains("name") || !h["ip"].is_string() ||
        !h["name"].is_string())
      return err("hosts: malformed entry");
    // Content is validated again by merge_hosts_block before it is written.
    out.push_back({h["ip"].get<std::string>(), h["name"].get<std::string>()});
  }
  return std::pair{j["version"].get<uint64_t>(), std::move(out)};
}

Result<std::vector<MemberView>> parse_members(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("members") || !j["members"].is_array())
    return err("members: malformed response");
  if (j["members"].size() > kMaxEntries) return err("members: too many entries");
  std::vector<MemberView> out;
  for (const auto& m : j["members"]) {
    if (!m.is_object()) return err("members: malformed entry");
    MemberView v;
    auto str = [&](const char* k) {
      return m.contains(k) && m[k].is_string() ? m[k].get<std::string>() : std::string();
    };
    v.name = str("name");
    v.ip = str("ip");
    v.role = str("role");
    v.state = member_state_from(str("state"));
    if (m.contains("age_ms") && m["age_ms"].is_number_integer())
      v.age = milliseconds(m["age_ms"].get<int64_t>());
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<uint64_t> members_version(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_unsigned()) return {};
  return j["version"].get<uint64_t>();
}

// The refusal as "<code> <reason>[: <master's error field>]".
std::string refusal(const Reply& r) {
  static const std::map<int, const char*> kReasons = {
      {400, "bad request"}, {401, "unauthorized"},      {403, "forbidden"},
      {409, "conflict"},    {413, "payload too large"}, {429, "too many requests"},
      {500, "server error"}, {503, "unavailable"}};
  auto it = kReasons.find(r.status);
  std::string out = std::to_string(r.status) + " " + (it == kReasons.end() ? "error" : it->second);
  // A 401 body can only repeat what we sent; do not even look at it.
  if (auto e = error_field(r.body); !e.empty() && r.status != 401) out += ": " + e;
  return out;
}

// Defence in depth: nothing a peer sends back may put our token in /status.
void scrub(std::string& s, const Secret& token) {
  const std::string& t = token.reveal();
  if (t.empty()) return;
  static constexpr std::string_view kMask = "<redacted>";
  // Search on after the mask, which may itself contain a short token.
  for (size_t p = s.find(t); p != std::string::npos; p = s.find(t, p + kMask.size()))
    s.replace(p, t.size(), kMask);
}

bool same_members(const std::vector<MemberView>& a, const std::vector<MemberView>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    // Alive <-> missing is no change; entering or leaving the exclude set is,
    // and so is leaving for good (decommissioned -> left drops the member
    // from the workers file; tests/scalein found it kept there).
    return x.name == y.name && x.ip == y.ip && x.role == y.role && excluded(x.state) == excluded(y.state) &&
           (x.state == MemberState::left) == (y.state == MemberState::left);
  });
}

}  // namespace

ClusterSync::ClusterSync(ClusterSyncOptions opts)
    : opts_(std::move(opts)),
      master_host_(opts_.master_host),
      master_port_(opts_.master_port),
      static_hosts_(opts_.static_hosts) {
  if (opts_.local && opts_.remove_after) opts_.local->set_remove_after(*opts_.remove_after);
}

ClusterSync::~ClusterSync() { stop(); }

void ClusterSync::on_members_changed(MembersChanged cb) { on_members_ = std::move(cb); }

void ClusterSync::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  status_.running = true;
  thread_ = std::thread([this] { run(); });
}

void ClusterSync::stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (client_) client_->stop();
    t = std::move(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
  std::lock_guard lock(mu_);
  status_.running = false;
}

ClusterSyncStatus ClusterSync::snapshot() const {
  std::lock_guard lock(mu_);
  return status_;
}

void ClusterSync::set_static_hosts(std::vector<HostEntry> hosts) {
  {
    std::lock_guard lock(mu_);
    static_hosts_ = std::move(hosts);
    statics_changed_ = true;
    wake_ = true;
  }
  cv_.notify_all();
}

void ClusterSync::set_master(std::string host, int port) {
  {
    std::lock_guard lock(mu_);
    if (host == master_host_ && port == master_port_) return;
    master_host_ = std::move(host);
    master_port_ = port;
    master_changed_ = true;
    wake_ = true;
  }
  cv_.notify_all();
}

milliseconds ClusterSync::backoff(unsigned failures) {
  // "Equal jitter": half the exponential step fixed, half random, so many
  // workers retrying a restarted master spread out. Never below interval.
  const milliseconds base{std::max<int64_t>(opts_.interval.count(), 1)};
  const BackoffPolicy policy{base, std::max(opts_.backoff_max, base), base, 0.5, 1.0};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return policy.delay(std::min(failures, 20u) + 1, u(rng_));
}

void ClusterSync::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_ = false;
    lock.unlock();
    const Outcome o = tick();
    lock.lock();
    if (stopping_) break;
    const milliseconds delay =
        o == Outcome::ok ? opts_.interval : backoff(status_.consecutive_failures);
    cv_.wait_for(lock, delay, [this] { return stopping_ || wake_; });
  }
}

void ClusterSync::drop_stale_for(const std::vector<HostEntry>& statics) {
  auto named = [&](const HostEntry& e) {
    for (const auto& s : statics)
      if (lower_ascii(s.name) == lower_ascii(e.name)) return true;
    return false;
  };
  master_hosts_.erase(std::remove_if(master_hosts_.begin(), master_hosts_.end(), named), master_hosts_.end());
  applied_version_.reset();
}

ClusterSync::Outcome ClusterSync::tick() {
  bool statics_changed = false;
  Target t;
  {
    std::lock_guard lock(mu_);
    t = {master_host_, master_port_, master_changed_, static_hosts_};
    master_changed_ = false;
    statics_changed = statics_changed_;
    statics_changed_ = false;
  }
  // A reload that changed a static entry (the user corrected the master's
  // address) must win over the list last fetched from the master: that list
  // may name the master's old address, and the master may be reachable only
  // through the new one, so it would never be refreshed. The master's answer
  // wins again from its next fetch, forced here.
  if (statics_changed) drop_stale_for(t.static_hosts);
  TickResult res;
  const Outcome o = opts_.local ? tick_local(res) : tick_remote(t, res);

  // Always (re)write the block from what we know, so static hosts are
  // present before the master first answers and a hand-edited block is
  // repaired; sync_hosts_file skips the write when nothing changed.
  CleanEntries entries = overlay_entries(master_hosts_, t.static_hosts);
  for (const auto& r : entries.rejected) spdlog::warn("cluster: hosts entry dropped ({})", r.reason);
  auto synced = sync_hosts_file(opts_.hosts_path, entries.entries);
  if (!synced && res.error.empty()) res.error = "hosts file: " + synced.error();
  publish(o, std::move(res), bool(synced), synced ? entries.entries.size() : 0, t);
  return synced ? o : (o == Outcome::ok ? Outcome::refused : o);
}

void ClusterSync::publish(Outcome o, TickResult res, bool synced, size_t written_entries,
                          const Target& t) {
  scrub(res.error, opts_.token);
  scrub(res.reg_error, opts_.token);
  std::lock_guard lock(mu_);
  const bool was_reachable = status_.master_reachable;
  status_.master_reachable = o != Outcome::unreachable;
  status_.hosts = written_entries;
  status_.version = applied_version_.value_or(0);
  status_.members = last_members_.size();
  if (o == Outcome::ok && synced) {
    status_.consecutive_failures = 0;
    status_.last_sync = std::chrono::system_clock::now();
  } else if (o != Outcome::ok) {
    ++status_.consecutive_failures;
  }
  if (res.error != status_.last_error && !res.error.empty())
    spdlog::warn("cluster: {}", res.error);  // once per distinct error, not per tick
  if (!opts_.local && !was_reachable && status_.master_reachable)
    spdlog::info("cluster: master {}:{} reachable", t.host, t.port);
  status_.last_error = std::move(res.error);
  status_.registered = res.registered;
  status_.registration_error = res.registered ? std::string() : std::move(res.reg_error);
}

ClusterSync::Outcome ClusterSync::tick_local(TickResult& res) {
  Membership& m = *opts_.local;
  if (opts_.name.empty()) {
    res.reg_error = "name: not configured, not registering";
  } else {
    UpsertResult r = m.upsert({opts_.name, opts_.advertise_ip, opts_.role});
    res.registered = r.ok();
    if (!r.ok()) res.error = res.reg_error = "register: " + r.message;
  }
  m.sweep();
  auto snap = m.hosts_snapshot();
  if (!applied_version_ || *applied_version_ != snap.version)
    apply({snap.version, std::move(snap.hosts), m.members()});
  return res.error.empty() ? Outcome::ok : Outcome::refused;
}

ClusterSync::Outcome ClusterSync::tick_remote(const Target& t, TickResult& res) {
  // Another master may count versions differently: refetch everything.
  if (t.changed) applied_version_.reset();
  auto cli = std::make_shared<httplib::Client>(t.host, t.port);
  const auto to = opts_.request_timeout;
  cli->set_connection_timeout(to);
  cli->set_read_timeout(to);
  cli->set_write_timeout(to);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Outcome::refused;
    client_ = cli;
  }
  struct Clear {
    ClusterSync* self;
    ~Clear() {
      std::lock_guard lock(self->mu_);
      self->client_.reset();
    }
  } clear{this};

  // 1. Register / heartbeat. Its reply carries the master's hosts version.
  json reg = {{"name", opts_.name}, {"role", opts_.role}};
  if (!opts_.advertise_ip.empty()) reg["ip"] = opts_.advertise_ip;
  if (opts_.on_behalf) reg["on_behalf"] = true;
  httplib::Headers auth{{"Authorization", "Bearer " + opts_.token.reveal()}};
  auto r = exchange(*cli, "POST", "/v1/cluster/members", auth, reg.dump());
  if (!r) {
    // The master may come back as a new process whose version counter could
    // coincide with ours: refetch everything after any outage.
    applied_version_.reset();
    res.reg_error = "unreachable: " + r.error();
    res.error = "master " + t.host + ":" + std::to_string(t.port) + " unreachable: " + r.error();
    return Outcome::unreachable;
  }
  std::optional<uint64_t> version;
  Outcome outcome = Outcome::ok;
  if (r->status == 200 || r->status == 201) {
    res.registered = true;
    auto j = json::parse(r->body, nullptr, false);
    if (j.is_object() && j.contains("version") && j["version"].is_number_unsigned())
      version = j["version"].get<uint64_t>();
  } else {
    // Keep syncing hosts below (GETs need no token): a node with a bad token
    // still resolves its peers, and /status says why it is not registered.
    res.reg_error = refusal(*r);
    res.error = "register: HTTP " + std::to_string(r->status);
    if (r->status == 401) res.error += " (cluster token rejected)";
    if (auto e = error_field(r->body); !e.empty() && r->status != 401) res.error += ": " + e;
    outcome = r->status >= 500 || r->status == 429 ? Outcome::unreachable : Outcome::refused;
  }
  if (version && applied_version_ && *version == *applied_version_) return outcome;
  const Outcome fetched = fetch_remote(*cli, res);
  return fetched == Outcome::ok ? outcome : fetched;
}

// 2. Hosts (and members, for the callback) changed: fetch both.
ClusterSync::Outcome ClusterSync::fetch_remote(httplib::Client& cli, TickResult& res) {
  std::string& error = res.error;
  auto h = exchange(cli, "GET", "/v1/cluster/hosts", {}, "");
  if (!h || h->status != 200) {
    if (error.empty()) error = "hosts: " + (h ? "HTTP " + std::to_string(h->status) : h.error());
    return h ? Outcome::refused : Outcome::unreachable;
  }
  auto hosts = parse_hosts(h->body);
  if (!hosts) {
    if (error.empty()) error = hosts.error();
    return Outcome::refused;
  }
  Fetched f{hosts->first, std::move(hosts->second), last_members_};
  auto m = exchange(cli, "GET", "/v1/cluster/members", {}, "");
  auto members = m && m->status == 200 ? parse_members(m->body) : Error{"members: fetch failed"};
  if (members) f.members = std::move(members.value());
  const bool consistent = members && m && members_version(m->body) == f.version;
  apply(std::move(f));
  // Without the member list, or if the table moved between the two GETs,
  // refetch next tick so neither the callback nor a host is lost.
  if (!consistent) applied_version_.reset();
  return Outcome::ok;
}

void ClusterSync::apply(Fetched f) {
  applied_version_ = f.version;
  master_hosts_ = std::move(f.hosts);
  const bool changed = !same_members(f.members, last_members_);
  last_members_ = std::move(f.members);
  if (changed && on_members_) on_members_(last_members_);
}

}  // namespace vessel::cluster
