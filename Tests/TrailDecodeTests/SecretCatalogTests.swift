import Testing
import TrailDecode
import TrailModel

@Suite struct SecretCatalogTests {
    let full = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"
    let sm = #""eventSource":"secretsmanager.amazonaws.com""#

    @Test func learnsFromCreateSecretAndResolvesLaterNames() throws {
        var catalog = SecretCatalog(known: [])
        var create = try event(record(sm + #","eventName":"CreateSecret","requestParameters":{"name":"prod/db"},"responseElements":{"arn":"\#(full)","name":"prod/db"}"#, id: "1"))
        catalog.resolve(&create)
        #expect(catalog.learned.map(\.id) == [full])

        var get = try event(record(sm + #","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"}"#, id: "2"))
        #expect(get.secrets.first?.isFullARN == false)
        catalog.resolve(&get)
        #expect(get.secrets == [SecretRef(id: full, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])

        var partial = try event(record(sm + #","requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"}"#, id: "3"))
        catalog.resolve(&partial)
        #expect(partial.secrets.map(\.id) == [full])

        #expect(catalog.drainLearned().map(\.id) == [full])
        #expect(catalog.drainLearned().isEmpty)
    }

    /// What another worker stored fills the gaps (`lacksAny` says when to look), but never
    /// displaces an ARN this catalog already knows, nor is handed over again.
    @Test func learnsStoredSecretsWhereItLacksThem() throws {
        let older = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-Old000"
        var catalog = SecretCatalog(known: [])
        let get = try event(record(sm + #","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db"}"#, id: "2"))
        #expect(catalog.lacksAny(of: get))
        catalog.learnStored([SecretRef(id: older, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])
        #expect(!catalog.lacksAny(of: get))
        #expect(catalog.learned.isEmpty)

        // This worker then sees the recreated secret's ARN itself; reading the older one back
        // from the store does not bring it back.
        var create = try event(record(sm + #","eventName":"CreateSecret","requestParameters":{"name":"prod/db"},"responseElements":{"arn":"\#(full)","name":"prod/db"}"#, id: "1"))
        #expect(catalog.lacksAny(of: create))
        catalog.resolve(&create)
        catalog.learnStored([SecretRef(id: older, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])
        #expect(catalog.lookup(account: "123456789012", region: "us-east-1", name: "prod/db")?.id == full)
        #expect(catalog.drainLearned().map(\.id) == [full])

        // A name this catalog resolves keeps its ARN whatever another worker stored later (the
        // store's order is not the events' order): here the recreated secret's older ARN.
        var resolving = SecretCatalog(known: [SecretRef(id: full, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])
        resolving.learnStored([
            SecretRef(id: older, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true),
            SecretRef(id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-Zz9Yx8", name: "other", account: "123456789012", region: "us-east-1", isFullARN: true),
        ])
        #expect(resolving.lookup(account: "123456789012", region: "us-east-1", name: "prod/db")?.id == full)
        #expect(resolving.lookup(account: "123456789012", region: "us-east-1", name: "other") != nil)
        #expect(resolving.learned.isEmpty)
    }

    @Test func otherAccountOrRegionIsNotConfused() throws {
        var catalog = SecretCatalog(known: [SecretRef(id: full, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])
        var e = try event(#"{"eventID":"x","eventTime":"2024-06-03T10:00:00Z","awsRegion":"eu-west-1","recipientAccountId":"123456789012",\#(sm),"requestParameters":{"secretId":"prod/db"}}"#)
        catalog.resolve(&e)
        #expect(e.secrets.first?.isFullARN == false)
        #expect(catalog.learned.isEmpty)
    }

    @Test func learnsFromKMSEncryptionContextAndServiceEvents() throws {
        var catalog = SecretCatalog(known: [])
        var decrypt = try event(record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"SecretARN":"\#(full)"}}"#))
        catalog.resolve(&decrypt)
        #expect(catalog.lookup(account: "123456789012", region: "us-east-1", name: "prod/db")?.id == full)
    }

    @Test func suffixShapedPartialARNOfAKnownNameResolves() throws {
        // A secret really named "api-key-AbCdEf" has ARN ...:secret:api-key-AbCdEf-Zz9876.
        let known = SecretRef(id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf-Zz9876",
                              name: "api-key-AbCdEf", account: "123456789012", region: "us-east-1", isFullARN: true)
        var catalog = SecretCatalog(known: [known])
        var e = try event(record(sm + #","requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf"}"#))
        #expect(e.secrets.first?.isFullARN == true) // looks full on its own
        catalog.resolve(&e)
        #expect(e.secrets == [known])
        #expect(catalog.learned.isEmpty)
    }

    @Test func resolvingDedupesRefsThatMeetAtTheSameARN() throws {
        var catalog = SecretCatalog(known: [SecretRef(id: full, name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: true)])
        var e = try event(record(sm + #","eventName":"BatchGetSecretValue","requestParameters":{"secretIdList":["prod/db","\#(full)","arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"]}"#))
        catalog.resolve(&e)
        #expect(e.secrets.map(\.id) == [full])
    }

    @Test func initIgnoresPartialRefs() throws {
        var catalog = SecretCatalog(known: [SecretRef(id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db", name: "prod/db", account: "123456789012", region: "us-east-1", isFullARN: false)])
        var e = try event(record(sm + #","requestParameters":{"secretId":"prod/db"}"#))
        catalog.resolve(&e)
        #expect(e.secrets.first?.isFullARN == false)
    }
}
