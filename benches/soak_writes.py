#!/usr/bin/env python3
"""Write soak driver (benches/soak-writes.sh): anonymous traffic the way the
public key invites it, from many client addresses at once.

Each worker thread plays visitor after visitor. A visitor comes from a fresh
loopback address (127.x.y.z; Linux routes all of 127/8 to lo, so the service
sees distinct client IPs), creates a user, sends feedback batches and leaves
for good. Every `--heavy-every`th visitor keeps writing long past
`feedback.max_events_per_user`. One extra thread is a script on a single
address minting users as fast as it may, to show the per-IP cap.

Prints one JSON line per `--report-every` seconds and a final summary line.
Standard library only.
"""
import argparse
import http.client
import json
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--workers", type=int, default=6)
    p.add_argument("--batches", type=int, default=4, help="feedback batches per visitor")
    p.add_argument("--batch", type=int, default=50, help="events per batch")
    p.add_argument("--heavy-every", type=int, default=50)
    p.add_argument("--heavy-batches", type=int, default=40)
    p.add_argument("--communities", required=True, help="file with one community id per line")
    return p.parse_args()


class Client:
    """One HTTP connection from one source address."""

    def __init__(self, url, source_ip):
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=(source_ip, 0)
        )

    def call(self, method, path, body):
        data = json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers={"content-type": "application/json"})
        response = self.conn.getresponse()
        response.read()
        return response.status

    def close(self):
        self.conn.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = Counter()
        self.events = 0
        self.users = 0
        self.script_users = Counter()

    def add(self, kind, status, events=0):
        with self.lock:
            self.status[f"{kind} {status}"] += 1
            if status in (200, 201):
                self.events += events
                if kind == "put":
                    self.users += 1


def address(n):
    n += 1 << 16  # start at 127.1.0.0, away from 127.0.0.1
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"


def visitor(args, stats, communities, ip, heavy):
    client = Client(args.url, ip)
    try:
        user = f"v-{uuid.uuid4().hex[:16]}"
        status = client.call("PUT", f"/v1/users/{user}", {"profile": {"roles": ["nurse"], "skills": ["triage"]}})
        stats.add("put", status)
        if status not in (200, 201):
            return
        for b in range(args.heavy_batches if heavy else args.batches):
            events = [
                {"user_id": user, "community_id": communities[(b * args.batch + i) % len(communities)],
                 "type": ("view", "click", "view", "dismiss")[i % 4]}
                for i in range(args.batch)
            ]
            stats.add("feedback", client.call("POST", "/v1/feedback", {"events": events}), len(events))
    finally:
        client.close()


def main():
    args = parse_args()
    communities = [l.strip() for l in open(args.communities) if l.strip()]
    stats = Stats()
    deadline = time.time() + args.seconds
    counter = iter(range(1 << 30))
    counter_lock = threading.Lock()

    def worker():
        while time.time() < deadline:
            with counter_lock:
                n = next(counter)
            try:
                visitor(args, stats, communities, address(n), n % args.heavy_every == 0)
            except OSError as e:
                stats.add("error", type(e).__name__)

    def script():
        # One address minting users: the per-IP cap answers 429 past it.
        client = Client(args.url, "127.0.0.9")
        while time.time() < deadline:
            status = client.call("PUT", f"/v1/users/s-{uuid.uuid4().hex[:16]}", {"profile": {"roles": ["bot"]}})
            with stats.lock:
                stats.script_users[status] += 1
            time.sleep(0.05)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    threads.append(threading.Thread(target=script))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with stats.lock:
        print(json.dumps({
            "seconds": args.seconds,
            "users_created": stats.users,
            "events_accepted": stats.events,
            "events_per_second": round(stats.events / args.seconds, 1),
            "by_status": dict(stats.status),
            "single_address_script": {str(k): v for k, v in stats.script_users.items()},
        }))


if __name__ == "__main__":
    main()
