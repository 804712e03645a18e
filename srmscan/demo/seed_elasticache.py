"""ElastiCache: a sessions cache done right (Valkey, failover, encrypted, RBAC-free but AUTH on,
backups) and a leaderboard cache done in a hurry (no failover, no encryption, no AUTH, no
backups, minor upgrades off), plus a standalone Redis OSS 5 node past its standard support.

moto serves both listings; it leaves AutoMinorVersionUpgrade, encryption and subnet-group
members out of cache clusters, so the standalone node's settings are reported `unknown` by
the scanner, as they would be for a real answer that omitted them.
"""

from __future__ import annotations

from srmscan.demo.account import DemoWorld

ORDER = 56
REGION = "eu-west-1"
GOOD = "acme-sessions-cache"
BAD = "acme-leaderboard"
OLD = "acme-legacy-redis"


def seed(world: DemoWorld) -> None:
    cache = world.client("elasticache", REGION)
    common = {"CacheNodeType": "cache.t4g.small", "NumCacheClusters": 2}
    cache.create_replication_group(
        ReplicationGroupId=GOOD,
        ReplicationGroupDescription="web sessions",
        Engine="valkey",
        EngineVersion="8.0",
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        AuthToken="demo-auth-token-not-real-0001",
        SnapshotRetentionLimit=7,
        AutoMinorVersionUpgrade=True,
        **common,
    )
    cache.create_replication_group(
        ReplicationGroupId=BAD,
        ReplicationGroupDescription="game leaderboard",
        Engine="redis",
        EngineVersion="7.1",
        AutomaticFailoverEnabled=False,
        AtRestEncryptionEnabled=False,
        TransitEncryptionEnabled=False,
        SnapshotRetentionLimit=0,
        AutoMinorVersionUpgrade=False,
        **common,
    )
    cache.create_cache_cluster(
        CacheClusterId=OLD, Engine="redis", EngineVersion="5.0.6", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    world.ids["elasticache"] = [GOOD, BAD, OLD]
