// Positive control: the `config` layer may include util/ (declared), so
// this compiles; together with back_edge.cpp it shows the check is the
// declared graph, not a broken include path.
#include "config/node_config.hpp"
#include "util/result.hpp"
int vessel_layering_forward_edge() { return vessel::ok() ? 1 : 0; }
