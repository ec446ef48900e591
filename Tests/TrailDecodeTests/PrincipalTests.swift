import Testing
import TrailDecode
import TrailModel

@Suite struct PrincipalTests {
    private func principal(_ userIdentity: String, extra: String = "") throws -> Principal {
        try event(record(#""userIdentity":\#(userIdentity)"# + (extra.isEmpty ? "" : "," + extra))).principal
    }

    @Test func assumedRoleUsesTheIssuerARNAndKeepsTheSession() throws {
        let p = try principal(#"""
        {"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com",
         "arn":"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DevAdmin_0123/alice@example.com",
         "accountId":"123456789012",
         "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE",
           "arn":"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_0123",
           "accountId":"123456789012","userName":"AWSReservedSSO_DevAdmin_0123"}}}
        """#)
        #expect(p == Principal(type: "AssumedRole",
                               id: "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_0123",
                               session: "alice@example.com", accountId: "123456789012"))
        #expect(p.displayName == "role/AWSReservedSSO_DevAdmin_0123")
    }

    @Test func assumedRoleWithoutIssuerFallsBackToTheRoleNotTheSession() throws {
        let p = try principal(#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0abc","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0abc","accountId":"123456789012"}"#)
        #expect(p.id == "arn:aws:sts::123456789012:assumed-role/app")
        #expect(p.session == "i-0abc")
        let q = try principal(#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0abc","accountId":"123456789012"}"#)
        #expect(q.id == "AROAEXAMPLE" && q.session == "i-0abc")
    }

    @Test func iamUserRootAndService() throws {
        #expect(try principal(#"{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::123456789012:user/ops/alice","accountId":"123456789012","userName":"alice"}"#)
            == Principal(type: "IAMUser", id: "arn:aws:iam::123456789012:user/ops/alice", accountId: "123456789012"))
        #expect(try principal(#"{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"}"#)
            == Principal(type: "Root", id: "arn:aws:iam::123456789012:root", accountId: "123456789012"))
        // A root identity without arn gets the canonical root ARN, in the record's partition.
        #expect(try principal(#"{"type":"Root","accountId":"123456789012"}"#, extra: #""awsRegion":"us-gov-west-1""#).id
            == "arn:aws-us-gov:iam::123456789012:root")
        #expect(try principal(#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#)
            == Principal(type: "AWSService", id: "ec2.amazonaws.com"))
    }

    @Test func serviceEventIdentityWithoutType() throws {
        #expect(try principal(#"{"accountId":"123456789012","invokedBy":"secretsmanager.amazonaws.com"}"#)
            == Principal(type: "AWSService", id: "secretsmanager.amazonaws.com", accountId: "123456789012"))
    }

    @Test func identityCenterUser() throws {
        let p = try principal(#"{"type":"IdentityCenterUser","accountId":"123456789012","onBehalfOf":{"userId":"9067-abcd","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-1234"},"credentialId":"c1","arn":""}"#)
        #expect(p == Principal(type: "IdentityCenterUser", id: "arn:aws:identitystore::123456789012:identitystore/d-1234/9067-abcd", accountId: "123456789012"))
    }

    @Test func federatedSAMLAndWebIdentityUsers() throws {
        #expect(try principal(#"{"type":"FederatedUser","principalId":"123456789012:bob","arn":"arn:aws:sts::123456789012:federated-user/bob","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"}}}"#).id
            == "arn:aws:sts::123456789012:federated-user/bob")
        #expect(try principal(#"{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"SamlExample","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="}"#)
            == Principal(type: "SAMLUser", id: "SampleUkh1i4+ExamplexL/jEvs=:SamlExample"))
        #expect(try principal(#"{"type":"WebIdentityUser","userName":"1234","identityProvider":"accounts.google.com"}"#)
            == Principal(type: "WebIdentityUser", id: "accounts.google.com:1234"))
    }

    @Test func awsAccountAndUnknown() throws {
        #expect(try principal(#"{"type":"AWSAccount","principalId":"AIDAEXAMPLE","accountId":"111122223333"}"#)
            == Principal(type: "AWSAccount", id: "AIDAEXAMPLE", accountId: "111122223333"))
        #expect(try principal(#"{"type":"AWSAccount","accountId":"111122223333"}"#).id == "111122223333")
        #expect(try principal(#"{"type":"Unknown","principalId":"","arn":"","accountId":"123456789012","userName":"jdoe"}"#)
            == Principal(type: "Unknown", id: "jdoe", accountId: "123456789012"))
        #expect(try event(record()).principal == Principal(type: "Unknown", id: "unknown"))
    }

    @Test func accountPrefersRecipientThenIdentity() throws {
        #expect(try event(record(#""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::999:user/x","accountId":"999"}"#)).account == "123456789012")
        let noRecipient = #"{"eventID":"z","eventTime":"2024-06-03T10:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::999:user/x","accountId":"999"}}"#
        #expect(try event(noRecipient).account == "999")
    }
}
