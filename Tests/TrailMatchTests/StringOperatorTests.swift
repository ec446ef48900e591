import Testing
@testable import TrailMatch

@Suite struct StringOperatorTests {
    @Test func prefix() {
        #expect(match(#"{"a":[{"prefix":"Get"}]}"#, #"{"a":"GetSecretValue"}"#) == true)
        #expect(match(#"{"a":[{"prefix":"get"}]}"#, #"{"a":"GetSecretValue"}"#) == false)
        #expect(match(#"{"a":[{"prefix":"GetSecretValueX"}]}"#, #"{"a":"GetSecretValue"}"#) == false)
        #expect(match(#"{"a":[{"prefix":""}]}"#, #"{"a":""}"#) == true)
        #expect(match(#"{"a":[{"prefix":""}]}"#, #"{"a":"x"}"#) == true)
        #expect(match(#"{"a":[{"prefix":""}]}"#, #"{"a":5}"#) == false)
        #expect(match(#"{"a":[{"prefix":"1"}]}"#, #"{"a":12}"#) == false)
        #expect(match(#"{"a":[{"prefix":"*"}]}"#, #"{"a":"*x"}"#) == true)
        #expect(match(#"{"a":[{"prefix":"*"}]}"#, #"{"a":"x"}"#) == false)
        #expect(match(#"{"a":[{"prefix":"n"}]}"#, #"{"a":null}"#) == false)
        #expect(match(#"{"a":[{"prefix":"b"}]}"#, #"{"a":["a","bc"]}"#) == true)
    }

    @Test func manyPrefixesOfDifferentLengths() {
        #expect(match(#"{"a":[{"prefix":"arn:aws:kms"},{"prefix":"arn:"},{"prefix":"zzz"}]}"#, #"{"a":"arn:aws:s3:::b"}"#) == true)
        #expect(match(#"{"a":[{"prefix":"arn:aws:kms"},{"prefix":"zzz"}]}"#, #"{"a":"arn:aws:s3:::b"}"#) == false)
    }

    @Test func suffix() {
        #expect(match(#"{"a":[{"suffix":".png"}]}"#, #"{"a":"cat.png"}"#) == true)
        #expect(match(#"{"a":[{"suffix":".PNG"}]}"#, #"{"a":"cat.png"}"#) == false)
        #expect(match(#"{"a":[{"suffix":""}]}"#, #"{"a":""}"#) == true)
        #expect(match(#"{"a":[{"suffix":"0"}]}"#, #"{"a":10}"#) == false)
        #expect(match(#"{"a":[{"suffix":"cat.png"}]}"#, #"{"a":"at.png"}"#) == false)
    }

    @Test func equalsIgnoreCaseAscii() {
        #expect(match(#"{"a":[{"equals-ignore-case":"GETSECRETVALUE"}]}"#, #"{"a":"GetSecretValue"}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"getsecret"}]}"#, #"{"a":"GetSecretValue"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":""}]}"#, #"{"a":""}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"10"}]}"#, #"{"a":10}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"TRUE"}]}"#, #"{"a":true}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"NULL"}]}"#, #"{"a":null}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"B"}]}"#, #"{"a":["a","b"]}"#) == true)
    }

    @Test func equalsIgnoreCaseUnicode() {
        #expect(match(#"{"a":[{"equals-ignore-case":"ÉCOLE"}]}"#, #"{"a":"école"}"#) == true)
        // Kelvin sign in the pattern accepts k and K.
        #expect(match(#"{"a":[{"equals-ignore-case":"\u212a"}]}"#, #"{"a":"k"}"#) == true)
        // Each operand character accepts its lowercase or uppercase form only.
        #expect(match(#"{"a":[{"equals-ignore-case":"k"}]}"#, #"{"a":"\u212a"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"STRASSE"}]}"#, #"{"a":"straße"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"straße"}]}"#, #"{"a":"STRASSE"}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"ΣΑΣ"}]}"#, #"{"a":"σας"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"ΣΑΣ"}]}"#, #"{"a":"σασ"}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"ς"}]}"#, #"{"a":"Σ"}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"I"}]}"#, #"{"a":"ı"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"ı"}]}"#, #"{"a":"I"}"#) == true)
        #expect(match(#"{"a":[{"equals-ignore-case":"İ"}]}"#, #"{"a":"i\u0307"}"#) == true)
        // Characters outside the Basic Multilingual Plane stay case-sensitive.
        #expect(match(#"{"a":[{"equals-ignore-case":"\ud801\udc00"}]}"#, #"{"a":"\ud801\udc28"}"#) == false)
        #expect(match(#"{"a":[{"equals-ignore-case":"\ud801\udc00"}]}"#, #"{"a":"\ud801\udc00"}"#) == true)
    }

    @Test func prefixAndSuffixIgnoringCase() {
        #expect(match(#"{"a":[{"prefix":{"equals-ignore-case":"getsecret"}}]}"#, #"{"a":"GetSecretValue"}"#) == true)
        #expect(match(#"{"a":[{"prefix":{"equals-ignore-case":"putsecret"}}]}"#, #"{"a":"GetSecretValue"}"#) == false)
        #expect(match(#"{"a":[{"prefix":{"equals-ignore-case":"ÉC"}}]}"#, #"{"a":"école"}"#) == true)
        #expect(match(#"{"a":[{"prefix":{"equals-ignore-case":"1"}}]}"#, #"{"a":12}"#) == false)
        #expect(match(#"{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}"#, #"{"a":["a.txt","b.Png"]}"#) == true)
        #expect(match(#"{"a":[{"suffix":{"equals-ignore-case":"VALUES"}}]}"#, #"{"a":"GetSecretValue"}"#) == false)
        #expect(match(#"{"a":[{"suffix":{"equals-ignore-case":""}}]}"#, #"{"a":"abc"}"#) == true)
        #expect(match(#"{"a":[{"suffix":{"equals-ignore-case":"ß"}}]}"#, #"{"a":"STRASS"}"#) == true)
    }

    @Test func wildcard() {
        #expect(match(#"{"a":[{"wildcard":"arn:*:secret:prod/*"}]}"#, #"{"a":"arn:aws:secretsmanager:us-east-1:1:secret:prod/db"}"#) == true)
        #expect(match(#"{"a":[{"wildcard":"arn:*:secret:prod/*"}]}"#, #"{"a":"arn:aws:secretsmanager:us-east-1:1:secret:dev/db"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"*"}]}"#, #"{"a":""}"#) == true)
        #expect(match(#"{"a":[{"wildcard":"*"}]}"#, #"{"a":5}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"*"}]}"#, #"{"a":null}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"a*b*c"}]}"#, #"{"a":"abc"}"#) == true)
        #expect(match(#"{"a":[{"wildcard":"a*b*c"}]}"#, #"{"a":"axxbyyc"}"#) == true)
        #expect(match(#"{"a":[{"wildcard":"a*b*c"}]}"#, #"{"a":"axxbyycd"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"ab*ba"}]}"#, #"{"a":"aba"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"Get"}]}"#, #"{"a":"get"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"a?c"}]}"#, #"{"a":"abc"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"a.c"}]}"#, #"{"a":"abc"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"a\\*c"}]}"#, #"{"a":"a*c"}"#) == true)
        #expect(match(#"{"a":[{"wildcard":"a\\*c"}]}"#, #"{"a":"abc"}"#) == false)
        #expect(match(#"{"a":[{"wildcard":"a\\\\*"}]}"#, #"{"a":"a\\bc"}"#) == true)
    }

    @Test func wildcardSyntaxErrors() {
        #expect(patternError(#"{"a":[{"wildcard":"a**"}]}"#)?.message.contains("consecutive") == true)
        #expect(patternError(#"{"a":[{"wildcard":"a\\.x"}]}"#)?.message.contains("escape") == true)
        #expect(patternError(#"{"a":[{"wildcard":"a\\"}]}"#) != nil)
        #expect(patternError(#"{"a":[{"wildcard":5}]}"#) != nil)
        #expect(patternError(#"{"a":[{"wildcard":"*\\**"}]}"#) == nil)
    }
}
