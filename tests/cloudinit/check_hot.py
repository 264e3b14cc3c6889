#!/usr/bin/env python3
"""Static checks for a Heat HOT template, without a Heat server.

    check_hot.py TEMPLATE              exit 0 when clean, 1 with one line per problem
    check_hot.py --self-test TEMPLATE  breaks copies of TEMPLATE in known ways and
                                       fails unless every broken copy is rejected

Checks: the HOT version is at least 2016-10-14; only known top-level sections;
every resource has a type; every get_param names a declared parameter (or a
pseudo parameter); every get_resource, get_attr and depends_on names a
declared resource; every `if` names a declared condition; get_attr on a few
well-known types uses a real attribute; str_replace params all occur in the
template and none contains another (Heat replaces them in an unspecified
order); the resource dependency graph has no cycle; no parameter is unused.
HOT is plain YAML, so PyYAML parses it (dates come back as datetime.date).
"""
import copy
import sys

import yaml

MIN_VERSION = "2016-10-14"
# Release names Heat accepts in place of dates, newton (2016-10-14) and later.
NAMED_VERSIONS = {"newton", "ocata", "pike", "queens", "rocky", "stein", "train",
                  "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
                  "2023.1", "2023.2", "2024.1", "2024.2", "2025.1"}
SECTIONS = {"heat_template_version", "description", "parameter_groups",
            "parameters", "resources", "outputs", "conditions"}
PSEUDO_PARAMS = {"OS::stack_name", "OS::stack_id", "OS::project_id"}
INTRINSICS = {"get_param", "get_resource", "get_attr", "if", "str_replace",
              "list_join", "get_file", "str_split", "repeat", "digest",
              "map_merge", "map_replace", "yaql", "equals", "not", "and", "or",
              "contains", "filter", "make_url", "list_concat",
              "list_concat_unique", "str_replace_strict", "str_replace_vstrict",
              "resource_facade"}
# Attributes of the types this project uses, from the Heat resource sources.
# Types not listed here are not checked (their attributes pass).
KNOWN_ATTRIBUTES = {
    "OS::Heat::WaitConditionHandle": {"endpoint", "token", "curl_cli", "signal", "show"},
    "OS::Heat::WaitCondition": {"data", "show"},
    "OS::Heat::RandomString": {"value", "show"},
    "OS::Neutron::Port": {"fixed_ips", "mac_address", "network_id", "name",
                          "status", "device_id", "device_owner", "subnets",
                          "security_groups", "tenant_id", "admin_state_up",
                          "allowed_address_pairs", "dns_assignment", "show"},
}


class Checker:
    def __init__(self, doc):
        self.doc = doc if isinstance(doc, dict) else {}
        self.errors = []
        if not isinstance(doc, dict):
            self.errors.append("template: expected a mapping at top level")
        self.params = self._section("parameters")
        self.resources = self._section("resources")
        self.conditions = self._section("conditions")
        self.used_params = set()

    def _section(self, name):
        sec = self.doc.get(name) or {}
        if not isinstance(sec, dict):
            self.errors.append(f"{name}: expected a mapping")
            return {}
        return sec

    def err(self, where, what):
        self.errors.append(f"{where}: {what}")

    def check_version(self):
        v = self.doc.get("heat_template_version")
        if v is None:
            self.err("heat_template_version", "missing")
            return
        v = str(v)  # PyYAML reads 2016-10-14 as a date
        if v in NAMED_VERSIONS:
            return
        if len(v) != 10 or v[4] != "-" or v[7] != "-" or not v.replace("-", "").isdigit():
            self.err("heat_template_version", f"not a HOT version: {v!r}")
        elif v < MIN_VERSION:
            self.err("heat_template_version", f"{v} is older than {MIN_VERSION}")

    def check_sections(self):
        for key in self.doc:
            if key not in SECTIONS:
                self.err(str(key), "unknown top-level section")
        if not self.resources:
            self.err("resources", "no resources declared")
        for name, r in self.resources.items():
            if not isinstance(r, dict) or not isinstance(r.get("type"), str):
                self.err(f"resources.{name}", "missing type")
        for name, o in self._section("outputs").items():
            if not isinstance(o, dict) or "value" not in o:
                self.err(f"outputs.{name}", "missing value")

    def deps_of(self, node, where, out):
        """Walks `node`, checking every intrinsic function; collects the
        resources it refers to into `out`."""
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.deps_of(item, f"{where}[{i}]", out)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:
            fn, arg = next(iter(node.items()))
            if fn in INTRINSICS:
                self.intrinsic(fn, arg, f"{where}.{fn}", out)
                return
        for k, v in node.items():
            self.deps_of(v, f"{where}.{k}", out)

    def intrinsic(self, fn, arg, where, out):
        if fn == "get_param":
            name = arg[0] if isinstance(arg, list) and arg else arg
            if not isinstance(name, str):
                self.err(where, f"expected a parameter name, got {arg!r}")
            elif name not in self.params and name not in PSEUDO_PARAMS:
                self.err(where, f"undeclared parameter {name!r}")
            else:
                self.used_params.add(name)
            if isinstance(arg, list):
                self.deps_of(arg[1:], where, out)
        elif fn == "get_resource":
            if not isinstance(arg, str) or arg not in self.resources:
                self.err(where, f"undeclared resource {arg!r}")
            else:
                out.add(arg)
        elif fn == "get_attr":
            if not isinstance(arg, list) or len(arg) < 2:
                self.err(where, f"expected [resource, attribute, ...], got {arg!r}")
                return
            res, attr = arg[0], arg[1]
            if not isinstance(res, str) or res not in self.resources:
                self.err(where, f"undeclared resource {res!r}")
            else:
                out.add(res)
                rtype = (self.resources[res] or {}).get("type")
                allowed = KNOWN_ATTRIBUTES.get(rtype)
                if allowed is not None and isinstance(attr, str) and attr not in allowed:
                    self.err(where, f"{rtype} has no attribute {attr!r} (known: {', '.join(sorted(allowed))})")
            self.deps_of(arg[1:], where, out)
        elif fn == "if":
            if not isinstance(arg, list) or len(arg) != 3:
                self.err(where, "expected [condition, value_if_true, value_if_false]")
                return
            cond = arg[0]
            if isinstance(cond, str) and cond not in self.conditions:
                self.err(where, f"undeclared condition {cond!r}")
            self.deps_of(arg, where, out)
        elif fn == "str_replace":
            self.str_replace(arg, where, out)
        else:
            self.deps_of(arg, where, out)

    def str_replace(self, arg, where, out):
        if not isinstance(arg, dict) or "template" not in arg or not isinstance(arg.get("params"), dict):
            self.err(where, "expected a mapping with template and params")
            self.deps_of(arg, where, out)
            return
        template, params = arg["template"], arg["params"]
        if isinstance(template, str):
            for key in params:
                if str(key) not in template:
                    self.err(f"{where}.params.{key}", "does not occur in the template")
        keys = [str(k) for k in params]
        for a in keys:
            for b in keys:
                if a != b and a in b:
                    self.err(f"{where}.params", f"{a!r} is part of {b!r}: the result depends on replacement order")
        self.deps_of(template, f"{where}.template", out)
        self.deps_of(params, f"{where}.params", out)

    def check_resources(self):
        graph = {}
        for name, r in self.resources.items():
            if not isinstance(r, dict):
                continue
            deps = set()
            for key in ("properties", "metadata", "condition", "update_policy", "deletion_policy"):
                if key in r:
                    self.deps_of(r[key], f"resources.{name}.{key}", deps)
            cond = r.get("condition")
            if isinstance(cond, str) and cond not in self.conditions:
                self.err(f"resources.{name}.condition", f"undeclared condition {cond!r}")
            dep = r.get("depends_on", [])
            for d in [dep] if isinstance(dep, str) else dep:
                if d not in self.resources:
                    self.err(f"resources.{name}.depends_on", f"undeclared resource {d!r}")
                else:
                    deps.add(d)
            if name in deps:
                self.err(f"resources.{name}", "refers to itself")
            graph[name] = deps - {name}
        self.check_cycles(graph)

    def check_cycles(self, graph):
        state = {}  # name -> 1 visiting, 2 done

        def visit(n, path):
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [n]
                self.err("resources", "dependency cycle: " + " -> ".join(cycle))
                return
            state[n] = 1
            for d in sorted(graph.get(n, ())):
                visit(d, path + [n])
            state[n] = 2

        for n in sorted(graph):
            visit(n, [])

    def check(self):
        self.check_version()
        self.check_sections()
        self.deps_of(self.conditions, "conditions", set())
        self.check_resources()
        self.deps_of(self._section("outputs"), "outputs", set())
        for p in self.params:
            if p not in self.used_params:
                self.err(f"parameters.{p}", "declared but never used")
        return self.errors


def check_doc(doc):
    return Checker(doc).check()


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def find_fn(node, fn):
    """Returns the first {fn: arg} mapping in `node` (depth first)."""
    if isinstance(node, dict):
        if len(node) == 1 and fn in node:
            return node
        for v in node.values():
            hit = find_fn(v, fn)
            if hit is not None:
                return hit
    elif isinstance(node, list):
        for v in node:
            hit = find_fn(v, fn)
            if hit is not None:
                return hit
    return None


def mutations(doc):
    """Yields (description, broken copy, text the error must contain)."""
    def broken(fn, value):
        d = copy.deepcopy(doc)
        hit = find_fn(d["resources"], fn)
        if hit is None:
            return None
        if fn == "get_attr":
            hit[fn][0] = value
        elif fn == "get_param" and isinstance(hit[fn], list):
            hit[fn][0] = value
        else:
            hit[fn] = value
        return d

    yield "get_param of an undeclared parameter", broken("get_param", "no_such_param"), "no_such_param"
    yield "get_resource of an undeclared resource", broken("get_resource", "no_such_res"), "no_such_res"
    yield "get_attr of an undeclared resource", broken("get_attr", "no_such_attr_res"), "no_such_attr_res"

    d = copy.deepcopy(doc)
    name = next(n for n, r in d["resources"].items() if isinstance(r, dict))
    d["resources"][name]["depends_on"] = ["no_such_dep"]
    yield "depends_on an undeclared resource", d, "no_such_dep"

    d = copy.deepcopy(doc)
    used = next(iter(d["parameters"]))
    del d["parameters"][used]
    yield f"parameter {used!r} removed but still used", d, used

    d = copy.deepcopy(doc)
    handles = [n for n, r in d["resources"].items() if r.get("type") == "OS::Heat::WaitConditionHandle"]
    if handles:
        d["resources"]["probe"] = {"type": "OS::Heat::RandomString",
                                   "properties": {"salt": {"get_attr": [handles[0], "url"]}}}
        yield "get_attr of an attribute a WaitConditionHandle lacks", d, "'url'"

    d = copy.deepcopy(doc)
    d["resources"]["loop_a"] = {"type": "OS::Heat::None", "depends_on": "loop_b"}
    d["resources"]["loop_b"] = {"type": "OS::Heat::None", "depends_on": "loop_a"}
    yield "dependency cycle", d, "cycle"

    d = copy.deepcopy(doc)
    d["heat_template_version"] = "2013-05-23"
    yield "too old a HOT version", d, "older than"


def self_test(path):
    doc = load(path)
    failures = 0
    base = check_doc(doc)
    if base:
        print(f"FAIL {path} itself has problems:")
        for e in base:
            print("    " + e)
        return 1
    print(f"ok   {path} is clean")
    for what, d, expect in mutations(doc):
        if d is None:
            print(f"FAIL {what}: template has nothing to break")
            failures += 1
            continue
        errs = check_doc(d)
        if any(expect in e for e in errs):
            print(f"ok   rejected: {what}")
        else:
            print(f"FAIL not rejected: {what} (errors: {errs})")
            failures += 1
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        doc = load(argv[1])
    except (OSError, yaml.YAMLError) as e:
        print(f"{argv[1]}: {e}")
        return 1
    errs = check_doc(doc)
    for e in errs:
        print(f"{argv[1]}: {e}")
    if not errs:
        print(f"{argv[1]}: ok ({len(Checker(doc).params)} parameters, {len(Checker(doc).resources)} resources)")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
