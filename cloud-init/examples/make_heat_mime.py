#!/usr/bin/env python3
"""Builds a Heat-style MIME multipart user_data around a vessel config.

    make_heat_mime.py CONFIG.yaml OUT

Heat wraps the template's user_data this way when user_data_format is
HEAT_CFNTOOLS or SOFTWARE_CONFIG: helper parts for cloud-init
(cloud-config, boothook, part-handler, loguserdata.py) plus the user's own
text as the text/x-cfninitdata part named cfn-userdata. vessel skips the
helpers and takes its config from cfn-userdata. The boundary is fixed so
the output is reproducible (tests/cloudinit/run.sh regenerates and compares).
The helper bodies are short stand-ins for Heat's files: vessel never runs
them, it only has to recognise and skip them.
"""
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

BOUNDARY = "===============vessel-heat-example=="

HELPERS_BEFORE = [
    ("cloud-config", "cloud-config",
     "#cloud-config\nuser: ec2-user\ncloud_config_modules:\n - locale\n - set_hostname\n - runcmd\n"),
    ("cloud-boothook", "boothook.sh",
     "#!/bin/bash\nchmod 700 /var/lib/heat-cfntools\n"),
    ("part-handler", "part-handler.py",
     "#part-handler\ndef list_types():\n    return [\"text/x-cfninitdata\"]\n"),
]
HELPERS_AFTER = [
    ("x-shellscript", "loguserdata.py",
     "#!/usr/bin/env python3\n# Heat's helper: runs /var/lib/heat-cfntools/cfn-userdata\n"),
]


def part(subtype, filename, body):
    p = MIMEText(body, subtype, "us-ascii")
    p.add_header("Content-Disposition", "attachment", filename=filename)
    return p


def build(config_text):
    msg = MIMEMultipart(boundary=BOUNDARY)
    for subtype, name, body in HELPERS_BEFORE:
        msg.attach(part(subtype, name, body))
    msg.attach(part("x-cfninitdata", "cfn-userdata", config_text))
    for subtype, name, body in HELPERS_AFTER:
        msg.attach(part(subtype, name, body))
    return msg.as_string() + "\n"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(build(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
