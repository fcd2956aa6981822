"""python-libjuju drives our fake controller through the secret-backends lifecycle.

Run by tests/interop/run.sh with the path of the fake controller's JSON line. Every step
asserts what a real Juju 3.6 (or 3.2) controller would answer; a failure exits non-zero.
"""
import asyncio
import json
import sys

from juju.controller import Controller
from juju.errors import JujuAPIError, JujuError

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)


def by_name(results):
    return {r.result.name: r for r in results.results}


async def connect(info, username, password):
    c = Controller()
    await c.connect(
        endpoint=info["endpoint"],
        username=username,
        password=password,
        cacert=info["ca_cert"],
        retries=0,
    )
    return c


async def main(path):
    with open(path) as f:
        info = json.load(f)
    c = await connect(info, info["username"], info["password"])
    try:
        res = await c.add_secret_backends(
            None, "myvault", "vault",
            {"endpoint": "https://vault.example.com:8200", "token": "s.interop-token"},
        )
        check("add", res.results[0].error is None, res.results[0].error)

        listed = by_name(await c.list_secret_backends())
        check("list has internal", "internal" in listed, sorted(listed))
        check("internal is the controller backend",
              listed["internal"].result.backend_type == "controller")
        vault = listed.get("myvault")
        check("list has myvault", vault is not None, sorted(listed))
        check("myvault is active", vault.status == "active", vault.status)
        check("id is 24 hex digits", len(vault.id_) == 24 and int(vault.id_, 16) >= 0, vault.id_)
        check("no token without reveal", "token" not in vault.result.config, vault.result.config)
        check("endpoint shown", vault.result.config.get("endpoint") == "https://vault.example.com:8200")

        revealed = by_name(await c.list_secret_backends(reveal=True))
        check("token with reveal",
              revealed["myvault"].result.config.get("token") == "s.interop-token")

        res = await c.update_secret_backends("myvault", name_change="changed_name")
        check("update", res.results[0].error is None, res.results[0].error)
        listed = by_name(await c.list_secret_backends())
        check("renamed", "changed_name" in listed and "myvault" not in listed, sorted(listed))
        check("rename keeps the id", listed["changed_name"].id_ == vault.id_)

        # One per-item error: python-libjuju raises the message, as it does for any.
        try:
            await c.add_secret_backends(None, "changed_name", "vault",
                                        {"endpoint": "https://other:8200"})
            check("duplicate add refused", False, "no error")
        except JujuError as e:
            check("duplicate add refused",
                  'secret backend with ID "" already exists' in str(e), str(e))

        try:
            await c.update_secret_backends("nope", name_change="x")
            check("update of unknown refused", False, "no error")
        except JujuError as e:
            check("update of unknown refused", 'secret backend "nope" not found' in str(e), str(e))

        res = await c.remove_secret_backends("changed_name")
        check("remove", res.results[0].error is None, res.results[0].error)
        listed = by_name(await c.list_secret_backends())
        check("removed", sorted(listed) == ["internal"], sorted(listed))
    finally:
        await c.disconnect()

    # A non-superuser may list, but not reveal: a whole-call error with its code.
    bob = await connect(info, "bob", "bob-password")
    try:
        listed = by_name(await bob.list_secret_backends())
        check("bob lists", "internal" in listed)
        try:
            await bob.list_secret_backends(reveal=True)
            check("bob cannot reveal", False, "no error")
        except JujuAPIError as e:
            check("bob cannot reveal",
                  e.error_code == "unauthorized access" and e.message == "permission denied",
                  f"{e.error_code!r} {e.message!r}")
    finally:
        await bob.disconnect()

    # A wrong password is refused the way python-libjuju expects from Juju.
    try:
        await connect(info, "admin", "wrong-password")
        check("wrong password refused", False, "connected")
    except JujuAPIError as e:
        check("wrong password refused",
              e.error_code == "unauthorized access"
              and e.message == "invalid entity name or password", f"{e.error_code!r} {e.message!r}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    print(f"{len(PASSED)} passed, 0 failed")
