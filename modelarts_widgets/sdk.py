"""SDK-compatible ``Session``, ``Estimator`` and ``VisualizationJob``.

Mirrors the documented call shapes of the official ``modelarts`` SDK (OTC SDK reference,
``modelarts_04_0168 … 0188``) so its sample code runs with only the import line changed::

    from modelarts_widgets.sdk import Session, Estimator, VisualizationJob
    session = Session()
    status = Estimator(session, job_id="182626", version_id="278813").delete_job_version()

Delete methods return the documented dict (``is_success`` plus ``error_code``/``error_msg`` on
failure) and never raise for an API failure. Dict-returning getters return the API's dict, or
the same failure dict. IDs are accepted as int or str.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Callable, ClassVar, Optional

from modelarts_widgets._kwargs import refuse_unknown
from modelarts_widgets._types import IdLike
from modelarts_widgets.client import ids
from modelarts_widgets.client._paging import ListOptions
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.errors import APIError, ConfigurationError
from modelarts_widgets.models import (
    DeleteResult,
    JobVersion,
    as_int,
    as_str,
    status_label,
)
from modelarts_widgets.models import VisualizationJob as _VisModel

__all__ = ["Estimator", "Session", "TrainingJob", "VisualizationJob"]


#: ``Session(**kw)`` keywords passed through to :class:`modelarts_widgets.session.Session`.
_PASS_THROUGH = frozenset(
    {"token", "modelarts_endpoint", "iam_endpoint", "verify", "timeout", "region"}
)


def _url(value: Optional[str]) -> Optional[str]:
    """A full URL from a URL or a bare hostname (``host`` -> ``https://host``)."""
    if value is None:
        return None
    text = value.strip().rstrip("/")
    if not text:
        return None
    return text if "://" in text else f"https://{text}"


def _failure(exc: APIError) -> dict[str, Any]:
    return {"is_success": False, "error_code": exc.error_code, "error_msg": exc.error_msg}


def _api_dict(call: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    """The provider's API dict from ``call()``; an :class:`APIError` becomes the failure dict."""
    try:
        return dict(call())
    except APIError as exc:
        return _failure(exc)


class Session:
    """An authenticated session; no arguments = environment variables or the notebook.

    ``Session(access_key=AK, secret_key=SK, project_id=P, region_name=R)``,
    ``Session(username=U, password=P, region_name=R)`` (account login),
    ``Session(account=A, username=U, password=P, region_name=R)`` (IAM user), or
    ``Session(config_file=path)`` (a JSON file with those keys).
    """

    _endpoints: ClassVar[dict[str, Optional[str]]] = {}

    @refuse_unknown(extra=_PASS_THROUGH)
    def __init__(
        self,
        access_key: Optional[str] = None,
        secret_key: Optional[str] = None,
        project_id: Optional[str] = None,
        region_name: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        account: Optional[str] = None,
        security_token: Optional[str] = None,
        config_file: Optional[str] = None,
        **kw: Any,
    ) -> None:
        from modelarts_widgets.session import Session as _CoreSession

        region_alias = kw.pop("region", None)
        given: dict[str, Any] = {
            "access_key": access_key,
            "secret_key": secret_key,
            "project_id": project_id,
            "region_name": region_name or region_alias,
            "username": username,
            "password": password,
            "account": account,
            "security_token": security_token,
        }
        if config_file is not None:
            for key, value in _read_config(config_file).items():
                if given.get(key) is None:
                    given[key] = value
        for key in ("iam_endpoint", "modelarts_endpoint"):
            value = kw.pop(key, None)
            given[key] = _url(value) if value is not None else self._endpoints.get(key)
        if given["region_name"] is None:
            given["region_name"] = self._endpoints.get("region_name")
        given.update(kw)
        self._core = _CoreSession(**{k: v for k, v in given.items() if v is not None})

    @classmethod
    @refuse_unknown()
    def set_endpoint(
        cls,
        iam_endpoint: Optional[str] = None,
        obs_endpoint: Optional[str] = None,
        modelarts_endpoint: Optional[str] = None,
        region_name: Optional[str] = None,
    ) -> None:
        """Endpoints for Sessions created afterwards (URLs or hostnames; OBS is only stored)."""
        updates = {
            "iam_endpoint": _url(iam_endpoint),
            "obs_endpoint": _url(obs_endpoint),
            "modelarts_endpoint": _url(modelarts_endpoint),
            "region_name": region_name.strip() if region_name else None,
        }
        cls._endpoints.update({k: v for k, v in updates.items() if v is not None})

    @classmethod
    def reset_endpoints(cls) -> None:
        """Forget what :meth:`set_endpoint` stored."""
        cls._endpoints.clear()

    @property
    def project_id(self) -> str:
        return str(self._core.project_id)

    @property
    def region_name(self) -> Optional[str]:
        region = getattr(self._core, "region_name", None)
        return None if region is None else str(region)

    @property
    def auth_method(self) -> str:
        return str(getattr(self._core, "auth_method", ""))

    @property
    def client(self) -> ModelArtsApi:
        """The provider behind this session (REST client or official SDK)."""
        client: ModelArtsApi = self._core.client
        return client

    @property
    def core(self) -> Any:
        """The :class:`modelarts_widgets.session.Session` this wraps."""
        return self._core

    def __repr__(self) -> str:
        return (
            f"Session(project_id={self.project_id!r}, region_name={self.region_name!r}, "
            f"auth_method={self.auth_method!r})"
        )


def _read_config(path: str) -> dict[str, Any]:
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read config_file {path!r}: {type(exc).__name__}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"config_file {path!r} does not hold a JSON object")
    keys = ("access_key", "secret_key", "project_id", "region_name", "username", "password")
    return {key: data[key] for key in (*keys, "account", "security_token") if data.get(key)}


def _client(session: Any) -> ModelArtsApi:
    if isinstance(session, Session):
        return session.client
    client = getattr(session, "client", None)
    if client is not None:
        return client  # type: ignore[no-any-return]
    raise TypeError("modelarts_session must be a modelarts_widgets.sdk.Session")


def _list_options(
    status: Optional[int],
    per_page: int,
    sort_by: Optional[str],
    order: str,
    search_content: Optional[str],
) -> ListOptions:
    """A list method's SDK keywords as the client's; ``sort_by`` is ``sortBy`` or ``sort_by``
    as given (``job_name`` when neither is)."""
    return {
        "status": status,
        "per_page": per_page,
        "sort_by": sort_by or "job_name",
        "order": order,
        "search_content": search_content,
    }


def _copy_fields(model: object, obj: object, names: Sequence[str]) -> None:
    """Set each of ``names`` on the SDK-style ``obj`` from the value object ``model``."""
    for name in names:
        setattr(obj, name, getattr(model, name))


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[as_str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


# --- training jobs ----------------------------------------------------------------------------

#: ``Estimator`` keywords of the official SDK (modelarts_04_0131 / 0168) that ``create_job_version``
#: turns into the create-version body (see :func:`_training_config`).
TRAINING_KEYWORDS = (
    "boot_file",
    "code_dir",
    "framework_type",
    "framework_version",
    "hyperparameters",
    "job_description",
    "log_url",
    "output_path",
    "train_instance_count",
    "train_instance_type",
    "user_command",
    "user_image_url",
)
_ESTIMATOR_HINTS = {
    "model_name": (
        "model_name (a built-in algorithm) is not supported by modelarts_widgets.sdk; "
        "pass code_dir=... and boot_file=..."
    ),
    "session": "unknown argument 'session'; use modelarts_session=... (estimator v1)",
}


class TrainingJob:
    """A training job version (what ``create_job_version`` and the version list return)."""

    #: The attributes :meth:`_from_model` copies from a :class:`~modelarts_widgets.JobVersion`.
    _MODEL_FIELDS: ClassVar[tuple[str, ...]] = (
        "job_name",
        "version_name",
        "status",
        "create_time",
        "duration",
        "pre_version_id",
        "train_url",
        "log_url",
    )

    @refuse_unknown()
    def __init__(self, modelarts_session: Any, job_id: IdLike, version_id: IdLike) -> None:
        self._session = modelarts_session
        self.job_id = ids.training_id(job_id, "job id")
        self.version_id = ids.training_id(version_id, "version id")
        self.job_name = ""
        self.version_name = ""
        self.status: int = 0
        self.create_time: Optional[int] = None
        self.duration: Optional[int] = None
        self.pre_version_id: Optional[int] = None
        self.train_url = ""
        self.log_url = ""
        self.is_success = True

    @classmethod
    def _from_model(cls, modelarts_session: Any, version: JobVersion) -> TrainingJob:
        obj = cls(modelarts_session, version.job_id, version.version_id)
        _copy_fields(version, obj, cls._MODEL_FIELDS)
        return obj

    def __repr__(self) -> str:
        return (
            f"TrainingJob(job_id={self.job_id!r}, version_id={self.version_id!r}, "
            f"version_name={self.version_name!r}, status={self.status})"
        )

    def delete_job_version(self) -> dict[str, Any]:
        """Delete this version; the documented ``{"is_success", "error_code"?, "error_msg"?}``."""
        result = _client(self._session).delete_job_version(self.job_id, self.version_id)
        return result.to_sdk_dict()

    def get_job_info(self) -> dict[str, Any]:
        """This version's details as the API's dict."""
        return Estimator(
            self._session, job_id=self.job_id, version_id=self.version_id
        ).get_job_info()


class Estimator:
    """Training job versions: ``Estimator(session, job_id=..., version_id=...)``.

    The official SDK's documented training keywords (:data:`TRAINING_KEYWORDS`:
    ``framework_type``, ``code_dir``, ``boot_file``, ``hyperparameters``, ``output_path``,
    ``log_url``, ``train_instance_type``, …) are kept for :meth:`create_job_version`; any other
    keyword is a ``TypeError`` naming the closest one.
    """

    @refuse_unknown(extra=TRAINING_KEYWORDS, hints=_ESTIMATOR_HINTS)
    def __init__(
        self,
        modelarts_session: Any,
        job_id: Optional[IdLike] = None,
        version_id: Optional[IdLike] = None,
        **training_kwargs: Any,
    ) -> None:
        self._session = modelarts_session
        self.job_id = None if job_id is None else ids.training_id(job_id, "job id")
        self.version_id = None if version_id is None else ids.training_id(version_id, "version id")
        self.training_kwargs = dict(training_kwargs)

    def __repr__(self) -> str:
        return f"Estimator(job_id={self.job_id!r}, version_id={self.version_id!r})"

    def _need_job(self) -> str:
        if self.job_id is None:
            raise ConfigurationError("this Estimator has no job_id")
        return self.job_id

    def _need_version(self) -> tuple[str, str]:
        job_id = self._need_job()
        if self.version_id is None:
            raise ConfigurationError("this Estimator has no version_id")
        return job_id, self.version_id

    def delete_job_version(self) -> dict[str, Any]:
        """Delete ``job_id``/``version_id``; the documented result dict (never raises for API
        failures)."""
        job_id, version_id = self._need_version()
        return _client(self._session).delete_job_version(job_id, version_id).to_sdk_dict()

    def get_job_version_info(self) -> dict[str, Any]:
        """The job's versions as the API's dict (``versions`` list)."""
        job_id = self._need_job()
        client = _client(self._session)
        return _api_dict(lambda: client.job_versions_body(job_id))

    @refuse_unknown()
    def get_job_version_object_list(self, is_show: bool = True) -> list[TrainingJob]:
        """The job's versions as :class:`TrainingJob` objects; ``is_show`` prints a table."""
        job_id = self._need_job()
        versions = _client(self._session).list_job_versions(job_id)
        objects = [TrainingJob._from_model(self._session, v) for v in versions]
        if is_show:
            _print_table(
                ("job_id", "version_id", "version_name", "status", "create_time"),
                [
                    (o.job_id, o.version_id, o.version_name, status_label(o.status), o.create_time)
                    for o in objects
                ],
            )
        return objects

    def get_job_info(self) -> dict[str, Any]:
        """One version's details as the API's dict."""
        job_id, version_id = self._need_version()
        client = _client(self._session)
        return _api_dict(lambda: client.job_version_body(job_id, version_id))

    @refuse_unknown()
    def create_job_version(
        self,
        job_id: IdLike,
        pre_version_id: Optional[IdLike] = None,
        inputs: Optional[str] = None,
        wait: bool = False,
        job_desc: str = "",
    ) -> TrainingJob:
        """Create a version of ``job_id`` from this estimator's settings; a :class:`TrainingJob`.

        ``wait`` is accepted for compatibility; creation returns at once (poll the status).
        """
        config = _training_config(self.training_kwargs, inputs)
        version = _client(self._session).create_job_version(
            job_id, pre_version_id=pre_version_id, job_desc=job_desc, config=config
        )
        return TrainingJob._from_model(self._session, version)

    @staticmethod
    @refuse_unknown()
    def get_job_list(
        modelarts_session: Any,
        status: Optional[int] = None,
        per_page: int = 10,
        page: int = 1,
        sortBy: Optional[str] = None,
        sort_by: Optional[str] = None,
        order: str = "desc",
        search_content: Optional[str] = None,
    ) -> dict[str, Any]:
        """One page of training jobs as the list API's dict."""
        options = _list_options(status, per_page, sortBy or sort_by, order, search_content)
        client = _client(modelarts_session)
        return _api_dict(lambda: client.training_jobs_page(page=page, **options))


def _training_config(kwargs: Mapping[str, Any], inputs: Optional[str]) -> dict[str, object]:
    """The v1 create-version body from the SDK's Estimator keyword names."""
    mapping = {
        "code_dir": "app_url",
        "boot_file": "boot_file_url",
        "output_path": "train_url",
        "log_url": "log_url",
        "train_instance_count": "worker_server_num",
        "train_instance_type": "spec_code",
        "framework_type": "engine_name",
        "framework_version": "engine_version",
        "user_image_url": "user_image_url",
        "user_command": "user_command",
        "job_description": "job_desc",
    }
    config: dict[str, object] = {}
    for key, value in kwargs.items():
        if value is None:
            continue
        if key == "hyperparameters":
            config["parameter"] = list(value)
        else:
            config[mapping.get(key, key)] = value
    if inputs is not None:
        config["data_url"] = inputs
    config.pop("job_desc", None)
    return config


# --- visualization jobs -----------------------------------------------------------------------


class VisualizationJob:
    """A visualization job: ``VisualizationJob(modelarts_session=s, visualization_id="8992")``."""

    #: The attributes :meth:`_from_model` copies from a visualization job value object.
    _MODEL_FIELDS: ClassVar[tuple[str, ...]] = (
        "job_name",
        "status",
        "create_time",
        "duration",
        "job_desc",
        "service_url",
        "train_url",
    )

    @refuse_unknown(hints={"job_id": "unknown argument 'job_id'; use visualization_id=..."})
    def __init__(self, modelarts_session: Any, visualization_id: Optional[IdLike] = None) -> None:
        self._session = modelarts_session
        self.visualization_id: Optional[str] = (
            None if visualization_id is None else ids.visualization_id(visualization_id)
        )
        self.job_name = ""
        self.status: int = 0
        self.create_time: Optional[int] = None
        self.duration: Optional[int] = None
        self.job_desc = ""
        self.service_url = ""
        self.train_url = ""
        self.is_success = True

    @property
    def job_id(self) -> Optional[str]:
        """The same id as :attr:`visualization_id`."""
        return self.visualization_id

    @classmethod
    def _from_model(cls, modelarts_session: Any, job: _VisModel) -> VisualizationJob:
        obj = cls(modelarts_session, visualization_id=job.job_id)
        _copy_fields(job, obj, cls._MODEL_FIELDS)
        return obj

    def __repr__(self) -> str:
        return (
            f"VisualizationJob(visualization_id={self.visualization_id!r}, "
            f"job_name={self.job_name!r}, status={self.status})"
        )

    def _need_id(self) -> str:
        if self.visualization_id is None:
            raise ConfigurationError("this VisualizationJob has no visualization_id")
        return self.visualization_id

    def delete_visualization_job(self) -> dict[str, Any]:
        """Delete this job; the documented result dict (never raises for API failures)."""
        result: DeleteResult = _client(self._session).delete_visualization_job(self._need_id())
        return result.to_sdk_dict()

    def get_visualization_job_info(self) -> dict[str, Any]:
        """This job's details as the API's dict."""
        job_id = self._need_id()
        client = _client(self._session)
        return _api_dict(lambda: client.visualization_job_body(job_id))

    @refuse_unknown()
    def create_visualization_job(
        self, train_url: str, job_name: str, job_desc: str = "", job_type: str = "tensorboard"
    ) -> VisualizationJob:
        """Create a job reading summaries from ``train_url``; a new :class:`VisualizationJob`."""
        job = _client(self._session).create_visualization_job(
            job_name=job_name, train_url=train_url, job_desc=job_desc, job_type=job_type
        )
        return VisualizationJob._from_model(self._session, job)

    @staticmethod
    @refuse_unknown()
    def get_visualization_job_list(
        modelarts_session: Any,
        status: Optional[int] = None,
        per_page: int = 10,
        page: int = 1,
        sort_by: Optional[str] = None,
        order: str = "asc",
        search_content: Optional[str] = None,
        sortBy: Optional[str] = None,
    ) -> dict[str, Any]:
        """One page of visualization jobs as the list API's dict (``per_page`` 1-100)."""
        options = _list_options(status, per_page, sortBy or sort_by, order, search_content)
        client = _client(modelarts_session)
        return _api_dict(lambda: client.visualization_jobs_page(page=page, **options))

    @staticmethod
    @refuse_unknown()
    def get_visualization_job_object_list(
        modelarts_session: Any,
        is_show: bool = True,
        status: Optional[int] = None,
        per_page: int = 10,
        page: int = 1,
        sort_by: Optional[str] = None,
        order: str = "asc",
        search_content: Optional[str] = None,
        sortBy: Optional[str] = None,
    ) -> list[VisualizationJob]:
        """One page of visualization jobs as objects; ``is_show`` prints a table.

        Raises :class:`~modelarts_widgets.errors.APIError` if the list call fails.
        """
        options = _list_options(status, per_page, sortBy or sort_by, order, search_content)
        client = _client(modelarts_session)
        body = _api_dict(lambda: client.visualization_jobs_page(page=page, **options))
        if body.get("is_success") is False:
            raise APIError(
                f"listing visualization jobs failed: {body.get('error_code')}",
                error_code=as_str(body.get("error_code")) or None,
                error_msg=as_str(body.get("error_msg")) or None,
            )
        objects: list[VisualizationJob] = []
        for row in body.get("jobs") or []:
            if not isinstance(row, Mapping):
                continue
            try:
                model = _VisModel.from_api(row)
            except ValueError:
                continue
            objects.append(VisualizationJob._from_model(modelarts_session, model))
        if is_show:
            _print_table(
                ("job_id", "job_name", "status", "create_time"),
                [
                    (o.job_id, o.job_name, status_label(as_int(o.status, 0) or 0), o.create_time)
                    for o in objects
                ],
            )
        return objects
