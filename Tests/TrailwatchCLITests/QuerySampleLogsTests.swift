import Foundation
import Testing

/// The read side on the SampleLogs store: exact output of `trailwatch query` and `trailwatch alerts`
/// (times are UTC ISO 8601 and the store is deterministic, so the text is pinned). Each expected
/// output was checked against the raw records in SampleLogs and its README.
@Suite("query SampleLogs")
struct QuerySampleLogsTests {
    /// Runs a read command on the shared SampleLogs store.
    private func read(_ arguments: [String]) throws -> (result: CLIResult, db: URL) {
        let db = try SampleRun.get().db
        let result = try TrailwatchBinary.run(arguments + ["--db", db.path])
        return (result, db)
    }

    /// Expects exit 0, nothing on stderr and exactly `text` (plus the final newline) on stdout.
    private func expectOutput(_ arguments: [String], _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (result, _) = try read(arguments)
        #expect(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stdout == text + "\n", "\(result)", sourceLocation: sourceLocation)
    }

    /// prod/payments/db-password in us-east-1: role/app-payments reads it (with the KMS Decrypt that
    /// follows each read), SecurityAudit describes it, the Developer role's DeleteSecret was denied
    /// (one error), and user/ci-legacy read it once in its burst; most recent first.
    static let paymentsCallersCSV = #"""
        principal,firstSeen,lastSeen,count,errors,events,principalArn
        role/app-payments,2025-09-01T00:25:02Z,2025-09-10T16:40:43Z,58,0,Decrypt;GetSecretValue,arn:aws:iam::428471960213:role/app-payments
        role/SecurityAudit,2025-09-06T02:40:54Z,2025-09-09T07:06:29Z,4,0,DescribeSecret;GetResourcePolicy,arn:aws:iam::428471960213:role/SecurityAudit
        role/AWSReservedSSO_Developer_5a9d0e1f2c3b4a76,2025-09-08T10:22:40Z,2025-09-08T10:22:40Z,1,1,DeleteSecret,arn:aws:iam::428471960213:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_Developer_5a9d0e1f2c3b4a76
        user/ci-legacy,2025-09-05T12:10:10Z,2025-09-05T12:10:10Z,2,0,Decrypt;GetSecretValue,arn:aws:iam::428471960213:user/ci-legacy
        """#

    @Test("callers of a secret as CSV, most recent first")
    func callersCSV() throws {
        try expectOutput(["query", "callers", "--secret", "prod/payments/db-password", "--region", "us-east-1", "--format", "csv"],
                         Self.paymentsCallersCSV)
    }

    @Test("a secret given as full ARN, partial ARN or name with suffix resolves to the same secret",
          arguments: [
              "arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/payments/db-password-PWmi2J",
              "arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/payments/db-password",
              "prod/payments/db-password-PWmi2J",
          ])
    func secretForms(_ secret: String) throws {
        try expectOutput(["query", "callers", "--secret", secret, "--format", "csv"], Self.paymentsCallersCSV)
    }

    @Test("a name that two regions share is ambiguous: exit 2 and the candidates listed")
    func ambiguousSecret() throws {
        let (result, db) = try read(["query", "callers", "--secret", "prod/payments/db-password", "--format", "csv"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr == """
            trailwatch: \(db.path): resolve secret: secret "prod/payments/db-password" is ambiguous: 2 secrets match \
            (give a full ARN, or --account/--region):
              arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/payments/db-password-MvAKLC  (account 428471960213, region eu-west-1)
              arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/payments/db-password-PWmi2J  (account 428471960213, region us-east-1)

            """, "\(result)")
    }

    @Test("a role name that two accounts share is ambiguous: exit 2 and the candidates listed")
    func ambiguousPrincipal() throws {
        let (result, db) = try read(["query", "access", "--principal", "app-reporting"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr == """
            trailwatch: \(db.path): resolve principal: principal "app-reporting" is ambiguous: 2 principals match (give an ARN, or --account):
              arn:aws:iam::428471960213:role/app-reporting
              arn:aws:iam::739205118846:role/app-reporting

            """, "\(result)")
    }

    @Test("secrets a principal touched: the 24 denied reads of role/vendor-sync, 4 on each of 6 secrets")
    func secretsOfPrincipal() throws {
        try expectOutput(["query", "secrets", "--principal", "role/vendor-sync", "--format", "csv"], #"""
            secret,account,region,firstSeen,lastSeen,count,errors,events,secretArn
            prod/redis/auth-token,428471960213,eu-west-1,2025-09-07T21:13:40Z,2025-09-07T21:43:34Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/redis/auth-token-DAae2m
            prod/gdpr/export-bucket-key,428471960213,eu-west-1,2025-09-07T21:12:04Z,2025-09-07T21:41:50Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/gdpr/export-bucket-key-W0kE77
            prod/eu-vat/api-key,428471960213,eu-west-1,2025-09-07T21:10:16Z,2025-09-07T21:40:28Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/eu-vat/api-key-IEpBhW
            prod/auth/jwt-signing-key,428471960213,eu-west-1,2025-09-07T21:08:33Z,2025-09-07T21:38:50Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/auth/jwt-signing-key-V6O8h8
            prod/orders/db-password,428471960213,eu-west-1,2025-09-07T21:07:02Z,2025-09-07T21:36:44Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/orders/db-password-F3Tgm9
            prod/payments/db-password,428471960213,eu-west-1,2025-09-07T21:05:20Z,2025-09-07T21:35:19Z,4,4,GetSecretValue,arn:aws:secretsmanager:eu-west-1:428471960213:secret:prod/payments/db-password-MvAKLC
            """#)
    }

    @Test("access rows of one event name as a table")
    func accessTable() throws {
        try expectOutput(["query", "access", "--event", "RestoreSecret"], #"""
            TIME                  PRINCIPAL                                             SESSION                   EVENT          SECRET                SOURCE IP      USER AGENT                                                    ERROR  EVENT ID
            2025-09-09T12:43:12Z  role/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60  bob.kowalski@example.com  RestoreSecret  prod/cdn/signing-key  198.51.100.61  Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit…  -      68d16f56-901d-4a0b-b4af-72b3cbcdd423
            """#)
    }

    /// Two deletions still pending (dates long passed): the 7-day window on staging/qa/test-user-passwords
    /// and the forced deletion of staging/load-test/api-key; prod/cdn/signing-key was restored and the
    /// denied DeleteSecret scheduled nothing.
    @Test("pending deletions as a table and as JSON lines, soonest first")
    func pendingDeletions() throws {
        try expectOutput(["query", "pending-deletions"], #"""
            DELETION DATE         SECRET                          ACCOUNT       REGION     SCHEDULED             SCHEDULED BY                                              WINDOW DAYS  FORCE  STATUS
            2025-09-08T15:02:09Z  staging/load-test/api-key       739205118846  us-east-1  2025-09-08T15:02:09Z  role/AWSReservedSSO_Developer_9e8d7c6b5a493827            -            true   passed
            2025-09-09T16:40:11Z  staging/qa/test-user-passwords  739205118846  us-east-1  2025-09-02T16:40:11Z  role/AWSReservedSSO_AdministratorAccess_c4d5e6f708192a3b  7            false  passed
            """#)
        try expectOutput(["query", "pending-deletions", "--format", "json"], #"""
            {"deletionDate":"2025-09-08T15:02:09Z","secret":"staging/load-test/api-key","account":"739205118846",\#
            "region":"us-east-1","scheduled":"2025-09-08T15:02:09Z","principal":"role/AWSReservedSSO_Developer_9e8d7c6b5a493827",\#
            "recoveryWindowInDays":null,"force":true,"status":"passed","eventID":"8ee3577e-713e-481f-9194-c97b58c5129b",\#
            "secretArn":"arn:aws:secretsmanager:us-east-1:739205118846:secret:staging/load-test/api-key-wW2mn0"}
            {"deletionDate":"2025-09-09T16:40:11Z","secret":"staging/qa/test-user-passwords","account":"739205118846",\#
            "region":"us-east-1","scheduled":"2025-09-02T16:40:11Z","principal":"role/AWSReservedSSO_AdministratorAccess_c4d5e6f708192a3b",\#
            "recoveryWindowInDays":7,"force":false,"status":"passed","eventID":"55e32b39-e80f-4eb8-b71c-b53dff7232b0",\#
            "secretArn":"arn:aws:secretsmanager:us-east-1:739205118846:secret:staging/qa/test-user-passwords-qXGNGU"}
            """#)
    }

    /// prod/cdn/signing-key: scheduled for deletion with the default 30-day window, restored five
    /// hours later; eks-external-secrets' reads failed in between (4 errors, one alert with count 4); 6 callers and
    /// three alerts.
    @Test("one secret's story as JSON")
    func secretStory() throws {
        try expectOutput(["query", "secret", "prod/cdn/signing-key", "--format", "json"], #"""
            {"secret":"prod/cdn/signing-key","arn":"arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/cdn/signing-key-clwNFD",\#
            "arns":["arn:aws:secretsmanager:us-east-1:428471960213:secret:prod/cdn/signing-key-clwNFD"],\#
            "account":"428471960213","region":"us-east-1","firstSeen":"2025-09-01T00:01:58Z","lastSeen":"2025-09-09T12:43:13Z",\#
            "created":null,"deletion":{"scheduled":"2025-09-09T07:31:12Z","principal":"role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d",\#
            "recoveryWindowInDays":30,"force":false,"deletionDate":"2025-10-09T07:31:12Z","restored":"2025-09-09T12:43:12Z"},\#
            "kmsKeys":["arn:aws:kms:us-east-1:428471960213:key/a541958f-e99a-47b5-8a1c-7e9e07b26d56"],\#
            "callerCount":6,"alertCount":3,"events":[{"time":"2025-09-09T07:31:12Z","eventName":"DeleteSecret",\#
            "principal":"role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d","errorCode":null,"detail":"recovery window 30 days",\#
            "eventID":"f308f60a-1d7e-454a-b066-191d2fc00951"},{"time":"2025-09-09T07:31:13Z","eventName":"StartSecretVersionDelete",\#
            "principal":"secretsmanager.amazonaws.com","errorCode":null,"detail":null,"eventID":"f6013013-b4ea-4d42-93ed-e2e001a328d3"},\#
            {"time":"2025-09-09T12:43:12Z","eventName":"RestoreSecret","principal":"role/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60",\#
            "errorCode":null,"detail":null,"eventID":"68d16f56-901d-4a0b-b4af-72b3cbcdd423"},{"time":"2025-09-09T12:43:13Z",\#
            "eventName":"CancelSecretVersionDelete","principal":"secretsmanager.amazonaws.com","errorCode":null,\#
            "detail":null,"eventID":"11ff6c59-51cf-4d39-b44d-3b7f061b0f58"}],"callers":[{"principal":"secretsmanager.amazonaws.com",\#
            "firstSeen":"2025-09-09T07:31:13Z","lastSeen":"2025-09-09T12:43:13Z","count":2,"errors":0,\#
            "events":["CancelSecretVersionDelete","StartSecretVersionDelete"],"principalArn":"secretsmanager.amazonaws.com"},\#
            {"principal":"role/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60","firstSeen":"2025-09-09T12:43:12Z",\#
            "lastSeen":"2025-09-09T12:43:12Z","count":1,"errors":0,"events":["RestoreSecret"],"principalArn":"arn:aws:iam::428471960213:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60"},\#
            {"principal":"role/eks-external-secrets","firstSeen":"2025-09-01T00:01:58Z","lastSeen":"2025-09-09T11:21:12Z",\#
            "count":26,"errors":4,"events":["Decrypt","GetSecretValue"],"principalArn":"arn:aws:iam::428471960213:role/eks-external-secrets"},\#
            {"principal":"role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d","firstSeen":"2025-09-09T07:31:12Z",\#
            "lastSeen":"2025-09-09T07:31:12Z","count":1,"errors":0,"events":["DeleteSecret"],"principalArn":"arn:aws:iam::428471960213:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d"},\#
            {"principal":"role/SecurityAudit","firstSeen":"2025-09-04T05:35:42Z","lastSeen":"2025-09-09T07:06:20Z",\#
            "count":6,"errors":0,"events":["DescribeSecret","GetResourcePolicy"],"principalArn":"arn:aws:iam::428471960213:role/SecurityAudit"},\#
            {"principal":"user/ci-legacy","firstSeen":"2025-09-05T12:12:20Z","lastSeen":"2025-09-05T12:12:20Z",\#
            "count":2,"errors":0,"events":["Decrypt","GetSecretValue"],"principalArn":"arn:aws:iam::428471960213:user/ci-legacy"}],\#
            "alerts":[{"time":"2025-09-09T12:43:12Z","severity":"low","rule":"secret-deletion-cancelled",\#
            "principal":"role/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60","count":1,"summary":"Secret deletion cancelled: role/AWSReservedSSO_PowerUserAccess_2b7e9a4c1d3f5e60 (bob.kowalski@example.com) called RestoreSecret on secret prod/cdn/signing-key (account 428471960213, us-east-1)",\#
            "id":"f0a82daf3c466593"},{"time":"2025-09-09T07:51:12Z","severity":"medium","rule":"secret-read-pending-deletion",\#
            "principal":"role/eks-external-secrets","count":4,"summary":"role/eks-external-secrets (external-secrets-9463) still reads secret prod/cdn/signing-key, which is scheduled for deletion on 2025-10-09 (DeleteSecret by role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d at 2025-09-09T07:31:12Z) (account 428471960213, us-east-1)",\#
            "id":"33df99795043b2e3"},{"time":"2025-09-09T07:31:12Z","severity":"high","rule":"secret-deletion-scheduled",\#
            "principal":"role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d","count":1,"summary":"role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (alice.nguyen@example.com) scheduled secret prod/cdn/signing-key for deletion on 2025-10-09 (recovery window 30 days) (account 428471960213, us-east-1)",\#
            "id":"09796074e02c8c08"}]}
            """#)
    }

    /// Severity high and above, newest first: the 7 high alerts and the 2 critical deletions.
    @Test("alerts of high severity and above as a table")
    func alertsTable() throws {
        try expectOutput(["alerts", "--format", "table", "--severity", "high"], #"""
            TIME                  SEVERITY  RULE                            PRINCIPAL                                                 SECRET                           COUNT  SUMMARY
            2025-09-10T13:20:26Z  high      secret-batch-catch-all          role/github-actions-deploy                                -                                1      role/github-actions-deploy (GitHubActions) called BatchGetS…
            2025-09-10T11:36:08Z  high      kms-key-disabled-or-deleted     role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d  prod/billing/db-password         1      role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (a…
            2025-09-10T10:03:17Z  high      secret-read-by-root             root                                                      prod/auth/jwt-signing-key        1      Secret read by the root user: root called GetSecretValue on…
            2025-09-10T09:12:44Z  high      kms-key-disabled-or-deleted     role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d  prod/ledger/signing-key          1      role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (c…
            2025-09-09T19:40:02Z  high      secret-resource-policy-changed  role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d  prod/reporting/looker-api-token  1      role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (a…
            2025-09-09T16:05:20Z  high      kms-key-disabled-or-deleted     role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d  prod/billing/db-password         1      role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (c…
            2025-09-09T07:31:12Z  high      secret-deletion-scheduled       role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d  prod/cdn/signing-key             1      role/AWSReservedSSO_AdministratorAccess_8f1c2d3e4a5b6c7d (a…
            2025-09-08T15:02:09Z  critical  secret-deletion-scheduled       role/AWSReservedSSO_Developer_9e8d7c6b5a493827            staging/load-test/api-key        1      role/AWSReservedSSO_Developer_9e8d7c6b5a493827 (erin.okafor…
            2025-09-05T12:12:41Z  high      secret-read-burst               user/ci-legacy                                            prod/github/deploy-app-key       1      user/ci-legacy read 20 distinct secrets within 5 minutes: p…
            2025-09-02T16:40:11Z  critical  secret-deletion-scheduled       role/AWSReservedSSO_AdministratorAccess_c4d5e6f708192a3b  staging/qa/test-user-passwords   1      role/AWSReservedSSO_AdministratorAccess_c4d5e6f708192a3b (d…
            """#)
    }

    @Test("an input shaped like SQL finds nothing and breaks nothing", arguments: ["table", "json", "csv"])
    func sqlShapedInput(_ format: String) throws {
        let (result, _) = try read(["query", "access", "--secret", "' OR 1=1 --", "--format", format])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == (format == "table" ? "no rows\n" : ""), "\(result)")
        #expect(result.stderr == "trailwatch: no secret in the store matches \"' OR 1=1 --\"\n", "\(result)")
    }
}
