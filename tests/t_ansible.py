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
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from nchome_test import TAP, TOP, InetdSshd, SshEnv  # noqa: E402
from ansible_netconf import run_playbook  # noqa: E402

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
    p, res, detail = run_playbook(playbook, work, PLAYBOOK % {"nt": NT}, inetd.port, "root", env.user_key)
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
