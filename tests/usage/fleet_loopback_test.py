"""The fleet recipe over loopback TCP, as several processes (examples/fleet/).

Three fleet_service processes ship delta batches to one fleet_aggregator. Mid-run one service is
killed (SIGKILL, while it holds recorded but unshipped events) and restarted; then the aggregator
itself is killed and restarted from its saved state; the aggregator also drops every 7th
acknowledgement, so services resend batches it already applied. The fleet total must equal,
row by row and field by field, the sum of every event of every service computed here
independently, each event exactly once.

Usage: fleet_loopback_test.py AGGREGATOR SERVICE
"""
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

EVENTS = 6000
SHIP_EVERY = 250
MODELS = ["gpt-4o", "gpt-4o-mini", "o3"]
TOKEN_TYPES = ["input", "cached_input", "cache_creation", "cache_creation_1h", "output", "reasoning"]


def expected_rows(salts):
    """The documented event stream of fleet_service, summed per (tenant, model)."""
    rows = defaultdict(lambda: defaultdict(int))
    for salt in salts:
        for i in range(EVENTS):
            row = rows[(f"tenant-{(7 * i + salt) % 5}", MODELS[(i + salt) % 3])]
            row["input"] += (37 * i + salt) % 1000 + 1
            row["cached_input"] += 128 if i % 4 == 0 else 0
            row["output"] += 11 * i % 300
            row["requests"] += 1
    return rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_line(proc, what, deadline=60.0):
    """The next stdout line of `proc`, failing on EOF."""
    line = proc.stdout.readline()
    if not line:
        sys.exit(f"FAIL: {what}: the process ended (rc {proc.wait()})")
    return line.strip()


def wait_for(proc, prefix, what):
    while True:
        line = read_line(proc, what)
        if line.startswith(prefix):
            return line


def fleet_total(port):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(struct.pack("<I", 1) + b"T")
        head = b""
        while len(head) < 4:
            head += s.recv(4 - len(head))
        (n,) = struct.unpack("<I", head)
        body = b""
        while len(body) < n:
            body += s.recv(n - len(body))
    assert body[:1] == b"J", body[:80]
    return json.loads(body[1:])


def main():
    aggregator_bin, service_bin = sys.argv[1:3]
    work = tempfile.mkdtemp(prefix="tokenmaxx-fleet-")
    key_file = os.path.join(work, "fleet.key")
    with open(key_file, "w") as f:
        f.write(secrets.token_hex(32))
    state = os.path.join(work, "aggregator.state")
    port = free_port()

    def start_aggregator():
        p = subprocess.Popen([aggregator_bin, "--key-file", key_file, "--port", str(port), "--state", state,
                              "--drop-ack-every", "7"], stdout=subprocess.PIPE, text=True)
        assert read_line(p, "aggregator start") == f"listening {port}"
        return p

    def start_service(index, pause_ms=0):
        return subprocess.Popen([service_bin, "--source", f"api-{index}", "--port", str(port), "--key-file", key_file,
                                 "--events", str(EVENTS), "--ship-every", str(SHIP_EVERY), "--salt", str(index),
                                 "--pause-ms", str(pause_ms)], stdout=subprocess.PIPE, text=True)

    aggregator = start_aggregator()
    services = {i: start_service(i, pause_ms=200 if i == 1 else 0) for i in range(3)}
    outputs = defaultdict(list)

    # Kill api-1 while it holds half a batch of recorded, unshipped events, after it shipped 5 batches.
    victim = services[1]
    shipped = 0
    while shipped < 5:
        line = read_line(victim, "api-1 first run")
        outputs[1].append(line)
        shipped += line.startswith("shipped")
    unshipped = wait_for(victim, "unshipped", "api-1 first run")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    print(f"killed api-1 at '{unshipped}' after {shipped} batches")
    services[1] = start_service(1, pause_ms=5)
    welcome = read_line(services[1], "api-1 restart")
    print(f"api-1 restarted: {welcome}")
    _, _, incarnation, _, checkpoint = welcome.split()
    assert incarnation == "2", welcome
    assert 0 < int(checkpoint) < int(unshipped.split()[1]), (welcome, unshipped)

    # Kill the aggregator itself once the restarted service shipped again; restart it from its state.
    wait_for(services[1], "shipped", "api-1 second run")
    aggregator.send_signal(signal.SIGKILL)
    aggregator.wait()
    aggregator = start_aggregator()
    print("aggregator killed and restarted from its saved state")

    for i, p in services.items():
        out, _ = p.communicate(timeout=300)
        outputs[i].extend(out.split("\n"))
        if p.returncode != 0:
            sys.exit(f"FAIL: api-{i} exited with {p.returncode}")
    repeats = sum(line.startswith("repeat") for lines in outputs.values() for line in lines)
    print(f"resent batches acknowledged as repeats: {repeats}")
    assert repeats > 0, "the drop-ack path was not exercised"

    total = fleet_total(port)
    aggregator.send_signal(signal.SIGTERM)
    aggregator.wait()
    want = expected_rows(range(3))
    got = {(r["tenant"], r["model"]): r for r in total["rows"]}
    assert total["kind"] == "delta", total["kind"]
    assert set(got) == set(want), (sorted(got), sorted(want))
    for key, w in want.items():
        for field in TOKEN_TYPES + ["requests"]:
            if got[key][field] != w[field]:
                sys.exit(f"FAIL: {key} {field}: fleet total {got[key][field]}, events {w[field]}")
    print(f"fleet total exact: {len(want)} rows, {sum(w['requests'] for w in want.values())} events, each once")


if __name__ == "__main__":
    main()
