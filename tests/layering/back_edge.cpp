// Negative control of the build's layering (CMakeLists.txt, vessel_layer):
// this file is compiled as part of the `config` layer, which may not see
// app/. The ctest entry layering.back_edge_fails passes only when the
// compiler says it cannot find the header.
#include "app/agent.hpp"
