"""The choke point every collector calls through.

It paginates (at each API's largest page, see `_page_sizes`), bounds concurrency per (service, region), lets botocore's adaptive retries
absorb throttling, and turns every failure into a recorded `CallError`. A collector never
sees an exception from AWS: it sees an `Answer` that either has data or names its error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore import xform_name

from srmscan.collect._page_sizes import with_page_size
from srmscan.collect.errors import classify
from srmscan.collect.iam_actions import iam_action
from srmscan.collect.session import AwsSession
from srmscan.model import ACCOUNT_TYPE, GLOBAL_REGION, CallError, ErrorKind, ListingGap, Resource

T = TypeVar("T")
R = TypeVar("R")

# Back-off between attempts of a call whose error code the caller named as "retry" (codes botocore
# does not retry, e.g. IAM's LimitExceeded): 1 s, 2 s, 4 s, then the error stands.
RETRY_DELAYS_S = (1.0, 2.0, 4.0)
_sleep = time.sleep


@dataclass
class Answer:
    """What a call produced: data, or an error, or `absent` (the thing asked for does not exist)."""

    data: Any = None
    error: CallError | None = None
    absent: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def entries(self, with_key: str | None = None) -> list[dict[str, Any]]:
        """A listing's entries that are objects (and carry a non-empty `with_key`): a malformed
        entry is skipped rather than built into a resource; a failed listing has none."""
        if self.error is not None or not self.data:
            return []
        return [e for e in self.data if isinstance(e, dict) and (with_key is None or e.get(with_key))]


class Cancelled(Exception):
    """Raised inside collectors once the user interrupted the scan."""


class Collection:
    """Shared, thread-safe state of one account's collection."""

    def __init__(self, aws: AwsSession, account_id: str, partition: str, regions: list[str]) -> None:
        self.aws = aws
        self.account_id = account_id
        self.partition = partition
        self.regions = regions
        self.resources: list[Resource] = []
        self.errors: list[CallError] = []
        self.gaps: list[ListingGap] = []
        self.api_calls = 0
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._limits: dict[tuple[str, str], threading.BoundedSemaphore] = {}
        self._fanout_prefix = f"srmscan-fanout-{id(self)}"
        self._fanout = ThreadPoolExecutor(max_workers=aws.tuning.max_workers, thread_name_prefix=self._fanout_prefix)
        self._error_keys: dict[tuple[str, str, str, str], CallError] = {}
        self._claimed: set[str] = set()
        # Account-wide and per-region settings live on account resources that several
        # collectors fill, each under its own keys.
        self._accounts = {
            region: self.add(
                Resource(
                    type=ACCOUNT_TYPE,
                    id=account_id,
                    region=region,
                    arn=f"arn:{partition}:::{account_id}",
                    name=account_id if region == GLOBAL_REGION else f"{account_id} in {region}",
                )
            )
            for region in [GLOBAL_REGION, *regions]
        }

    def account(self, region: str = GLOBAL_REGION) -> Resource:
        """The account resource for account-wide (`global`) or one region's settings."""
        return self._accounts[region]

    @property
    def home_region(self) -> str:
        return self.regions[0] if self.regions else self.aws.home_region

    # --- the choke point -------------------------------------------------------------
    def call(
        self,
        service: str,
        region: str,
        operation: str,
        *,
        absent: Iterable[str] = (),
        retry: Iterable[str] = (),
        **params: Any,
    ) -> Answer:
        """One API call. `absent` lists error codes that mean "not configured" rather than failure;
        `retry` lists codes that mean "ask again later", retried with back-off before they count."""
        retry = set(retry)
        for delay in RETRY_DELAYS_S if retry else ():
            answer = self._guarded(service, region, operation, set(absent), params, None, quiet=retry)
            if answer.error is None or answer.error.code not in retry:
                return answer
            if self.cancelled.is_set():
                raise Cancelled()
            _sleep(delay)
        return self._guarded(service, region, operation, set(absent), params, paginate_key=None)

    def pages(
        self,
        service: str,
        region: str,
        operation: str,
        key: str,
        *,
        absent: Iterable[str] = (),
        **params: Any,
    ) -> Answer:
        """All pages of a listing, concatenated under `key`; an error on any page fails the whole listing."""
        return self._guarded(service, region, operation, set(absent), params, paginate_key=key)

    def listing(
        self,
        service: str,
        region: str,
        operation: str,
        key: str,
        *,
        gaps: Iterable[str],
        gap_region: str | None = None,
        **params: Any,
    ) -> Answer:
        """`pages` for a listing that resources are built from. When it fails, every resource type
        it would have produced (`gaps`) is recorded as not listable in `gap_region` (default: the
        call's region), so their rules report unknown there instead of passing on an empty list."""
        answer = self.pages(service, region, operation, key, **params)
        if answer.error is not None:
            for resource_type in gaps:
                self.gap(resource_type, region if gap_region is None else gap_region, answer)
        return answer

    def _guarded(
        self,
        service: str,
        region: str,
        operation: str,
        absent: set[str],
        params: dict[str, Any],
        paginate_key: str | None,
        quiet: set[str] | None = None,
    ) -> Answer:
        if self.cancelled.is_set():
            raise Cancelled()
        client = self.aws.client(service, region)
        method = xform_name(operation)
        params = with_page_size(service, operation, params)
        with self._limit(service, region):
            try:
                if paginate_key is not None and client.can_paginate(method):
                    items: list[Any] = []
                    try:
                        for page in client.get_paginator(method).paginate(**params):
                            self._count()
                            items.extend(_dig(page, paginate_key) or [])
                            if self.cancelled.is_set():
                                raise Cancelled()
                    except Cancelled:
                        raise
                    except Exception:
                        self._count()  # the page request that failed was an API call too
                        raise
                    return Answer(data=items)
                self._count()
                response = getattr(client, method)(**params)
                if paginate_key is not None:
                    return Answer(data=list(_dig(response, paginate_key) or []))
                return Answer(data=response)
            except Cancelled:
                raise
            except Exception as exc:  # every failure becomes data; nothing escapes a collector
                code, message, kind = classify(exc)
                if code in absent:
                    return Answer(absent=True)
                if quiet and code in quiet:  # to be retried: not an error of the scan (yet)
                    return Answer(error=CallError("", service, operation, region, code, message[:500], kind, ""))
                return Answer(error=self._record(service, operation, region, code, message, kind))

    def _limit(self, service: str, region: str) -> threading.BoundedSemaphore:
        key = (service, region)
        sem = self._limits.get(key)
        if sem is None:
            with self._lock:
                sem = self._limits.setdefault(key, threading.BoundedSemaphore(self.aws.tuning.per_service_concurrency))
        return sem

    def _count(self) -> None:
        with self._lock:
            self.api_calls += 1

    def _record(self, service: str, operation: str, region: str, code: str, message: str, kind: Any) -> CallError:
        dedupe = (service, operation, region, code)
        with self._lock:
            existing = self._error_keys.get(dedupe)
            if existing is not None:
                return existing
            err = CallError(
                id=f"E{len(self.errors) + 1}",
                service=service,
                operation=operation,
                region=region,
                code=code,
                message=message[:500],
                kind=kind,
                iam_action=iam_action(service, operation),
            )
            self.errors.append(err)
            self._error_keys[dedupe] = err
            return err

    # --- results ---------------------------------------------------------------------
    def add(self, resource: Resource) -> Resource:
        with self._lock:
            self.resources.append(resource)
        return resource

    def claim(self, key: str) -> bool:
        """True for the first caller only: lets regional collectors describe a shared thing once."""
        with self._lock:
            if key in self._claimed:
                return False
            self._claimed.add(key)
            return True

    def missing_member(self, resource: Resource, key: str, service: str, operation: str, member: str) -> None:
        """Mark `key` unreadable because the answer left out `member`, which AWS normally sends:
        an absent member is "not seen", never "safe" (rules then report unknown, with this reason)."""
        error = self._record(
            service,
            operation,
            resource.region,
            "MemberMissing",
            f"the answer did not carry {member}",
            ErrorKind.OTHER,
        )
        resource.unreadable[key] = error.id

    def gap(self, resource_type: str, region: str, answer: Answer) -> None:
        """Record that a resource type could not be listed, so its rules report unknown there."""
        assert answer.error is not None
        with self._lock:
            self.gaps.append(ListingGap(resource_type, region, answer.error.id))

    def fanout(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run per-resource work concurrently; the per-service semaphore still bounds the calls.

        A fan-out from inside a fan-out worker runs inline: waiting on the pool from one of its own
        threads deadlocks once every worker is waiting."""
        if threading.current_thread().name.startswith(self._fanout_prefix + "_"):
            return [fn(item) for item in items]
        return list(self._fanout.map(fn, items))

    def arn(self, service: str, region: str, resource: str, *, account: bool = True) -> str:
        region_part = "" if region in ("global", "") else region
        account_part = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{region_part}:{account_part}:{resource}"

    def close(self) -> None:
        self._fanout.shutdown(wait=False, cancel_futures=True)


def _dig(page: Any, key: str) -> Any:
    """The listing under `key` in one page; a dotted key reaches into a wrapper such as
    CloudFront's `DistributionList.Items`."""
    for part in key.split("."):
        page = page.get(part) if isinstance(page, dict) else None
    return page


_Tags = dict[str, str] | None
_Attrs = dict[str, Any] | None


def named_resource(
    rtype: str, name: str, region: str, arn: str | None, tier: str, *, tags: _Tags = None, attrs: _Attrs = None
) -> Resource:
    """A resource its service names uniquely where it lives (a function, table, log group, bucket,
    snapshot): the name is its id, so mutes, drift and reports know it by what its owners call it."""
    return _collected(rtype, name, name, region, arn, tier, tags, attrs)


def arn_resource(
    rtype: str, arn: str, name: str | None, region: str, tier: str, *, tags: _Tags = None, attrs: _Attrs = None
) -> Resource:
    """A resource only its ARN identifies (its name repeats across clusters, or AWS keys it by ARN:
    ECS services, load balancers, repositories, trails): the ARN is its id; the name is for people."""
    return _collected(rtype, arn, name, region, arn, tier, tags, attrs)


def _collected(
    rtype: str, ident: str, name: str | None, region: str, arn: str | None, tier: str, tags: _Tags, attrs: _Attrs
) -> Resource:
    return Resource(
        type=rtype,
        id=ident,
        name=name,
        region=region,
        arn=arn,
        tier=tier,
        tags=tags if tags is not None else {},
        attrs=attrs if attrs is not None else {},
    )


def fill(
    resource: Resource,
    key: str,
    answer: Answer,
    convert: Callable[[Any], Any] | None = None,
    default: Any = None,
) -> None:
    """Store an answer on a resource: the value, the default when absent, or the unreadable mark."""
    if answer.error is not None:
        resource.unreadable[key] = answer.error.id
    elif answer.absent:
        resource.attrs[key] = default
    else:
        resource.attrs[key] = convert(answer.data) if convert else answer.data


def tags_by_arn(c: Collection, region: str, resource_type: str, **params: Any) -> Answer:
    """ARN -> tags of every resource of one type (e.g. `lambda:function`), from one tagging-API
    listing: for services whose own listing carries no tags, this is one call a region instead
    of one per resource."""
    answer = c.pages(
        "resourcegroupstaggingapi",
        region,
        "GetResources",
        "ResourceTagMappingList",
        ResourceTypeFilters=[resource_type],
        **params,
    )
    if answer.error is not None:
        return answer
    return Answer(
        data={str(m.get("ResourceARN")): tags_from(m.get("Tags")) for m in answer.data if isinstance(m, dict)}
    )


def apply_tags(resources: Iterable[Resource], tags: Answer) -> None:
    """Give each resource its tags from a `tags_by_arn` answer; a failed listing marks them unreadable."""
    for res in resources:
        if tags.error is not None:
            res.unreadable["tags"] = tags.error.id
        else:
            res.tags = dict(tags.data.get(str(res.arn), {}))


def tags_from(items: Iterable[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {str(t.get(key, "")): str(t.get(value, "")) for t in (items or [])}
