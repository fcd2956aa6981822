"""python-libjuju lists our fake controller's models, opens one, and points it at a secret
backend it just added.

Run by tests/interop/run.sh with the path of the fake controller's JSON line (the fake as
Juju 3.6.26). get_model() drives the model side of the fake: a login at /model/<uuid>/api,
ModelConfig.ModelGet, Client.WatchAll and AllWatcher.Next (the first batch, then a Next
that waits until disconnect() stops the watcher), and ModelManager.ModelInfo on a second
controller connection. Every step asserts what a real Juju 3.6 would answer.
"""
import asyncio
import json
import sys

from juju.controller import Controller
from juju.errors import JujuAPIError

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)


async def main(path):
    with open(path) as f:
        info = json.load(f)
    c = Controller()
    await c.connect(
        endpoint=info["endpoint"],
        username=info["username"],
        password=info["password"],
        cacert=info["ca_cert"],
        retries=0,
    )
    try:
        names = await c.list_models()
        check("list_models", names == ["controller", "default"], names)

        res = await c.add_secret_backends(
            None, "myvault", "vault", {"endpoint": "https://vault.example.com:8200"}
        )
        check("add myvault", res.results[0].error is None, res.results[0].error)

        model = await c.get_model("default")
        try:
            check("model name", model.info.name == "default", model.info.name)
            uuids = await c.model_uuids()
            check("model uuid", model.info.uuid == uuids["default"], model.info.uuid)
            check("model owner", model.info.owner_tag == "user-admin", model.info.owner_tag)
            check("model is not the controller's", model.info.is_controller is False)

            config = await model.get_config()
            check("secret-backend defaults to auto",
                  config["secret-backend"].value == "auto"
                  and config["secret-backend"].source == "default",
                  vars(config["secret-backend"]))
            check("config names the model", config["name"].value == "default")

            await model.set_config({"secret-backend": "myvault"})
            config = await model.get_config()
            check("secret-backend reads back",
                  config["secret-backend"].value == "myvault"
                  and config["secret-backend"].source == "model",
                  vars(config["secret-backend"]))

            try:
                await model.set_config({"secret-backend": "nosuch"})
                check("unknown backend refused", False, "no error")
            except JujuAPIError as e:
                check("unknown backend refused",
                      e.message == 'secret backend "nosuch" not found'
                      and e.error_code == "not found",
                      (e.message, e.error_code))
            config = await model.get_config()
            check("refused value not stored", config["secret-backend"].value == "myvault")
        finally:
            await model.disconnect()
        check("model disconnects", not model.is_connected())

        controller_model = await c.get_model("controller")
        try:
            check("controller model", controller_model.info.is_controller is True)
            config = await controller_model.get_config()
            check("controller model untouched", config["secret-backend"].value == "auto")
        finally:
            await controller_model.disconnect()
    finally:
        await c.disconnect()
    print(f"{len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1]), 60))
