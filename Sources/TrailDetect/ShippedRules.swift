/// Built-in copies of the rule files in `Rules/`, so that the binary works from any directory.
///
/// Keep in sync with `Rules/*.json` (a test compares them byte for byte and prints this file
/// when they differ).
extension RuleLoader {
    /// The shipped rules: `Rules/<name>.json` and its text, sorted by file name.
    public static let shipped: [(file: String, json: String)] = [
        ("Rules/kms-key-disabled-or-deleted.json", ####"""
{
  "name": "kms-key-disabled-or-deleted",
  "title": "KMS key scheduled for deletion, disabled or its policy replaced",
  "severity": "medium",
  "description": "ScheduleKeyDeletion, DisableKey or PutKeyPolicy by anything other than an AWS service. Secrets encrypted with a deleted or disabled key become unreadable; a replaced key policy can lock owners out or let others in. High when the key is known to encrypt a secret (seen in encryptionContext.SecretARN of KMS events, or as kmsKeyId of CreateSecret/UpdateSecret).",
  "pattern": {
    "source": ["aws.kms"],
    "detail": {
      "eventSource": ["kms.amazonaws.com"],
      "eventName": ["ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy"],
      "errorCode": [{"exists": false}],
      "userIdentity": {"type": [{"anything-but": "AWSService"}]}
    }
  },
  "detector": {"type": "kms-key", "escalate": "high"}
}

"""####),
        ("Rules/organization-left.json", ####"""
{
  "name": "organization-left",
  "title": "Account left its AWS organization",
  "severity": "high",
  "description": "LeaveOrganization: the account drops out of the organization, its organization trail and its guardrails (service control policies). A denied attempt (AccessDenied) is medium: someone tried.",
  "pattern": {
    "source": ["aws.organizations"],
    "detail": {
      "eventSource": ["organizations.amazonaws.com"],
      "eventName": ["LeaveOrganization"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "trail-change", "denied": "medium"}
}

"""####),
        ("Rules/secret-batch-catch-all.json", ####"""
{
  "name": "secret-batch-catch-all",
  "title": "BatchGetSecretValue with a filter that selects every secret",
  "severity": "high",
  "description": "BatchGetSecretValue whose filters are only negated tag-key values (for example tag-key = !tagThatNeverExists): nothing is excluded, so the call reads every secret the caller may read.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["BatchGetSecretValue"],
      "requestParameters": {"filters": {"key": ["tag-key"]}}
    }
  },
  "detector": {"type": "batch-catch-all"}
}

"""####),
        ("Rules/secret-batch-retrieval-regions.json", ####"""
{
  "name": "secret-batch-retrieval-regions",
  "title": "BatchGetSecretValue across many regions",
  "severity": "high",
  "description": "One principal called BatchGetSecretValue in at least 5 distinct regions within 10 minutes of event time: sweeping every region for secrets. Repeats within an hour fold into the first alert.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["BatchGetSecretValue"]
    }
  },
  "detector": {"type": "threshold", "group": ["principal"], "distinct": "region", "count": 5, "window": "PT10M"},
  "suppress": {"by": ["principal"], "for": "PT1H"}
}

"""####),
        ("Rules/secret-batch-retrieval-volume.json", ####"""
{
  "name": "secret-batch-retrieval-volume",
  "title": "Many BatchGetSecretValue calls",
  "severity": "high",
  "description": "One principal made at least 5 successful BatchGetSecretValue calls that select secrets by filters within 24 hours of event time (each call can return up to 20 secrets): bulk retrieval, as in credential harvesting. Calls that name their secrets (secretIdList), an application's usual way to fetch its own secrets, are not counted. Repeats within a day fold into the first alert.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["BatchGetSecretValue"],
      "errorCode": [{"exists": false}],
      "requestParameters": {"filters": {"key": [{"exists": true}]}}
    }
  },
  "detector": {"type": "threshold", "group": ["principal"], "count": 5, "window": "P1D"},
  "suppress": {"by": ["principal"], "for": "P1D"}
}

"""####),
        ("Rules/secret-deletion-cancelled.json", ####"""
{
  "name": "secret-deletion-cancelled",
  "title": "Secret deletion cancelled",
  "severity": "low",
  "description": "RestoreSecret: a secret scheduled for deletion was restored. Usually a recovery; worth a look next to the DeleteSecret that preceded it. The service events that follow a deletion (StartSecretVersionDelete, CancelSecretVersionDelete, EndSecretVersionDelete) stay in the access history.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["RestoreSecret"],
      "errorCode": [{"exists": false}]
    }
  }
}

"""####),
        ("Rules/secret-deletion-scheduled.json", ####"""
{
  "name": "secret-deletion-scheduled",
  "title": "Secret scheduled for deletion",
  "severity": "high",
  "description": "DeleteSecret: the secret disappears when its recovery window ends (30 days unless the request says otherwise). Critical when forceDeleteWithoutRecovery is set or the window is shorter than 30 days; a denied attempt (AccessDenied) is medium: someone tried. The alert states the deletion date.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["DeleteSecret"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "secret-deletion", "denied": "medium", "escalate": "critical", "minimumWindowDays": 30}
}

"""####),
        ("Rules/secret-read-burst.json", ####"""
{
  "name": "secret-read-burst",
  "title": "Many secrets read in a short time",
  "severity": "high",
  "description": "One principal read at least 20 distinct secrets within 5 minutes of event time (GetSecretValue, and each secret of BatchGetSecretValue): typical of credential harvesting. Longer bursts fold into the first alert for an hour.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["GetSecretValue", "BatchGetSecretValue"],
      "errorCode": [{"exists": false}]
    }
  },
  "detector": {"type": "threshold", "group": ["principal"], "distinct": "secret", "count": 20, "window": "PT5M"},
  "suppress": {"by": ["principal"], "for": "PT1H"}
}

"""####),
        ("Rules/secret-read-by-new-principal.json", ####"""
{
  "name": "secret-read-by-new-principal",
  "title": "Secret read by a principal that never read it before",
  "severity": "medium",
  "description": "A principal (the role, not the session; the IAM user; root) successfully read a secret it has not read before, after the secret's history is longer than the learning period. Reads during the learning period build the baseline silently; a principal unseen for 90 days counts as new again. Repeats by the same principal within an hour fold into the first alert.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["GetSecretValue", "BatchGetSecretValue"],
      "errorCode": [{"exists": false}]
    }
  },
  "detector": {"type": "first-seen", "key": ["secret"], "value": "principal", "learning": "P7D", "forget": "P90D"},
  "suppress": {"by": ["principal"], "for": "PT1H"}
}

"""####),
        ("Rules/secret-read-by-root.json", ####"""
{
  "name": "secret-read-by-root",
  "title": "Secret read by the root user",
  "severity": "high",
  "description": "GetSecretValue or BatchGetSecretValue called with the account's root credentials. Root should not be used for day-to-day work, least of all to read secrets.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["GetSecretValue", "BatchGetSecretValue"],
      "userIdentity": {"type": ["Root"]}
    }
  }
}

"""####),
        ("Rules/secret-read-denied-burst.json", ####"""
{
  "name": "secret-read-denied-burst",
  "title": "Many denied secret reads",
  "severity": "medium",
  "description": "One principal had at least 20 GetSecretValue or BatchGetSecretValue calls denied (AccessDenied) within an hour: probing for secrets it should not have.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["GetSecretValue", "BatchGetSecretValue"],
      "errorCode": ["AccessDenied"]
    }
  },
  "detector": {"type": "threshold", "group": ["principal"], "count": 20, "window": "PT1H"},
  "suppress": {"by": ["principal"], "for": "P1D"}
}

"""####),
        ("Rules/secret-read-pending-deletion.json", ####"""
{
  "name": "secret-read-pending-deletion",
  "title": "Secret still in use while scheduled for deletion",
  "severity": "medium",
  "description": "GetSecretValue refused because the secret was marked for deletion (InvalidRequestException): something still depends on a secret that is about to disappear (AWS's recommended alarm). The alert names the caller, the secret and the deletion date and who scheduled it, from the DeleteSecret in the history. Repeats by the same caller for the same secret within a day fold into the first alert.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["GetSecretValue"],
      "errorCode": ["InvalidRequestException"],
      "errorMessage": [{"wildcard": "*marked for deletion*"}]
    }
  },
  "detector": {"type": "pending-deletion-read"},
  "suppress": {"by": ["principal", "secret"], "for": "P1D"}
}

"""####),
        ("Rules/secret-resource-policy-changed.json", ####"""
{
  "name": "secret-resource-policy-changed",
  "title": "Secret resource policy changed",
  "severity": "medium",
  "description": "PutResourcePolicy or DeleteResourcePolicy on a secret. High when the new policy lets anyone (\"Principal\": \"*\") or another account in without an organisation condition (aws:PrincipalOrgID, aws:SourceOrgID, aws:PrincipalOrgPaths), or when blockPublicPolicy is false. The alert names the principals the policy adds.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["PutResourcePolicy", "DeleteResourcePolicy"],
      "errorCode": [{"exists": false}]
    }
  },
  "detector": {"type": "resource-policy", "escalate": "high"}
}

"""####),
        ("Rules/secret-rotation-cancelled.json", ####"""
{
  "name": "secret-rotation-cancelled",
  "title": "Secret rotation switched off",
  "severity": "medium",
  "description": "CancelRotateSecret: automatic rotation of a secret was turned off, so its value stops changing.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["CancelRotateSecret"],
      "errorCode": [{"exists": false}]
    }
  }
}

"""####),
        ("Rules/secret-rotation-failed.json", ####"""
{
  "name": "secret-rotation-failed",
  "title": "Secret rotation failed",
  "severity": "medium",
  "description": "RotationFailed service event: the rotation function failed, so the secret keeps its old value (and may be left with a pending version). Repeats for the same secret within a day fold into the first alert.",
  "pattern": {
    "source": ["aws.secretsmanager"],
    "detail": {
      "eventSource": ["secretsmanager.amazonaws.com"],
      "eventName": ["RotationFailed"]
    }
  },
  "suppress": {"by": ["secret"], "for": "P1D"}
}

"""####),
        ("Rules/trail-deleted.json", ####"""
{
  "name": "trail-deleted",
  "title": "CloudTrail trail deleted",
  "severity": "high",
  "description": "DeleteTrail: the trail and its delivery are gone, so nothing more is recorded by it. A denied attempt (AccessDenied) is medium: someone tried.",
  "pattern": {
    "source": ["aws.cloudtrail"],
    "detail": {
      "eventSource": ["cloudtrail.amazonaws.com"],
      "eventName": ["DeleteTrail"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "trail-change", "denied": "medium"}
}

"""####),
        ("Rules/trail-event-selectors-narrowed.json", ####"""
{
  "name": "trail-event-selectors-narrowed",
  "title": "CloudTrail event selectors stop logging secret reads or data events",
  "severity": "high",
  "description": "PutEventSelectors (basic or advanced selectors) after which read management events of Secrets Manager are no longer logged (GetSecretValue and BatchGetSecretValue are read management events), or that drops data event types the trail had (known from an earlier PutEventSelectors). Other selector changes do not alert. A denied attempt (AccessDenied) is medium.",
  "pattern": {
    "source": ["aws.cloudtrail"],
    "detail": {
      "eventSource": ["cloudtrail.amazonaws.com"],
      "eventName": ["PutEventSelectors"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "trail-change", "denied": "medium"}
}

"""####),
        ("Rules/trail-logging-stopped.json", ####"""
{
  "name": "trail-logging-stopped",
  "title": "CloudTrail logging stopped",
  "severity": "high",
  "description": "StopLogging: the trail records nothing until logging is started again, so every later action, reads of secrets included, goes unseen. A denied attempt (AccessDenied) is medium: someone tried.",
  "pattern": {
    "source": ["aws.cloudtrail"],
    "detail": {
      "eventSource": ["cloudtrail.amazonaws.com"],
      "eventName": ["StopLogging"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "trail-change", "denied": "medium"}
}

"""####),
        ("Rules/trail-weakened.json", ####"""
{
  "name": "trail-weakened",
  "title": "CloudTrail trail delivery moved or coverage reduced",
  "severity": "high",
  "description": "UpdateTrail that moves log delivery to another bucket (compared with the bucket the history knows; a bucket whose name names another account is called out), or turns off multi-region logging, global service events, log file validation or the organization trail. Other updates, and CreateTrail (which teaches TrailWatch the trail's bucket), do not alert. A denied attempt (AccessDenied) is medium.",
  "pattern": {
    "source": ["aws.cloudtrail"],
    "detail": {
      "eventSource": ["cloudtrail.amazonaws.com"],
      "eventName": ["UpdateTrail", "CreateTrail"],
      "errorCode": [{"exists": false}, "AccessDenied"]
    }
  },
  "detector": {"type": "trail-change", "denied": "medium"}
}

"""####),
    ]
}
