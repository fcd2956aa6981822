"""python-libjuju logs in to our fake controller with macaroons, through its own bakery
client (macaroonbakery's httpbakery), and leaves a cookie jar for our SDK to use.

Run by tests/interop/run.sh with the fake controller's JSON line (Juju 3.6.26) and a work
directory. python-libjuju 3.6.1.3 sends no bakery-version, so the fake mints a v1
macaroon whose third-party caveat points at https://<Host header>/auth; python-libjuju
reads the legacy `discharge-required` field, and macaroonbakery discharges it: POST
/auth/discharge (form body), the 401 interaction-required answer, then the interactor.

What python-libjuju cannot do by itself, and this script supplies:
* It has no `juju_userpass` interactor (its default bakery client only knows
  `browser-window`), so the script registers a small one: POST {"form": {user,
  password}} to the method's URL, as Juju's Go client does.
* httpbakery verifies the discharger's certificate with `requests`, which knows nothing
  of the controller's CA: REQUESTS_CA_BUNDLE points at the fake's CA, and the endpoint is
  `localhost:<port>` (a name the fake's certificate carries), so that the caveat location
  `https://localhost:<port>/auth` verifies.
* It keys cookies by the endpoint it dialled (`https://localhost:<port>/`), not the
  controller UUID the Go CLI uses, so the store written for our SDK names `localhost` as
  the controller's public-hostname, which is where the Go CLI would look too.
"""
import asyncio
import base64
import json
import os
import sys
import urllib.parse

import macaroonbakery.httpbakery as httpbakery
import requests
from juju.client.gocookies import GoCookieJar
from juju.controller import Controller

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)


class UserPass(httpbakery.Interactor):
    """Juju's juju_userpass interaction (3.6 api/authentication/interactor.go)."""

    def __init__(self, user, password, ca):
        self.user, self.password, self.ca = user, password, ca
        self.calls = 0

    def kind(self):
        return "juju_userpass"

    def interact(self, client, location, err):
        self.calls += 1
        info = err.info.interaction_methods["juju_userpass"]
        url = urllib.parse.urljoin(location.rstrip("/") + "/", info["url"])
        resp = requests.post(
            url,
            json={"form": {"user": self.user, "password": self.password}},
            headers={"Bakery-Protocol-Version": "3"},
            verify=self.ca,
            timeout=30,
        )
        if resp.status_code != 200:
            raise httpbakery.InteractionError(resp.json().get("Message", resp.text))
        token = resp.json()["token"]
        return httpbakery.DischargeToken(
            kind=token["kind"], value=base64.b64decode(token["value"])
        )


async def login(endpoint, ca_pem, jar, interactor):
    client = httpbakery.Client(
        interaction_methods=[interactor] if interactor else [], cookies=jar
    )
    c = Controller()
    await c.connect(
        endpoint=endpoint,
        username="bob",
        password=None,
        cacert=ca_pem,
        bakery_client=client,
        retries=0,
    )
    return c


async def main(path, work):
    with open(path) as f:
        info = json.load(f)
    port = info["endpoint"].rsplit(":", 1)[1]
    endpoint = f"localhost:{port}"
    ca = os.path.join(work, "ca.pem")
    with open(ca, "w") as f:
        f.write(info["ca_cert"])
    os.environ["REQUESTS_CA_BUNDLE"] = ca
    jar_path = os.path.join(work, "python-jar.json")

    # A wrong password: the fake's /auth/form refuses it with Juju's text.
    bad = UserPass("bob", "wrong", ca)
    try:
        await login(endpoint, info["ca_cert"], GoCookieJar(jar_path), bad)
        raise AssertionError("a wrong password logged in")
    except Exception as e:  # python-libjuju wraps the bakery's errors in several ways
        check("wrong password refused", "invalid entity name or password" in str(e), repr(e))

    # The discharge flow, through python-libjuju and macaroonbakery.
    jar = GoCookieJar(jar_path)
    good = UserPass("bob", "bob-password", ca)
    c = await login(endpoint, info["ca_cert"], jar, good)
    try:
        check("discharged once", good.calls == 1, good.calls)
        check("logged in as bob", c.connection().info["user-info"]["identity"] == "user-bob",
              c.connection().info["user-info"])
        names = await c.list_models()
        check("a call after a macaroon login", isinstance(names, list), names)
    finally:
        await c.disconnect()
    jar.save(ignore_discard=True)
    check("python wrote a jar", os.path.getsize(jar_path) > 2)

    # The jar alone logs python-libjuju in again: no interaction allowed.
    reread = GoCookieJar(jar_path)
    reread.load()
    c = await login(endpoint, info["ca_cert"], reread, None)
    await c.disconnect()
    jar2 = GoCookieJar(jar_path)
    jar2.load()
    check("the jar alone logs in", len(list(jar2)) >= 1)

    # A store for our SDK: the fake's controller, public-hostname localhost (python's
    # cookie host), bob without a password, and python's jar as the controller's jar.
    store = os.path.join(work, "python-store")
    os.makedirs(os.path.join(store, "cookies"), exist_ok=True)
    with open(os.path.join(work, "store-3.6.26", "controllers.yaml")) as f:
        controllers = f.read()
    name = [l for l in controllers.splitlines() if l.startswith("current-controller:")][0].split()[1]
    controllers = controllers.replace(f"  {name}:\n", f"  {name}:\n    public-hostname: localhost\n", 1)
    controllers = controllers.replace(info["endpoint"], endpoint)
    with open(os.path.join(store, "controllers.yaml"), "w") as f:
        f.write(controllers)
    with open(os.path.join(store, "accounts.yaml"), "w") as f:
        f.write(f"controllers:\n  {name}:\n    user: bob\n")
    with open(jar_path) as src, open(os.path.join(store, "cookies", f"{name}.json"), "w") as dst:
        dst.write(src.read())
    print("ok:", ", ".join(PASSED))


async def rust_jar(path, jar_path):
    """python-libjuju logs in with nothing but a jar our SDK wrote (Go's format), with no
    interaction allowed. The jar's host is 127.0.0.1, python-libjuju's cookie host for the
    endpoint it dials (a dotless name such as localhost is filed as localhost.local by
    Python's cookiejar, so it would not find a Go-style host-only cookie for it)."""
    with open(path) as f:
        info = json.load(f)
    jar = GoCookieJar(jar_path)
    jar.load()
    names = [c.name for c in jar]
    check("our jar loads in python", any(n.startswith("macaroon-") for n in names), names)
    c = await login(info["endpoint"], info["ca_cert"], jar, None)
    try:
        check("python logs in with our jar",
              c.connection().info["user-info"]["identity"] == "user-bob")
    finally:
        await c.disconnect()
    print("ok:", ", ".join(PASSED))


if __name__ == "__main__":
    if sys.argv[2] == "rust-jar":
        asyncio.run(rust_jar(sys.argv[1], sys.argv[3]))
    else:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
