"""Full administrative access (Action * on Resource *), reported per user, group and role.

Who holds admin is the customer's to decide and to narrow: AWS publishes AdministratorAccess,
but attaching it (or an inline */* policy) to a principal is ours. A policy that could not be
read makes the verdict unknown, never a pass.
"""

from srmscan.evaluate.policy import as_list, is_full_admin, statements
from srmscan.rules_api import (
    CUSTOMER,
    HIGH,
    IAM,
    MEDIUM,
    Example,
    Resource,
    Target,
    fail,
    passed,
    rule,
    unknown,
)

USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
ROLE = "AWS::IAM::Role"
POLICY = "AWS::IAM::Policy"

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
}


# --- helpers ---------------------------------------------------------------------------------
def _admin_statement(statement):
    """Allow `*` (or `*:*`) on Resource `*`: full administrative access (FSBP IAM.1)."""
    if is_full_admin(statement):
        return True
    if statement.get("Effect") != "Allow":
        return False
    actions = [str(a) for a in as_list(statement.get("Action"))]
    resources = [str(x) for x in as_list(statement.get("Resource"))]
    return "*:*" in actions and "*" in resources


def _admin_grants(r, inv):
    """(policies granting full admin, policies that could not be read) for one principal."""
    admin, unreadable = [], []
    for inline in r["inline_policies"] or []:
        label = {"kind": "inline", "name": inline.get("name")}
        if inline.get("malformed") or not isinstance(inline.get("document"), dict):
            unreadable.append({**label, "problem": inline.get("malformed") or "no document"})
        elif any(_admin_statement(s) for s in statements(inline["document"])):
            admin.append(label)
    for arn in r["attached_policies"] or []:
        policy = inv.find(POLICY, arn)
        kind = "aws-managed" if ":aws:policy/" in str(arn) else "customer-managed"
        label = {"kind": kind, "arn": arn}
        if policy is None:
            unreadable.append({**label, "problem": "the attached policy is not in the inventory"})
            continue
        doc = policy["document"] or {}
        if doc.get("malformed") or not isinstance(doc.get("document"), dict):
            unreadable.append({**label, "problem": doc.get("malformed") or "no document"})
        elif any(_admin_statement(s) for s in statements(doc["document"])):
            admin.append(label)
    return admin, unreadable


def _full_admin_verdict(r, inv, what, **extra):
    admin, unreadable = _admin_grants(r, inv)
    if admin:
        names = ", ".join(str(a.get("name") or str(a.get("arn")).rsplit("/", 1)[-1]) for a in admin)
        boundary = r.get("permissions_boundary")
        if boundary:
            return fail(
                f"{what} has full administrative access (Action * on Resource *) through {names}; "
                "a permissions boundary may narrow it",
                severity=MEDIUM,
                admin_policies=admin,
                permissions_boundary=boundary,
                **extra,
            )
        return fail(
            f"{what} has full administrative access (Action * on Resource *) through {names}",
            admin_policies=admin,
            **extra,
        )
    if unreadable:
        return unknown(
            f"{what} has policies that could not be read, so full admin access cannot be ruled out",
            unreadable_policies=unreadable,
        )
    return passed(f"No policy attached to {what.lower()} allows Action * on Resource *")


def _user(**attrs):
    """A user as the IAM collector records it, with only what these rules read."""
    return {"groups": [], "attached_policies": [], "inline_policies": [], "permissions_boundary": None, **attrs}


# --- full administrative access, reported per principal --------------------------------------
def _admin_related():
    return (Resource(type=POLICY, id=ADMIN_ARN, region="global", attrs={"document": {"document": ADMIN_DOC}}),)


FULL_ADMIN_RATIONALE = """A policy allowing Action "*" on Resource "*" makes its holder an
administrator of the whole account, including IAM itself. Reported per user, group or role (inline
and managed policies, including AWS's AdministratorAccess), because that is what someone has to change.
A policy that could not be read makes the verdict unknown, never a pass."""


# Who holds the policy, in the finding's words.
_HOLDER = {USER: "The user", GROUP: "The group", ROLE: "The role"}


@rule(
    id="iam.user_full_admin",
    title="IAM users do not hold full administrative (*:*) policies",
    resource_type=USER,
    owner=CUSTOMER,
    layer=IAM,
    severity=HIGH,
    fsbp=["IAM.1"],
    cis=["1.16"],
    rationale=FULL_ADMIN_RATIONALE,
    remediation="""Detach AdministratorAccess or the */* policy from the user and grant the actions the
    job needs (IAM Access Analyzer can generate a policy from CloudTrail activity). Keep admin behind a role
    assumed with MFA: aws iam detach-user-policy --user-name USER --policy-arn ARN.""",
    failing=Example(_user(attached_policies=[ADMIN_ARN]), related=_admin_related()),
    passing=_user(inline_policies=[{"name": "read-reports", "document": SCOPED_DOC, "malformed": None}]),
    also=[
        Target(
            GROUP,
            id="iam.group_full_admin",
            title="IAM groups do not grant full administrative (*:*) policies",
            fsbp=["IAM.1"],
            cis=["1.16"],
            remediation="""Replace the */* policy on the group with scoped policies, or make the admins assume
            an admin role with MFA instead: aws iam detach-group-policy --group-name GROUP --policy-arn ARN.""",
            failing=Example(
                {"attached_policies": [ADMIN_ARN], "inline_policies": [], "members": ["alice"]},
                related=_admin_related(),
            ),
            passing={"attached_policies": [], "inline_policies": [], "members": ["alice"]},
        ),
        Target(
            ROLE,
            id="iam.role_full_admin",
            title="IAM roles do not hold full administrative (*:*) policies",
            fsbp=["IAM.1"],
            cis=["1.16"],
            remediation="""Scope the role to what its workload does; if it is a human admin role, keep it but
            require MFA in its trust policy and mute this finding with the reason.
            aws iam detach-role-policy --role-name ROLE --policy-arn ARN.""",
            failing=Example(
                {"attached_policies": [ADMIN_ARN], "inline_policies": [], "service_linked": False},
                related=_admin_related(),
            ),
            passing={"attached_policies": [], "inline_policies": [], "service_linked": False},
        ),
    ],
)
def full_admin(r, inv):
    """One check for users, groups and roles: the same grants make each of them an administrator."""
    if r.type == ROLE and r.get("service_linked"):
        return None  # AWS defines and maintains service-linked roles' policies
    extra = {"members": r.get("members") or []} if r.type == GROUP else {}
    return _full_admin_verdict(r, inv, _HOLDER[r.type], **extra)
