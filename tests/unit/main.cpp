// The one Catch2 main; kept alone in its own file so the (slow) header
// compiles once.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
