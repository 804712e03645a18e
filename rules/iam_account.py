"""The account's root user and password policy: identity is always our side of the line."""

from srmscan.rules_api import (
    ACCOUNT_TYPE,
    CRITICAL,
    CUSTOMER,
    IAM,
    MEDIUM,
    account_wide,
    fail,
    passed,
    rule,
)

MIN_LENGTH = 14
MIN_REUSE = 24


def _root_row(r):
    for row in r.get("credential_report") or []:
        if row.get("user") == "<root_account>":
            return row
    return None


ROOT_ROW_CREDENTIALS = ("access_key_1_active", "access_key_2_active", "cert_1_active", "cert_2_active")
NO_ROOT_CREDENTIALS = (
    "The root user has no credentials: no password, MFA device, access keys or signing certificates "
    "(as after centralized root access removed them), so there is nothing for MFA to protect"
)


def _root_has_no_credentials(r):
    """True only when IAM says outright that the root user holds no credential at all.

    GetAccountSummary reports AccountPasswordPresent only since centralized root access (2024): an
    answer without it is "not seen", never "no password". The credential report's root row, when it
    could be read, must agree (no active key or certificate)."""
    summary = r["account_summary"]
    if "AccountPasswordPresent" not in summary:
        return False
    keys = ("AccountPasswordPresent", "AccountMFAEnabled", "AccountAccessKeysPresent")
    if any(int(summary.get(k) or 0) for k in keys) or int(summary.get("AccountSigningCertificatesPresent") or 0):
        return False
    root = _root_row(r) if r.readable("credential_report") else None
    return not (root and any(root.get(col) == "true" for col in ROOT_ROW_CREDENTIALS))


_NO_CREDENTIALS = {
    "account_summary": {
        "AccountMFAEnabled": 0,
        "AccountPasswordPresent": 0,
        "AccountAccessKeysPresent": 0,
        "AccountSigningCertificatesPresent": 0,
    }
}


@rule(
    id="iam.root_mfa",
    title="The root user has MFA enabled",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="iam",
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    fsbp=["IAM.9"],
    cis=["1.5"],
    rationale="""The root user can do anything, including closing the account; a password alone is
    one phishing email away from that. AWS provides MFA; enabling it is ours. A root user whose
    credentials were all removed (IAM reports no password, MFA, access keys or certificates) has
    nothing to protect and passes with that said.""",
    remediation="""Console (signed in as root): IAM > Security credentials > Assign MFA device; prefer a
    hardware or passkey device (IAM.6). In an AWS Organizations member account, centralized root
    access can remove the root user's credentials altogether.""",
    failing={"account_summary": {"AccountMFAEnabled": 0}},
    passing=_NO_CREDENTIALS,
)
def root_mfa(r, inv):
    enabled = int(r["account_summary"].get("AccountMFAEnabled", 0))
    if not enabled and _root_has_no_credentials(r):
        return passed(NO_ROOT_CREDENTIALS)
    if not enabled:
        return fail("The root user has no MFA device")
    return passed("The root user has MFA")


@rule(
    id="iam.root_access_keys",
    title="The root user has no access keys",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="iam",
    owner=CUSTOMER,
    layer=IAM,
    severity=CRITICAL,
    fsbp=["IAM.4"],
    cis=["1.4"],
    rationale="Root access keys are unrestrictable long-lived credentials; a leaked one is a lost account.",
    remediation="Console (signed in as root): IAM > Security credentials > Access keys > Delete.",
    failing={"account_summary": {"AccountAccessKeysPresent": 1}},
    passing={"account_summary": {"AccountAccessKeysPresent": 0}},
)
def root_access_keys(r, inv):
    present = int(r["account_summary"].get("AccountAccessKeysPresent", 0))
    root = _root_row(r) if r.readable("credential_report") else None
    if root and (root.get("access_key_1_active") == "true" or root.get("access_key_2_active") == "true"):
        present = 1
    if present:
        return fail("The root user has active access keys")
    return passed("The root user has no access keys")


@rule(
    id="iam.password_policy",
    title="The account password policy is strong",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="iam",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["IAM.7"],
    cis=["1.8", "1.9"],
    rationale="""IAM users with console passwords are only as safe as the policy that shapes those
    passwords. CIS asks for at least 14 characters and no reuse of the last 24.""",
    remediation="""CLI: aws iam update-account-password-policy --minimum-password-length 14
    --password-reuse-prevention 24 --require-symbols --require-numbers --require-uppercase-characters
    --require-lowercase-characters""",
    failing={"password_policy": None},
    passing={
        "password_policy": {
            "MinimumPasswordLength": 14,
            "PasswordReusePrevention": 24,
            "RequireSymbols": True,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
        }
    },
)
def password_policy(r, inv):
    policy = r["password_policy"]
    if not policy:
        return fail("No account password policy is set (AWS defaults allow 8-character passwords)")
    problems = []
    if int(policy.get("MinimumPasswordLength", 0)) < MIN_LENGTH:
        problems.append(f"minimum length {policy.get('MinimumPasswordLength')} < {MIN_LENGTH}")
    if int(policy.get("PasswordReusePrevention", 0) or 0) < MIN_REUSE:
        problems.append(f"reuse prevention {policy.get('PasswordReusePrevention', 0)} < {MIN_REUSE}")
    for key, label in (
        ("RequireSymbols", "symbols"),
        ("RequireNumbers", "numbers"),
        ("RequireUppercaseCharacters", "uppercase"),
        ("RequireLowercaseCharacters", "lowercase"),
    ):
        if not policy.get(key):
            problems.append(f"{label} not required")
    if problems:
        return fail("Password policy is weak: " + "; ".join(problems), problems=problems)
    return passed("Password policy meets CIS length, reuse and complexity")


# --- root: hardware MFA (IAM.6) --------------------------------------------------------------
@rule(
    id="iam.root_hardware_mfa",
    title="The root user's MFA is a hardware device",
    resource_type=ACCOUNT_TYPE,
    where=account_wide,
    service="iam",
    owner=CUSTOMER,
    layer=IAM,
    severity=MEDIUM,
    fsbp=["IAM.6"],
    cis=["1.6"],
    rationale="""A virtual MFA app lives on a phone that can be cloned, backed up to the cloud or lost
    with its seed; a hardware key (FIDO security key or hardware TOTP token) cannot be copied. Reported
    separately from iam.root_mfa (no MFA at all), at lower severity. The virtual-MFA listing is what
    tells the two apart: if it could not be read, this is unknown. A root user with no credentials at
    all (removed centrally) passes with that said.""",
    remediation="""Signed in as root: IAM > Security credentials > Assign MFA device > Security key or
    Hardware TOTP token, then remove the virtual device.""",
    failing={"account_summary": {"AccountMFAEnabled": 1}, "root_virtual_mfa": True},
    passing={"account_summary": {"AccountMFAEnabled": 1}, "root_virtual_mfa": False},
)
def root_hardware_mfa(r, inv):
    if _root_has_no_credentials(r):
        return passed(NO_ROOT_CREDENTIALS)
    if not int(r["account_summary"].get("AccountMFAEnabled", 0) or 0):
        return fail("The root user has no MFA at all (see iam.root_mfa), so no hardware MFA either")
    if r["root_virtual_mfa"]:
        return fail("The root user's MFA is a virtual device, not a hardware key")
    return passed("The root user has MFA and it is not a virtual device")
