#!/usr/bin/env python3
"""Writes rules/<rule>.fire.json and rules/<rule>.miss.json: CloudTrail records (a JSON array,
in delivery order) on which the shipped rule must fire on the last record only (fire) or never
(miss). Shapes follow the AWS CloudTrail documentation for Secrets Manager and KMS."""
import json, os, copy

ACCT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
N = [0]

def eid():
    N[0] += 1
    return "e%07d-0000-4000-8000-%012d" % (N[0], N[0])

def role(name, session, acct=ACCT):
    return {"type": "AssumedRole", "principalId": "AROAEXAMPLE%s:%s" % (name.upper()[:8], session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, name, session), "accountId": acct,
            "accessKeyId": "ASIAEXAMPLE", "sessionContext": {"sessionIssuer": {"type": "Role",
            "principalId": "AROAEXAMPLE%s" % name.upper()[:8], "arn": "arn:aws:iam::%s:role/%s" % (acct, name),
            "accountId": acct, "userName": name}, "attributes": {"creationDate": "2024-06-01T00:00:00Z", "mfaAuthenticated": "false"}}}

def user(name):
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLE" + name.upper(), "arn": "arn:aws:iam::%s:user/%s" % (ACCT, name),
            "accountId": ACCT, "accessKeyId": "AKIAEXAMPLE", "userName": name}

ROOT = {"type": "Root", "principalId": ACCT, "arn": "arn:aws:iam::%s:root" % ACCT, "accountId": ACCT, "accessKeyId": "ASIAROOT"}

def arn(name, suffix="AbC123"):
    return "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (REGION, ACCT, name, suffix)

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEYARN = "arn:aws:kms:%s:%s:key/%s" % (REGION, ACCT, KEY)

def sm(name, who, t, req=None, resp=None, error=None, etype="AwsApiCall", **extra):
    r = {"eventVersion": "1.09", "userIdentity": who, "eventTime": t, "eventSource": "secretsmanager.amazonaws.com",
         "eventName": name, "awsRegion": REGION, "sourceIPAddress": "203.0.113.10",
         "userAgent": "aws-cli/2.15.19 Python/3.11.6 Linux/6.5 exe/x86_64 prompt/off",
         "requestParameters": req, "responseElements": resp, "requestID": "req-" + eid()[:8], "eventID": eid(),
         "readOnly": name.startswith(("Get", "Describe", "List", "BatchGet")), "eventType": etype,
         "managementEvent": True, "recipientAccountId": ACCT, "eventCategory": "Management"}
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "User is not authorized to perform: secretsmanager:%s" % name if error == "AccessDenied" else "failed"
    r.update(extra)
    return r

def kms(name, who, t, req=None, resp=None, error=None, **extra):
    r = {"eventVersion": "1.09", "userIdentity": who, "eventTime": t, "eventSource": "kms.amazonaws.com",
         "eventName": name, "awsRegion": REGION, "sourceIPAddress": "203.0.113.20", "userAgent": "aws-cli/2.15.19",
         "requestParameters": req, "responseElements": resp, "requestID": "req-" + eid()[:8], "eventID": eid(),
         "readOnly": name in ("Decrypt", "DescribeKey"), "resources": [{"accountId": ACCT, "type": "AWS::KMS::Key", "ARN": KEYARN}],
         "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCT, "eventCategory": "Management"}
    if error:
        r["errorCode"] = error
    r.update(extra)
    return r

def service_event(name, secret_arn, t):
    r = sm(name, {"accountId": ACCT, "invokedBy": "secretsmanager.amazonaws.com"}, t, etype="AwsServiceEvent",
           additionalEventData={"SecretId": secret_arn})
    r["sourceIPAddress"] = "secretsmanager.amazonaws.com"
    r["userAgent"] = "secretsmanager.amazonaws.com"
    r["readOnly"] = False
    r["requestID"] = "Rotation-%s-0000" % secret_arn
    if name == "RotationFailed":
        r["errorMessage"] = "Error when executing lambda arn:aws:lambda:us-east-1:%s:function:rotate during setSecret step" % ACCT
    return r

def get(who, secret, t, error=None):
    return sm("GetSecretValue", who, t, req={"secretId": secret}, error=error)

ADMIN = role("AWSReservedSSO_AdministratorAccess_0123456789abcdef", "alice@example.com")
APP = role("app-payments", "i-0abc1234def567890")
DB = arn("prod/db/password")
F = {}

# Deletion
F["secret-deletion-scheduled"] = (
    [sm("DeleteSecret", ADMIN, "2024-06-10T12:00:00Z", req={"secretId": DB, "recoveryWindowInDays": 7},
        resp={"arn": DB, "name": "prod/db/password", "deletionDate": "Jun 17, 2024, 12:00:00 PM"})],
    [sm("DeleteSecret", ADMIN, "2024-06-10T12:00:00Z", req={"secretId": "prod/db/pasword"}, error="ResourceNotFoundException")])
F["secret-deletion-cancelled"] = (
    [sm("RestoreSecret", ADMIN, "2024-06-11T09:00:00Z", req={"secretId": DB}, resp={"arn": DB, "name": "prod/db/password"})],
    [sm("RestoreSecret", ADMIN, "2024-06-11T09:00:00Z", req={"secretId": DB}, error="InvalidRequestException")])
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
                     "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
F["secret-resource-policy-changed"] = (
    [sm("PutResourcePolicy", ADMIN, "2024-06-12T08:00:00Z", req={"secretId": DB, "resourcePolicy": POLICY, "blockPublicPolicy": True},
        resp={"arn": DB, "name": "prod/db/password"})],
    [sm("ValidateResourcePolicy", ADMIN, "2024-06-12T08:00:00Z", req={"secretId": DB, "resourcePolicy": POLICY},
        resp={"policyValidationPassed": True, "validationErrors": []})])
DEPLOY = role("github-actions-deploy", "GitHubActions")
link = kms("Decrypt", APP, "2024-06-12T07:00:00Z", req={"encryptionContext": {"SecretARN": DB, "SecretVersionId": "v1"},
           "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, invokedBy="secretsmanager.amazonaws.com")
link["sourceIPAddress"] = "secretsmanager.amazonaws.com"
F["kms-key-disabled-or-deleted"] = (
    [link, kms("ScheduleKeyDeletion", ADMIN, "2024-06-12T09:00:00Z", req={"keyId": KEY, "pendingWindowInDays": 7},
               resp={"keyId": KEYARN, "keyState": "PendingDeletion", "deletionDate": "Jun 19, 2024, 12:00:00 AM", "pendingWindowInDays": 7})],
    [kms("DisableKey", {"type": "AWSService", "invokedBy": "kms.amazonaws.com"}, "2024-06-12T09:00:00Z", req={"keyId": KEY}),
     kms("CancelKeyDeletion", ADMIN, "2024-06-12T09:05:00Z", req={"keyId": KEY}, resp={"keyId": KEYARN})])
F["secret-rotation-cancelled"] = (
    [sm("CancelRotateSecret", ADMIN, "2024-06-13T10:00:00Z", req={"secretId": "prod/db/password"}, resp={"arn": DB, "name": "prod/db/password"})],
    [sm("RotateSecret", ADMIN, "2024-06-13T10:00:00Z", req={"secretId": DB}, resp={"arn": DB, "name": "prod/db/password", "versionId": "v2"})])
F["secret-rotation-failed"] = (
    [service_event("RotationFailed", DB, "2024-06-13T11:00:00Z")],
    [service_event("RotationSucceeded", DB, "2024-06-13T11:00:00Z")])
rootdecrypt = kms("Decrypt", ROOT, "2024-06-13T15:54:29Z", req={"encryptionContext": {"SecretARN": DB, "SecretVersionId": "v1"}},
                  invokedBy="secretsmanager.amazonaws.com")
rootdecrypt["sourceIPAddress"] = "secretsmanager.amazonaws.com"
F["secret-read-by-root"] = (
    [get(ROOT, DB, "2024-06-13T15:54:28Z")],
    [rootdecrypt, get(user("alice"), DB, "2024-06-13T15:55:00Z")])

# First seen: the secret's history starts on 06-01; app-payments reads it then; on 06-10 a new
# role reads it (fire). Near miss: app-payments again from another session, and a new role
# reading a secret created two days before (still learning).
NEW = role("ci-runner", "build-4711")
history = [sm("CreateSecret", ADMIN, "2024-06-01T08:00:00Z", req={"name": "prod/db/password"}, resp={"arn": DB, "name": "prod/db/password"}),
           get(APP, DB, "2024-06-01T09:00:00Z"), get(role("app-billing", "task-1"), "prod/db/password", "2024-06-02T09:00:00Z")]
F["secret-read-by-new-principal"] = (
    copy.deepcopy(history) + [get(NEW, DB, "2024-06-10T10:00:00Z")],
    copy.deepcopy(history) + [get(role("app-payments", "i-0fff0000aaaa11112"), "prod/db/password", "2024-06-10T10:00:00Z"),
     sm("CreateSecret", ADMIN, "2024-06-08T08:00:00Z", req={"name": "prod/new"}, resp={"arn": arn("prod/new", "ZzZ999"), "name": "prod/new"}),
     get(NEW, arn("prod/new", "ZzZ999"), "2024-06-10T10:00:00Z"),
     get(NEW, DB, "2024-06-10T10:01:00Z", error="AccessDenied")])
for r in F["secret-read-by-new-principal"][0] + F["secret-read-by-new-principal"][1]:
    r["eventID"] = eid()

# Burst: 20 distinct secrets in under 5 minutes, delivered out of order (fire on the 20th in time).
THIEF = user("svc-legacy-reporting")
burst = [get(THIEF, "prod/app%02d/token" % i, "2024-06-13T18:%02d:%02dZ" % (11 + (i * 12) // 60, (i * 12) % 60)) for i in range(20)]
fire = burst[10:] + burst[:10]
fire.sort(key=lambda r: r["eventTime"])  # delivery: last record is the 20th secret
fire = [fire[i] for i in [5, 2, 9, 0, 1, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]]
slow = [get(THIEF, "prod/app%02d/token" % i, "2024-06-13T18:%02d:%02dZ" % (11 + (i * 16) // 60, (i * 16) % 60)) for i in range(20)]
repeat = [get(THIEF, "prod/app%02d/token" % (i % 19), "2024-06-13T19:%02d:%02dZ" % ((i * 12) // 60, (i * 12) % 60)) for i in range(20)]
F["secret-read-burst"] = (fire, slow + repeat)

# Denied burst: 20 AccessDenied reads within an hour.
PROBE = role("prod-ledger-reconciler-task-role", "task-9")
denied = [get(PROBE, "prod/x%02d" % (i % 4), "2024-06-14T02:%02d:00Z" % (i * 3), error="AccessDenied") for i in range(20)]
nearly = [get(PROBE, "prod/x%02d" % (i % 4), "2024-06-14T02:%02d:00Z" % (i * 3), error="AccessDenied") for i in range(19)] + \
         [get(PROBE, "prod/x00", "2024-06-14T02:59:00Z", error="ResourceNotFoundException")]
F["secret-read-denied-burst"] = (denied, nearly)

F["secret-batch-catch-all"] = (
    [sm("BatchGetSecretValue", THIEF, "2024-06-14T03:00:00Z", req={"filters": [{"key": "tag-key", "values": ["!tagKeyThatWillNeverExist"]}]})],
    [sm("BatchGetSecretValue", THIEF, "2024-06-14T03:00:00Z", req={"filters": [{"key": "tag-key", "values": ["env", "!legacy"]}]}),
     sm("BatchGetSecretValue", THIEF, "2024-06-14T03:01:00Z", req={"secretIdList": [DB, arn("prod/other", "QwE456")]})])

# The trail itself.
TRAIL = "arn:aws:cloudtrail:us-east-1:%s:trail/management-events" % ACCT

def ct(name, who, t, req=None, resp=None, error=None, source="cloudtrail.amazonaws.com"):
    r = sm(name, who, t, req=req, resp=resp, error=error)
    r["eventSource"] = source
    r["readOnly"] = False
    return r

F["trail-logging-stopped"] = (
    [ct("StopLogging", ADMIN, "2024-06-14T04:00:00Z", req={"name": TRAIL})],
    [ct("StartLogging", ADMIN, "2024-06-14T04:00:00Z", req={"name": TRAIL}),
     ct("StopLogging", ADMIN, "2024-06-14T04:01:00Z", req={"name": "nope"}, error="TrailNotFoundException")])
F["trail-deleted"] = (
    [ct("DeleteTrail", ADMIN, "2024-06-14T04:00:00Z", req={"name": TRAIL})],
    [ct("CreateTrail", ADMIN, "2024-06-14T04:00:00Z", req={"name": "extra", "s3BucketName": "acme-trail-%s" % ACCT},
        resp={"name": "extra", "s3BucketName": "acme-trail-%s" % ACCT, "trailARN": TRAIL.replace("management-events", "extra")})])
F["trail-weakened"] = (
    [ct("CreateTrail", ADMIN, "2024-06-14T03:00:00Z", req={"name": "management-events", "s3BucketName": "acme-trail-%s" % ACCT},
        resp={"name": "management-events", "s3BucketName": "acme-trail-%s" % ACCT, "trailARN": TRAIL}),
     ct("UpdateTrail", ADMIN, "2024-06-14T04:00:00Z", req={"name": TRAIL, "s3BucketName": "aws-cloudtrail-logs-%s-0a1b2c3d" % OTHER},
        resp={"name": "management-events", "s3BucketName": "aws-cloudtrail-logs-%s-0a1b2c3d" % OTHER, "trailARN": TRAIL})],
    [ct("CreateTrail", ADMIN, "2024-06-14T03:00:00Z", req={"name": "management-events", "s3BucketName": "acme-trail-%s" % ACCT},
        resp={"name": "management-events", "s3BucketName": "acme-trail-%s" % ACCT, "trailARN": TRAIL}),
     ct("UpdateTrail", ADMIN, "2024-06-14T04:00:00Z", req={"name": TRAIL, "s3BucketName": "acme-trail-%s" % ACCT, "enableLogFileValidation": True}),
     ct("UpdateTrail", ADMIN, "2024-06-14T04:01:00Z", req={"name": TRAIL, "isMultiRegionTrail": True, "includeGlobalServiceEvents": True})])
S3SEL = {"trailName": TRAIL, "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True,
         "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}
F["trail-event-selectors-narrowed"] = (
    [ct("PutEventSelectors", ADMIN, "2024-06-14T04:00:00Z", req=S3SEL),
     ct("PutEventSelectors", ADMIN, "2024-06-14T05:00:00Z", req={"trailName": TRAIL, "eventSelectors": [
        {"readWriteType": "All", "includeManagementEvents": True, "dataResources": []}]})],
    [ct("PutEventSelectors", ADMIN, "2024-06-14T04:00:00Z", req=S3SEL),
     ct("PutEventSelectors", ADMIN, "2024-06-14T05:00:00Z", req={"trailName": TRAIL, "advancedEventSelectors": [
        {"name": "all management", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]},
        {"name": "s3", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}),
     ct("PutEventSelectors", ADMIN, "2024-06-14T06:00:00Z", req={"trailName": TRAIL, "eventSelectors": [
        {"readWriteType": "WriteOnly", "includeManagementEvents": True}]}, error="InvalidTrailNameException")])
F["organization-left"] = (
    [ct("LeaveOrganization", ADMIN, "2024-06-14T04:00:00Z", source="organizations.amazonaws.com")],
    [ct("DescribeOrganization", ADMIN, "2024-06-14T04:00:00Z", source="organizations.amazonaws.com"),
     ct("LeaveOrganization", ADMIN, "2024-06-14T04:01:00Z", source="organizations.amazonaws.com", error="ConstraintViolationException")])

# Batch retrieval: five calls by one principal within a day; in five regions within 10 minutes.
def batch(who, t, region=REGION, error=None):
    r = sm("BatchGetSecretValue", who, t, req={"filters": [{"key": "tag-key", "values": ["team"]}]}, error=error)
    r["awsRegion"] = region
    return r

REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2"]
F["secret-batch-retrieval-volume"] = (
    [batch(THIEF, "2024-06-15T%02d:00:00Z" % (1 + 5 * i)) for i in range(5)],
    [batch(THIEF, "2024-06-15T%02d:00:00Z" % (1 + 6 * i)) for i in range(4)] + [batch(THIEF, "2024-06-16T01:00:01Z"),
     batch(THIEF, "2024-06-16T02:00:00Z", error="AccessDenied"), batch(APP, "2024-06-16T03:00:00Z"),
     sm("BatchGetSecretValue", THIEF, "2024-06-15T20:00:00Z", req={"secretIdList": [DB, arn("prod/other", "QwE456")]})])
F["secret-batch-retrieval-regions"] = (
    [batch(THIEF, "2024-06-15T10:%02d:00Z" % (2 * i), region=REGIONS[i]) for i in range(5)],
    [batch(THIEF, "2024-06-15T10:%02d:00Z" % (2 * i), region=REGIONS[i]) for i in range(4)] +
    [batch(THIEF, "2024-06-15T10:10:00Z", region=REGIONS[0]), batch(THIEF, "2024-06-15T10:12:01Z", region=REGIONS[4])])

# A secret scheduled for deletion and still read.
marked = "You can't perform this operation on the secret because it was marked for deletion."
def pending_read(who, secret, t, message=marked):
    r = get(who, secret, t, error="InvalidRequestException")
    r["errorMessage"] = message
    return r

F["secret-read-pending-deletion"] = (
    [sm("DeleteSecret", ADMIN, "2024-06-16T12:00:00Z", req={"secretId": DB, "recoveryWindowInDays": 7},
        resp={"arn": DB, "name": "prod/db/password", "deletionDate": "Jun 23, 2024, 12:00:00 PM"}),
     pending_read(APP, "prod/db/password", "2024-06-16T12:05:00Z")],
    [pending_read(APP, DB, "2024-06-16T12:05:00Z", message="You provided a parameter value that is not valid for the current state of the resource."),
     get(APP, DB, "2024-06-16T12:06:00Z", error="ResourceNotFoundException")])

here = os.path.dirname(os.path.abspath(__file__))
for name, (fire, miss) in F.items():
    for kind, recs in (("fire", fire), ("miss", miss)):
        with open(os.path.join(here, "rules", "%s.%s.json" % (name, kind)), "w") as f:
            json.dump(recs, f, indent=1)
            f.write("\n")
print(len(F), "rules")
