"""Write the tutorial notebooks from the cell sources below: ``python notebooks/_build.py``.

The notebooks are committed as this script writes them: kernelspec ``python3``, no outputs, no
execution counts, no ``metadata.widgets`` (a widgets key without saved state breaks GitHub's
renderer). Edit the sources here, re-run, commit both. ``--check`` exits 1 when a committed
notebook differs from what this script would write.
"""

# The SDK samples are kept verbatim, long lines included.
# ruff: noqa: E501
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str, str]  # (id, "md" | "code", source)


def md(cell_id: str, text: str) -> Cell:
    return (cell_id, "md", text.strip("\n"))


def code(cell_id: str, text: str) -> Cell:
    return (cell_id, "code", text.strip("\n"))


# ---------------------------------------------------------------------------------------------
QUICKSTART = [
    md(
        "intro",
        """
# Quickstart: list, select, delete

`JobVersionList` lists every version of every training job, lets you tick rows, and deletes
them only after you confirm. This notebook only ever talks to a **local ModelArts emulator**:

* inside the demo (`modelarts-widgets demo`) the environment already points at its emulator;
* anywhere else the next cell starts an emulator with sample data and points the environment at it.

For the real service, see `04_real_modelarts.ipynb`.
""",
    ),
    code(
        "mode",
        """
import os

from modelarts_widgets.demo import DEMO_SEED, emulator_env
from modelarts_widgets.emulator import EmulatorServer

emulator = None  # the emulator this notebook starts, if any
if not os.environ.get("MODELARTS_ENDPOINT", "").startswith("http://127.0.0.1:"):
    emulator = EmulatorServer(seed=DEMO_SEED, delete_delay=1.0).start()
    os.environ.update(emulator_env(emulator))  # endpoint, project and the emulator's demo AK/SK
origin = "(started here)" if emulator else "(the demo's)"
print("ModelArts emulator:", os.environ["MODELARTS_ENDPOINT"], origin)
""",
    ),
    code(
        "widget",
        """
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList

session = Session()  # credentials, region and project come from the environment
versions = JobVersionList(session)
versions
""",
    ),
    md(
        "how",
        """
The list shows at once and fills in while it loads (a bar counts the jobs listed); sorting,
filtering and ticking work on what has arrived. Tick some rows and press **Delete…**. The panel
lists what will go; type the count and press
**Confirm delete**. Each row gets a badge (*sending → accepted → deleted*) and disappears once the
service no longer lists it. Queued or running versions are held back unless you tick
*include N active items*; a refused delete shows the service's error code and message.

## The same, from code

Every button has a method, so a script (or a test) needs no browser. `wait()` blocks until the
listing (and any delete) is done:
""",
    ),
    code(
        "programmatic",
        """
versions.wait(timeout=60)  # the list loads in the background: wait for all of it
completed = [v for v in versions.items if v.status_label == "completed"][:2]
versions.select([v.key for v in completed])
plan = versions.request_delete()  # opens the confirmation panel; nothing is sent yet
print("about to delete:", ", ".join(item.name for item in plan.items))
versions.confirm(typed_count=len(plan.items))  # as typing the count and clicking Confirm
versions.wait(timeout=60)  # deletes run in the background; block until they are done
print("receipt:", versions.status_message)
for row in versions.last_result:
    print(f"  {row['name']}: {row['outcome']}")
""",
    ),
    md(
        "new-version",
        """
## New-version (v2) training jobs

`JobVersionList` shows old-version (v1) training jobs, which ModelArts stopped creating in 2023.
Every training job created since is a new-version (v2) job: list and delete those with
`TrainingJobList` (same buttons, same methods; deletes go in batches of up to 100):

```python
from modelarts_widgets.widgets import TrainingJobList

TrainingJobList(session)
```

`VisualizationJobList` shows visualization jobs of both generations. See
`05_new_version_training_jobs.ipynb`.
""",
    ),
    code(
        "stop",
        """
if emulator is not None:
    emulator.stop()
    print("emulator stopped")
else:
    print("the demo's emulator keeps running")
""",
    ),
]

# ---------------------------------------------------------------------------------------------
TRAINING = [
    md(
        "intro",
        """
# Training job versions: the SDK page's three methods, then the widget

The ModelArts SDK page *Deleting a Training Job Version* shows three ways to delete a version.
`modelarts_widgets.sdk` mirrors that SDK, so its samples run unchanged but for the import line
(`from modelarts_widgets.sdk import ...` instead of `from modelarts.session` /
`from modelarts.estimator`).

This notebook starts its own emulator (also inside the demo) holding the ids the documentation
uses: job `182626` with versions `278810` to `278813`.
""",
    ),
    code(
        "setup",
        """
import os

from modelarts_widgets.demo import emulator_env
from modelarts_widgets.emulator import EmulatorServer

emulator = EmulatorServer(delete_delay=0.0).start()  # deletes finish at once (see the widget below)
job_id, version_ids = emulator.add_training_job(  # the ids the documentation uses
    "pytorch-sentiment",
    versions=[{"version_id": v} for v in (278810, 278811, 278812, 278813)],
    job_id=182626,
)
os.environ.update(emulator_env(emulator))  # Session() reads endpoint, project and AK/SK from here
print("job", job_id, "versions", version_ids)
""",
    ),
    md(
        "create",
        """
Method 2 deletes the version created on the page *Creating a Training Job Version*, which builds
on version 278813, so create it first (before Method 1 deletes 278813), exactly as that page shows:
""",
    ),
    code(
        "create-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import Estimator
session = Session()
estimator = Estimator(
                      modelarts_session=session,
                      framework_type='PyTorch',                                     # AI engine name
                      framework_version='PyTorch-1.0.0-python3.6',                  # AI engine version
                      code_dir='/bucket/src/',                                      # Training script directory
                      boot_file='/bucket/src/pytorch_sentiment.py',                 # Training boot script directory
                      log_url='/bucket/log/',                                       # Training log directory
                      hyperparameters=[
                                       {"label":"classes",
                                        "value": "10"},
                                       {"label":"lr",
                                        "value": "0.001"}
                                       ],
                      output_path='/bucket/output/',                                # Training output directory
                      train_instance_type='modelarts.vm.gpu.p100',                  # Training environment flavor
                      train_instance_count=1)
job_version_instance = estimator.create_job_version(job_id='182626', pre_version_id=278813, inputs='/bucket/data/train/', wait=False, job_desc='create a job version')

print("created: job", job_version_instance.job_id, "version", job_version_instance.version_id)
""",
    ),
    md(
        "m1",
        """
## Method 1: delete by `job_id` and `version_id`
""",
    ),
    code(
        "m1-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import Estimator
session = Session()
estimator = Estimator(session, job_id="182626", version_id="278813")
status = estimator.delete_job_version()

print(status)
""",
    ),
    md(
        "m2",
        """
## Method 2: delete the version created above
""",
    ),
    code(
        "m2-code",
        """
status = job_version_instance.delete_job_version()

print(status)
""",
    ),
    md(
        "m3",
        """
## Method 3: delete a version object from the list

First list the version objects as *Querying the List of Training Job Versions* shows
(`is_show` defaults to True and prints a table):
""",
    ),
    code(
        "list-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import Estimator
session = Session()
estimator = Estimator(session, job_id="182626")
job_version_instance_list = estimator.get_job_version_object_list()
""",
    ),
    code(
        "m3-code",
        """
status = job_version_instance_list[0].delete_job_version()

print(status)
""",
    ),
    md(
        "widget-md",
        """
A failed delete returns `{'is_success': False, 'error_code': ..., 'error_msg': ...}` instead of
raising (see `03_handling_failures.ipynb`).

## The widget

`JobVersionList(session, job_id=...)` shows one job's versions (leave `job_id` out for every job).
Tick rows, press **Delete…**, type the count, confirm. From here on a delete takes a second, as on
the real service, so you can watch the badges.
""",
    ),
    code(
        "widget",
        """
from modelarts_widgets.widgets import JobVersionList

emulator.delete_delay = 1.0
versions = JobVersionList(session, job_id="182626")
versions.wait(timeout=60)  # it lists in the background; wait so the saved output shows the rows
versions
""",
    ),
    code(
        "stop",
        """
emulator.stop()
print("emulator stopped")
""",
    ),
]

# ---------------------------------------------------------------------------------------------
VISUALIZATION = [
    md(
        "intro",
        """
# Visualization jobs: the SDK page's three methods, then the widget

The ModelArts SDK page *Deleting a Visualization Job* shows three ways to delete a visualization
(TensorBoard) job. They run here unchanged but for the import line. This notebook starts its own
emulator (also inside the demo) with visualization job `8992`, the id the documentation uses.
""",
    ),
    code(
        "setup",
        """
import os

from modelarts_widgets.demo import emulator_env
from modelarts_widgets.emulator import EmulatorServer

emulator = EmulatorServer(delete_delay=0.0).start()  # deletes finish at once
job_id, (v1, v2) = emulator.add_training_job("mnist-cnn", versions=[{}, {}])
v2_output = emulator.backend.get_version(job_id, v2)["train_url"]
# Visualization job ids count up from 8991, so the second one is the docs' 8992.
emulator.add_visualization_job("tb-baseline", status=10, train_url="/bucket/logs/baseline/")
emulator.add_visualization_job("tb-docs-example", status=10, train_url="/bucket/logs/example/")
emulator.add_visualization_job("vis_job-lr-sweep", status=8, train_url="/bucket/logs/lr-sweep/")
emulator.add_visualization_job("tb-mnist-v2", status=10, train_url=v2_output)  # reads V0002
emulator.add_visualization_job("tb-live", status=8, train_url="/bucket/logs/live/")
os.environ.update(emulator_env(emulator))  # Session() reads endpoint, project and AK/SK from here
print("mnist-cnn V0002 writes to", v2_output)
""",
    ),
    md(
        "m1",
        """
## Method 1: delete by `visualization_id`
""",
    ),
    code(
        "m1-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import VisualizationJob
session = Session()
job = VisualizationJob(modelarts_session=session, visualization_id='8992')
status = job.delete_visualization_job()

print(status)
""",
    ),
    md(
        "m2",
        """
## Method 2: delete the job created as *Creating a Visualization Job* shows
""",
    ),
    code(
        "create-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import VisualizationJob
session = Session()
job = VisualizationJob(modelarts_session=session)
job_visualization_instance = job.create_visualization_job(train_url='/bucket/train/', job_name='visualization_job', job_desc='my visualization job')

print("created visualization job", job_visualization_instance.visualization_id)
""",
    ),
    code(
        "m2-code",
        """
status = job_visualization_instance.delete_visualization_job()

print(status)
""",
    ),
    md(
        "m3",
        """
## Method 3: delete a job object from the list

First list the objects as *Querying the List of Visualization Job Objects* shows (running jobs,
status 8, whose name contains "job"; `is_show=True` prints a table):
""",
    ),
    code(
        "list-code",
        """
from modelarts_widgets.sdk import Session
from modelarts_widgets.sdk import VisualizationJob
session = Session()
job_visualization_instance_list = VisualizationJob.get_visualization_job_object_list(modelarts_session=session, is_show=True, status=8, per_page=10, page=1, sort_by="create_time", order="asc", search_content="job")
""",
    ),
    code(
        "m3-code",
        """
status = job_visualization_instance_list[0].delete_visualization_job()

print(status)
""",
    ),
    md(
        "widget-md",
        """
## The widget

`VisualizationJobList` lists the project's visualization jobs. The confirmation panel flags a
running job as **still billing**; running jobs are held back unless you tick *include N active
items*. From here on a delete takes a second, as on the real service.
""",
    ),
    code(
        "widget",
        """
from modelarts_widgets.widgets import VisualizationJobList

emulator.delete_delay = 1.0
vis_jobs = VisualizationJobList(session)
vis_jobs
""",
    ),
    code(
        "billing",
        """
vis_jobs.wait(timeout=60)  # the list loads in the background: wait for all of it
running = [j for j in vis_jobs.items if j.status == 8]
vis_jobs.select([j.key for j in running])
plan = vis_jobs.request_delete()  # the panel opens; nothing is sent yet
for item in plan.items:
    print(f"{item.name}: {'; '.join(item.notes) or 'no notes'}")
vis_jobs.confirm(typed_count=len(plan.items), include_active=True)
vis_jobs.wait(timeout=60)
print("receipt:", vis_jobs.status_message)
""",
    ),
    md(
        "reads-md",
        """
Deleting a training version whose output a visualization job reads: `JobVersionList` says so in
the confirmation (here we only look, then close the panel with `cancel()`):
""",
    ),
    code(
        "reads",
        """
from modelarts_widgets.widgets import JobVersionList

versions = JobVersionList(session, job_id=job_id)
versions.wait(timeout=60)  # listed in the background
versions.select([(job_id, v2)])
plan = versions.request_delete()
for item in plan.items:
    print(f"{item.name}: {'; '.join(item.notes) or 'no notes'}")
versions.cancel()  # close the panel: nothing was sent
versions
""",
    ),
    code(
        "stop",
        """
emulator.stop()
print("emulator stopped")
""",
    ),
]

# ---------------------------------------------------------------------------------------------
FAILURES = [
    md(
        "intro",
        """
# Handling failures

What a refused delete, a rate limit, an expired token and an already-deleted item look like,
in the SDK dicts and in the widget, and how `retry_failed()` re-runs only what failed. This
notebook starts its own emulator (also inside the demo) and injects the faults into it.
""",
    ),
    code(
        "setup",
        """
import os

from modelarts_widgets.demo import emulator_env
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.sdk import Estimator, Session
from modelarts_widgets.widgets import JobVersionList

emulator = EmulatorServer(seed={"jobs": 3, "versions_per_job": 3}, delete_delay=0.0).start()
os.environ.update(emulator_env(emulator))  # Session() reads endpoint, project and AK/SK from here
session = Session()
events = []  # waits and refreshes the HTTP layer reports (it never logs secrets)
session.client.add_event_listener(lambda event: events.append(event.describe()))
versions = JobVersionList(session)
versions
""",
    ),
    md(
        "0105",
        """
## A job being canceled: `ModelArts.0105`

The service refuses to delete a version while it is being canceled (status 9). The SDK method
returns the failure dict; it does not raise:
""",
    ),
    code(
        "0105-sdk",
        """
versions.wait(timeout=60)  # the list loads in the background: wait for all of it
canceling = next(v for v in versions.items if v.status == 9)
print(f"{canceling.job_name} / {canceling.version_name}: {canceling.status_label}")
estimator = Estimator(session, job_id=canceling.job_id, version_id=canceling.version_id)
print(estimator.delete_job_version())
""",
    ),
    md(
        "0105-widget-md",
        """
In the widget the row's badge shows the code and the message, and the receipt counts it.
A version being canceled counts as *active*, so it is only sent with `include_active=True`
(the *include 1 active item* box in the panel):
""",
    ),
    code(
        "0105-widget",
        """
completed = next(v for v in versions.items if v.status == 10)
versions.select([canceling.key, completed.key])
versions.request_delete()
versions.confirm(typed_count=2, include_active=True)
versions.wait(timeout=60)
print("receipt:", versions.status_message)
for row in versions.last_result:
    print(f"  {row['name']}: {row['outcome']} {row['error_code'] or ''} {row['error_msg'] or ''}")
""",
    ),
    md(
        "retry-md",
        """
## `retry_failed()`

The failed version stays selected. Once the cancel has finished (the emulator moves it to status
13, *canceled*), `retry_failed()` sends only the items that failed last time:
""",
    ),
    code(
        "retry",
        """
emulator.backend.set_version_status(canceling.job_id, canceling.version_id, 13)
print("retrying:", versions.retry_failed())
versions.wait(timeout=60)
print("receipt:", versions.status_message)
""",
    ),
    md(
        "429-md",
        """
## Rate limited: HTTP 429

The API gateway answers `429 APIG.0308` with a `Retry-After` header when you go over the
threshold. Reads and deletes wait that long and resend; the widget shows the wait in its status
line. Here the emulator throttles the next two requests:
""",
    ),
    code(
        "429",
        """
events.clear()
emulator.throttle(count=2, retry_after=1)
versions.refresh()  # lists in the background and returns
versions.wait(timeout=60)
print("events:", events)
print("status:", versions.status_message)
""",
    ),
    md(
        "token-md",
        """
## Expired token: one refresh

With an IAM user name and password the session holds an IAM token. When the service answers
`401 ModelArts.0202` (token expired), the session gets a new token once and resends the request
(requests sent together each meet the expiry; they share the one new token).
The emulator's demo user stands in for yours; `expire_tokens()` expires every token now:
""",
    ),
    code(
        "token",
        """
token_session = Session(
    username=emulator.config.username,
    password=emulator.config.password,
    account=emulator.config.domain,
    region_name=emulator.config.region,
    iam_endpoint=emulator.base_url,
    modelarts_endpoint=emulator.base_url,
)
token_events = []
token_session.client.add_event_listener(lambda event: token_events.append(event.describe()))
print("auth:", token_session.auth_method)


def tokens_issued():
    return emulator.stats()["requests"].get("POST /v3/auth/tokens", 0)


before = tokens_issued()
emulator.expire_tokens()
listed = JobVersionList(token_session)
listed.wait(timeout=60)
print("new tokens:", tokens_issued() - before)  # one, however many requests met the expiry
print("events:", sorted(set(token_events)))  # each request that was resent reports it
print("status:", listed.status_message)
""",
    ),
    md(
        "gone-md",
        """
## Already gone

Somebody else (another notebook, the console) deleted a version after the widget listed it.
The service refuses the delete (documented: HTTP 400 `ModelArts.2775`, elsewhere 404 or 400
`ModelArts.0104`); the widget re-checks by listing, finds the item gone and reports it as
*already gone*, not as a failure:
""",
    ),
    code(
        "gone",
        """
versions.refresh()
versions.wait(timeout=60)
target = next(v for v in versions.items if not v.is_active)
elsewhere = Estimator(session, job_id=target.job_id, version_id=target.version_id)
print("deleted elsewhere:", elsewhere.delete_job_version())
versions.select([target.key])
versions.request_delete()
versions.confirm()
versions.wait(timeout=60)
print("receipt:", versions.status_message)
for row in versions.last_result:
    print(f"  {row['name']}: {row['outcome']} (HTTP {row['http_status']})")
""",
    ),
    code(
        "stop",
        """
emulator.stop()
print("emulator stopped")
""",
    ),
]

# ---------------------------------------------------------------------------------------------
REAL = [
    md(
        "intro",
        """
# Using the widgets with real ModelArts

Every code cell below first checks that its credentials are there and otherwise prints what to
set and skips, so the notebook runs top to bottom anywhere (it does in CI, with no credentials).
Nothing here deletes anything by itself: the widgets delete only what you tick and confirm.

Keep secrets out of notebooks: put them in environment variables (or your ModelArts notebook's
own credentials) and never print them. The widgets and sessions never show them.
""",
    ),
    code(
        "detect",
        """
import os

from modelarts_widgets.session import in_modelarts_notebook

env = os.environ
IN_MODELARTS = in_modelarts_notebook()
HAVE_AKSK = bool(env.get("HUAWEICLOUD_SDK_AK") and env.get("HUAWEICLOUD_SDK_SK"))
HAVE_TOKEN = HAVE_AKSK and bool(env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN"))
HAVE_PASSWORD = bool(env.get("MODELARTS_USERNAME") and env.get("MODELARTS_PASSWORD"))
EMULATED = env.get("MODELARTS_ENDPOINT", "").startswith("http://127.0.0.1:")
REGION = env.get("MODELARTS_REGION", "eu-de")
print("inside a ModelArts notebook:", IN_MODELARTS)
print("AK/SK in the environment:", "True (temporary)" if HAVE_TOKEN else HAVE_AKSK)
print("IAM user name and password in the environment:", HAVE_PASSWORD)
if EMULATED:
    print("MODELARTS_ENDPOINT points at a local emulator (the demo?): the cells below talk to it")
""",
    ),
    md(
        "notebook-md",
        """
## Inside a ModelArts notebook

No arguments: the session takes the notebook's own (temporary) credentials, region and project,
and renews them when they expire.
""",
    ),
    code(
        "notebook",
        """
from IPython.display import display

from modelarts_widgets.sdk import Session
from modelarts_widgets.widgets import JobVersionList

if not IN_MODELARTS:
    print("skipped: not inside a ModelArts notebook (there, Session() needs no arguments)")
else:
    session = Session()
    print(session)  # project, region and how it authenticated; never a secret
    display(JobVersionList(session))
""",
    ),
    md(
        "aksk-md",
        """
## Anywhere else: access key and secret key

Create an access key in the console (*My Credentials → Access Keys*) and put it in the
environment before starting Jupyter: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, optionally
`HUAWEICLOUD_SDK_PROJECT_ID` (looked up from the region when missing) and `MODELARTS_REGION`.
`Session()` with no arguments reads the same variables.
""",
    ),
    code(
        "aksk",
        """
if not HAVE_AKSK:
    print("skipped: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
else:
    session = Session(
        access_key=env["HUAWEICLOUD_SDK_AK"],
        secret_key=env["HUAWEICLOUD_SDK_SK"],
        security_token=env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN"),
        project_id=env.get("HUAWEICLOUD_SDK_PROJECT_ID"),
        region_name=REGION,
    )
    print(session)
    versions = JobVersionList(session)
    versions.wait(timeout=120)  # it lists in the background; wait so the saved output has the rows
    display(versions)
""",
    ),
    md(
        "temp-md",
        """
## Temporary access keys and a security token

Temporary credentials (from IAM, an agency, or an ECS's metadata) come with a security token:
pass it as `security_token=` or set `HUAWEICLOUD_SDK_SECURITY_TOKEN`. They expire; create new ones
and a new `Session` when they do.
""",
    ),
    code(
        "temp",
        """
if not HAVE_TOKEN:
    print("skipped: set HUAWEICLOUD_SDK_AK, _SK and _SECURITY_TOKEN (temporary credentials)")
else:
    session = Session(
        access_key=env["HUAWEICLOUD_SDK_AK"],
        secret_key=env["HUAWEICLOUD_SDK_SK"],
        security_token=env["HUAWEICLOUD_SDK_SECURITY_TOKEN"],
        region_name=REGION,
    )
    print(session)
    display(JobVersionList(session))
""",
    ),
    md(
        "password-md",
        """
## IAM user name and password

The session gets an IAM token (and renews it once when it expires). `account` is the account
(domain) name, needed when the user is an IAM user of that account. This notebook reads them from
`MODELARTS_USERNAME`, `MODELARTS_PASSWORD` and `MODELARTS_ACCOUNT` (its own convention; the package
does not read these variables).
""",
    ),
    code(
        "password",
        """
if not HAVE_PASSWORD:
    print("skipped: set MODELARTS_USERNAME and MODELARTS_PASSWORD (+ MODELARTS_ACCOUNT)")
else:
    session = Session(
        username=env["MODELARTS_USERNAME"],
        password=env["MODELARTS_PASSWORD"],
        account=env.get("MODELARTS_ACCOUNT"),
        region_name=REGION,
    )
    print(session)
    display(JobVersionList(session))
""",
    ),
    md(
        "otc-md",
        """
## Open Telekom Cloud: `Session.set_endpoint`

The OTC SDK reference sets the endpoints once, before creating sessions (host names or URLs).
Sessions created afterwards in this kernel use them; `Session.reset_endpoints()` forgets them.
""",
    ),
    code(
        "otc",
        """
if EMULATED or not (HAVE_AKSK or HAVE_PASSWORD):
    print("skipped: needs real credentials (AK/SK or user name and password, see above)")
else:
    Session.set_endpoint(
        iam_endpoint="iam.eu-de.otc.t-systems.com",
        obs_endpoint="obs.eu-de.otc.t-systems.com",
        modelarts_endpoint="modelarts.eu-de.otc.t-systems.com",
        region_name="eu-de",
    )
    if HAVE_AKSK:
        session = Session(access_key=env["HUAWEICLOUD_SDK_AK"], secret_key=env["HUAWEICLOUD_SDK_SK"])
    else:
        session = Session(username=env["MODELARTS_USERNAME"], password=env["MODELARTS_PASSWORD"])
    print(session)
    display(JobVersionList(session))
""",
    ),
]

# ---------------------------------------------------------------------------------------------
NEW_VERSION = [
    md(
        "intro",
        """
# New-version (v2) training jobs

Since mid-2023 every ModelArts training job is a **new-version (v2)** job: a UUID id, no
versions, a phase such as `Running`. `TrainingJobList` lists them (every kind but visualization
jobs) and deletes them with the v2 **batch delete** (up to 100 jobs per request), falling back to
one DELETE per job when a batch is refused or the region has no batch route; every job still
gets its own badge. This notebook starts its own emulator (also inside the demo).
""",
    ),
    code(
        "setup",
        """
import os
from collections import Counter

from modelarts_widgets.demo import emulator_env
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import TrainingJobList

SEED = {
    "jobs": 2,
    "versions_per_job": 2,
    "visualization_jobs": 2,
    "v2_training_jobs": 40,
    "v2_visualization_jobs": 3,
}
emulator = EmulatorServer(seed=SEED, delete_delay=0.5).start()
os.environ.update(emulator_env(emulator))  # Session() reads endpoint, project and AK/SK from here
BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"


def requests_sent(server):
    counts = server.stats()["requests"]
    return f"batch requests: {counts.get(BATCH, 0)}, single DELETEs: {counts.get(SINGLE, 0)}"


jobs = TrainingJobList(Session())
jobs
""",
    ),
    md(
        "phases",
        """
The status filter reads v2 phases: one phase (`"Running"`), or the groups `active` (Creating,
Pending, Running, Terminating: held back from deletes unless included), `finished` and `failed`.
""",
    ),
    code(
        "filter",
        """
jobs.wait(timeout=60)  # the list loads in the background: wait for all of it
print(jobs.status_message)
print("kinds:", dict(Counter(job.kind for job in jobs.items)))
for status in ("Running", "active", "finished", "failed"):
    jobs.set_filter(status=status)
    print(f"{status}: {jobs.n_matching}")
jobs.set_filter(status="all")
""",
    ),
    md(
        "batch-md",
        """
## Deleting: one batch request

Select every finished job and confirm: 30-odd jobs go in one batch request. The badges go
*queued → sending → accepted → deleted* (the service lists a deleted job as Terminating for a
moment).
""",
    ),
    code(
        "batch",
        """
jobs.set_filter(status="finished")
jobs.select(all_matching=True)
plan = jobs.request_delete()
jobs.confirm(typed_count=len(plan.chosen(include_active=False)))
jobs.wait(timeout=60)
jobs.set_filter(status="all")
print("receipt:", jobs.status_message)
print(requests_sent(emulator))
""",
    ),
    md(
        "fallback-md",
        """
## A refused batch: one DELETE per job

The batch route is all-or-nothing: one job the service refuses (here: a job whose deletion is
refused with `ModelArts.2878`) fails the whole request. The widget then deletes that batch one
job at a time, so the other jobs still go and the refused one shows the service's words.
""",
    ),
    code(
        "fallback",
        """
idle = [job for job in jobs.items if not job.is_active][:4]
refused = idle[0]
emulator.backend.v2.refuse_delete(refused.key)
jobs.select(keys=[job.key for job in idle])
jobs.request_delete()
jobs.confirm(typed_count=4)
jobs.wait(timeout=60)
print("receipt:", jobs.status_message)
print(requests_sent(emulator))
for row in jobs.last_result:
    print(f"  {row['name']}: {row['outcome']} {row['error_code'] or ''}")
""",
    ),
    md(
        "visualization-md",
        """
## Visualization jobs of both generations

`VisualizationJobList` lists old-version visualization jobs and v2 jobs of kind
`visualization_job` together; the *API* column says which is which, and each delete goes to its
row's API.
""",
    ),
    code(
        "visualization",
        """
from modelarts_widgets.widgets import VisualizationJobList

vis = VisualizationJobList(Session())
vis.wait(timeout=60)  # listed in the background
print(vis.status_message)
print("rows by type:", dict(sorted(Counter(type(job).__name__ for job in vis.items).items())))
vis
""",
    ),
    md(
        "region-md",
        """
## A region without the batch route, or without old-version jobs

Some regions do not publish the batch route, or have no old-version (v1) training API at all.
An emulator started with `batch_delete=False, v1_training=False` (CLI: `--no-batch-delete
--no-v1`) answers those routes like such a region. `TrainingJobList` tries the batch route once,
then deletes one by one (and remembers); the v1 lists are empty with a one-line note.
""",
    ),
    code(
        "region",
        """
from modelarts_widgets.widgets import JobVersionList

emulator.stop()
emulator = EmulatorServer(
    seed=SEED, delete_delay=0.0, batch_delete=False, v1_training=False
).start()
os.environ.update(emulator_env(emulator))
session = Session()
v1_list = JobVersionList(session)
v1_list.wait(timeout=60)
print("JobVersionList:", v1_list.status_message)
jobs = TrainingJobList(session)
jobs.wait(timeout=60)
for round_ in (1, 2):
    jobs.select(keys=[job.key for job in jobs.items if not job.is_active][:5])
    jobs.request_delete()
    jobs.confirm(typed_count=5)
    jobs.wait(timeout=60)
    print(f"round {round_}:", jobs.status_message, "|", requests_sent(emulator))
""",
    ),
    code(
        "stop",
        """
emulator.stop()
print("emulator stopped")
""",
    ),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "quickstart.ipynb": QUICKSTART,
    "01_training_job_versions.ipynb": TRAINING,
    "02_visualization_jobs.ipynb": VISUALIZATION,
    "03_handling_failures.ipynb": FAILURES,
    "04_real_modelarts.ipynb": REAL,
    "05_new_version_training_jobs.ipynb": NEW_VERSION,
}


def build(cells: list[Cell]) -> Any:
    """A stripped nbformat-4 notebook of ``cells`` with a python3 kernelspec."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    for cell_id, kind, source in cells:
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
        cell["id"] = cell_id
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def render(cells: list[Cell]) -> str:
    import nbformat

    return str(nbformat.writes(build(cells))) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        text = render(cells)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print("wrote", path)
    if stale:
        print("out of date (run python notebooks/_build.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
