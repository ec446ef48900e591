import Testing
import TrailJSON
@testable import TrailMatch

@Suite struct OrTests {
    @Test func branchesAreOredAndSiblingsAnded() {
        let p = #"{"s":["x"],"$or":[{"a":["1"]},{"b":["2"]}]}"#
        #expect(match(p, #"{"s":"x","a":"1"}"#) == true)
        #expect(match(p, #"{"s":"x","b":"2"}"#) == true)
        #expect(match(p, #"{"s":"y","b":"2"}"#) == false)
        #expect(match(p, #"{"s":"x","a":"2"}"#) == false)
    }

    @Test func nestedAndParallel() {
        let nested = #"{"d":{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}}"#
        #expect(match(nested, #"{"d":{"c":"3"}}"#) == true)
        #expect(match(nested, #"{"d":{"c":"4"}}"#) == false)
        let parallel = #"{"$or":[{"a":["1"]},{"b":["1"]}],"d":{"$or":[{"c":["1"]},{"e":["1"]}]}}"#
        #expect(match(parallel, #"{"b":"1","d":{"e":"1"}}"#) == true)
        #expect(match(parallel, #"{"b":"1","d":{"f":"1"}}"#) == false)
    }

    @Test func orObjectIsAField() {
        #expect(match(#"{"$or":{"a":["1"]}}"#, #"{"$or":{"a":"1"}}"#) == true)
        #expect(match(#"{"$or":{"a":["1"]}}"#, #"{"a":"1"}"#) == false)
    }

    @Test func invalidForms() {
        for p in [#"{"$or":[{"a":["1"]}]}"#, #"{"$or":[]}"#, #"{"$or":[{"a":["1"]},["b"]]}"#, #"{"$or":[{},{"a":["1"]}]}"#,
                  #"{"$or":[{"prefix":["a"]},{"a":["1"]}]}"#, #"{"$or":"x"}"#] {
            #expect(patternError(p) != nil, "\(p)")
        }
    }
}

@Suite struct ArrayTests {
    @Test func anyElementMatches() {
        #expect(match(#"{"r":["b"]}"#, #"{"r":["a","b"]}"#) == true)
        #expect(match(#"{"r":["c"]}"#, #"{"r":["a","b"]}"#) == false)
        #expect(match(#"{"r":["x"]}"#, #"{"r":[]}"#) == false)
        #expect(match(#"{"r":[5]}"#, #"{"r":[[1],[5]]}"#) == true)
        #expect(match(#"{"r":["5"]}"#, #"{"r":[5,"5",true,null]}"#) == true)
        #expect(match(#"{"r":{"y":["1"]}}"#, #"{"r":["s",{"y":"1"}]}"#) == true)
    }

    @Test func fieldsOfOneElementStayTogether() {
        let e = #"{"employees":[{"first":"John","last":"Doe"},{"first":"Anna","last":"Smith"},{"first":"Peter","last":"Jones"}]}"#
        #expect(match(#"{"employees":{"first":["Anna"],"last":["Smith"]}}"#, e) == true)
        #expect(match(#"{"employees":{"first":["Anna"],"last":["Jones"]}}"#, e) == false)
        let nested = #"{"employees":[[{"first":"John","last":"Doe"},{"first":"Anna","last":"Smith"}],[{"first":"Peter","last":"Jones"}]]}"#
        #expect(match(#"{"employees":{"first":["Anna"],"last":["Jones"]}}"#, nested) == false)
        #expect(match(#"{"employees":{"first":["Peter"],"last":["Jones"]}}"#, nested) == true)
        let tags = #"{"tags":[{"key":"env","value":"dev"},{"key":"owner","value":"prod-team"}]}"#
        #expect(match(#"{"tags":{"key":["env"],"value":[{"prefix":"prod"}]}}"#, tags) == false)
        #expect(match(#"{"tags":{"key":["owner"],"value":[{"prefix":"prod"}]}}"#, tags) == true)
    }

    @Test func deeperArraysAndSiblings() {
        let e = #"{"p":{"items":[{"from":22,"ranges":{"items":[{"ip":"10.0.0.0/8"}]}},{"from":443,"ranges":{"items":[{"ip":"0.0.0.0/0"}]}}]}}"#
        #expect(match(#"{"p":{"items":{"from":[443],"ranges":{"items":{"ip":["0.0.0.0/0"]}}}}}"#, e) == true)
        #expect(match(#"{"p":{"items":{"from":[22],"ranges":{"items":{"ip":["0.0.0.0/0"]}}}}}"#, e) == false)
        #expect(match(#"{"a":{"k":["1"]},"b":{"k":["2"]}}"#, #"{"a":[{"k":"0"},{"k":"1"}],"b":[{"k":"2"},{"k":"3"}]}"#) == true)
    }
}

@Suite struct FieldNameTests {
    @Test func dotsAreNesting() {
        #expect(match(#"{"d":{"a":{"b":["x"]}}}"#, #"{"d":{"a.b":"x"}}"#) == true)
        #expect(match(#"{"d":{"a.b":["x"]}}"#, #"{"d":{"a":{"b":"x"}}}"#) == true)
        #expect(match(#"{"d":{"a.b":["x"]}}"#, #"{"d":{"a.b":"x"}}"#) == true)
        #expect(match(#"{"d.a.b":["x"]}"#, #"{"d":{"a":{"b":"x"}}}"#) == true)
    }

    @Test func ordinaryNames() {
        #expect(match(#"{"d":{"my key":["v"]}}"#, #"{"d":{"my key":"v"}}"#) == true)
        #expect(match(#"{"d":{"k\"\\":["v"]}}"#, #"{"d":{"k\"\\":"v"}}"#) == true)
        #expect(match(#"{"d":{"clé":["v"]}}"#, #"{"d":{"cl\u00e9":"v"}}"#) == true)
        #expect(match(#"{"d":{"prefix":["x"]}}"#, #"{"d":{"prefix":"x"}}"#) == true)
        #expect(match(#"{"d":{"*":["v"]}}"#, #"{"d":{"a":"v"}}"#) == false)
        #expect(match(#"{"d":{"E":["v"]}}"#, #"{"d":{"e":"v"}}"#) == false)
        #expect(match(#"{"":["v"]}"#, #"{"":"v"}"#) == true)
        #expect(match(#"{"d":{"":["v"]}}"#, #"{"d":{"":"v"}}"#) == true)
    }

    @Test func duplicateKeys() {
        #expect(match(#"{"s":["a"],"s":["b"]}"#, #"{"s":"b"}"#) == true)
        #expect(match(#"{"s":["b"],"s":["a"]}"#, #"{"s":"b"}"#) == false)
        #expect(match(#"{"s":["a"]}"#, #"{"s":"b","s":"a"}"#) == true)
    }
}

@Suite struct DeepNestingTests {
    @Test func deepPatternAndEvent() {
        let depth = 200
        let pattern = String(repeating: #"{"k":"#, count: depth) + #"["v"]"# + String(repeating: "}", count: depth)
        let event = String(repeating: #"{"k":"#, count: depth) + #""v""# + String(repeating: "}", count: depth)
        let other = String(repeating: #"{"k":"#, count: depth) + #""w""# + String(repeating: "}", count: depth)
        #expect(match(pattern, event) == true)
        #expect(match(pattern, other) == false)
    }

    @Test func deepArrays() {
        let event = #"{"a":"# + String(repeating: "[", count: 100) + #""v""# + String(repeating: "]", count: 100) + "}"
        #expect(match(#"{"a":["v"]}"#, event) == true)
    }
}
