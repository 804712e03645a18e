"""One boto3 session per scan and one client per (service, region), shared by every thread."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.loaders import create_loader

from srmscan.collect import _shared_models
from srmscan.errors import ScanSetupError  # re-exported: callers import it from here too

DEFAULT_REGION = "us-east-1"
_ACCOUNT_LABEL = re.compile(r"^\d{12}\.")
# Partitions whose STS is tried when no region is configured and the aws partition rejects the keys.
_OTHER_PARTITIONS = ("aws-us-gov", "aws-cn")
_GLOBAL_REGIONS: dict[str, str] = {}
_GLOBAL_LOCK = threading.Lock()


def partition_region(partition: str) -> str:
    """The partition's own default region (botocore partitions.json `implicitGlobalRegion`): where its
    global services (IAM, STS, Health, Organizations) answer. us-east-1 exists only in `aws`."""
    with _GLOBAL_LOCK:
        if not _GLOBAL_REGIONS:
            for entry in create_loader().load_data("partitions").get("partitions", []):
                region = (entry.get("outputs") or {}).get("implicitGlobalRegion")
                if entry.get("id") and region:
                    _GLOBAL_REGIONS[str(entry["id"])] = str(region)
        return _GLOBAL_REGIONS.get(partition, DEFAULT_REGION)


@dataclass(frozen=True)
class Tuning:
    """Knobs that bound how hard a scan leans on the account's API quotas."""

    max_workers: int = 16
    per_service_concurrency: int = 4
    max_attempts: int = 6
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


class AwsSession:
    """Owns the boto3 session, the client cache and the endpoint override."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        endpoint_url: str | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        self.session = session
        _shared_models.register(session._session)  # one docless model per service, not per client
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.tuning = tuning or Tuning()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._identity: tuple[str, str] | None = None
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": self.tuning.max_attempts},
            connect_timeout=self.tuning.connect_timeout,
            read_timeout=self.tuning.read_timeout,
            max_pool_connections=max(10, self.tuning.per_service_concurrency * 2),
            user_agent_extra="srmscan",
        )
        if self.endpoint_url:
            # botocore puts the account id into the s3control host name
            # (123456789012.<endpoint>); against a custom endpoint that host does not exist.
            self.session.events.register("before-send.s3-control", _strip_account_label)

    @classmethod
    def create(
        cls,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        tuning: Tuning | None = None,
    ) -> AwsSession:
        try:
            session = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as exc:
            raise ScanSetupError(f"unknown AWS profile {profile!r}") from exc
        return cls(session, endpoint_url=endpoint_url, tuning=tuning)

    @property
    def events(self) -> Any:
        return self.session.events

    @property
    def home_region(self) -> str:
        """The configured region; without one, the default region of the credentials' partition
        (known once `identity()` has answered), else us-east-1."""
        if self.session.region_name:
            return str(self.session.region_name)
        return partition_region(self._identity[1]) if self._identity else DEFAULT_REGION

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs: dict[str, Any] = {"region_name": region, "config": self._config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = self.session.client(service, **kwargs)
                self._clients[key] = client
        return client

    def identity(self) -> tuple[str, str]:
        """(account id, partition) from STS; the first call, so credential problems surface here.

        Asked once per session. With no region configured, keys that the aws partition does not
        know (InvalidClientTokenId) are tried against the GovCloud and China partitions' STS, so a
        GovCloud or China account scans in its own partition's default region."""
        if self._identity is not None:
            return self._identity
        candidates = [self.home_region]
        if not self.session.region_name and not self.endpoint_url:
            candidates += [partition_region(p) for p in _OTHER_PARTITIONS]
        for index, region in enumerate(candidates):
            try:
                answer = self.client("sts", region).get_caller_identity()
            except NoCredentialsError as exc:
                raise ScanSetupError("no AWS credentials found (profile, environment, SSO or instance role)") from exc
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "Error")
                if code == "InvalidClientTokenId" and index + 1 < len(candidates):
                    continue
                raise ScanSetupError(f"AWS rejected the credentials: {code}") from exc
            except BotoCoreError as exc:
                raise ScanSetupError(f"cannot reach AWS: {exc}") from exc
            arn = str(answer.get("Arn", "arn:aws:"))
            partition = (arn.split(":")[1] if arn.count(":") >= 2 else "aws") or "aws"
            self._identity = (str(answer["Account"]), partition)
            return self._identity
        raise ScanSetupError("AWS rejected the credentials")  # not reached: the last candidate raises

    def available_regions(self, service: str = "ec2") -> set[str]:
        """Regions botocore knows for a service, across partitions: for validating `--region`."""
        known: set[str] = set()
        for partition in self.session.get_available_partitions():
            known.update(self.session.get_available_regions(service, partition_name=partition))
        return known

    def enabled_regions(self) -> list[str]:
        """Regions this account has opted into (DescribeRegions hides disabled opt-in regions)."""
        try:
            answer = self.client("ec2", self.home_region).describe_regions(
                Filters=[{"Name": "opt-in-status", "Values": ["opt-in-not-required", "opted-in"]}]
            )
        except (ClientError, BotoCoreError) as exc:
            raise ScanSetupError(f"cannot list the account's enabled regions: {exc}") from exc
        # Filter again client-side: an endpoint that ignores the filter (moto does) must not
        # make us scan regions the account has not opted into.
        enabled = {"opt-in-not-required", "opted-in"}
        return sorted(r["RegionName"] for r in answer.get("Regions", []) if r.get("OptInStatus", "opted-in") in enabled)


def _strip_account_label(request: Any, **_: Any) -> None:
    parts = urlsplit(request.url)
    if not _ACCOUNT_LABEL.match(parts.netloc):
        return
    netloc = _ACCOUNT_LABEL.sub("", parts.netloc, count=1)
    request.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if "Host" in request.headers:
        request.headers["Host"] = netloc
