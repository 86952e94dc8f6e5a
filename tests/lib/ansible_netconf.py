"""Runs an Ansible playbook over ansible.netcommon.netconf against one
device (t_ansible, t_attack_clients): the inventory, Ansible's settings
and the ansible-playbook run, so both tests meet Ansible the same way.

    p, res, detail = run_playbook(playbook, work, play, port, user, key)

playbook is the ansible-playbook path, work an empty folder that keeps
all of Ansible's files, play the playbook's text; the device is
127.0.0.1:port (an sshd with nchome-netconf as its netconf subsystem),
user logs in with the private key file key.  The play writes its
results as JSON to "{{ out }}" (work/out.json).  Returns the finished
process, those results ({} when the play wrote none) and the end of its
output (for a failing test's detail).
"""
import json
import os
import subprocess

from nchome_test import scaled


def run_playbook(playbook, work, play, port, user, key):
    out = os.path.join(work, "out.json")
    with open(os.path.join(work, "play.yml"), "w") as f:
        f.write(play)
    with open(os.path.join(work, "hosts"), "w") as f:
        f.write("[device]\ndevice ansible_host=127.0.0.1 ansible_port=%d ansible_user=%s "
                "ansible_connection=ansible.netcommon.netconf ansible_network_os=default "
                "ansible_ssh_private_key_file=%s ansible_python_interpreter=/usr/bin/python3\n"
                % (port, user, key))
    e = dict(os.environ, HOME=work, ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_LOCAL_TEMP=work + "/tmp",
             ANSIBLE_REMOTE_TEMP=work + "/rtmp", ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=work + "/pc",
             ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="False",
             ANSIBLE_PERSISTENT_COMMAND_TIMEOUT=str(int(scaled(60))),
             ANSIBLE_COLLECTIONS_PATH="/usr/lib/python3/dist-packages")
    p = subprocess.run([playbook, "-i", os.path.join(work, "hosts"), os.path.join(work, "play.yml"),
                        "-e", "out=" + out], env=e, capture_output=True, text=True,
                       timeout=scaled(300), cwd=work)
    res = {}
    if os.path.exists(out):
        with open(out) as f:
            res = json.load(f)
    return p, res, p.stdout[-3000:] + p.stderr[-2000:]
