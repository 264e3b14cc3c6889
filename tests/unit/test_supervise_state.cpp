// The state machine's transition table, checked exhaustively: every pair is
// either in the documented list or refused.
#include <catch2/catch.hpp>

#include <set>
#include <utility>

#include "supervise/state.hpp"

using namespace vessel;

namespace {
using S = State;
const S kAll[] = {S::Waiting, S::Starting, S::Ready, S::Backoff, S::Stopping, S::Exited, S::Failed};
}  // namespace

TEST_CASE("state: names", "[supervise][state]") {
  CHECK(to_string(S::Waiting) == "WAITING");
  CHECK(to_string(S::Starting) == "STARTING");
  CHECK(to_string(S::Ready) == "READY");
  CHECK(to_string(S::Backoff) == "BACKOFF");
  CHECK(to_string(S::Stopping) == "STOPPING");
  CHECK(to_string(S::Exited) == "EXITED");
  CHECK(to_string(S::Failed) == "FAILED");
}

TEST_CASE("state: the transition table, allowed and forbidden", "[supervise][state]") {
  const std::set<std::pair<S, S>> allowed{
      {S::Waiting, S::Starting},  {S::Waiting, S::Exited},    {S::Waiting, S::Failed},
      {S::Starting, S::Ready},    {S::Starting, S::Backoff},  {S::Starting, S::Stopping},
      {S::Starting, S::Exited},   {S::Starting, S::Failed},   {S::Ready, S::Backoff},
      {S::Ready, S::Stopping},    {S::Ready, S::Exited},      {S::Ready, S::Failed},
      {S::Backoff, S::Waiting},   {S::Backoff, S::Exited},    {S::Backoff, S::Failed},
      {S::Stopping, S::Exited},   {S::Stopping, S::Failed},   {S::Exited, S::Waiting},
      {S::Failed, S::Waiting},
  };
  int n_allowed = 0;
  for (S from : kAll) {
    for (S to : kAll) {
      INFO(to_string(from) << " -> " << to_string(to));
      const bool expect = allowed.count({from, to}) > 0;
      CHECK(transition_allowed(from, to) == expect);
      n_allowed += transition_allowed(from, to);
    }
  }
  CHECK(n_allowed == static_cast<int>(allowed.size()));
}

TEST_CASE("state: specific forbidden transitions", "[supervise][state]") {
  CHECK_FALSE(transition_allowed(S::Waiting, S::Ready));     // readiness needs a start
  CHECK_FALSE(transition_allowed(S::Backoff, S::Starting));  // restarts go through WAITING (deps)
  CHECK_FALSE(transition_allowed(S::Stopping, S::Ready));
  CHECK_FALSE(transition_allowed(S::Stopping, S::Backoff));  // a requested stop never restarts
  CHECK_FALSE(transition_allowed(S::Exited, S::Starting));
  CHECK_FALSE(transition_allowed(S::Failed, S::Ready));
}

TEST_CASE("state: has_process", "[supervise][state]") {
  CHECK(has_process(S::Starting));
  CHECK(has_process(S::Ready));
  CHECK(has_process(S::Stopping));
  CHECK_FALSE(has_process(S::Waiting));
  CHECK_FALSE(has_process(S::Backoff));
  CHECK_FALSE(has_process(S::Exited));
  CHECK_FALSE(has_process(S::Failed));
}
