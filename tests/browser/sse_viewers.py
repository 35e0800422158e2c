"""Connects N viewers to a dashboard's event stream and measures the fan-out.

For BENCHMARKS.md, not a test: `python3 tests/browser/sse_viewers.py
https://127.0.0.1:8443 --viewers 200 --pid PID`. Each viewer reads
`/api/events` to its `end` event over its own TLS connection. For each
entry it notes when each viewer received it; the delay reported is, per
entry, the time from the first viewer's receipt to the last's (the first
viewer reads the entry as soon as the server has it, so this is how far
the slowest viewer lags behind the record), and, when the entries arrived
live rather than in the catch-up, the same from the first receipt. With
--pid it samples the server's resident memory (VmRSS) every 0.2 s.
"""

import argparse
import asyncio
import ssl
import statistics
import time
from urllib.parse import urlparse


async def light(host, port, ctx, ends):
    """A viewer that only looks for the end (cheap for the client)."""
    reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname="localhost")
    writer.write(f"GET /api/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    tail = b""
    while True:
        chunk = await reader.read(262144)
        if not chunk:
            return
        if b"event: end" in tail + chunk:
            ends.append(time.time())
            writer.close()
            return
        tail = chunk[-16:]


async def viewer(host, port, ctx, seen, k):
    reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname="localhost")
    writer.write(f"GET /api/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    buf = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        now = time.monotonic()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            if line.startswith(b"id: "):
                seen.setdefault(int(line[4:]), []).append((now, k))
            elif line.startswith(b"event: end"):
                writer.close()
                return


async def rss(pid, samples, stop):
    while not stop.is_set():
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        samples.append(int(line.split()[1]))
        except OSError:
            return
        await asyncio.sleep(0.2)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--viewers", type=int, default=200)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--light", action="store_true",
                    help="viewers only look for the end; prints when the first and last got it (UTC)")
    args = ap.parse_args()
    u = urlparse(args.url)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    seen, samples, stop = {}, [], asyncio.Event()
    sampler = asyncio.create_task(rss(args.pid, samples, stop)) if args.pid else None
    before = None
    if args.pid:
        with open(f"/proc/{args.pid}/status") as f:
            before = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    start = time.monotonic()
    if args.light:
        ends = []
        await asyncio.gather(*(light(u.hostname, u.port, ctx, ends) for _ in range(args.viewers)))
        stop.set()
        if sampler:
            await sampler
        fmt = lambda t: time.strftime("%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}"
        print(f"viewers {args.viewers}: the end reached the first at {fmt(min(ends))} UTC, the last at {fmt(max(ends))} UTC ({len(ends)} got it)")
        if samples:
            print(f"server VmRSS: {before} kB before, max {max(samples)} kB with the viewers")
        return
    await asyncio.gather(*(viewer(u.hostname, u.port, ctx, seen, k) for k in range(args.viewers)))
    stop.set()
    if sampler:
        await sampler
    full = [s for s, got in seen.items() if len(got) == args.viewers]
    spreads = sorted((max(t for t, _ in seen[s]) - min(t for t, _ in seen[s])) * 1000 for s in full)
    print(f"viewers {args.viewers}, entries {len(seen)} (all viewers got {len(full)}), {time.monotonic() - start:.1f} s")
    if spreads:
        q = lambda p: spreads[min(len(spreads) - 1, int(p * len(spreads)))]
        print(f"first-to-last viewer per entry: median {statistics.median(spreads):.1f} ms, p95 {q(0.95):.1f} ms, max {spreads[-1]:.1f} ms")
    if samples:
        print(f"server VmRSS: {before} kB before, max {max(samples)} kB with the viewers")


asyncio.run(main())
