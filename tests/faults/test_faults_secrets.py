"""No AK, SK, security token, password or IAM token in traits, widget state (also as saved in a
notebook), reprs, DEBUG logs (ours, requests, urllib3), exception messages or tracebacks."""

from __future__ import annotations

import json
import logging
import secrets as rnd
import traceback
from typing import Any, Callable

import pytest
from listpage import inactive

from modelarts_widgets import sdk
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList


def _registry() -> dict[str, Any]:
    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget_module.Widget.widgets
    return instances  # type: ignore[no-any-return]


class Evidence:
    """Everything a user or a log could ever see, gathered as text."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def add(self, where: str, text: Any) -> None:
        self.parts.append((where, text if isinstance(text, str) else repr(text)))

    def objects(self, where: str, *objs: Any) -> None:
        for obj in objs:
            self.add(f"{where} repr", repr(obj))
            self.add(f"{where} str", str(obj))

    def exception(self, where: str, exc: BaseException) -> None:
        self.add(f"{where} message", str(exc))
        self.add(f"{where} repr", repr(exc))
        self.add(f"{where} args", repr(exc.args))
        self.add(
            f"{where} traceback",
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        )
        self.add(f"{where} attributes", repr(vars(exc)))

    def raised(self, where: str, fn: Callable[[], Any]) -> BaseException:
        try:
            fn()
        except Exception as exc:
            self.exception(where, exc)
            return exc
        pytest.fail(f"{where}: expected an exception")

    def widgets(self, where: str, models: list[Any]) -> None:
        for model in models:
            self.add(f"{where} state", json.dumps(model.get_state(), default=str))
            for name in model.trait_names():
                self.add(f"{where} trait {name}", str(getattr(model, name, "")))

    def lists(self, where: str, *ws: Any) -> None:
        for w in ws:
            self.objects(where, w)
            self.add(f"{where} mimebundle", json.dumps(w._repr_mimebundle_(), default=str))
            self.add(f"{where} last_result", json.dumps(w.last_result, default=str))

    def assert_clean(self, secret_values: dict[str, str]) -> None:
        assert self.parts
        leaks = [
            (label, where)
            for label, value in secret_values.items()
            for where, text in self.parts
            if value and value in text
        ]
        assert not leaks, f"secrets leaked: {leaks[:10]}"


def _drive(w: Any, emulator: Any) -> None:
    """Select, confirm and delete (one success, one refusal) so every code path renders."""
    a, b = inactive(w)[:2]
    emulator.force_error(
        403,
        body={"error_code": "ModelArts.0108", "error_msg": "No permission."},
        path=(
            emulator.version_path(*b.key)
            if isinstance(b.key, tuple)
            else emulator.visualization_path(b.key)
        )
        + "$",
        method="DELETE",
    )
    w.select(keys=[a.key, b.key])
    w.request_delete()
    w.confirm(typed_count=2)
    assert w.wait(30)
    w.select(all_matching=True)
    w.request_delete()  # an open confirmation panel
    w.cancel()


def test_no_secret_in_traits_state_reprs_logs_or_exceptions(
    emulator_env: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = emulator_env  # step 1 is the environment path a notebook user takes
    cfg = emulator.config
    caplog.set_level(logging.DEBUG)  # root: ours, requests, urllib3 — everything
    for name in ("urllib3", "requests", "modelarts_widgets"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    ev = Evidence()
    registry = _registry()
    before = set(registry)
    secret_values: dict[str, str] = {
        "AK": cfg.access_key,
        "SK": cfg.secret_key,
        "password": cfg.password,
        "wrong SK": "wrongsk-" + rnd.token_hex(12),
        "wrong password": "wrongpw-" + rnd.token_hex(12),
    }
    made: list[Any] = []
    endpoints = {"modelarts_endpoint": emulator.base_url, "iam_endpoint": emulator.base_url}

    # 1. AK/SK from the environment (``emulator_env``), the path a notebook user takes
    env_session = Session()
    versions = JobVersionList(poll_interval=0.05, recheck_timeout=5)
    made.append(versions)
    assert versions.wait(60)
    _drive(versions, emulator)
    ev.objects("aksk session", env_session, env_session.client, env_session.auth,
               env_session.client._http, env_session.auth.source)  # fmt: skip
    ev.objects("aksk credentials", env_session.auth.source.get())

    # 2. a wrong secret key and a wrong project: errors in the widget and as exceptions
    wrong = Session(access_key=cfg.access_key, secret_key=secret_values["wrong SK"],
                    project_id=cfg.project_id, **endpoints)  # fmt: skip
    ev.raised("wrong SK list", lambda: wrong.client.list_job_versions(1))
    bad_list = VisualizationJobList(wrong)
    made.append(bad_list)
    assert bad_list.wait(60)
    assert bad_list.error
    ev.objects("wrong SK session", wrong, wrong.auth)

    # 3. IAM password login, token expiry and refresh mid-delete, then a wrong password
    pw = Session(username=cfg.username, password=cfg.password, account=cfg.domain,
                 region_name=cfg.region, **endpoints)  # fmt: skip
    secret_values["IAM token 1"] = pw.auth.source.get().value
    emulator.expire_tokens()
    vis = VisualizationJobList(pw, poll_interval=0.05, recheck_timeout=5)
    made.append(vis)
    assert vis.wait(60)
    _drive(vis, emulator)
    secret_values["IAM token 2"] = pw.auth.source.get().value
    assert secret_values["IAM token 1"] != secret_values["IAM token 2"]
    ev.objects("password session", pw, pw.auth, pw.auth.source, pw.auth.source.get())
    ev.raised(
        "wrong password",
        lambda: Session(username=cfg.username, password=secret_values["wrong password"],
                        account=cfg.domain, region_name=cfg.region, **endpoints),
    )  # fmt: skip

    # 4. a fixed IAM token that expires (cannot be refreshed)
    tok = Session(token=secret_values["IAM token 2"], project_id=cfg.project_id, **endpoints)
    emulator.expire_tokens()
    expired = JobVersionList(tok)
    made.append(expired)
    assert expired.wait(60)
    assert "ModelArts.0202" in expired.error
    ev.raised("expired token", lambda: tok.client.list_job_versions(1))
    ev.objects("token session", tok, tok.auth)

    # 5. temporary AK/SK + security token from the metadata service, refreshed mid-run
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", "1")
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", emulator.base_url)
    meta = Session()
    first = meta.auth.source.get()
    emulator.expire_tokens()
    temp_list = JobVersionList(poll_interval=0.05, recheck_timeout=5)
    made.append(temp_list)
    assert temp_list.wait(60)
    _drive(temp_list, emulator)
    refreshed = JobVersionList(meta)  # the first session refreshes its expired credentials
    made.append(refreshed)
    assert refreshed.wait(60)
    assert refreshed.error == ""
    second = Session().auth.source.get()  # the credentials the metadata service hands out now
    assert first.security_token != second.security_token
    ev.objects("metadata session", meta, meta.auth, meta.auth.source, first, second)

    # 6. the SDK facade
    facade = sdk.Session(
        access_key=cfg.access_key,
        secret_key=cfg.secret_key,
        project_id=cfg.project_id,
        region_name=cfg.region,
        **endpoints,
    )
    ev.objects("sdk", facade, sdk.Estimator(facade, job_id=1, version_id=2),
               sdk.VisualizationJob(facade, "8991"))  # fmt: skip
    ev.objects("sdk result", sdk.Estimator(facade, job_id=1, version_id=2).delete_job_version())

    # every token and temporary credential the emulator issued is a secret too
    identity = emulator.backend.identity
    issued_tokens = list(getattr(identity, "_tokens", {}))
    issued_temp = dict(getattr(identity, "_temp", {}))
    assert len(issued_tokens) >= 2
    assert len(issued_temp) >= 2
    for n, token in enumerate(issued_tokens):
        secret_values[f"IAM token {n}"] = token
    for n, (access, record) in enumerate(issued_temp.items()):
        secret_values[f"temp AK {n}"] = access
        secret_values[f"temp SK {n}"] = record.secret
        secret_values[f"security token {n}"] = record.security_token

    # gather: every widget model made, the lists, the logs
    ev.widgets("widget", [registry[k] for k in set(registry) - before if k in registry])
    ev.lists("list", *made)
    for record in caplog.records:
        ev.add(f"log {record.name}", record.getMessage())
        if record.exc_info:
            ev.add(
                f"log {record.name} traceback",
                "".join(traceback.format_exception(*record.exc_info)),
            )
    ev.add("log text", caplog.text)
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # DEBUG was really on
    assert any(r.name == "modelarts_widgets.http" for r in caplog.records)
    for w in made:
        w.close()
    ev.assert_clean(secret_values)


NOTEBOOK_CELLS = [
    "import logging, os\n"
    "logging.basicConfig(level=logging.DEBUG, force=True)\n"
    "from modelarts_widgets import JobVersionList, VisualizationJobList\n"
    "from modelarts_widgets.session import Session",
    "w = JobVersionList(poll_interval=0.05, recheck_timeout=5)\nw.wait()\nw",
    "v = VisualizationJobList()\nv.wait()\nv.select(all_matching=True)\nv.request_delete()\nv",
    "done = [j for j in v.items if j.status == 10][:1]\n"
    "v.cancel(); v.clear_selection(); v.select(keys=[j.key for j in done])\n"
    "v.request_delete(); v.confirm()\n"
    "v.wait(30); print(v.last_result); print(repr(w), repr(v), repr(Session()))",
    "Session(access_key=os.environ['HUAWEICLOUD_SDK_AK'], secret_key=os.environ['FAULTS_WRONG_SK'])"
    ".client.list_job_versions(1)",
    "Session(username=os.environ['FAULTS_USER'], password=os.environ['FAULTS_WRONG_PW'],"
    " region_name=os.environ['MODELARTS_REGION'])",
    "Session(username=os.environ['FAULTS_USER'], password=os.environ['FAULTS_PW'],"
    " account=os.environ['FAULTS_DOMAIN'], region_name=os.environ['MODELARTS_REGION']).auth",
]


@pytest.mark.notebooks
def test_no_secret_in_a_notebook_saved_with_widget_state(
    emulator_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    wrong_sk = "wrongsk-" + rnd.token_hex(12)
    wrong_pw = "wrongpw-" + rnd.token_hex(12)
    monkeypatch.setenv("FAULTS_WRONG_SK", wrong_sk)
    monkeypatch.setenv("FAULTS_WRONG_PW", wrong_pw)
    monkeypatch.setenv("FAULTS_USER", emulator_env.config.username)
    monkeypatch.setenv("FAULTS_PW", emulator_env.config.password)
    monkeypatch.setenv("FAULTS_DOMAIN", emulator_env.config.domain)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True, store_widget_state=True
    )
    client.execute()
    saved = nbformat.writes(nb)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    assert len(state.get("state", {})) > 20  # the widgets' state really was saved
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert len(errors) == 2  # the wrong SK and the wrong password, with tracebacks
    assert any("ModelArts" in json.dumps(o) or "APIG" in json.dumps(o) for o in errors)
    assert "DEBUG" in saved  # the DEBUG log really went into the outputs
    assert "PasswordTokenSource" in saved or "TokenAuth" in saved
    secret_values = {
        "AK": emulator_env.config.access_key,
        "SK": emulator_env.config.secret_key,
        "password": emulator_env.config.password,
        "wrong SK": wrong_sk,
        "wrong password": wrong_pw,
    }
    tokens = list(getattr(emulator_env.backend.identity, "_tokens", {}))  # what the emulator issued
    assert tokens, "the kernel logged in with the password: the emulator issued a token"
    secret_values.update({f"IAM token {n}": t for n, t in enumerate(tokens)})
    for label, value in secret_values.items():
        assert value not in saved, f"{label} is in the saved notebook"
