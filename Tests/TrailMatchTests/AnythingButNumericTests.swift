import Testing
@testable import TrailMatch

@Suite struct AnythingButTests {
    @Test func valueAndList() {
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":"y"}"#) == true)
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":"x"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":["x","y"]}]}"#, #"{"a":"y"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":["x","y"]}]}"#, #"{"a":"z"}"#) == true)
        // Missing field: no.
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"b":"y"}"#) == false)
        // Other leaf types always pass.
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":null}"#) == true)
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":true}"#) == true)
        #expect(match(#"{"a":[{"anything-but":"5"}]}"#, #"{"a":5}"#) == true)
        #expect(match(#"{"a":[{"anything-but":5}]}"#, #"{"a":"5"}"#) == true)
        // Numbers compare by value.
        #expect(match(#"{"a":[{"anything-but":[300]}]}"#, #"{"a":3e2}"#) == false)
        #expect(match(#"{"a":[{"anything-but":[300]}]}"#, #"{"a":301}"#) == true)
        // Arrays: any element not excluded; empty array never.
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":["x","y"]}"#) == true)
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":["x","x"]}"#) == false)
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":[]}"#) == false)
        #expect(match(#"{"a":[{"anything-but":"x"}]}"#, #"{"a":{}}"#) == false)
    }

    @Test func prefixSuffixIgnoreCaseWildcard() {
        #expect(match(#"{"a":[{"anything-but":{"prefix":"dev"}}]}"#, #"{"a":"prod-1"}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"prefix":"dev"}}]}"#, #"{"a":"dev-1"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":{"prefix":["dev","test"]}}]}"#, #"{"a":"test-1"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":{"prefix":"1"}}]}"#, #"{"a":12}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"prefix":"n"}}]}"#, #"{"a":null}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"suffix":".tmp"}}]}"#, #"{"a":"x.tmp"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":{"suffix":".tmp"}}]}"#, #"{"a":"x.txt"}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"equals-ignore-case":["ALICE","bob"]}}]}"#, #"{"a":"Bob"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":{"equals-ignore-case":["ALICE","bob"]}}]}"#, #"{"a":"carol"}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"equals-ignore-case":"x"}}]}"#, #"{"a":5}"#) == true)
        #expect(match(#"{"a":[{"anything-but":{"wildcard":"*.tmp"}}]}"#, #"{"a":"a.tmp"}"#) == false)
        #expect(match(#"{"a":[{"anything-but":{"wildcard":["*.tmp","x*"]}}]}"#, #"{"a":"a.txt"}"#) == true)
    }

    @Test func invalidForms() {
        for p in [
            #"{"a":[{"anything-but":[]}]}"#, #"{"a":[{"anything-but":["a",1]}]}"#, #"{"a":[{"anything-but":null}]}"#,
            #"{"a":[{"anything-but":true}]}"#, #"{"a":[{"anything-but":["a",null]}]}"#, #"{"a":[{"anything-but":[["a"]]}]}"#,
            #"{"a":[{"anything-but":{"exists":true}}]}"#, #"{"a":[{"anything-but":{"numeric":[">",1]}}]}"#,
            #"{"a":[{"anything-but":{"cidr":"10.0.0.0/8"}}]}"#, #"{"a":[{"anything-but":{"prefix":""}}]}"#,
            #"{"a":[{"anything-but":{"suffix":""}}]}"#, #"{"a":[{"anything-but":{"prefix":["a",""]}}]}"#,
            #"{"a":[{"anything-but":{"prefix":1}}]}"#, #"{"a":[{"anything-but":{"equals-ignore-case":1}}]}"#,
            #"{"a":[{"anything-but":{"wildcard":"a**"}}]}"#, #"{"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]}"#,
            #"{"a":[{"anything-but":{}}]}"#, #"{"a":[{"anything-but":{"prefix":[]}}]}"#,
            #"{"a":[{"anything-but":{"equals-ignore-case":[]}}]}"#, #"{"a":[{"anything-but":{"wildcard":[]}}]}"#,
            #"{"a":[{"anything-but":[12345678901234567890]}]}"#, #"{"a":[{"anything-but":9007199254740993}]}"#,
        ] {
            #expect(patternError(p) != nil, "\(p) should be rejected")
        }
    }
}

@Suite struct NumericTests {
    @Test func comparisons() {
        #expect(match(#"{"a":[{"numeric":[">",5]}]}"#, #"{"a":6}"#) == true)
        #expect(match(#"{"a":[{"numeric":[">",5]}]}"#, #"{"a":5}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">=",5]}]}"#, #"{"a":5}"#) == true)
        #expect(match(#"{"a":[{"numeric":["<",5]}]}"#, #"{"a":4.999}"#) == true)
        #expect(match(#"{"a":[{"numeric":["<=",5]}]}"#, #"{"a":5.0}"#) == true)
        #expect(match(#"{"a":[{"numeric":["=",5]}]}"#, #"{"a":5e0}"#) == true)
        #expect(match(#"{"a":[{"numeric":["=",5]}]}"#, #"{"a":5.1}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">",0,"<=",5]}]}"#, #"{"a":5}"#) == true)
        #expect(match(#"{"a":[{"numeric":[">",0,"<",5]}]}"#, #"{"a":5}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">",0,"<",5]}]}"#, #"{"a":0}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">=",-1e300,"<",1e300]}]}"#, #"{"a":-5e299}"#) == true)
        #expect(match(#"{"a":[{"numeric":[">",5]}]}"#, #"{"a":"6"}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">",0]}]}"#, #"{"a":true}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">",10]}]}"#, #"{"a":[1,11]}"#) == true)
        #expect(match(#"{"a":[{"numeric":[">",0]}]}"#, #"{"a":12345678901234567890}"#) == false)
        #expect(match(#"{"a":[{"numeric":[">",5e9]}]}"#, #"{"a":6e11}"#) == true)
    }

    @Test func invalidForms() {
        for p in [
            #"{"a":[{"numeric":5}]}"#, #"{"a":[{"numeric":[]}]}"#, #"{"a":[{"numeric":["==",5]}]}"#,
            #"{"a":[{"numeric":[">","5"]}]}"#, #"{"a":[{"numeric":["<",10,">",0]}]}"#, #"{"a":[{"numeric":["=",5,"<",6]}]}"#,
            #"{"a":[{"numeric":[">",0,"<"]}]}"#, #"{"a":[{"numeric":[">",0,"<",5,"<",6]}]}"#,
            #"{"a":[{"numeric":[">",0,">=",5]}]}"#, #"{"a":[{"numeric":[">",10,"<",5]}]}"#,
            #"{"a":[{"numeric":[">",5,"<",5]}]}"#, #"{"a":[{"numeric":[">=",5,"<=",5]}]}"#,
            #"{"a":[{"numeric":[">",1e400]}]}"#, #"{"a":[{"numeric":[">",0.12345678901234567]}]}"#,
            #"{"a":[{"numeric":["<",12345678901234567890]}]}"#, #"{"a":[{"numeric":[">",5e-324]}]}"#,
        ] {
            #expect(patternError(p) != nil, "\(p) should be rejected")
        }
    }
}
