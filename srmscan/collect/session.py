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

from srmscan.errors import ScanSetupError  # re-exported: callers import it from here too

DEFAULT_REGION = "us-east-1"
_ACCOUNT_LABEL = re.compile(r"^\d{12}\.")


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
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.tuning = tuning or Tuning()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
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
        return self.session.region_name or DEFAULT_REGION

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
        """(account id, partition) from STS; the first call, so credential problems surface here."""
        try:
            answer = self.client("sts", self.home_region).get_caller_identity()
        except NoCredentialsError as exc:
            raise ScanSetupError("no AWS credentials found (profile, environment, SSO or instance role)") from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Error")
            raise ScanSetupError(f"AWS rejected the credentials: {code}") from exc
        except BotoCoreError as exc:
            raise ScanSetupError(f"cannot reach AWS: {exc}") from exc
        arn = str(answer.get("Arn", "arn:aws:"))
        partition = arn.split(":")[1] if arn.count(":") >= 2 else "aws"
        return str(answer["Account"]), partition or "aws"

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
