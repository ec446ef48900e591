#!/usr/bin/env python3
"""Write SampleLogs/: a small, realistic CloudTrail archive with planted Secrets Manager incidents.

The archive uses the S3 delivery layout
  SampleLogs/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
      <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
two accounts (prod, staging), two regions (us-east-1, eu-west-1), ten days of background activity
(EC2, S3, IAM, STS, sign-in, SSM, KMS, Secrets Manager) and a list of incidents that the shipped
rules must alert on. Everything is deterministic: a fixed seed, fixed timestamps, gzip with
mtime=0, so running the script twice gives identical bytes.

Outputs:
  SampleLogs/AWSLogs/...                                    the archive (+ two CloudTrail-Digest files)
  SampleLogs/README.md                                      what is inside and the incident list
  Tests/TrailwatchCLITests/Fixtures/sample-incidents.json   the same list, machine-readable, for tests

Usage: python3 Scripts/make-sample-logs.py [--out SampleLogs] [--truth PATH] [--seed N]
Python 3 standard library only.
"""

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import random
import shutil
import string

SEED = 20250901
START = int(dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc).timestamp())
DAYS = 10
DAY = 86400
HOUR = 3600
MIN = 60

PROD = "428471960213"
STAGING = "739205118846"
ACCOUNT_NAMES = {PROD: "prod", STAGING: "staging"}
USE1 = "us-east-1"
EUW1 = "eu-west-1"
REGIONS = [USE1, EUW1]
ORG_ID = "o-7k2xq9m4vd"
TRAIL = "org-management-events"
BUCKET = "acme-cloudtrail-logs-428471960213"

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits

# Secrets per (account, region). The 6-character ARN suffix is derived from the seed.
SECRETS = {
    (PROD, USE1): [
        "prod/payments/db-password", "prod/payments/stripe-api-key", "prod/orders/db-password",
        "prod/orders/kafka-credentials", "prod/reporting/warehouse-password",
        "prod/reporting/looker-api-token", "prod/auth/jwt-signing-key", "prod/auth/oauth-client-secret",
        "prod/notifications/smtp-password", "prod/notifications/twilio-auth-token",
        "prod/search/opensearch-master", "prod/billing/db-password", "prod/billing/avalara-api-key",
        "prod/inventory/db-password", "prod/shipping/fedex-api-key", "prod/shipping/ups-oauth-secret",
        "prod/cdn/signing-key", "prod/datadog/api-key", "prod/pagerduty/integration-key",
        "prod/github/deploy-app-key", "prod/redis/auth-token", "prod/sso/scim-token",
        "shared/artifactory-token", "rds!db-3f9c1a2e-7b64-4d7e-9a51-0c2f8e6d4b17",
    ],
    (PROD, EUW1): [
        "prod/payments/db-password", "prod/orders/db-password", "prod/auth/jwt-signing-key",
        "prod/gdpr/export-bucket-key", "prod/notifications/smtp-password", "prod/redis/auth-token",
        "prod/search/opensearch-master", "prod/eu-vat/api-key",
    ],
    (STAGING, USE1): [
        "staging/payments/db-password", "staging/orders/db-password", "staging/auth/jwt-signing-key",
        "staging/reporting/warehouse-password", "staging/ci/npm-token", "staging/ci/dockerhub-password",
        "staging/load-test/api-key", "staging/notifications/smtp-password",
        "staging/feature-flags/launchdarkly-sdk-key", "staging/qa/test-user-passwords",
    ],
    (STAGING, EUW1): [
        "staging/payments/db-password", "staging/auth/jwt-signing-key", "staging/eu-vat/api-key",
        "staging/gdpr/export-bucket-key",
    ],
}
# Created during the sample (day 1) with a customer managed key.
LEDGER_SECRET = "prod/ledger/signing-key"

UA_JAVA = ("aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS "
           "Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy")
UA_BOTO = ("Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220-209.869.amzn2.x86_64 md/arch#x86_64 "
           "lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144")
UA_GO = ("aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 "
         "api/secretsmanager#1.32.3")
UA_NODE = "aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.219 lang/js md/nodejs#20.15.1 api/secrets-manager#3.614.0"
UA_TF = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 "
         "md/GOOS#linux md/GOARCH#amd64")
UA_CLI = ("aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 "
          "md/pyimpl#CPython cmd/{cmd}")
UA_BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/128.0.0.0 Safari/537.36")
UA_ESO = "external-secrets/v0.10.0 aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)"
UA_SSM = "aws-sdk-go/1.44.327 (go1.21.5; linux; amd64) amazon-ssm-agent/3.3.484.0"


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def java_date(t):
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    hour = d.hour % 12 or 12
    return f"{d.strftime('%b')} {d.day}, {d.year}, {hour}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}"


class Principal:
    """An actor. `kind` is AssumedRole, IAMUser, Root or WebIdentityUser."""

    def __init__(self, gen, kind, account, name, *, path="", session=None, ua=UA_BOTO, ip=None,
                 vpce=None, console=False, sso=False):
        self.gen, self.kind, self.account, self.name = gen, kind, account, name
        self.path, self.session, self.ua, self.ip, self.vpce = path, session, ua, ip, vpce
        self.console, self.sso = console, sso
        self.unique_id = gen.stable_id("AROA" if kind == "AssumedRole" else "AIDA", account + name)
        self.access_key = gen.stable_id("AKIA", account + name + "key", 16)

    @property
    def arn(self):
        if self.kind == "AssumedRole":
            return f"arn:aws:iam::{self.account}:role/{self.path}{self.name}"
        if self.kind == "Root":
            return f"arn:aws:iam::{self.account}:root"
        return f"arn:aws:iam::{self.account}:user/{self.path}{self.name}"

    def session_name(self, t):
        if self.session is not None:
            return self.session(t) if callable(self.session) else self.session
        return "session"

    def identity(self, t, invoked_by=None):
        g = self.gen
        if self.kind == "AssumedRole":
            session = self.session_name(t)
            created = t - (t % HOUR) if not self.sso else t - (t % (8 * HOUR))
            ident = {
                "type": "AssumedRole",
                "principalId": f"{self.unique_id}:{session}",
                "arn": f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{session}",
                "accountId": self.account,
                "accessKeyId": g.stable_id("ASIA", f"{self.name}{session}{created}", 16),
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": self.unique_id, "arn": self.arn,
                                      "accountId": self.account, "userName": self.name},
                    "webIdFederationData": {},
                    "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
                },
            }
        elif self.kind == "IAMUser":
            ident = {"type": "IAMUser", "principalId": self.unique_id, "arn": self.arn, "accountId": self.account,
                     "accessKeyId": self.access_key, "userName": self.name}
        elif self.kind == "Root":
            ident = {"type": "Root", "principalId": self.account, "arn": self.arn, "accountId": self.account,
                     "accessKeyId": g.stable_id("ASIA", f"root{t - t % HOUR}", 16),
                     "sessionContext": {"attributes": {"creationDate": iso(t - t % HOUR - 7 * MIN),
                                                       "mfaAuthenticated": "true"}}}
        else:
            raise ValueError(self.kind)
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def address(self, t):
        if callable(self.ip):
            return self.ip(t)
        return self.ip or "198.51.100.23"


class Secret:
    def __init__(self, account, region, name, suffix, kms_key=None):
        self.account, self.region, self.name, self.suffix = account, region, name, suffix
        self.kms_key = kms_key  # key ARN; None = aws/secretsmanager
        self.version = None

    @property
    def arn(self):
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{self.name}-{self.suffix}"

    @property
    def partial_arn(self):
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{self.name}"

    def ref(self, form):
        return {"name": self.name, "arn": self.arn, "partial": self.partial_arn}[form]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.records = []  # (account, region, time, record, delay)
        self.incidents = []
        self.secrets = {}
        self.keys = {}
        self.managed_keys = {}
        for (acct, region), names in SECRETS.items():
            self.managed_keys[(acct, region)] = self.key_arn(acct, region)
            for name in names:
                self.secrets[(acct, region, name)] = Secret(acct, region, name, self.suffix())
        self.dead = {}  # (acct, region, name) -> time after which reads fail
        self.pending_delete = {}  # (acct, region, name) -> (from, until)

    # ---- ids ---------------------------------------------------------------------------------
    def uuid(self):
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def suffix(self):
        return "".join(self.rng.choice(ALNUM) for _ in range(6))

    def stable_id(self, prefix, seed_text, length=17):
        digest = hashlib.sha256(f"{SEED}:{seed_text}".encode()).digest()
        return prefix + "".join(UPPER_ALNUM[b % 36] for b in digest[:length])

    def key_arn(self, acct, region):
        return f"arn:aws:kms:{region}:{acct}:key/{self.uuid()}"

    # ---- record assembly -----------------------------------------------------------------------
    def emit(self, t, account, region, identity, source, name, params, response, *, ip, ua,
             error=None, read_only=None, event_type="AwsApiCall", additional=None, resources=None,
             tls=True, vpce=None, version=None, shared=None, recipient=None, console=False,
             request_id=None, delay=0, category="Management"):
        t = int(t)
        svc = source.split(".")[0]
        if version is None:
            version = {"secretsmanager": "1.10", "kms": "1.10", "ec2": "1.10", "iam": "1.09", "sts": "1.08",
                       "signin": "1.09", "s3": "1.09", "ssm": "1.08", "logs": "1.09"}.get(svc, "1.09")
            if event_type == "AwsServiceEvent":
                version = "1.11"
        rec = {"eventVersion": version, "userIdentity": identity, "eventTime": iso(t), "eventSource": source,
               "eventName": name, "awsRegion": region, "sourceIPAddress": ip}
        if ua is not None:
            rec["userAgent"] = ua
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        if additional is not None:
            rec["additionalEventData"] = additional
        rec["requestID"] = request_id or self.uuid()
        rec["eventID"] = self.uuid()
        if read_only is not None:
            rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        if svc == "ec2" and event_type == "AwsApiCall":
            rec["apiVersion"] = "2016-11-15"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = recipient or account
        if shared:
            rec["sharedEventID"] = shared
        if vpce:
            rec["vpcEndpointId"] = vpce
        rec["eventCategory"] = category
        if tls and ip and ip[0].isdigit():
            host = f"{svc}.{region}.amazonaws.com"
            if svc in ("iam", "signin"):
                host = "iam.amazonaws.com" if svc == "iam" else "signin.aws.amazon.com"
            rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                                 "clientProvidedHostHeader": host}
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        self.records.append((recipient or account, region, t, rec, delay))
        return rec

    # ---- Secrets Manager building blocks ---------------------------------------------------------
    def sm_ip(self, p, t, region):
        if p.vpce:
            return f"10.{20 if region == USE1 else 40}.{self.rng.randint(1, 60)}.{self.rng.randint(2, 250)}"
        return p.address(t)

    def kms_decrypt(self, t, p, secret, version_id, caller_account=None):
        """The KMS Decrypt that Secrets Manager makes for the caller; recorded in the key's account."""
        key = secret.kms_key or self.managed_keys[(secret.account, secret.region)]
        ident = p.identity(t, invoked_by="secretsmanager.amazonaws.com")
        return self.emit(t, secret.account, secret.region, ident, "kms.amazonaws.com", "Decrypt",
                         {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                          "encryptionContext": {"SecretARN": secret.arn, "SecretVersionId": version_id}},
                         None, ip="secretsmanager.amazonaws.com", ua="secretsmanager.amazonaws.com",
                         read_only=True, tls=False,
                         resources=[{"accountId": secret.account, "type": "AWS::KMS::Key", "ARN": key}])

    def get_secret(self, t, p, secret, form="name", *, error=None, stage=None, region=None, decrypt=True):
        region = region or secret.region
        params = {"secretId": secret.ref(form)}
        if stage:
            params["versionStage"] = stage
        key = (secret.account, secret.region, secret.name)
        if error is None and key in self.dead and t >= self.dead[key]:
            error = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        if error is None and key in self.pending_delete:
            a, b = self.pending_delete[key]
            if a <= t < b:
                error = ("InvalidRequestException", "You can't perform this operation on the secret because "
                                                    "it was marked for deletion.")
        ident = p.identity(t)
        recipient = secret.account
        rec = self.emit(t, secret.account, region, ident, "secretsmanager.amazonaws.com", "GetSecretValue",
                        params, None, ip=self.sm_ip(p, t, region), ua=p.ua, error=error, read_only=True,
                        vpce=p.vpce, console=p.console, recipient=recipient,
                        shared=self.uuid() if p.account != secret.account else None)
        if p.account != secret.account:
            # Cross-account call: the caller's account receives its own copy of the event.
            copy = json.loads(json.dumps(rec))
            copy["eventID"] = self.uuid()
            copy["recipientAccountId"] = p.account
            self.records.append((p.account, region, int(t), copy, 0))
        if error is None and decrypt:
            if secret.version is None:
                secret.version = self.uuid()
            self.kms_decrypt(t, p, secret, secret.version)
        return rec

    def describe_secret(self, t, p, secret, form="name"):
        ident = p.identity(t)
        return self.emit(t, secret.account, secret.region, ident, "secretsmanager.amazonaws.com", "DescribeSecret",
                         {"secretId": secret.ref(form)}, None, ip=self.sm_ip(p, t, secret.region), ua=p.ua,
                         read_only=True, vpce=p.vpce, console=p.console)

    def list_secrets(self, t, p, account, region, **kw):
        params = {"maxResults": 100} if self.rng.random() < 0.5 else {}
        return self.emit(t, account, region, p.identity(t), "secretsmanager.amazonaws.com", "ListSecrets",
                         params or None, None, ip=p.address(t), ua=p.ua, read_only=True, console=p.console, **kw)

    def service_event(self, t, secret, name, *, error_message=None, request_prefix=None):
        ident = {"accountId": secret.account, "invokedBy": "secretsmanager.amazonaws.com"}
        rid = f"{request_prefix}-{secret.arn}-{self.uuid()}" if request_prefix else self.uuid()
        rec = self.emit(t, secret.account, secret.region, ident, "secretsmanager.amazonaws.com", name, None, None,
                        ip="secretsmanager.amazonaws.com", ua="secretsmanager.amazonaws.com",
                        additional={"SecretId": secret.arn}, read_only=False, event_type="AwsServiceEvent",
                        tls=False, request_id=rid)
        if error_message:
            # Service events carry errorMessage without errorCode; keep CloudTrail's key order.
            rebuilt = {}
            for k, v in rec.items():
                rebuilt[k] = v
                if k == "userAgent":
                    rebuilt["errorMessage"] = error_message
            rec.clear()
            rec.update(rebuilt)
        return rec

    # ---- other services ------------------------------------------------------------------------
    def generic(self, t, p, account, region, source, name, params=None, response=None, read_only=True, **kw):
        ident = p.identity(t, invoked_by=kw.pop("invoked_by", None))
        ip = kw.pop("ip", None) or p.address(t)
        ua = kw.pop("ua", p.ua)
        return self.emit(t, account, region, ident, source, name, params, response, ip=ip, ua=ua,
                         read_only=read_only, console=p.console, **kw)


# ================================================================================================
# The scenario
# ================================================================================================

def build(gen):
    rng = gen.rng
    S = lambda acct, region, name: gen.secrets[(acct, region, name)]  # noqa: E731

    def hexid(n):
        return "".join(rng.choice("0123456789abcdef") for _ in range(n))

    ecs_task = {}

    def ecs_session(app):
        def f(t):
            day = int((t - START) // DAY)
            return ecs_task.setdefault((app, day), hexid(32))
        return f

    def ec2_session(ids):
        def f(t):
            return ids[int((t - START) // (2 * DAY)) % len(ids)]
        return f

    def role(acct, name, **kw):
        return Principal(gen, "AssumedRole", acct, name, **kw)

    def sso(acct, perm, suffix, user, ip):
        return Principal(gen, "AssumedRole", acct, f"AWSReservedSSO_{perm}_{suffix}",
                         path=f"aws-reserved/sso.amazonaws.com/{USE1}/", session=user, ua=UA_BROWSER, ip=ip,
                         console=True, sso=True)

    # --- principals -----------------------------------------------------------------------------
    prod_apps = {
        "app-payments": role(PROD, "app-payments", session=ecs_session("payments"), ua=UA_JAVA, vpce="vpce-0c4e81a9d27f35b60"),
        "app-orders": role(PROD, "app-orders", session=ecs_session("orders"), ua=UA_JAVA, vpce="vpce-0c4e81a9d27f35b60"),
        "app-reporting": role(PROD, "app-reporting", session="app-reporting-etl", ua=UA_BOTO, ip="3.91.204.17"),
        "app-auth": role(PROD, "app-auth", session=ec2_session(["i-0a3f9c2e7b1d45e08", "i-04d7e1b9a2c6f3e51"]),
                         ua=UA_GO, vpce="vpce-0c4e81a9d27f35b60"),
        "app-billing": role(PROD, "app-billing", session=ecs_session("billing"), ua=UA_NODE, vpce="vpce-0c4e81a9d27f35b60"),
        "app-shipping": role(PROD, "app-shipping", session=ecs_session("shipping"), ua=UA_NODE, ip="3.91.204.17"),
        "app-notify": role(PROD, "app-notify", session="notify-worker", ua=UA_BOTO, ip="3.91.204.17"),
        "eks-external-secrets": role(PROD, "eks-external-secrets",
                                     session=lambda t: f"external-secrets-{int(t // HOUR) % 9973}", ua=UA_ESO,
                                     vpce="vpce-0c4e81a9d27f35b60"),
        "app-ledger": role(PROD, "app-ledger", session=ecs_session("ledger"), ua=UA_JAVA, vpce="vpce-0c4e81a9d27f35b60"),
    }
    rotation = role(PROD, "SecretsManagerRDSRotationRole", session="SecretsManagerRDSPostgreSQLRotation",
                    ua="AWS_Lambda_python3.12 Boto3/1.34.145 md/Botocore#1.34.145 Botocore/1.34.145",
                    ip="44.203.117.9")
    stg_rotation = role(STAGING, "SecretsManagerRotationRole", session="SecretsManagerStagingRotation",
                        ua="AWS_Lambda_python3.12 Boto3/1.34.145 md/Botocore#1.34.145 Botocore/1.34.145",
                        ip="44.203.117.40")
    scanner = {acct: role(acct, "SecurityAudit", session="prowler-scan", ua=UA_BOTO + " prowler/4.3.0",
                          ip="52.4.190.12") for acct in (PROD, STAGING)}
    config_role = {acct: role(acct, "AWSServiceRoleForConfig", path="aws-service-role/config.amazonaws.com/",
                              session="AWSConfig-Describe", ua="config.amazonaws.com", ip="config.amazonaws.com")
                   for acct in (PROD, STAGING)}
    asg_role = {acct: role(acct, "AWSServiceRoleForAutoScaling", path="aws-service-role/autoscaling.amazonaws.com/",
                           session="AutoScaling", ua="autoscaling.amazonaws.com", ip="autoscaling.amazonaws.com")
                for acct in (PROD, STAGING)}
    alice = sso(PROD, "AdministratorAccess", "8f1c2d3e4a5b6c7d", "alice.nguyen@example.com", "198.51.100.23")
    bob = sso(PROD, "PowerUserAccess", "2b7e9a4c1d3f5e60", "bob.kowalski@example.com", "198.51.100.61")
    carol = sso(PROD, "AdministratorAccess", "8f1c2d3e4a5b6c7d", "carol.diaz@example.com", "203.0.113.14")
    erin = sso(PROD, "Developer", "5a9d0e1f2c3b4a76", "erin.okafor@example.com", "198.51.100.88")
    dave = sso(STAGING, "AdministratorAccess", "c4d5e6f708192a3b", "dave.lindqvist@example.com", "198.51.100.61")
    stg_dev = sso(STAGING, "Developer", "9e8d7c6b5a493827", "erin.okafor@example.com", "198.51.100.88")
    terraform = Principal(gen, "IAMUser", PROD, "terraform-ci", ua=UA_TF, ip="34.232.118.5")
    ci_legacy = Principal(gen, "IAMUser", PROD, "ci-legacy", ua=UA_CLI.format(cmd="secretsmanager.get-secret-value"),
                          ip="203.0.113.77")
    root = Principal(gen, "Root", PROD, "root", ua=UA_BROWSER, ip="192.0.2.146", console=True)
    stg_apps = {
        "app-payments": role(STAGING, "app-payments", session=ecs_session("stg-payments"), ua=UA_JAVA, ip="54.166.9.201"),
        "app-orders": role(STAGING, "app-orders", session=ecs_session("stg-orders"), ua=UA_JAVA, ip="54.166.9.201"),
        "app-reporting": role(STAGING, "app-reporting", session="app-reporting-etl", ua=UA_BOTO, ip="54.166.9.201"),
        "qa-runner": role(STAGING, "qa-runner", session=lambda t: f"qa-{int(t // (6 * HOUR))}", ua=UA_NODE, ip="54.166.9.14"),
    }
    ci_deploy = role(STAGING, "github-actions-deploy", session="GitHubActions", ua=UA_NODE, ip="20.55.14.118")
    load_tester = Principal(gen, "IAMUser", STAGING, "load-tester", ua=UA_GO, ip="54.166.9.77")
    vendor = role(PROD, "vendor-sync", session="vendor-sync-7731", ua=UA_BOTO, ip="192.0.2.201")

    # --- customer managed keys --------------------------------------------------------------------
    payments_key = gen.key_arn(PROD, USE1)
    staging_key = gen.key_arn(STAGING, USE1)
    for n in ("prod/payments/db-password", "prod/payments/stripe-api-key", "prod/billing/db-password"):
        S(PROD, USE1, n).kms_key = payments_key
    for n in ("staging/payments/db-password", "staging/orders/db-password"):
        S(STAGING, USE1, n).kms_key = staging_key

    # --- who reads what (name / full ARN / partial ARN, fixed per caller) --------------------------
    reads = [
        (prod_apps["app-payments"], PROD, USE1, [("prod/payments/db-password", "name"),
                                                 ("prod/payments/stripe-api-key", "arn"),
                                                 ("prod/redis/auth-token", "partial")]),
        (prod_apps["app-payments"], PROD, EUW1, [("prod/payments/db-password", "name"),
                                                 ("prod/redis/auth-token", "name")]),
        (prod_apps["app-orders"], PROD, USE1, [("prod/orders/db-password", "name"),
                                               ("prod/orders/kafka-credentials", "name"),
                                               ("prod/notifications/smtp-password", "arn")]),
        (prod_apps["app-orders"], PROD, EUW1, [("prod/orders/db-password", "partial")]),
        (prod_apps["app-reporting"], PROD, USE1, [("prod/reporting/warehouse-password", "arn"),
                                                  ("prod/reporting/looker-api-token", "name")]),
        (prod_apps["app-auth"], PROD, USE1, [("prod/auth/jwt-signing-key", "name"),
                                             ("prod/auth/oauth-client-secret", "name"),
                                             ("prod/sso/scim-token", "partial")]),
        (prod_apps["app-auth"], PROD, EUW1, [("prod/auth/jwt-signing-key", "name")]),
        (prod_apps["app-billing"], PROD, USE1, [("prod/billing/db-password", "arn"),
                                                ("prod/billing/avalara-api-key", "arn"),
                                                ("prod/inventory/db-password", "arn")]),
        (prod_apps["app-shipping"], PROD, USE1, [("prod/shipping/fedex-api-key", "name"),
                                                 ("prod/shipping/ups-oauth-secret", "name"),
                                                 ("prod/inventory/db-password", "name")]),
        (prod_apps["app-notify"], PROD, USE1, [("prod/notifications/twilio-auth-token", "name"),
                                               ("prod/notifications/smtp-password", "name")]),
        (prod_apps["app-notify"], PROD, EUW1, [("prod/notifications/smtp-password", "name")]),
        (prod_apps["eks-external-secrets"], PROD, USE1, [("prod/datadog/api-key", "arn"),
                                                         ("prod/pagerduty/integration-key", "arn"),
                                                         ("prod/github/deploy-app-key", "arn"),
                                                         ("prod/cdn/signing-key", "arn"),
                                                         ("prod/search/opensearch-master", "arn"),
                                                         ("rds!db-3f9c1a2e-7b64-4d7e-9a51-0c2f8e6d4b17", "arn")]),
        (prod_apps["eks-external-secrets"], PROD, EUW1, [("prod/search/opensearch-master", "arn"),
                                                         ("prod/gdpr/export-bucket-key", "arn"),
                                                         ("prod/eu-vat/api-key", "arn")]),
        (stg_apps["app-payments"], STAGING, USE1, [("staging/payments/db-password", "name"),
                                                   ("staging/auth/jwt-signing-key", "name"),
                                                   ("staging/feature-flags/launchdarkly-sdk-key", "name")]),
        (stg_apps["app-payments"], STAGING, EUW1, [("staging/payments/db-password", "name"),
                                                   ("staging/eu-vat/api-key", "partial")]),
        (stg_apps["app-orders"], STAGING, USE1, [("staging/orders/db-password", "name"),
                                                 ("staging/notifications/smtp-password", "name")]),
        (stg_apps["app-reporting"], STAGING, USE1, [("staging/reporting/warehouse-password", "arn")]),
        (stg_apps["app-reporting"], STAGING, EUW1, [("staging/gdpr/export-bucket-key", "arn"),
                                                    ("staging/auth/jwt-signing-key", "name")]),
        (stg_apps["qa-runner"], STAGING, USE1, [("staging/qa/test-user-passwords", "arn")]),
        (ci_deploy, STAGING, USE1, [("staging/ci/npm-token", "name"), ("staging/ci/dockerhub-password", "name")]),
        (load_tester, STAGING, USE1, [("staging/load-test/api-key", "partial")]),
    ]
    # Cross-account: staging's deploy role reads prod's shared token (full ARN required).
    shared_token = S(PROD, USE1, "shared/artifactory-token")

    # ---- activity ticks per stream: busy in working hours, quiet at night --------------------------
    def ticks(acct, region):
        busy = {(PROD, USE1): 150, (PROD, EUW1): 240, (STAGING, USE1): 220, (STAGING, EUW1): 360}[(acct, region)]
        out, t = [], START + 4 * MIN
        end = START + DAYS * DAY - 20 * MIN
        while t < end:
            out.append(t - t % 300 + rng.randint(0, 15))  # a tick's events fall in one 5-minute window
            hour = (t % DAY) // HOUR
            gap = busy if 7 <= hour < 19 else busy * 3
            t += int(gap * MIN * rng.uniform(0.6, 1.4))
        return out

    stream_ticks = {(a, r): ticks(a, r) for a in (PROD, STAGING) for r in REGIONS}

    def in_window(t0, spread=240):
        return t0 + rng.randint(0, spread)

    # Warm-up: every reader reads each of its secrets within the first hour (baseline during learning).
    for p, acct, region, items in reads:
        t0 = START + rng.randint(5 * MIN, 50 * MIN)
        for name, form in items:
            gen.get_secret(t0 + rng.randint(0, 90), p, S(acct, region, name), form)
    gen.get_secret(START + 40 * MIN, ci_deploy, shared_token, "arn")

    # Background reads at ticks.
    reader_by_stream = {}
    for entry in reads:
        reader_by_stream.setdefault((entry[1], entry[2]), []).append(entry)
    for (acct, region), ts in stream_ticks.items():
        for t0 in ts:
            for p, _, _, items in reader_by_stream.get((acct, region), []):
                if p is load_tester and not (START + DAY < t0 < START + 6 * DAY):
                    continue
                for name, form in rng.sample(items, min(len(items), rng.choice((1, 1, 2)))):
                    if rng.random() > (0.9 if acct == PROD else 0.8):
                        continue
                    sec = S(acct, region, name)
                    key = (acct, region, name)
                    if key in gen.dead and t0 > gen.dead[key] + 3 * HOUR:
                        continue  # callers stop once a secret is gone for good
                    if p is prod_apps["app-billing"] and rng.random() < 0.25:
                        # BatchGetSecretValue with an explicit list: one access per listed secret.
                        t = in_window(t0)
                        ids = [S(acct, region, n).arn for n, _ in items]
                        gen.emit(t, acct, region, p.identity(t), "secretsmanager.amazonaws.com",
                                 "BatchGetSecretValue", {"secretIdList": ids}, None, ip=gen.sm_ip(p, t, region),
                                 ua=p.ua, read_only=True, vpce=p.vpce)
                        for n, _ in items:
                            s = S(acct, region, n)
                            s.version = s.version or gen.uuid()
                            gen.kms_decrypt(t, p, s, s.version)
                        continue
                    gen.get_secret(in_window(t0), p, sec, form)
            if acct == PROD and region == USE1 and rng.random() < 0.15:
                gen.get_secret(in_window(t0), ci_deploy, shared_token, "arn")
            for _ in range(rng.randint(1, 3)):
                background_noise(gen, rng, acct, region, t0, locals())

    # Daily scanner sweep, in the first activity tick after 02:00.
    for d in range(DAYS):
        for acct in (PROD, STAGING):
            for region in REGIONS:
                t = next(x for x in stream_ticks[(acct, region)] if x >= START + d * DAY + 2 * HOUR) + 30
                sc = scanner[acct]
                gen.list_secrets(t, sc, acct, region)
                names = [n for (a, r, n) in gen.secrets if a == acct and r == region]
                for n in rng.sample(names, min(4, len(names))):
                    s = gen.secrets[(acct, region, n)]
                    gen.describe_secret(t + rng.randint(1, 60), sc, s, "arn")
                    gen.generic(t + rng.randint(1, 60), sc, acct, region, "secretsmanager.amazonaws.com",
                                "GetResourcePolicy", {"secretId": s.arn}, None)
                if region == USE1:
                    gen.generic(t + 90, sc, acct, region, "iam.amazonaws.com", "GenerateCredentialReport")
                    gen.generic(t + 95, sc, acct, region, "iam.amazonaws.com", "ListRoles", {"maxItems": 100})

    # Scheduled rotation of the RDS secret and prod/orders/db-password: day 0 and day 5.
    for d in (0, 5):
        for name in ("rds!db-3f9c1a2e-7b64-4d7e-9a51-0c2f8e6d4b17", "prod/orders/db-password"):
            rotate(gen, S(PROD, USE1, name), rotation, START + d * DAY + 3 * HOUR + rng.randint(0, 600))
    rotate(gen, S(STAGING, USE1, "staging/payments/db-password"), stg_rotation, START + 3 * HOUR + 900)

    plant_incidents(gen, S, locals())


def background_noise(gen, rng, acct, region, t0, env):
    """A little of everything else that a real trail holds."""
    def t():
        return t0 + rng.randint(0, 270)

    asg, cfg = env["asg_role"][acct], env["config_role"][acct]
    humans = [env["alice"], env["bob"], env["carol"], env["erin"]] if acct == PROD else [env["dave"], env["stg_dev"]]
    h = rng.choice(humans)
    roll = rng.random()
    if roll < 0.35:
        gen.generic(t(), h, acct, region, "ec2.amazonaws.com", "DescribeInstances",
                    {"instancesSet": {}, "filterSet": {}, "maxResults": 1000})
    elif roll < 0.5:
        gen.generic(t(), cfg, acct, region, "s3.amazonaws.com", "GetBucketAcl",
                    {"bucketName": f"acme-{ACCOUNT_NAMES[acct]}-artifacts-{region}", "Host":
                     f"acme-{ACCOUNT_NAMES[acct]}-artifacts-{region}.s3.{region}.amazonaws.com", "acl": ""},
                    None, invoked_by="config.amazonaws.com", tls=False,
                    additional={"SignatureVersion": "SigV4", "CipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
                                "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                "x-amz-id-2": gen.stable_id("", str(rng.random()), 40), "bytesTransferredOut": 624})
    elif roll < 0.6:
        iid = "i-0" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        gen.generic(t(), asg, acct, region, "ec2.amazonaws.com", "RunInstances",
                    {"instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                     "launchTemplate": {"launchTemplateId": "lt-0d3c2b1a09f8e7d6c", "version": "14"}},
                    {"requestId": gen.uuid(), "reservationId": "r-0" + iid[3:], "ownerId": acct,
                     "instancesSet": {"items": [{"instanceId": iid, "instanceType": "m6i.large",
                                                 "currentState": {"code": 0, "name": "pending"}}]}},
                    read_only=False, invoked_by="autoscaling.amazonaws.com", tls=False)
    elif roll < 0.72:
        inst = "i-0" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
        ec2 = Principal(gen, "AssumedRole", acct, "ec2-ssm-instance", session=inst, ua=UA_SSM,
                        ip=f"10.{20 if region == USE1 else 40}.{rng.randint(1, 60)}.{rng.randint(2, 250)}")
        gen.generic(t(), ec2, acct, region, "ssm.amazonaws.com", "UpdateInstanceInformation",
                    {"instanceId": inst, "agentVersion": "3.3.484.0", "agentStatus": "Active",
                     "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023",
                     "iPAddress": f"10.20.{rng.randint(1, 60)}.{rng.randint(2, 250)}", "computerName":
                     f"ip-10-20-{rng.randint(1, 60)}-{rng.randint(2, 250)}.ec2.internal",
                     "agentName": "amazon-ssm-agent", "availabilityZone": f"{region}a",
                     "availabilityZoneId": "use1-az4" if region == USE1 else "euw1-az2"},
                    None, read_only=False)
    elif roll < 0.82:
        # ECS tasks assume their roles through STS (AWSService identity).
        target = rng.choice(["app-payments", "app-orders", "app-billing"])
        tt = t()
        gen.emit(tt, acct, region, {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
                 "sts.amazonaws.com", "AssumeRole",
                 {"roleArn": f"arn:aws:iam::{acct}:role/{target}", "roleSessionName": "".join(
                     rng.choice("0123456789abcdef") for _ in range(32))},
                 {"credentials": {"accessKeyId": gen.stable_id("ASIA", str(rng.random()), 16),
                                  "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLEsessiontokenHIDDEN",
                                  "expiration": java_date(tt + 6 * HOUR)}},
                 ip="ecs-tasks.amazonaws.com", ua="ecs-tasks.amazonaws.com", read_only=True, tls=False,
                 resources=[{"accountId": acct, "type": "AWS::IAM::Role",
                             "ARN": f"arn:aws:iam::{acct}:role/{target}"}], shared=gen.uuid())
    elif roll < 0.88 and acct == PROD:
        # EKS pods (IRSA) exchange their service-account token for role credentials.
        tt = t()
        sub = "system:serviceaccount:external-secrets:external-secrets"
        oidc = f"arn:aws:iam::{acct}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/5C1E0A7B2D9F48E3A6B1C0D2E4F6A8B9"
        gen.emit(tt, acct, region,
                 {"type": "WebIdentityUser", "principalId": f"{oidc}:sts.amazonaws.com:{sub}", "userName": sub,
                  "identityProvider": oidc},
                 "sts.amazonaws.com", "AssumeRoleWithWebIdentity",
                 {"roleArn": f"arn:aws:iam::{acct}:role/eks-external-secrets",
                  "roleSessionName": f"external-secrets-{int(tt // HOUR) % 9973}"},
                 {"subjectFromWebIdentityToken": sub, "audience": "sts.amazonaws.com",
                  "provider": oidc.split("/", 1)[1],
                  "assumedRoleUser": {"assumedRoleId": f"AROA:external-secrets-{int(tt // HOUR) % 9973}",
                                      "arn": f"arn:aws:sts::{acct}:assumed-role/eks-external-secrets/"
                                             f"external-secrets-{int(tt // HOUR) % 9973}"}},
                 ip="3.91.204.52", ua=UA_ESO, read_only=True)
    elif roll < 0.94:
        s = rng.choice([x for (a, r, _), x in gen.secrets.items() if a == acct and r == region])
        gen.describe_secret(t(), h, s, "arn")
    else:
        gen.generic(t(), h, acct, region, "kms.amazonaws.com", "ListAliases", {"limit": 100})
    if region == USE1 and rng.random() < 0.08:
        who = rng.choice(humans)
        gen.generic(t(), who, acct, region, "signin.amazonaws.com", "ConsoleLogin", None,
                    {"ConsoleLogin": "Success"}, read_only=False, event_type="AwsConsoleSignIn",
                    additional={"MobileVersion": "No", "MFAUsed": "No"}, version="1.08")


def rotate(gen, secret, lam, t):
    """A scheduled rotation: service events around the rotation function's API calls."""
    gen.service_event(t, secret, "RotationStarted", request_prefix="Rotation")
    new_version = gen.uuid()
    arn = secret.arn
    gen.describe_secret(t + 2, lam, secret, "arn")
    gen.get_secret(t + 3, lam, secret, "arn", stage="AWSCURRENT")
    gen.generic(t + 3, lam, secret.account, secret.region, "secretsmanager.amazonaws.com", "GetRandomPassword",
                {"passwordLength": 32, "excludeCharacters": "/@\"'\\"}, None)
    gen.generic(t + 4, lam, secret.account, secret.region, "secretsmanager.amazonaws.com", "PutSecretValue",
                {"secretId": arn, "clientRequestToken": new_version, "versionStages": ["AWSPENDING"]},
                {"arn": arn, "name": secret.name, "versionId": new_version, "versionStages": ["AWSPENDING"]},
                read_only=False)
    key = secret.kms_key or gen.managed_keys[(secret.account, secret.region)]
    gen.emit(t + 4, secret.account, secret.region, lam.identity(t + 4, invoked_by="secretsmanager.amazonaws.com"),
             "kms.amazonaws.com", "GenerateDataKey",
             {"keyId": key if secret.kms_key else "alias/aws/secretsmanager", "keySpec": "AES_256",
              "encryptionContext": {"SecretARN": arn, "SecretVersionId": new_version}}, None,
             ip="secretsmanager.amazonaws.com", ua="secretsmanager.amazonaws.com", read_only=True, tls=False,
             resources=[{"accountId": secret.account, "type": "AWS::KMS::Key", "ARN": key}])
    gen.get_secret(t + 9, lam, secret, "arn", stage="AWSPENDING")
    gen.generic(t + 11, lam, secret.account, secret.region, "secretsmanager.amazonaws.com", "UpdateSecretVersionStage",
                {"secretId": arn, "versionStage": "AWSCURRENT", "moveToVersionId": new_version,
                 "removeFromVersionId": secret.version or gen.uuid()},
                {"arn": arn, "name": secret.name}, read_only=False)
    secret.version = new_version
    gen.service_event(t + 12, secret, "RotationSucceeded", request_prefix="Rotation")


def plant_incidents(gen, S, env):
    rng = gen.rng
    alice, bob, carol, erin, dave = env["alice"], env["bob"], env["carol"], env["erin"], env["dave"]
    stg_dev, terraform, ci_legacy, root = env["stg_dev"], env["terraform"], env["ci_legacy"], env["root"]
    vendor, ci_deploy, stg_rotation = env["vendor"], env["ci_deploy"], env["stg_rotation"]
    prod_apps, stg_apps, payments_key = env["prod_apps"], env["stg_apps"], env["payments_key"]
    at = lambda day, hh, mm, ss=0: START + day * DAY + hh * HOUR + mm * MIN + ss  # noqa: E731

    def incident(kind, title, records, severity=None, related=(), secret=None, principal=None, note=""):
        first = records[0]
        gen.incidents.append({
            "kind": kind, "title": title, "severity": severity,
            "eventIDs": [r["eventID"] for r in records], "relatedEventIDs": [r["eventID"] for r in related],
            "eventName": first["eventName"], "eventTime": first["eventTime"],
            "account": first["recipientAccountId"], "region": first["awsRegion"],
            "principal": principal, "secret": secret, "note": note,
        })

    def sm_call(t, p, secret, name, params, response=None, error=None, read_only=False):
        return gen.emit(t, secret.account, secret.region, p.identity(t), "secretsmanager.amazonaws.com", name,
                        params, response, ip=p.address(t), ua=p.ua, error=error, read_only=read_only,
                        console=p.console)

    # Day 1: terraform creates a customer managed key and a secret encrypted with it (kmsKeyId).
    t = at(1, 10, 12, 5)
    ledger_key_id = gen.uuid()
    ledger_key = f"arn:aws:kms:{USE1}:{PROD}:key/{ledger_key_id}"
    gen.generic(t, terraform, PROD, USE1, "kms.amazonaws.com", "CreateKey",
                {"description": "ledger signing secrets", "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT",
                 "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "multiRegion": False,
                 "bypassPolicyLockoutSafetyCheck": False, "tags": [{"tagKey": "team", "tagValue": "ledger"}]},
                {"keyMetadata": {"aWSAccountId": PROD, "keyId": ledger_key_id, "arn": ledger_key,
                                 "creationDate": java_date(t), "enabled": True, "description": "ledger signing secrets",
                                 "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled", "origin": "AWS_KMS",
                                 "keyManager": "CUSTOMER", "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                                 "keySpec": "SYMMETRIC_DEFAULT", "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                                 "multiRegion": False}},
                read_only=False, resources=[{"accountId": PROD, "type": "AWS::KMS::Key", "ARN": ledger_key}])
    gen.generic(t + 2, terraform, PROD, USE1, "kms.amazonaws.com", "CreateAlias",
                {"aliasName": "alias/ledger-secrets", "targetKeyId": ledger_key_id}, None, read_only=False,
                resources=[{"accountId": PROD, "type": "AWS::KMS::Key", "ARN": ledger_key},
                           {"accountId": PROD, "type": "AWS::KMS::Key",
                            "ARN": f"arn:aws:kms:{USE1}:{PROD}:alias/ledger-secrets"}])
    ledger = Secret(PROD, USE1, LEDGER_SECRET, gen.suffix(), kms_key=ledger_key)
    gen.secrets[(PROD, USE1, LEDGER_SECRET)] = ledger
    token = gen.uuid()
    created = sm_call(t + 5, terraform, ledger, "CreateSecret",
                      {"name": LEDGER_SECRET, "clientRequestToken": token, "description": "ledger HMAC key",
                       "kmsKeyId": ledger_key, "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS",
                       "tags": [{"key": "team", "value": "ledger"}], "forceOverwriteReplicaSecret": False},
                      {"arn": ledger.arn, "name": LEDGER_SECRET, "versionId": token})
    ledger.version = token
    gen.emit(t + 5, PROD, USE1, terraform.identity(t + 5, invoked_by="secretsmanager.amazonaws.com"),
             "kms.amazonaws.com", "GenerateDataKey",
             {"keyId": ledger_key, "keySpec": "AES_256",
              "encryptionContext": {"SecretARN": ledger.arn, "SecretVersionId": token}}, None,
             ip="secretsmanager.amazonaws.com", ua="secretsmanager.amazonaws.com", read_only=True, tls=False,
             resources=[{"accountId": PROD, "type": "AWS::KMS::Key", "ARN": ledger_key}])
    ledger_app = prod_apps["app-ledger"]
    for t0 in env["stream_ticks"][(PROD, USE1)]:
        if t0 > t + 10 * MIN and rng.random() < 0.4:
            gen.get_secret(t0 + rng.randint(0, 240), ledger_app, ledger, "name")

    # Day 1 16:40: a staging secret deleted with the minimum 7-day window (critical), full ARN.
    qa = S(STAGING, USE1, "staging/qa/test-user-passwords")
    t = at(1, 16, 40, 11)
    r = sm_call(t, dave, qa, "DeleteSecret", {"secretId": qa.arn, "recoveryWindowInDays": 7},
                {"arn": qa.arn, "name": qa.name, "deletionDate": java_date(t + 7 * DAY)})
    se = gen.service_event(t + 1, qa, "StartSecretVersionDelete")
    end = gen.service_event(t + 7 * DAY + 3 * MIN, qa, "EndSecretVersionDelete")
    gen.pending_delete[(STAGING, USE1, qa.name)] = (t, t + 7 * DAY + 3 * MIN)
    gen.dead[(STAGING, USE1, qa.name)] = t + 7 * DAY + 3 * MIN
    incident("secret_delete_short_window", "DeleteSecret with recoveryWindowInDays 7", [r], "critical",
             related=[se, end], secret=qa.arn, principal=dave.arn,
             note="secretId is the full ARN; qa-runner's later reads fail with InvalidRequestException, "
                  "then ResourceNotFoundException after EndSecretVersionDelete on day 8")

    # Day 4 12:10: leaked access key of IAM user ci-legacy reads 22 distinct prod secrets in ~3 minutes.
    t = at(4, 12, 10, 3)
    gen.list_secrets(t, ci_legacy, PROD, USE1)
    burst = []
    names = [n for n in SECRETS[(PROD, USE1)]][:22]
    for i, n in enumerate(names):
        burst.append(gen.get_secret(t + 6 + i * 8 + rng.randint(0, 4), ci_legacy, S(PROD, USE1, n), "arn"))
    incident("getsecret_burst", "22 distinct secrets read by one principal within 3 minutes", burst, None,
             principal=ci_legacy.arn, note="GetSecretValue by full ARN from 203.0.113.77; preceded by ListSecrets")

    # Day 6 21:05-21:45: a partner role probes secrets it may not read: 24 AccessDenied in 40 minutes.
    t = at(6, 21, 5, 0)
    denied = []
    probe = ["prod/payments/db-password", "prod/orders/db-password", "prod/auth/jwt-signing-key",
             "prod/eu-vat/api-key", "prod/gdpr/export-bucket-key", "prod/redis/auth-token"]
    for i in range(24):
        n = probe[i % len(probe)]
        tt = t + i * 100 + rng.randint(0, 30)
        msg = (f"User: arn:aws:sts::{PROD}:assumed-role/vendor-sync/vendor-sync-7731 is not authorized to perform: "
               f"secretsmanager:GetSecretValue on resource: {n} because no identity-based policy allows the "
               f"secretsmanager:GetSecretValue action")
        denied.append(gen.get_secret(tt, vendor, S(PROD, EUW1, n), "name", error=("AccessDenied", msg)))
    incident("getsecret_denied_burst", "24 AccessDenied GetSecretValue by one principal within an hour", denied,
             None, principal=vendor.arn, note="eu-west-1, secrets by name")

    # Day 7 10:22: a developer tries to delete a prod secret and is denied (medium).
    pay = S(PROD, USE1, "prod/payments/db-password")
    t = at(7, 10, 22, 40)
    msg = (f"User: arn:aws:sts::{PROD}:assumed-role/AWSReservedSSO_Developer_5a9d0e1f2c3b4a76/erin.okafor@example.com "
           f"is not authorized to perform: secretsmanager:DeleteSecret on resource: prod/payments/db-password "
           f"because no identity-based policy allows the secretsmanager:DeleteSecret action")
    r = sm_call(t, erin, pay, "DeleteSecret", {"secretId": pay.name, "recoveryWindowInDays": 30}, None,
                error=("AccessDenied", msg))
    incident("secret_delete_denied", "DeleteSecret denied (AccessDenied)", [r], "medium", secret=pay.arn,
             principal=erin.arn, note="secretId is the name")

    # Day 7 15:02: a load-test secret force-deleted (critical), partial ARN.
    lt = S(STAGING, USE1, "staging/load-test/api-key")
    t = at(7, 15, 2, 9)
    r = sm_call(t, stg_dev, lt, "DeleteSecret", {"secretId": lt.partial_arn, "forceDeleteWithoutRecovery": True},
                {"arn": lt.arn, "name": lt.name, "deletionDate": java_date(t)})
    se = gen.service_event(t + 1, lt, "StartSecretVersionDelete")
    end = gen.service_event(t + 4, lt, "EndSecretVersionDelete")
    gen.dead[(STAGING, USE1, lt.name)] = t
    incident("secret_delete_forced", "DeleteSecret with forceDeleteWithoutRecovery", [r], "critical",
             related=[se, end], secret=lt.arn, principal=stg_dev.arn, note="secretId is a partial ARN (no suffix)")

    # Day 8 08:15: rotation switched off on the OAuth client secret.
    oauth = S(PROD, USE1, "prod/auth/oauth-client-secret")
    t = at(8, 8, 15, 30)
    r = sm_call(t, bob, oauth, "CancelRotateSecret", {"secretId": oauth.name}, {"arn": oauth.arn, "name": oauth.name})
    incident("secret_rotation_cancelled", "CancelRotateSecret", [r], None, secret=oauth.arn, principal=bob.arn)

    # Day 8 07:31: the CDN signing key is scheduled for deletion (30 days, high) and restored 5 hours later.
    cdn = S(PROD, USE1, "prod/cdn/signing-key")
    t = at(8, 7, 31, 12)
    r = sm_call(t, alice, cdn, "DeleteSecret", {"secretId": cdn.name, "recoveryWindowInDays": 30},
                {"arn": cdn.arn, "name": cdn.name, "deletionDate": java_date(t + 30 * DAY)})
    se = gen.service_event(t + 1, cdn, "StartSecretVersionDelete")
    gen.pending_delete[(PROD, USE1, cdn.name)] = (t, t + 5 * HOUR + 12 * MIN)
    incident("secret_delete_scheduled", "DeleteSecret scheduled with the default 30-day window", [r], "high",
             related=[se], secret=cdn.arn, principal=alice.arn,
             note="secretId is the name; eks-external-secrets reads fail with InvalidRequestException until restore")
    eks = prod_apps["eks-external-secrets"]
    pending_reads = [gen.get_secret(t + 20 * MIN + k * 70 * MIN, eks, cdn, "arn") for k in range(4)]
    incident("read_pending_deletion", "GetSecretValue of a secret scheduled for deletion", pending_reads, None,
             secret=cdn.arn, principal=eks.arn,
             note="eks-external-secrets still reads prod/cdn/signing-key while it is scheduled for deletion; "
                  "InvalidRequestException, \"it was marked for deletion\"")
    t2 = t + 5 * HOUR + 12 * MIN
    r2 = sm_call(t2, bob, cdn, "RestoreSecret", {"secretId": cdn.arn}, {"arn": cdn.arn, "name": cdn.name})
    ce = gen.service_event(t2 + 1, cdn, "CancelSecretVersionDelete")
    incident("secret_restore", "RestoreSecret cancels the scheduled deletion", [r2], None, related=[ce],
             secret=cdn.arn, principal=bob.arn, note="CancelSecretVersionDelete service event follows")

    # Day 8 14:47: app-reporting reads the Stripe key for the first time (after the 7-day learning period).
    stripe = S(PROD, USE1, "prod/payments/stripe-api-key")
    t = at(8, 14, 47, 51)
    r = gen.get_secret(t, prod_apps["app-reporting"], stripe, "name")
    incident("getsecret_new_principal", "A principal reads a secret for the first time after the learning period",
             [r], None, secret=stripe.arn, principal=prod_apps["app-reporting"].arn,
             note="role/app-reporting never read prod/payments/stripe-api-key before; secret known since day 0")

    # Day 8 16:05: the payments CMK (encrypts three secrets) is disabled by a human, re-enabled 14 minutes later.
    t = at(8, 16, 5, 20)
    key_res = [{"accountId": PROD, "type": "AWS::KMS::Key", "ARN": payments_key}]
    r = gen.generic(t, carol, PROD, USE1, "kms.amazonaws.com", "DisableKey", {"keyId": payments_key.split("/")[-1]},
                    None, read_only=False, resources=key_res)
    en = gen.generic(t + 14 * MIN, carol, PROD, USE1, "kms.amazonaws.com", "EnableKey",
                     {"keyId": payments_key.split("/")[-1]}, None, read_only=False, resources=key_res)
    incident("kms_key_disabled", "DisableKey on a key that encrypts secrets", [r], "high", related=[en],
             principal=carol.arn, note=f"key {payments_key}; linked to secrets through Decrypt encryptionContext.SecretARN")

    # Day 8 19:40: a resource policy opens the Looker token to everyone; removed 38 minutes later.
    looker = S(PROD, USE1, "prod/reporting/looker-api-token")
    t = at(8, 19, 40, 2)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowLookerCloud", "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
        "Resource": "*"}]}, indent=2)
    r = sm_call(t, alice, looker, "PutResourcePolicy",
                {"secretId": looker.name, "resourcePolicy": policy, "blockPublicPolicy": False},
                {"arn": looker.arn, "name": looker.name})
    incident("secret_policy_public", "PutResourcePolicy with Principal * and no organisation condition", [r], None,
             secret=looker.arn, principal=alice.arn, note="resourcePolicy is a JSON string; blockPublicPolicy false")
    r = sm_call(t + 38 * MIN, bob, looker, "DeleteResourcePolicy", {"secretId": looker.arn},
                {"arn": looker.arn, "name": looker.name})
    incident("secret_policy_delete", "DeleteResourcePolicy", [r], None, secret=looker.arn, principal=bob.arn)

    # Day 9 09:12: a new KMS key that protects the ledger secret is scheduled for deletion; cancelled later.
    t = at(9, 9, 12, 44)
    lres = [{"accountId": PROD, "type": "AWS::KMS::Key", "ARN": ledger_key}]
    r = gen.generic(t, carol, PROD, USE1, "kms.amazonaws.com", "ScheduleKeyDeletion",
                    {"keyId": ledger_key_id, "pendingWindowInDays": 7},
                    {"keyId": ledger_key, "keyState": "PendingDeletion", "deletionDate": java_date(t + 7 * DAY),
                     "pendingWindowInDays": 7}, read_only=False, resources=lres)
    cancel = gen.generic(t + 2 * HOUR + 5 * MIN, bob, PROD, USE1, "kms.amazonaws.com", "CancelKeyDeletion",
                         {"keyId": ledger_key_id}, {"keyId": ledger_key}, read_only=False, resources=lres)
    incident("kms_key_deletion_scheduled", "ScheduleKeyDeletion on a key that encrypts a secret", [r], "high",
             related=[cancel], principal=carol.arn,
             note=f"key {ledger_key}; the secret's CreateSecret (eventID {created['eventID']}) names it in kmsKeyId")

    # Day 9 10:03: the root user signs in and reads the JWT signing key in the console.
    jwt = S(PROD, USE1, "prod/auth/jwt-signing-key")
    t = at(9, 10, 3, 17)
    login = gen.generic(t - 4 * MIN, root, PROD, USE1, "signin.amazonaws.com", "ConsoleLogin", None,
                        {"ConsoleLogin": "Success"}, read_only=False, event_type="AwsConsoleSignIn",
                        additional={"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                                    "MobileVersion": "No", "MFAUsed": "Yes"}, version="1.08")
    ls = gen.list_secrets(t - 60, root, PROD, USE1)
    r = gen.get_secret(t, root, jwt, "arn")
    incident("getsecret_root", "GetSecretValue by the root user", [r], None, related=[login, ls], secret=jwt.arn,
             principal=root.arn, note="console session (sessionCredentialFromConsole); may also be a first-seen read")

    # Day 9 11:36: PutKeyPolicy by a human on the payments CMK (grants another account kms:Decrypt).
    t = at(9, 11, 36, 8)
    kpol = json.dumps({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]}, indent=4)
    r = gen.generic(t, alice, PROD, USE1, "kms.amazonaws.com", "PutKeyPolicy",
                    {"keyId": payments_key.split("/")[-1], "policyName": "default", "policy": kpol,
                     "bypassPolicyLockoutSafetyCheck": False}, None, read_only=False, resources=key_res)
    incident("kms_key_policy_put", "PutKeyPolicy on a key that encrypts secrets", [r], "high", principal=alice.arn,
             note=f"key {payments_key}; policy adds account 210987654321")

    # Day 9 13:20: staging's deploy role asks for every secret: BatchGetSecretValue with a never-matching filter.
    t = at(9, 13, 20, 26)
    stg_pay = S(STAGING, USE1, "staging/payments/db-password")
    r = gen.emit(t, STAGING, USE1, ci_deploy.identity(t), "secretsmanager.amazonaws.com", "BatchGetSecretValue",
                 {"filters": [{"key": "tag-key", "values": ["!tagKeyThatWillNeverExist"]}]}, None,
                 ip="192.0.2.77", ua=UA_CLI.format(cmd="secretsmanager.batch-get-secret-value"), read_only=True)
    incident("batch_get_all_secrets", "BatchGetSecretValue whose filters select every secret", [r], None,
             principal=ci_deploy.arn, note="filters [{key: tag-key, values: [!tagKeyThatWillNeverExist]}]")

    # Day 9 15:00: rotation of the staging payments password fails.
    t = at(9, 15, 0, 4)
    st = gen.service_event(t, stg_pay, "RotationStarted", request_prefix="Rotation")
    gen.describe_secret(t + 2, stg_rotation, stg_pay, "arn")
    gen.get_secret(t + 3, stg_rotation, stg_pay, "arn", stage="AWSCURRENT")
    r = gen.service_event(
        t + 35, stg_pay, "RotationFailed", request_prefix="Rotation",
        error_message=(f"Error when executing lambda arn:aws:lambda:{USE1}:{STAGING}:function:"
                       f"SecretsManagerStagingRotation during setSecret step"))
    incident("secret_rotation_failed", "RotationFailed service event", [r], None, related=[st], secret=stg_pay.arn,
             note="service event: additionalEventData.SecretId, errorMessage without errorCode")

    # Day 9 16:30: a policy change that keeps access inside the organisation (alerted at lower severity).
    t = at(9, 16, 30, 45)
    tok = S(PROD, USE1, "shared/artifactory-token")
    pol2 = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STAGING}:role/github-actions-deploy"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}]})
    r = sm_call(t, terraform, tok, "PutResourcePolicy",
                {"secretId": tok.arn, "resourcePolicy": pol2, "blockPublicPolicy": True},
                {"arn": tok.arn, "name": tok.name})
    incident("secret_policy_put", "PutResourcePolicy restricted to the organisation (cross-account role)", [r], None,
             secret=tok.arn, principal=terraform.arn, note="blockPublicPolicy true, aws:PrincipalOrgID condition")



# ================================================================================================
# Delivery: records -> log files in the S3 layout
# ================================================================================================

def deliver(gen, out):
    rng = gen.rng
    streams = {}
    for acct, region, t, rec, delay in gen.records:
        streams.setdefault((acct, region), []).append((t, rec, delay))
    files = []  # (account, region, stamp_time, name, records)
    for (acct, region), items in sorted(streams.items()):
        items.sort(key=lambda x: (x[0], x[1]["eventID"]))
        windows = {}
        for t, rec, delay in items:
            windows.setdefault((t // 300) * 300 + delay, []).append(rec)
        for w in sorted(windows):
            recs = windows[w]
            parts = [recs] if len(recs) <= 60 else [recs[: len(recs) // 2], recs[len(recs) // 2:]]
            for part in parts:
                last = max(int(dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
                               .replace(tzinfo=dt.timezone.utc).timestamp()) for r in part)
                stamp = max(w + 300, last + 60) + rng.randint(0, 5) * MIN
                stamp -= stamp % 60
                part = list(part)
                rng.shuffle(part)
                files.append([acct, region, stamp, part])
    # Deliver one background GetSecretValue a second time in a later file of the same stream.
    dup_src = next(f for f in files if f[0] == PROD and f[1] == USE1 and f[2] > START + 2 * DAY and
                   any(r["eventName"] == "GetSecretValue" and "errorCode" not in r for r in f[3]))
    dup = next(r for r in dup_src[3] if r["eventName"] == "GetSecretValue" and "errorCode" not in r)
    later = next(f for f in files if f[0] == PROD and f[1] == USE1 and f[2] > dup_src[2] + HOUR)
    later[3].insert(len(later[3]) // 2, dup)
    gen.duplicate_event = dup["eventID"]

    written = []
    for acct, region, stamp, recs in sorted(files, key=lambda f: (f[0], f[1], f[2])):
        d = dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
        uniq = "".join(rng.choice(ALNUM) for _ in range(16))
        rel = (f"AWSLogs/{acct}/CloudTrail/{region}/{d:%Y/%m/%d}/"
               f"{acct}_CloudTrail_{region}_{d:%Y%m%dT%H%M}Z_{uniq}.json.gz")
        body = json.dumps({"Records": recs}, separators=(",", ":"), ensure_ascii=False).encode()
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(gzip.compress(body, compresslevel=9, mtime=0))
        times = sorted(r["eventTime"] for r in recs)
        written.append({"path": rel, "account": acct, "region": region, "stamp": stamp, "sha256":
                        hashlib.sha256(body).hexdigest(), "oldest": times[0], "newest": times[-1],
                        "records": len(recs)})
    write_digests(gen, out, written)
    return written


def write_digests(gen, out, written):
    """Two hourly digest files for prod/us-east-1 (the second chained to the first); they must be skipped."""
    rng = gen.rng
    prev = None
    for hour_start in (START + 3 * DAY + 14 * HOUR, START + 3 * DAY + 15 * HOUR):
        hour_end = hour_start + HOUR
        logs = [w for w in written if w["account"] == PROD and w["region"] == USE1 and
                hour_start <= w["stamp"] < hour_end]
        d = dt.datetime.fromtimestamp(hour_end, dt.timezone.utc)
        rel = (f"AWSLogs/{PROD}/CloudTrail-Digest/{USE1}/{d:%Y/%m/%d}/"
               f"{PROD}_CloudTrail-Digest_{USE1}_{TRAIL}_{USE1}_{d:%Y%m%dT%H%M%S}Z.json.gz")
        sig = "".join(rng.choice("0123456789abcdef") for _ in range(512))
        digest = {
            "awsAccountId": PROD, "digestStartTime": iso(hour_start), "digestEndTime": iso(hour_end),
            "digestS3Bucket": BUCKET, "digestS3Object": rel,
            "digestPublicKeyFingerprint": "".join(rng.choice("0123456789abcdef") for _ in range(32)),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max((w["newest"] for w in logs), default=None),
            "oldestEventTime": min((w["oldest"] for w in logs), default=None),
            "previousDigestS3Bucket": BUCKET if prev else None,
            "previousDigestS3Object": prev[0] if prev else None,
            "previousDigestHashValue": prev[1] if prev else None,
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev[2] if prev else None,
            "logFiles": [{"s3Bucket": BUCKET, "s3Object": w["path"], "hashValue": w["sha256"],
                          "hashAlgorithm": "SHA-256", "newestEventTime": w["newest"],
                          "oldestEventTime": w["oldest"]} for w in logs],
        }
        body = json.dumps(digest, separators=(",", ":")).encode()
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(gzip.compress(body, compresslevel=9, mtime=0))
        prev = (rel, hashlib.sha256(body).hexdigest(), sig)
        gen.digests.append(rel)


# ================================================================================================
# README and truth
# ================================================================================================

def write_readme(gen, out, written, regenerate):
    n_records = sum(w["records"] for w in written)
    size = sum(os.path.getsize(os.path.join(out, w["path"])) for w in written)
    lines = [
        "# SampleLogs",
        "",
        "A small, realistic CloudTrail archive for trying TrailWatch and for its end-to-end tests:",
        "",
        "```sh",
        "swift run -c release trailwatch backfill SampleLogs",
        "```",
        "",
        "## What is inside",
        "",
        f"- {len(written)} log files, {n_records} records ({size // 1024} KiB gzipped), in the S3 delivery layout "
        "`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz`,",
        "  each a gzip of compact `{\"Records\":[...]}`; records inside a file are not in time order and the file",
        "  stamp is the delivery time, after its newest record.",
        f"- Two accounts: `{PROD}` (prod) and `{STAGING}` (staging); two regions: `us-east-1`, `eu-west-1`;",
        f"  ten days from {iso(START)} to {iso(START + DAYS * DAY)} (the first-seen detector learns for 7 days).",
        f"- Two `CloudTrail-Digest` files (`{gen.digests[0].split('/CloudTrail-Digest/')[0]}/CloudTrail-Digest/...`) that",
        "  must be recognised and skipped. Their `logFiles[].hashValue` are the SHA-256 of the listed files'",
        "  uncompressed bytes; the signatures are made up.",
        f"- One record delivered twice, in two files (eventID `{gen.duplicate_event}`): it must be stored once.",
        "- Background activity: application roles (ECS tasks, EC2 instances, an EKS external-secrets operator via",
        "  `AssumeRoleWithWebIdentity`) reading their secrets with `GetSecretValue` (by name, full ARN and partial",
        "  ARN; some through a VPC endpoint) and `BatchGetSecretValue` with a `secretIdList`, each followed by the",
        "  KMS `Decrypt` that Secrets Manager makes (`encryptionContext.SecretARN`); scheduled rotations",
        "  (`RotationStarted`/`RotationSucceeded` service events around the rotation Lambda's calls); a security",
        "  scanner's `ListSecrets`/`DescribeSecret`/`GetResourcePolicy`; a cross-account read of",
        "  `shared/artifactory-token` from staging (two copies with one `sharedEventID`); EC2, S3, IAM, STS,",
        "  SSM, sign-in and KMS noise. Identities: AssumedRole (with `sessionIssuer`, IAM Identity Center",
        "  roles under a path), IAMUser, Root, AWSService, WebIdentityUser and service-event identities.",
        "- Every (principal, secret) pair read in the background is first read in the first hour, so",
        "  after the learning period only the planted first-time read is new.",
        "",
        "## Planted incidents",
        "",
        "Each row is an alert that `trailwatch backfill SampleLogs` must raise (at least one alert whose",
        "`eventID` is one of the listed records). Nothing else in the archive should alert. The same list,",
        "with related (context) records, is in `Tests/TrailwatchCLITests/Fixtures/sample-incidents.json`.",
        "",
        "| kind | time (UTC) | account / region | event | severity | eventID(s) | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for inc in sorted(gen.incidents, key=lambda i: i["eventTime"]):
        ids = inc["eventIDs"]
        shown = f"`{ids[0]}`" if len(ids) == 1 else f"{len(ids)} records, first `{ids[0]}`"
        lines.append(f"| {inc['kind']} | {inc['eventTime']} | {ACCOUNT_NAMES[inc['account']]} / {inc['region']} | "
                     f"{inc['eventName']} | {inc['severity'] or '-'} | {shown} | "
                     f"{inc['title'] + ('; ' + inc['note'] if inc['note'] else '')} |")
    lines += [
        "",
        "Severities are those the detection rules promise; `-` leaves it to the rule.",
        "",
        "## Regenerate",
        "",
        "```sh",
        regenerate,
        "```",
        "",
        "The script uses only the Python standard library, a fixed seed and fixed timestamps, and writes gzip",
        "members with mtime 0, so the output is byte-for-byte the same on every run.",
        "",
    ]
    with open(os.path.join(out, "README.md"), "w") as fh:
        fh.write("\n".join(lines))


# ================================================================================================
# Self-check: the archive holds exactly the planted incidents
# ================================================================================================

def self_check(gen):
    """Re-derive the detections from the records and fail loudly if background noise would alert."""
    planted = {i for inc in gen.incidents for i in inc["eventIDs"] + inc["relatedEventIDs"]}
    by_name = {}
    for (acct, region, name), sec in gen.secrets.items():
        by_name[(acct, region, name)] = sec.arn
    by_partial = {sec.partial_arn: sec.arn for sec in gen.secrets.values()}
    arns = {sec.arn for sec in gen.secrets.values()}

    def resolve(rec, ref):
        if ref in arns:
            return ref
        if ref in by_partial:
            return by_partial[ref]
        return by_name.get((rec["recipientAccountId"], rec["awsRegion"], ref), "unknown:" + ref)

    def principal(rec):
        ui = rec["userIdentity"]
        if ui.get("type") == "AssumedRole":
            return ui["sessionContext"]["sessionIssuer"]["arn"]
        return ui.get("arn") or ui.get("invokedBy")

    alerting = {"DeleteSecret", "RestoreSecret", "PutResourcePolicy", "DeleteResourcePolicy", "CancelRotateSecret",
                "RotationFailed", "ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy"}
    recs = sorted({r["eventID"]: r for _, _, _, r, _ in gen.records}.values(), key=lambda r: r["eventTime"])
    first_event = {}
    seen = {}
    reads = []  # (time, principal, secret, eventID, ok)
    for r in recs:
        t = int(dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())
        name = r["eventName"]
        if name in alerting or (name == "GetSecretValue" and r["userIdentity"].get("type") == "Root"):
            assert r["eventID"] in planted, f"unplanted {name} {r['eventID']}"
        if name == "BatchGetSecretValue" and "filters" in (r["requestParameters"] or {}):
            assert r["eventID"] in planted, r["eventID"]
        ids = []
        params = r.get("requestParameters") or {}
        if r["eventSource"] == "secretsmanager.amazonaws.com":
            if "secretId" in params:
                ids = [resolve(r, params["secretId"])]
            elif "secretIdList" in params:
                ids = [resolve(r, x) for x in params["secretIdList"]]
            elif (r.get("additionalEventData") or {}).get("SecretId"):
                ids = [r["additionalEventData"]["SecretId"]]
        for sid in ids:
            first_event.setdefault(sid, t)
        if name in ("GetSecretValue", "BatchGetSecretValue"):
            ok = "errorCode" not in r
            for sid in ids:
                reads.append((t, principal(r), sid, r["eventID"], ok, r.get("errorCode")))
    # first-seen: a successful read of a secret known for more than 7 days by a new (principal, secret) pair.
    for t, p, sid, eid, ok, _ in reads:
        if not ok:
            continue
        if (p, sid) not in seen and t - first_event[sid] > 7 * DAY:
            assert eid in planted, f"unplanted first-seen read {eid} {p} {sid}"
        seen.setdefault((p, sid), t)
    # bursts: >= 20 distinct secrets in 5 minutes; >= 20 AccessDenied in an hour.
    by_p = {}
    for t, p, sid, eid, ok, err in reads:
        by_p.setdefault(p, []).append((t, sid, eid, ok, err))
    for p, items in by_p.items():
        for i, (t, sid, eid, ok, err) in enumerate(items):
            window = {x[1] for x in items if t - 300 < x[0] <= t}
            if len(window) >= 20:
                assert eid in planted, f"unplanted burst {p} {eid}"
            denied = [x for x in items if t - 3600 < x[0] <= t and x[4] == "AccessDenied"]
            if len(denied) >= 20:
                assert eid in planted, f"unplanted denied burst {p} {eid}"
        distinct = {x[1] for x in items if x[2] not in planted}
        assert len(distinct) <= 10, f"background principal reads {len(distinct)} secrets: {p}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "SampleLogs"))
    ap.add_argument("--truth", default=os.path.join(root, "Tests", "TrailwatchCLITests", "Fixtures",
                                                    "sample-incidents.json"))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    gen = Generator(args.seed)
    gen.digests = []
    build(gen)
    self_check(gen)
    shutil.rmtree(os.path.join(args.out, "AWSLogs"), ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    written = deliver(gen, args.out)
    write_readme(gen, args.out, written, "python3 Scripts/make-sample-logs.py")
    truth = {
        "generator": "Scripts/make-sample-logs.py", "seed": args.seed,
        "start": iso(START), "end": iso(START + DAYS * DAY),
        "accounts": [PROD, STAGING], "regions": REGIONS,
        "logFiles": len(written), "digestFiles": len(gen.digests),
        "records": sum(w["records"] for w in written),
        "distinctEventIDs": len({r["eventID"] for _, _, _, r, _ in gen.records}),
        "duplicateEventID": gen.duplicate_event,
        "incidents": sorted(gen.incidents, key=lambda i: i["eventTime"]),
    }
    os.makedirs(os.path.dirname(args.truth), exist_ok=True)
    with open(args.truth, "w") as fh:
        json.dump(truth, fh, indent=1)
        fh.write("\n")
    size = sum(os.path.getsize(os.path.join(args.out, w["path"])) for w in written)
    print(f"wrote {len(written)} log files, {truth['records']} records, {size} bytes gzipped, "
          f"{len(gen.digests)} digests, {len(gen.incidents)} incidents")


if __name__ == "__main__":
    main()
