import Testing
import TrailModel
@testable import TrailStore
import TrailPresentation

/// Each query on the fixture store, with the exact table, JSON-lines and CSV output.
@Suite struct QueryOutputTests {

    func text(_ table: ResultTable, _ format: OutputFormat) -> String { ResultFormatter(format: format).render(table) }

    @Test(arguments: StoreKind.engines) func accessForOneSecret(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.access(QueryScope(limit: 2), AccessFilter(secret: "prod/db/password"))
        #expect(text(t, .table) == """
            TIME                  PRINCIPAL          SESSION  EVENT                SECRET            SOURCE IP     USER AGENT       ERROR                  EVENT ID
            2024-05-03T12:00:00Z  role/app-payments  i-0abc   BatchGetSecretValue  prod/db/password  10.0.0.5      aws-sdk-go/1.44  -                      e05
            2024-05-02T09:31:00Z  user/alice         -        GetSecretValue       prod/db/password  198.51.100.7  aws-cli/2.15     AccessDeniedException  e04

            """)
        #expect(text(t, .json) == """
            {"time":"2024-05-03T12:00:00Z","principal":"role/app-payments","session":"i-0abc","eventName":"BatchGetSecretValue","secret":"prod/db/password","sourceIPAddress":"10.0.0.5","userAgent":"aws-sdk-go/1.44","errorCode":null,"eventID":"e05","principalArn":"arn:aws:iam::111111111111:role/service/app-payments","secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf","account":"111111111111","region":"us-east-1"}
            {"time":"2024-05-02T09:31:00Z","principal":"user/alice","session":null,"eventName":"GetSecretValue","secret":"prod/db/password","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","errorCode":"AccessDeniedException","eventID":"e04","principalArn":"arn:aws:iam::111111111111:user/alice","secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf","account":"111111111111","region":"us-east-1"}

            """)
        #expect(text(t, .csv) == """
            time,principal,session,eventName,secret,sourceIPAddress,userAgent,errorCode,eventID,principalArn,secretArn,account,region
            2024-05-03T12:00:00Z,role/app-payments,i-0abc,BatchGetSecretValue,prod/db/password,10.0.0.5,aws-sdk-go/1.44,,e05,arn:aws:iam::111111111111:role/service/app-payments,arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf,111111111111,us-east-1
            2024-05-02T09:31:00Z,user/alice,,GetSecretValue,prod/db/password,198.51.100.7,aws-cli/2.15,AccessDeniedException,e04,arn:aws:iam::111111111111:user/alice,arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf,111111111111,us-east-1

            """)
    }

    /// The event ids of an access query, in output order.
    func ids(_ q: QueryService, _ filter: AccessFilter) throws -> [String] { try ids(q, QueryScope(), filter) }
    func ids(_ q: QueryService, _ scope: QueryScope, _ filter: AccessFilter) throws -> [String] {
        try q.access(scope, filter).rows.map { row in
            if case .text(let id) = row[8] { return id }
            return "?"
        }
    }

    @Test(arguments: StoreKind.engines) func accessFilters(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        // Newest first; events without a secret appear when no secret is asked for; limit 0 = all.
        #expect(try ids(q, QueryScope(limit: 0), AccessFilter()) == ["e11", "e10", "e09", "e08", "e07", "e06", "e05", "e05", "e04", "e03", "e02", "e01"])
        #expect(try ids(q, AccessFilter(principal: "alice")) == ["e11", "e07", "e06", "e04", "e01"])
        #expect(try ids(q, AccessFilter(secret: "prod/db/password", principal: "user/alice")) == ["e04", "e01"])
        #expect(try ids(q, AccessFilter(errors: true)) == ["e04"])
        #expect(try ids(q, AccessFilter(secret: "prod/db/password", errors: false)) == ["e05", "e03", "e02", "e01"])
        #expect(try ids(q, AccessFilter(eventNames: ["DeleteSecret", "RestoreSecret"])) == ["e10", "e09", "e07"])
        #expect(try ids(q, AccessFilter(sourceCIDR: "203.0.113.0/24")) == ["e10", "e09", "e08"])
        #expect(try ids(q, AccessFilter(sourceCIDR: "203.0.113.9")) == ["e08"])
        #expect(try ids(q, AccessFilter(sourceCIDR: "2001:db8::/32")) == [])
        #expect(try ids(q, QueryScope(account: Fixture.a2), AccessFilter()) == ["e10", "e09", "e08"])
        #expect(try ids(q, QueryScope(region: "eu-west-1"), AccessFilter(secret: "shared/api-key")) == ["e10", "e09", "e08"])
        let may2 = QueryScope(since: Fixture.time("2024-05-02T00:00:00Z"), until: Fixture.time("2024-05-03T12:00:00Z"))
        #expect(try ids(q, may2, AccessFilter()) == ["e04", "e03"])
        #expect(throws: StoreError.self) { try q.access(QueryScope(), AccessFilter(sourceCIDR: "10.0.0.0/33")) }
        #expect(throws: StoreError.self) { try q.access(QueryScope(), AccessFilter(sourceCIDR: "' OR 1=1 --")) }
    }

    @Test(arguments: StoreKind.engines) func callers(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.callers(QueryScope(), secret: "prod/db/password")
        #expect(text(t, .table) == """
            PRINCIPAL          FIRST SEEN            LAST SEEN             COUNT  ERRORS  EVENTS
            role/app-payments  2024-05-01T11:00:00Z  2024-05-03T12:00:00Z  3      0       BatchGetSecretValue,GetSecretValue
            user/alice         2024-05-01T10:00:00Z  2024-05-02T09:31:00Z  2      1       CreateSecret,GetSecretValue

            """)
        #expect(text(t, .json) == """
            {"principal":"role/app-payments","firstSeen":"2024-05-01T11:00:00Z","lastSeen":"2024-05-03T12:00:00Z","count":3,"errors":0,"events":["BatchGetSecretValue","GetSecretValue"],"principalArn":"arn:aws:iam::111111111111:role/service/app-payments"}
            {"principal":"user/alice","firstSeen":"2024-05-01T10:00:00Z","lastSeen":"2024-05-02T09:31:00Z","count":2,"errors":1,"events":["CreateSecret","GetSecretValue"],"principalArn":"arn:aws:iam::111111111111:user/alice"}

            """)
        #expect(text(t, .csv) == """
            principal,firstSeen,lastSeen,count,errors,events,principalArn
            role/app-payments,2024-05-01T11:00:00Z,2024-05-03T12:00:00Z,3,0,BatchGetSecretValue;GetSecretValue,arn:aws:iam::111111111111:role/service/app-payments
            user/alice,2024-05-01T10:00:00Z,2024-05-02T09:31:00Z,2,1,CreateSecret;GetSecretValue,arn:aws:iam::111111111111:user/alice

            """)
        // A time range reads the access rows instead of the running totals: same shape, fewer counts.
        let ranged = try q.callers(QueryScope(since: Fixture.time("2024-05-02T00:00:00Z")), secret: "prod/db/password")
        #expect(text(ranged, .csv) == """
            principal,firstSeen,lastSeen,count,errors,events,principalArn
            role/app-payments,2024-05-02T09:30:00Z,2024-05-03T12:00:00Z,2,0,BatchGetSecretValue;GetSecretValue,arn:aws:iam::111111111111:role/service/app-payments
            user/alice,2024-05-02T09:31:00Z,2024-05-02T09:31:00Z,1,1,GetSecretValue,arn:aws:iam::111111111111:user/alice

            """)
    }

    @Test(arguments: StoreKind.engines) func secretsOfAPrincipal(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.secrets(QueryScope(), principal: "arn:aws:sts::111111111111:assumed-role/app-payments/i-0abc")
        #expect(text(t, .table) == """
            SECRET            ACCOUNT       REGION     FIRST SEEN            LAST SEEN             COUNT  ERRORS  EVENTS
            prod/db/password  111111111111  us-east-1  2024-05-01T11:00:00Z  2024-05-03T12:00:00Z  3      0       BatchGetSecretValue,GetSecretValue
            shared/api-key    111111111111  us-east-1  2024-05-03T12:00:00Z  2024-05-03T12:00:00Z  1      0       BatchGetSecretValue

            """)
        #expect(text(t, .json) == """
            {"secret":"prod/db/password","account":"111111111111","region":"us-east-1","firstSeen":"2024-05-01T11:00:00Z","lastSeen":"2024-05-03T12:00:00Z","count":3,"errors":0,"events":["BatchGetSecretValue","GetSecretValue"],"secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf"}
            {"secret":"shared/api-key","account":"111111111111","region":"us-east-1","firstSeen":"2024-05-03T12:00:00Z","lastSeen":"2024-05-03T12:00:00Z","count":1,"errors":0,"events":["BatchGetSecretValue"],"secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8"}

            """)
        #expect(text(t, .csv) == """
            secret,account,region,firstSeen,lastSeen,count,errors,events,secretArn
            prod/db/password,111111111111,us-east-1,2024-05-01T11:00:00Z,2024-05-03T12:00:00Z,3,0,BatchGetSecretValue;GetSecretValue,arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf
            shared/api-key,111111111111,us-east-1,2024-05-03T12:00:00Z,2024-05-03T12:00:00Z,1,0,BatchGetSecretValue,arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8

            """)
        let ranged = try q.secrets(QueryScope(until: Fixture.time("2024-05-03T00:00:00Z")), principal: "arn:aws:iam::111111111111:role/service/app-payments")
        #expect(ranged.rows.count == 1)
    }

    @Test(arguments: StoreKind.engines) func secretStory(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        guard let story = try q.secretStory(QueryScope(), secret: "shared/api-key-Zz9Yx8") else {
            Issue.record("no story")
            return
        }
        #expect(story.render(ResultFormatter(format: .table)) == """
            secret      shared/api-key
            arn         arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8
            account     111111111111
            region      us-east-1
            first seen  2024-05-03T12:00:00Z
            last seen   2024-05-05T00:00:00Z
            created     not in the history
            deletion    scheduled 2024-05-05T00:00:00Z by user/alice, recovery window 7 days, gone 2024-05-12T00:00:00Z
            kms keys    -
            callers     2
            alerts      1

            EVENTS
            TIME                  EVENT              PRINCIPAL   ERROR  DETAIL                                   EVENT ID
            2024-05-04T08:00:00Z  PutResourcePolicy  user/alice  -      blockPublicPolicy false; policy changed  e06
            2024-05-05T00:00:00Z  DeleteSecret       user/alice  -      recovery window 7 days                   e07

            CALLERS
            PRINCIPAL          FIRST SEEN            LAST SEEN             COUNT  ERRORS  EVENTS
            user/alice         2024-05-04T08:00:00Z  2024-05-05T00:00:00Z  2      0       DeleteSecret,PutResourcePolicy
            role/app-payments  2024-05-03T12:00:00Z  2024-05-03T12:00:00Z  1      0       BatchGetSecretValue

            ALERTS
            TIME                  SEVERITY  RULE             PRINCIPAL   COUNT  SUMMARY
            2024-05-05T00:00:00Z  high      secret-deletion  user/alice  1      user/alice scheduled shared/api-key for deletion

            """)
        #expect(story.render(ResultFormatter(format: .json)) == """
            {"secret":"shared/api-key","arn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8","arns":["arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8"],"account":"111111111111","region":"us-east-1","firstSeen":"2024-05-03T12:00:00Z","lastSeen":"2024-05-05T00:00:00Z","created":null,"deletion":{"scheduled":"2024-05-05T00:00:00Z","principal":"user/alice","recoveryWindowInDays":7,"force":false,"deletionDate":"2024-05-12T00:00:00Z","restored":null},"kmsKeys":[],"callerCount":2,"alertCount":1,"events":[{"time":"2024-05-04T08:00:00Z","eventName":"PutResourcePolicy","principal":"user/alice","errorCode":null,"detail":"blockPublicPolicy false; policy changed","eventID":"e06"},{"time":"2024-05-05T00:00:00Z","eventName":"DeleteSecret","principal":"user/alice","errorCode":null,"detail":"recovery window 7 days","eventID":"e07"}],"callers":[{"principal":"user/alice","firstSeen":"2024-05-04T08:00:00Z","lastSeen":"2024-05-05T00:00:00Z","count":2,"errors":0,"events":["DeleteSecret","PutResourcePolicy"],"principalArn":"arn:aws:iam::111111111111:user/alice"},{"principal":"role/app-payments","firstSeen":"2024-05-03T12:00:00Z","lastSeen":"2024-05-03T12:00:00Z","count":1,"errors":0,"events":["BatchGetSecretValue"],"principalArn":"arn:aws:iam::111111111111:role/service/app-payments"}],"alerts":[{"time":"2024-05-05T00:00:00Z","severity":"high","rule":"secret-deletion","principal":"user/alice","count":1,"summary":"user/alice scheduled shared/api-key for deletion","id":"alert-del-e07"}]}

            """)
        #expect(story.render(ResultFormatter(format: .csv)) == """
            time,eventName,principal,errorCode,detail,eventID
            2024-05-04T08:00:00Z,PutResourcePolicy,user/alice,,blockPublicPolicy false; policy changed,e06
            2024-05-05T00:00:00Z,DeleteSecret,user/alice,,recovery window 7 days,e07

            """)
    }

    @Test(arguments: StoreKind.engines) func storyOfARestoredSecretAndOfOneKnownByTwoARNs(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let restored = try q.secretStory(QueryScope(), secret: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared/api-key-Qq1Ww2")
        #expect(restored?.deletion?.restored == Fixture.time("2024-05-06T02:00:00Z"))
        let table = restored.map { $0.render(ResultFormatter(format: .table)) } ?? ""
        #expect(table.contains("deletion    scheduled 2024-05-06T01:00:00Z by root, recovery window 30 days, restored 2024-05-06T02:00:00Z\n"))
        let both = try q.secretStory(QueryScope(), secret: "prod/db/password")
        #expect(both?.arns == [Fixture.s1Full.id, Fixture.s1Partial.id])
        #expect(both?.created?.principal == "user/alice")
        #expect(both?.keys == [Fixture.key1])
        #expect(try q.secretStory(QueryScope(), secret: "nope") == nil)
    }

    @Test(arguments: StoreKind.engines) func pendingDeletions(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.pendingDeletions(QueryScope())
        #expect(text(t, .table) == """
            DELETION DATE         SECRET          ACCOUNT       REGION     SCHEDULED             SCHEDULED BY  WINDOW DAYS  FORCE  STATUS
            2024-05-12T00:00:00Z  shared/api-key  111111111111  us-east-1  2024-05-05T00:00:00Z  user/alice    7            false  pending

            """)
        #expect(text(t, .json) == """
            {"deletionDate":"2024-05-12T00:00:00Z","secret":"shared/api-key","account":"111111111111","region":"us-east-1","scheduled":"2024-05-05T00:00:00Z","principal":"user/alice","recoveryWindowInDays":7,"force":false,"status":"pending","eventID":"e07","secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8"}

            """)
        #expect(text(t, .csv) == """
            deletionDate,secret,account,region,scheduled,principal,recoveryWindowInDays,force,status,eventID,secretArn
            2024-05-12T00:00:00Z,shared/api-key,111111111111,us-east-1,2024-05-05T00:00:00Z,user/alice,7,false,pending,e07,arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8

            """)
        let later = QueryService(store: q.store, now: Fixture.time("2024-06-01T00:00:00Z"))
        #expect(try later.pendingDeletions(QueryScope()).rows.first?[8] == .text("passed"))
        #expect(try q.pendingDeletions(QueryScope(account: Fixture.a2)).rows.isEmpty)
    }

    @Test(arguments: StoreKind.engines) func unused(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.unused(QueryScope(), days: 5)
        #expect(text(t, .table) == """
            SECRET            ACCOUNT       REGION     LAST READ             IDLE DAYS  FIRST SEEN            LAST SEEN
            prod/db/password  111111111111  us-east-1  2024-05-03T12:00:00Z  6          2024-05-01T10:00:00Z  2024-05-03T12:00:00Z

            """)
        #expect(text(t, .json) == """
            {"secret":"prod/db/password","account":"111111111111","region":"us-east-1","lastRead":"2024-05-03T12:00:00Z","idleDays":6,"firstSeen":"2024-05-01T10:00:00Z","lastSeen":"2024-05-03T12:00:00Z","secretArn":"arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf"}

            """)
        #expect(text(t, .csv) == """
            secret,account,region,lastRead,idleDays,firstSeen,lastSeen,secretArn
            prod/db/password,111111111111,us-east-1,2024-05-03T12:00:00Z,6,2024-05-01T10:00:00Z,2024-05-03T12:00:00Z,arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf

            """)
        // More days: nothing is that idle; fewer: the other account's secret too; --until moves "now".
        #expect(try q.unused(QueryScope(), days: 7).rows.isEmpty)
        #expect(try q.unused(QueryScope(), days: 3).rows.map { $0[1] } == [.text(Fixture.a1), .text(Fixture.a2)])
        let asOfMay3 = try q.unused(QueryScope(until: Fixture.time("2024-05-03T00:00:00Z")), days: 0)
        #expect(asOfMay3.rows.map { $0[3] } == [.time(Fixture.time("2024-05-02T09:30:00Z"))])
        #expect(throws: StoreError.self) { try q.unused(QueryScope(), days: -1) }
    }

    @Test(arguments: StoreKind.engines) func alerts(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let all = try q.alerts(QueryScope())
        #expect(all.render(ResultFormatter(format: .table)) == """
            TIME                  SEVERITY  RULE             PRINCIPAL          SECRET          COUNT  SUMMARY
            2024-05-06T00:00:00Z  medium    unusual-reader   role/app-payments  shared/api-key  3      role/app-payments read shared/api-key for the first time
            2024-05-05T00:00:00Z  high      secret-deletion  user/alice         shared/api-key  1      user/alice scheduled shared/api-key for deletion

            """)
        // JSON prints the stored lines, with the count raised by suppressed repeats.
        #expect(all.render(ResultFormatter(format: .json)) == """
            {"id":"alert-unu-e08","rule":"unusual-reader","severity":"medium","count":3,"eventID":"e08"}
            {"id":"alert-del-e07","rule":"secret-deletion","severity":"high","count":1,"eventID":"e07"}

            """)
        #expect(try q.alerts(QueryScope(), minimumSeverity: .high).jsonLines.count == 1)
        #expect(try q.alerts(QueryScope(), rule: "unusual-reader").table.rows.count == 1)
        #expect(try q.alerts(QueryScope(since: Fixture.time("2024-05-05T12:00:00Z"))).jsonLines.count == 1)
        #expect(try q.alerts(QueryScope(), rule: "' OR 1=1 --").jsonLines.isEmpty)
        #expect(try q.alerts(QueryScope(), rule: "nothing").render(ResultFormatter(format: .table)) == "no rows\n")
    }

    @Test(arguments: StoreKind.engines) func status(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let report = try q.status()
        #expect(report.render(ResultFormatter(format: .table)) == """
            files    3 done, 1 skipped, 1 failed
            records  12 read, 0 skipped, 0 invalid
            events   11 secret-related events ingested (prune does not lower this)
            alerts   2

            PER ACCOUNT AND REGION
            ACCOUNT       REGION     FILES  EVENTS  NEWEST EVENT          LAG
            111111111111  us-east-1  2      8       2024-05-07T00:00:00Z  3d 0h
            222222222222  eu-west-1  1      3       2024-05-06T02:00:00Z  3d 22h

            FAILED FILES
            PATH                 REASON                      INGESTED
            logs/broken.json.gz  truncated gzip at byte 812  2024-05-09T00:00:00Z

            SKIPPED FILES
            REASON                  FILES  EXAMPLE
            CloudTrail digest file  1      logs/AWSLogs/111111111111/CloudTrail-Digest/us-east-1/d.jso…

            """)
        #expect(report.render(ResultFormatter(format: .json)) == """
            {"files":{"done":3,"skipped":1,"failed":1},"records":12,"skippedRecords":0,"invalidRecords":0,"events":11,"alerts":2,"places":[{"account":"111111111111","region":"us-east-1","files":2,"events":8,"newestEvent":"2024-05-07T00:00:00Z","lag":"3d 0h","lagSeconds":259200},{"account":"222222222222","region":"eu-west-1","files":1,"events":3,"newestEvent":"2024-05-06T02:00:00Z","lag":"3d 22h","lagSeconds":338400}],"failedFiles":[{"path":"logs/broken.json.gz","reason":"truncated gzip at byte 812","ingestedAt":"2024-05-09T00:00:00Z"}],"skippedFiles":[{"reason":"CloudTrail digest file","files":1,"example":"logs/AWSLogs/111111111111/CloudTrail-Digest/us-east-1/d.json.gz"}],"verifiedDigests":[],"outbox":[]}

            """)
        #expect(StatusReport.lagText(nil) == "-")
        #expect(StatusReport.lagText(-5) == "in the future")
        #expect(StatusReport.lagText(42_000) == "42s")
        #expect(StatusReport.lagText(3_720_000) == "1h 2m")
    }

    @Test(arguments: StoreKind.engines) func emptyResults(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let none = try q.access(QueryScope(since: Fixture.time("2030-01-01")), AccessFilter())
        #expect(text(none, .table) == "no rows\n")
        #expect(text(none, .json) == "")
        #expect(text(none, .csv) == "")
        let unknown = try q.callers(QueryScope(), secret: "does/not/exist")
        #expect(unknown.rows.isEmpty)
        #expect(unknown.notes == ["no secret in the store matches \"does/not/exist\""])
    }
}

/// A name holding a NUL character (the console's search box can send one) finds nothing and
/// fails nothing, on either engine (PostgreSQL's text cannot hold NUL).
@Suite struct NULQueryInputTests {
    @Test(arguments: StoreKind.engines) func namesHoldingNULFindNothing(kind: StoreKind) throws {
        let q = try Fixture.queries(kind)
        let t = try q.access(QueryScope(), AccessFilter(secret: "prod/db\u{0}password"))
        #expect(t.rows.isEmpty)
        #expect(try q.access(QueryScope(), AccessFilter(principal: "alice\u{0}")).rows.isEmpty)
        #expect(try q.callers(QueryScope(), secret: "\u{0}").rows.isEmpty)
    }
}
