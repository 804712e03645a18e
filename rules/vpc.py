"""VPC networking: subnets, security groups and flow logs. AWS runs the network; what it lets in is ours."""

from srmscan.rules_api import (
    CRITICAL,
    CUSTOMER,
    HIGH,
    MEDIUM,
    SERVICE_CONFIG,
    fail,
    passed,
    rule,
)

SUBNET = "AWS::EC2::Subnet"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
VPC = "AWS::EC2::VPC"
WORLD = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
# FSBP EC2.19's high-risk list (SSH and RDP are reported by vpc.sg_admin_ports_open instead),
# plus Redis, Memcached and MongoDB, which are database ports in all but name.
HIGH_RISK_PORTS = {
    20: "FTP data",
    21: "FTP",
    23: "Telnet",
    25: "SMTP",
    110: "POP3",
    135: "RPC",
    143: "IMAP",
    445: "SMB",
    1433: "SQL Server",
    1434: "SQL Server browser",
    3000: "dev servers",
    3306: "MySQL",
    4333: "mSQL",
    5000: "dev servers",
    5432: "PostgreSQL",
    5500: "VNC",
    5601: "Kibana",
    6379: "Redis",
    8080: "HTTP proxy",
    8088: "HTTP alt",
    8888: "HTTP alt",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}


def _perm(port=None, cidr="0.0.0.0/0", protocol="tcp"):
    return {
        "protocol": protocol,
        "from_port": port,
        "to_port": port,
        "cidrs": [cidr],
        "prefix_lists": [],
        "groups": [],
    }


def _open_ports(ingress, ports):
    """(port, label, source) for each listed port that a rule opens to the whole internet."""
    hits = []
    for perm in ingress or []:
        world = [c for c in perm.get("cidrs", []) if c in WORLD]
        if not world:
            continue
        protocol = str(perm.get("protocol"))
        if protocol not in ("-1", "tcp", "udp", "6", "17"):
            continue
        low, high = perm.get("from_port"), perm.get("to_port")
        for port, label in ports.items():
            if protocol == "-1" or low is None or (low <= port <= (high if high is not None else low)):
                hits.append({"port": port, "service": label, "sources": world, "protocol": protocol})
    return hits


def _summary(hits):
    seen = {}
    for h in hits:
        seen.setdefault(h["port"], h)
    return ", ".join(f"{p} ({h['service']}) from {'/'.join(h['sources'])}" for p, h in sorted(seen.items()))


def _exposed(r, ports, closed):
    """Fail naming every listed port the group opens to the internet; `closed` is the passing text."""
    hits = _open_ports(r["ingress"], ports)
    if hits:
        return fail("Open to the internet: " + _summary(hits), open=hits)
    return passed(closed)


@rule(
    id="vpc.sg_admin_ports_open",
    title="Security group does not open SSH or RDP to the internet",
    resource_type=SECURITY_GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=HIGH,
    fsbp=["EC2.13", "EC2.14"],
    cis=["5.2", "5.3"],
    rationale="""Remote administration ports open to 0.0.0.0/0 or ::/0 are scanned within minutes of exposure;
    one weak key or unpatched daemon is then a way in.""",
    remediation="""Revoke the rule (aws ec2 revoke-security-group-ingress --group-id SG --protocol tcp --port 22
    --cidr 0.0.0.0/0) and use SSM Session Manager, or allow a known office/VPN range only.""",
    failing={"ingress": [_perm(22)]},
    passing={"ingress": [_perm(22, cidr="10.0.0.0/8"), _perm(443)]},
)
def sg_admin_ports_open(r, inv):
    return _exposed(r, ADMIN_PORTS, "SSH and RDP are not open to the internet")


@rule(
    id="vpc.sg_high_risk_ports_open",
    title="Security group does not open high-risk ports (databases, file sharing, dev servers) to the internet",
    resource_type=SECURITY_GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=CRITICAL,
    fsbp=["EC2.19"],
    rationale="""Database, cache, file-sharing and development ports are not meant to face the internet; they
    are the first thing automated scanners try. All-traffic rules (-1) open every one of them.""",
    remediation="""Revoke the rule and allow only the security group of the clients that need the port
    (--source-group), or a private CIDR.""",
    failing={"ingress": [_perm(None, protocol="-1")]},
    passing={"ingress": [_perm(443), _perm(5432, cidr="10.0.0.0/16")]},
)
def sg_high_risk_ports_open(r, inv):
    return _exposed(r, HIGH_RISK_PORTS, "No high-risk port is open to the internet")


@rule(
    id="vpc.default_sg_restricts_all",
    title="Default security group allows no traffic",
    resource_type=SECURITY_GROUP,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EC2.2"],
    cis=["5.4"],
    where=lambda r: bool(r.get("is_default")),
    rationale="""Anything launched without an explicit group lands in the VPC's default group; if it allows
    traffic, forgetting one parameter silently opens a resource to its neighbours or the internet.""",
    remediation="""Remove every inbound and outbound rule from each VPC's default group (it cannot be deleted)
    and give resources purpose-built groups.""",
    failing={
        "is_default": True,
        "ingress": [{"protocol": "-1", "groups": ["sg-default"], "cidrs": [], "prefix_lists": []}],
        "egress": [_perm(None, protocol="-1")],
    },
    passing={"is_default": True, "ingress": [], "egress": []},
)
def default_sg_restricts_all(r, inv):
    ingress, egress = r["ingress"] or [], r["egress"] or []
    if ingress or egress:
        return fail(
            f"The default security group has {len(ingress)} inbound and {len(egress)} outbound rule(s)",
            inbound=len(ingress),
            outbound=len(egress),
        )
    return passed("The default security group has no rules")


@rule(
    id="vpc.subnet_auto_public_ip",
    title="Subnet does not auto-assign public IPv4 addresses",
    resource_type=SUBNET,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EC2.15"],
    rationale="""With MapPublicIpOnLaunch on, every instance launched into the subnet gets a public address
    unless the launcher remembers to refuse it; in a public subnet that makes it reachable.""",
    remediation="aws ec2 modify-subnet-attribute --subnet-id SUBNET --no-map-public-ip-on-launch",
    failing={"map_public_ip_on_launch": True, "public": True, "default_for_az": False},
    passing={"map_public_ip_on_launch": False, "public": True, "default_for_az": False},
)
def subnet_auto_public_ip(r, inv):
    if not r["map_public_ip_on_launch"]:
        return passed("The subnet does not auto-assign public IPs", public=r.get("public"))
    where = "a public subnet (internet-gateway route)" if r.get("public") else "a subnet without an internet route"
    default = " (a default subnet)" if r.get("default_for_az") else ""
    return fail(f"Auto-assigns public IPs in {where}{default}", public=r.get("public"))


@rule(
    id="vpc.flow_logs",
    title="VPC has flow logs enabled",
    resource_type=VPC,
    owner=CUSTOMER,
    layer=SERVICE_CONFIG,
    severity=MEDIUM,
    fsbp=["EC2.6"],
    cis=["3.7"],
    rationale="""Flow logs are the only record of which addresses talked to what inside the VPC; after an
    exposure (an open port, a leaked key) they answer "was it used?".""",
    remediation="""aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC --traffic-type REJECT
    (or ALL) --log-destination-type s3 --log-destination arn:aws:s3:::LOG_BUCKET""",
    failing={"flow_logs": []},
    passing={"flow_logs": [{"id": "fl-1", "status": "ACTIVE", "traffic_type": "ALL"}]},
)
def flow_logs(r, inv):
    logs = r["flow_logs"] or []
    active = [f for f in logs if f.get("status") in (None, "ACTIVE")]
    if active:
        return passed("Flow logs: " + ", ".join(str(f.get("id")) for f in active), flow_logs=active)
    if logs:
        return fail("Flow logs exist but none is active", flow_logs=logs)
    return fail("The VPC has no flow logs")
