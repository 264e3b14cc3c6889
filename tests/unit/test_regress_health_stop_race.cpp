// Regression: HealthServer::stop() right after start() hung forever when the
// listen thread had not marked itself running yet (httplib's stop() is then a
// no-op and join() waits on accept()). Seen in the e2e test: a NoCloud config
// loaded in microseconds, and the waiting-phase health server was stopped at
// once. Before the fix this test hangs within a few iterations.
#include <catch2/catch.hpp>

#include "health/server.hpp"

using namespace vessel;

TEST_CASE("health server: stop right after start never hangs", "[health][regress]") {
  for (int i = 0; i < 200; ++i) {
    StatusBoard board;
    HealthServer h(board);
    REQUIRE(h.start(HostPort{"127.0.0.1", 0}).ok());
    h.stop();
  }
  SUCCEED("200 start/stop cycles completed");
}
