"""python-libjuju meets a Juju 3.2 controller's client-version restriction, on our fake.

Run by tests/interop/run.sh with the fake started as Juju 3.2.4. python-libjuju is made to
claim the versions our SDK once sent (0.1.0) and an old 2.9 CLI would (2.9.35): the refusal
must reach it as Juju words it, and a recent 2.9 (2.9.36) or any 3.x client must be served.
"""
import asyncio
import json
import sys

import juju.client.connection as connection
from juju.controller import Controller
from juju.errors import JujuError

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)


async def connect(info, claimed):
    connection.CLIENT_VERSION = claimed
    c = Controller()
    await c.connect(
        endpoint=info["endpoint"],
        username=info["username"],
        password=info["password"],
        cacert=info["ca_cert"],
        retries=0,
    )
    return c


async def main(path):
    with open(path) as f:
        info = json.load(f)

    # 0.1.0 (two majors away) and 2.9.35 (older than MinClientVersions[3]): the calls
    # python-libjuju makes right after login (ModelManager.ListModelSummaries) are refused,
    # so its connect fails with Juju's words.
    for claimed in ("0.1.0", "2.9.35"):
        try:
            c = await connect(info, claimed)
        except JujuError as e:
            text = str(e)
            check(f"{claimed} refused", "client incompatible with server 3.2.4" in text, text)
            code = getattr(e, "error_code", "incompatible client")
            check(f"{claimed} code", code == "incompatible client", code)
        else:
            await c.disconnect()
            check(f"{claimed} refused", False, "connect passed")

    # 2.9.36 (MinClientVersions[3]) and 3.x: everything.
    for claimed in ("2.9.36", "3.6.1.3"):
        c = await connect(info, claimed)
        result = await c.list_secret_backends()
        names = [r.result.name for r in result.results]
        check(f"{claimed} list allowed", "internal" in names, names)
        await c.disconnect()

    print(f"{len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
