"""One "delete these v2 jobs" run: lookups, batches by workspace, fallbacks, results.

Used by :meth:`modelarts_widgets.client.v2.V2Client.delete_v2_jobs` (see its docstring and the
module docstring of :mod:`modelarts_widgets.client.v2` for the rules).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Optional

from modelarts_widgets.client._options import OnResult
from modelarts_widgets.errors import APIError, TransportError
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.models_v2 import TrainingJobV2

if TYPE_CHECKING:
    from modelarts_widgets.client.v2 import V2Client

__all__ = ["MAX_BATCH", "DeleteRun", "PartialDeleteError"]

logger = logging.getLogger("modelarts_widgets.client")

#: The batch delete's largest batch.
MAX_BATCH = 100


class PartialDeleteError(TransportError):
    """Some delete calls got no answer: their outcome is unknown (they are never re-sent).

    ``results`` holds the answers that did come (one per job id); ``unanswered`` the job ids
    whose call got none.
    """

    def __init__(
        self, message: str, results: Mapping[str, DeleteResult], unanswered: Sequence[str]
    ) -> None:
        super().__init__(message)
        self.results = dict(results)
        self.unanswered = tuple(unanswered)


class DeleteRun:
    """One :meth:`V2Client.delete_v2_jobs` call: lookups, batches, fallbacks, results."""

    def __init__(
        self,
        client: V2Client,
        ids_: list[str],
        on_result: Optional[OnResult],
        should_stop: Callable[[], bool],
    ) -> None:
        self.client = client
        self.ids = ids_
        self.on_result = on_result
        self.should_stop = should_stop
        self.results: dict[str, DeleteResult] = {}
        self.unanswered: list[str] = []
        self.lock = threading.Lock()
        self.refused_auth = False

    def stopped(self) -> bool:
        return self.refused_auth or self.should_stop()

    def record(self, job_id: str, result: DeleteResult) -> None:
        with self.lock:
            self.results[job_id] = result
            if result.http_status == 401:
                self.refused_auth = True
        if self.on_result is not None:
            try:
                self.on_result(job_id, result)
            except Exception:
                logger.exception("on_result callback failed")

    def lost(self, job_ids: Sequence[str]) -> None:
        with self.lock:
            self.unanswered.extend(job_ids)

    def pool(self, count: int) -> ThreadPoolExecutor:
        workers = max(1, min(self.client.max_workers, count))
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelarts-v2-delete")

    def execute(self) -> dict[str, DeleteResult]:
        singles: list[str] = []
        if self.client.batch_supported is False:
            singles = list(self.ids)
        else:
            jobs, unknown_ws = self.describe()
            singles.extend(unknown_ws)
            batches = self.batches(jobs)
            if batches and self.client.batch_supported is None:
                singles.extend(self.send_batch(batches.pop(0)))
            if batches:
                with self.pool(len(batches)) as pool:
                    for leftover in pool.map(self.send_batch, batches):
                        singles.extend(leftover)
        singles = [j for j in singles if j not in self.results and j not in self.unanswered]
        if singles:
            with self.pool(len(singles)) as pool:
                list(pool.map(self.send_single, singles))
        if self.unanswered:
            raise PartialDeleteError(
                f"{len(self.unanswered)} v2 delete call(s) got no answer; their outcome is unknown",
                self.ordered(),
                self.unanswered,
            )
        return self.ordered()

    def ordered(self) -> dict[str, DeleteResult]:
        return {job_id: self.results[job_id] for job_id in self.ids if job_id in self.results}

    def describe(self) -> tuple[list[TrainingJobV2], list[str]]:
        """Jobs with kind and workspace (looked up when unknown) and ids to delete singly."""
        known = {j: self.client.known_job(j) for j in self.ids}
        missing = [j for j, job in known.items() if job is None]
        single: list[str] = []
        if missing:
            with self.pool(len(missing)) as pool:
                for job_id, found in zip(missing, pool.map(self.look_up, missing)):
                    if isinstance(found, TrainingJobV2):
                        known[job_id] = found
                    elif found == "single":
                        single.append(job_id)
        return [job for job in known.values() if job is not None], single

    def look_up(self, job_id: str) -> Any:
        if self.stopped():
            return None
        try:
            return self.client.get_v2_job(job_id)
        except APIError as exc:
            result = DeleteResult(
                False, exc.error_code, exc.error_msg, exc.status_code, exc.request_id
            )
            if result.already_gone:
                self.record(job_id, result)
                return None
            return "single"  # let the DELETE itself answer
        except TransportError:
            return "single"

    @staticmethod
    def batches(jobs: Sequence[TrainingJobV2]) -> list[list[TrainingJobV2]]:
        by_workspace: dict[str, list[TrainingJobV2]] = {}
        for job in jobs:
            by_workspace.setdefault(job.workspace_id, []).append(job)
        return [
            group[i : i + MAX_BATCH]
            for group in by_workspace.values()
            for i in range(0, len(group), MAX_BATCH)
        ]

    def send_batch(self, batch: list[TrainingJobV2]) -> list[str]:
        """Send one batch; the job ids to delete singly instead."""
        ids_ = [job.job_id for job in batch]
        if self.stopped():
            return []
        if self.client.batch_supported is False:
            return ids_
        try:
            result = self.client.batch_delete_v2_jobs(batch)
        except TransportError:
            self.lost(ids_)
            return []
        status = result.http_status or 0
        if result.is_success or status == 401 or status >= 500 or 200 <= status < 300:
            for job_id in ids_:
                self.record(job_id, result)
            return []
        logger.debug("v2 batch of %d refused (HTTP %s); deleting one by one", len(ids_), status)
        return ids_

    def send_single(self, job_id: str) -> None:
        if self.stopped():
            return
        try:
            result = self.client.delete_v2_job(job_id)
        except TransportError:
            self.lost([job_id])
            return
        self.record(job_id, result)
