#!/usr/bin/env python3
"""Emulates what Nova hands a server of the HOT template, as a ConfigDrive.

    hot_user_data.py TEMPLATE RESOURCE OUTDIR [INDEX]

Resolves the server's user_data and metadata the way Heat would (parameter
defaults, str_replace, list_join, if, %index% for ResourceGroup members) with
sample values for the attributes only a live cloud knows (port IP, random
string, wait-handle endpoint and token), and writes
OUTDIR/openstack/latest/{meta_data.json,user_data} so that
`vessel render --source configdrive --configdrive-dir OUTDIR` reads exactly
what a booted node would. Prints the sample secrets, one per line, so the
caller can check they never reach vessel's output.
"""
import json
import os
import sys

import yaml

STACK = "demo"
MASTER_IP = "10.0.0.5"
# Attribute values a live cloud would supply.
SAMPLE_ATTRS = {
    ("OS::Neutron::Port", "fixed_ips"): [{"ip_address": MASTER_IP, "subnet_id": "sub-1"}],
    ("OS::Heat::RandomString", "value"): "Q7pZ2kR9vX4mB8nL3cT6yH1wF5jD0sGaEeUuIiOo",
    ("OS::Heat::WaitConditionHandle", "token"): "gAAAAABsample-keystone-token_NOT-A-REAL-ONE",
}
# Parameters without a default need a value to resolve anything.
REQUIRED_SAMPLES = {"image": "vessel-spark", "flavor": "m1.large", "key_name": "demo-key",
                    "network": "private", "ui_cidr": "198.51.100.0/24"}


class Resolver:
    def __init__(self, doc, index):
        self.doc = doc
        self.index = index
        self.params = {"OS::stack_name": STACK}
        for name, p in (doc.get("parameters") or {}).items():
            if "default" in p:
                self.params[name] = p["default"]
            elif name in REQUIRED_SAMPLES:
                self.params[name] = REQUIRED_SAMPLES[name]
            else:
                raise SystemExit(f"parameter {name!r} has no default and no sample value")

    def attr(self, res, name, path):
        rtype = self.doc["resources"][res]["type"]
        if rtype == "OS::Heat::WaitConditionHandle" and name == "endpoint":
            value = (f"https://heat.example.org:8004/v1/0f1e2d3c/stacks/{STACK}/"
                     f"5a1b/resources/{res}/signal")
        else:
            try:
                value = SAMPLE_ATTRS[(rtype, name)]
            except KeyError:
                raise SystemExit(f"no sample value for get_attr [{res}, {name}] ({rtype})")
        for step in path:
            value = value[step]
        return value

    def condition(self, node):
        if isinstance(node, str):
            return self.condition(self.doc["conditions"][node])
        if isinstance(node, bool):
            return node
        (fn, arg), = node.items()
        if fn == "not":
            return not self.condition(arg)
        if fn == "equals":
            a, b = (self.resolve(x) for x in arg)
            return a == b
        if fn == "and":
            return all(self.condition(x) for x in arg)
        if fn == "or":
            return any(self.condition(x) for x in arg)
        raise SystemExit(f"unsupported condition function {fn!r}")

    def resolve(self, node):
        if isinstance(node, list):
            return [self.resolve(x) for x in node]
        if isinstance(node, str):
            return node.replace("%index%", str(self.index))
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "get_param":
                return self.params[arg if isinstance(arg, str) else arg[0]]
            if fn == "get_attr":
                return self.attr(arg[0], arg[1], arg[2:])
            if fn == "get_resource":
                return f"{arg}-id"
            if fn == "list_join":
                return str(arg[0]).join(str(x) for x in self.resolve(arg[1]))
            if fn == "if":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if fn == "str_replace":
                text = self.resolve(arg["template"])
                for key, value in arg["params"].items():
                    text = text.replace(str(key), str(self.resolve(value)))
                return text
        return {k: self.resolve(v) for k, v in node.items()}


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    path, name, outdir = argv[1:4]
    index = int(argv[4]) if len(argv) == 5 else 0
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    res = doc["resources"][name]
    if res["type"] == "OS::Heat::ResourceGroup":
        res = res["properties"]["resource_def"]
    if res["type"] != "OS::Nova::Server":
        raise SystemExit(f"{name}: not a server or a group of servers")
    props = Resolver(doc, index).resolve(res["properties"])
    server = props["name"]
    meta = {
        "uuid": f"00000000-0000-4000-8000-{index:012d}",
        "hostname": f"{server}.novalocal",
        "name": server,
        "launch_index": 0,
        "availability_zone": "nova",
        "meta": props.get("metadata", {}),
    }
    d = os.path.join(outdir, "openstack", "latest")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "meta_data.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
    with open(os.path.join(d, "user_data"), "w", encoding="utf-8") as f:
        f.write(props["user_data"])
    print(SAMPLE_ATTRS[("OS::Heat::RandomString", "value")])
    print(SAMPLE_ATTRS[("OS::Heat::WaitConditionHandle", "token")])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
