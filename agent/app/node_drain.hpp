#pragma once
// A worker leaving the cluster without losing a block (issue 10). One
// algorithm for both triggers: `vessel drain` (POST /v1/node/drain on this
// node's health port) and SIGTERM with vessel.scale_in: drain_on_sigterm.
//
//   1 hdfs      ask the master to decommission our DataNode (it adds us to
//               dfs.exclude and runs refreshNodes); poll its progress until
//               the NameNode says Decommissioned, logging every few seconds
//   2 spark     each service with a `decommission:` (role file) gets its
//               signal (the Spark worker: SIGPWR) and is waited for until
//               its `done` probe holds or `within` passes
//   3 stopping  the supervisor stops every service in order
//   4 left      (after the stop) the master removes us from every hosts
//               file and workers file; vessel exits 0
//
// Time out in step 1: the node stays excluded, nothing stops (a CLI drain)
// and the answer says how many blocks are at risk. A refusal (it would
// leave fewer live DataNodes than dfs.replication) changes nothing. On
// SIGTERM the node stops in every case, with exit code 1 unless it left.
//
// Every effect goes through DrainIO, so a test drives the whole algorithm
// with a fake master and clock.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "supervise/service_spec.hpp"
#include "util/result.hpp"

namespace vessel {

class DrainIO {
 public:
  virtual ~DrainIO() = default;
  struct Answer {
    long status = 0;
    std::string body;
  };
  // The master's cluster API; the implementation adds the token.
  virtual Result<Answer> master(const std::string& method, const std::string& path) = 0;
  virtual void signal_service(const std::string& service, int sig) = 0;
  virtual bool probe(const ProbeSpec& p) = 0;  // one attempt
  virtual void shutdown(int code) = 0;         // the supervisor's ordered stop
  virtual std::chrono::steady_clock::time_point now() = 0;
  // Sleeps up to `d`; returns early (false) when `wake` becomes true.
  virtual bool sleep(std::chrono::milliseconds d, const std::function<bool()>& wake) = 0;
};

enum class DrainPhase { idle, hdfs, spark, stopping, left, timed_out, refused, failed, cancelled };
std::string_view to_string(DrainPhase p);

struct DrainRequest {
  std::chrono::seconds timeout{3600};
  bool force = false;
  bool on_sigterm = false;  // stop the node whatever happens
};

struct DrainTiming {
  std::chrono::milliseconds poll{2000};
  std::chrono::milliseconds log_every{5000};
};

class NodeDrain {
 public:
  NodeDrain(std::string name, std::vector<ServiceSpec> services, DrainIO& io, DrainTiming t = {});
  ~NodeDrain();
  // Starts the drain on its own thread. Error when one is running already,
  // or the node already left.
  Status start(DrainRequest r);
  // Runs it on the caller's thread (tests; start() calls this).
  void run(DrainRequest r);
  // Stops a running drain and recommissions the node (the master's cancel).
  Result<std::string> cancel();
  // After the supervisor's stop: leave the membership if the drain got that
  // far. Returns true when the node left.
  bool leave();
  DrainPhase phase() const;
  // For /status and `vessel drain`: phase, message, progress, elapsed.
  nlohmann::json view() const;
  void join();

 private:
  void set(DrainPhase p, std::string message);
  bool hdfs_phase(const DrainRequest& r);
  void spark_phase();
  void finish_failed(const DrainRequest& r, DrainPhase p, const std::string& message);
  bool cancelled() const;

  const std::string name_;
  const std::vector<ServiceSpec> services_;
  DrainIO& io_;
  const DrainTiming timing_;
  mutable std::mutex mu_;
  DrainPhase phase_ = DrainPhase::idle;
  std::string message_;
  nlohmann::json progress_ = nlohmann::json::object();
  std::chrono::steady_clock::time_point started_{};
  bool cancel_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace vessel
