import Testing
import TrailDecode
import TrailModel

@Suite struct SecretExtractionTests {
    let full = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbC123"
    let sm = #""eventSource":"secretsmanager.amazonaws.com""#

    private func secrets(_ extra: String) throws -> [SecretRef] { try event(record(extra)).secrets }

    @Test func fullARNInRequest() throws {
        #expect(try secrets(sm + #","eventName":"GetSecretValue","requestParameters":{"secretId":"\#(full)"}"#)
            == [SecretRef(id: full, name: "prod/db/password", account: "123456789012", region: "us-east-1", isFullARN: true)])
    }

    @Test func partialARNInRequest() throws {
        let partial = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared/api"
        #expect(try secrets(sm + #","eventName":"GetSecretValue","requestParameters":{"secretId":"\#(partial)"}"#)
            == [SecretRef(id: partial, name: "shared/api", account: "210987654321", region: "eu-west-1", isFullARN: false)])
    }

    @Test func nameInRequestBecomesPartialARNOfTheRecord() throws {
        #expect(try secrets(sm + #","eventName":"GetSecretValue","requestParameters":{"secretId":"prod/db/password"}"#)
            == [SecretRef(id: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password",
                          name: "prod/db/password", account: "123456789012", region: "us-east-1", isFullARN: false)])
        let gov = try secrets(sm + #","requestParameters":{"secretId":"x"},"userIdentity":{"type":"IAMUser","arn":"arn:aws-us-gov:iam::123456789012:user/a"}"#)
        #expect(gov.first?.id == "arn:aws-us-gov:secretsmanager:us-east-1:123456789012:secret:x")
    }

    @Test func responseARNAndOldARNSpellingWinOverTheName() throws {
        for key in ["arn", "aRN"] {
            let s = try secrets(sm + #","eventName":"DeleteSecret","requestParameters":{"secretId":"prod/db/password","recoveryWindowInDays":7},"responseElements":{"name":"prod/db/password","\#(key)":"\#(full)"}"#)
            #expect(s == [SecretRef(id: full, name: "prod/db/password", account: "123456789012", region: "us-east-1", isFullARN: true)])
        }
    }

    @Test func serviceEventSecretId() throws {
        let s = try secrets(sm + #","eventName":"RotationFailed","eventType":"AwsServiceEvent","userIdentity":{"accountId":"123456789012","invokedBy":"secretsmanager.amazonaws.com"},"requestParameters":null,"additionalEventData":{"SecretId":"\#(full)"}"#)
        #expect(s.map(\.id) == [full])
    }

    @Test func kmsEncryptionContext() throws {
        let s = try secrets(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"SecretARN":"\#(full)","SecretVersionId":"v1"}}"#)
        #expect(s.map(\.id) == [full])
        #expect(s.first?.isFullARN == true)
    }

    @Test func batchSecretIdListGivesOneRefEach() throws {
        let s = try secrets(sm + #","eventName":"BatchGetSecretValue","requestParameters":{"secretIdList":["a","\#(full)","a","arn:aws:secretsmanager:us-east-1:123456789012:secret:b"]}"#)
        #expect(s.map(\.id) == [
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:a", full,
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:b",
        ])
    }

    @Test func resourcesOfTypeSecret() throws {
        let s = try secrets(sm + #","resources":[{"ARN":"\#(full)","accountId":"123456789012","type":"AWS::SecretsManager::Secret"},{"ARN":"arn:aws:kms:us-east-1:123456789012:key/k","type":"AWS::KMS::Key"}]"#)
        #expect(s.map(\.id) == [full])
    }

    @Test func createSecretNameWhenThereIsNoResponse() throws {
        let s = try secrets(sm + #","eventName":"CreateSecret","errorCode":"AccessDenied","requestParameters":{"name":"new/one","secretString":"HIDDEN"},"responseElements":null"#)
        #expect(s.map(\.name) == ["new/one"])
    }

    @Test func namesOnlyCountOnSecretsManagerEvents() throws {
        #expect(try secrets(#""eventSource":"rds.amazonaws.com","requestParameters":{"secretId":"x","name":"y"}"#).isEmpty)
        #expect(try secrets(#""eventSource":"s3.amazonaws.com","responseElements":{"arn":"arn:aws:s3:::bucket"}"#).isEmpty)
    }

    @Test func suffixRulesForTheName() throws {
        // No 6-character suffix: a partial ARN even though it came from a response.
        let noSuffix = "arn:aws:secretsmanager:us-east-1:123456789012:secret:abc-12345"
        let s = try secrets(sm + #","responseElements":{"arn":"\#(noSuffix)"}"#)
        #expect(s.first?.isFullARN == false && s.first?.name == "abc-12345")
        // A name with internal hyphens keeps all but the final suffix.
        let odd = "arn:aws:secretsmanager:us-east-1:123456789012:secret:DdApiKeySecret-aUFEgO4SmSGN-xqgqXR"
        #expect(try secrets(sm + #","additionalEventData":{"SecretId":"\#(odd)"}"#).first?.name == "DdApiKeySecret-aUFEgO4SmSGN")
    }

    @Test func noSecretMaterialIsKept() throws {
        let e = try event(record(sm + #","eventName":"PutSecretValue","requestParameters":{"secretId":"\#(full)","secretString":"hunter2","secretBinary":"aHVudGVyMg=="},"responseElements":{"arn":"\#(full)","versionId":"v"}"#))
        #expect(!"\(e)".contains("hunter2"))
        #expect(!"\(e)".contains("aHVudGVyMg"))
    }
}
