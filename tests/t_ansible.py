#!/usr/bin/python3
"""Ansible's netconf modules against nchome-netconf (issue 16: the real
clients a user meets).  A plain sshd (`sshd -i` per TCP connection on
127.0.0.1, tests/lib InetdSshd) serves the built nchome-netconf as its
netconf subsystem, with tests/yang's nchome-test implemented; a playbook
over connection=ansible.netcommon.netconf runs netconf_config (a merge
into running), netconf_get (a subtree filter) and netconf_rpc (a
get-config written the way Ansible's examples write it, protocol
elements in no namespace).  Skipped only when ansible-playbook is
missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, InetdSshd, SshEnv, scaled  # noqa: E402

NT = "urn:nchome:test"
t = TAP()
PLAYBOOK = """
- hosts: device
  gather_facts: false
  tasks:
    - name: merge a rule into running (with the pair entry the model's min-elements 1 requires)
      ansible.netcommon.netconf_config:
        target: running
        content: |
          <config><top xmlns="%(nt)s"><rule><name>ansible</name><action>drop</action></rule><pair><id>1</id></pair></top></config>
      register: cfg
    - name: read it back with a subtree filter
      ansible.netcommon.netconf_get:
        source: running
        filter: <top xmlns="%(nt)s"><rule/></top>
        display: xml
      register: got
    - name: get-config as a raw rpc
      ansible.netcommon.netconf_rpc:
        rpc: get-config
        content: "<source><running/></source>"
        display: xml
      register: raw
    - name: results
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'cfg': cfg, 'got': got.stdout, 'raw': raw.stdout} | to_json }}"
"""

playbook = shutil.which("ansible-playbook")
if playbook is None:
    for d in ("netconf_config merges into running", "netconf_get reads it back",
              "netconf_rpc get-config"):
        t.skip_tool(d, "ansible-playbook")
    t.done()
    sys.exit(0)

env = SshEnv(name="nc-ansible", netconf_conf='  yang-dir = "%s"\n  module nchome-test { }\n'
             % os.path.join(TOP, "tests", "yang"))
inetd = InetdSshd(env)
work = tempfile.mkdtemp(prefix="nc-ansible-")
try:
    out = os.path.join(work, "out.json")
    with open(os.path.join(work, "play.yml"), "w") as f:
        f.write(PLAYBOOK % {"nt": NT})
    with open(os.path.join(work, "hosts"), "w") as f:
        f.write("[device]\ndevice ansible_host=127.0.0.1 ansible_port=%d ansible_user=root "
                "ansible_connection=ansible.netcommon.netconf ansible_network_os=default "
                "ansible_ssh_private_key_file=%s ansible_python_interpreter=/usr/bin/python3\n"
                % (inetd.port, env.user_key))
    e = dict(os.environ, HOME=work, ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCAL_TEMP=work + "/tmp",
             ANSIBLE_REMOTE_TEMP=work + "/rtmp", ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=work + "/pc",
             ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="False",
             ANSIBLE_PERSISTENT_COMMAND_TIMEOUT=str(int(scaled(60))), ANSIBLE_COLLECTIONS_PATH="/usr/lib/python3/dist-packages")
    p = subprocess.run([playbook, "-i", os.path.join(work, "hosts"), os.path.join(work, "play.yml"),
                        "-e", "out=" + out], env=e, capture_output=True, text=True,
                       timeout=scaled(300), cwd=work)
    res = {}
    if os.path.exists(out):
        with open(out) as f:
            res = json.load(f)
    detail = (p.stdout[-3000:] + p.stderr[-2000:])
    t.ok(p.returncode == 0 and res.get("cfg", {}).get("changed") is True,
         "netconf_config merges into running (changed)", detail)
    t.ok("<name>ansible</name>" in res.get("got", "") and "<action>drop</action>" in res.get("got", ""),
         "netconf_get reads it back through a subtree filter", res.get("got", detail))
    t.ok("<name>ansible</name>" in res.get("raw", ""),
         "netconf_rpc get-config, protocol elements in no namespace", res.get("raw", detail))
finally:
    inetd.close()
    env.cleanup()
    shutil.rmtree(work, ignore_errors=True)
t.done()
