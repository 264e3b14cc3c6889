// Regression (issue 9): catch_discover_tests split Catch2's case list into a
// CMake list, so a name with `]]>` (test_render_hostile.cpp) merged ~79 cases
// into one ctest entry that matched nothing and "passed" with "No tests ran".
// tests/unit/discover_tests.cmake now escapes names itself; this case carries
// every character that broke or could break it, and check_ctest_counts.sh
// fails CI if it (or any case) does not run as its own ctest entry.
#include <catch2/catch.hpp>

#include <string>

namespace {
constexpr const char* kHostileName =
    "regress: ctest runs a case named ]]> ; [x] [ ] \\ $ ${v} $$ \" ' , ~ & < > @b@s = ]=] ]==] #1 \\";
}

TEST_CASE(kHostileName, "[ctest][regress]") {
  // Reached only if ctest's entry selected this exact case.
  CHECK(Catch::getResultCapture().getCurrentTestName() == std::string(kHostileName));
}
