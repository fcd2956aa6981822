"""python-libjuju's list_secret_backends calls per second against our fake controller.

Usage: bench_libjuju.py INFO N, where INFO is the benchmark's JSON line (with a "small"
fake: endpoint, ca_cert, password) or a path to the fake_controller example's JSON line.
Prints the calls per second on the last line. Run by `cargo run --release --features testing --example bench`.
"""
import asyncio
import json
import logging
import os
import sys
import time

from juju.controller import Controller


async def main(info, n):
    c = Controller()
    await c.connect(endpoint=info["endpoint"], username="admin", password=info["password"],
                    cacert=info["ca_cert"], retries=0)
    try:
        await c.list_secret_backends()  # warm up
        start = time.perf_counter()
        for _ in range(n):
            await c.list_secret_backends()
        elapsed = time.perf_counter() - start
    finally:
        await c.disconnect()
    print(f"{n / elapsed:.1f}")


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)
    arg = sys.argv[1]
    data = json.load(open(arg)) if os.path.exists(arg) else json.loads(arg)
    info = data.get("small", data)
    asyncio.run(main(info, int(sys.argv[2]) if len(sys.argv) > 2 else 1000))
