import Testing
@testable import TrailMatch

@Suite struct ExactMatchTests {
    @Test func stringsAreByteExactAndCaseSensitive() {
        #expect(match(#"{"a":["x"]}"#, #"{"a":"x"}"#) == true)
        #expect(match(#"{"a":["X"]}"#, #"{"a":"x"}"#) == false)
        #expect(match(#"{"a":["x "]}"#, #"{"a":"x"}"#) == false)
        #expect(match(#"{"a":["caf\u00e9"]}"#, #"{"a":"café"}"#) == true)
        // NFC pattern, NFD event: no normalisation.
        #expect(match(#"{"a":["café"]}"#, #"{"a":"cafe\u0301"}"#) == false)
        #expect(match(#"{"a":["say \"hi\" \\ bye"]}"#, #"{"a":"say \"hi\" \\ bye"}"#) == true)
        #expect(match(#"{"a":[{"exactly":"x"}]}"#, #"{"a":"x"}"#) == true)
        #expect(match(#"{"a":[{"exactly":"x"}]}"#, #"{"a":"X"}"#) == false)
    }

    @Test func typesDoNotMix() {
        #expect(match(#"{"a":["5"]}"#, #"{"a":5}"#) == false)
        #expect(match(#"{"a":[5]}"#, #"{"a":"5"}"#) == false)
        #expect(match(#"{"a":["true"]}"#, #"{"a":true}"#) == false)
        #expect(match(#"{"a":[true]}"#, #"{"a":"true"}"#) == false)
        #expect(match(#"{"a":["null"]}"#, #"{"a":null}"#) == false)
        #expect(match(#"{"a":[0]}"#, #"{"a":false}"#) == false)
    }

    @Test func nullEmptyAndMissingDiffer() {
        #expect(match(#"{"a":[null]}"#, #"{"a":null}"#) == true)
        #expect(match(#"{"a":[null]}"#, #"{"b":1}"#) == false)
        #expect(match(#"{"a":[null]}"#, #"{"a":""}"#) == false)
        #expect(match(#"{"a":[""]}"#, #"{"a":""}"#) == true)
        #expect(match(#"{"a":[""]}"#, #"{"a":null}"#) == false)
        #expect(match(#"{"a":[null]}"#, #"{"a":["x",null]}"#) == true)
        #expect(match(#"{"a":[false]}"#, #"{"a":false}"#) == true)
        #expect(match(#"{"a":[true,false]}"#, #"{"a":false}"#) == true)
    }

    @Test func numbersCompareByValue() {
        for spelling in ["300", "3.0e2", "300.0", "3E+2", "30000e-2", "300.000"] {
            #expect(match(#"{"a":[300]}"#, #"{"a":\#(spelling)}"#) == true, "300 vs \(spelling)")
            #expect(match(#"{"a":[\#(spelling)]}"#, #"{"a":300}"#) == true, "\(spelling) vs 300")
        }
        #expect(match(#"{"a":[300]}"#, #"{"a":300.000001}"#) == false)
        #expect(match(#"{"a":[0]}"#, #"{"a":-0}"#) == true)
        #expect(match(#"{"a":[-0.0]}"#, #"{"a":0}"#) == true)
        #expect(match(#"{"a":[0.1]}"#, #"{"a":1e-1}"#) == true)
        #expect(match(#"{"a":[-5]}"#, #"{"a":-5.0}"#) == true)
        #expect(match(#"{"a":[1e308]}"#, #"{"a":1E308}"#) == true)
        #expect(match(#"{"a":[123456789012]}"#, #"{"a":123456789012}"#) == true)
    }

    @Test func numbersThatDoNotRoundTripMatchOnlyTheirText() {
        // 2^53 + 1
        #expect(match(#"{"a":[9007199254740993]}"#, #"{"a":9007199254740993}"#) == true)
        #expect(match(#"{"a":[9007199254740993]}"#, #"{"a":9007199254740992}"#) == false)
        // 20 digits
        #expect(match(#"{"a":[12345678901234567890]}"#, #"{"a":12345678901234567890}"#) == true)
        #expect(match(#"{"a":[12345678901234567890]}"#, #"{"a":1.2345678901234567890e19}"#) == false)
        #expect(match(#"{"a":[12345678901234567890]}"#, #"{"a":12345678901234567891}"#) == false)
        // 17 significant digits
        #expect(match(#"{"a":[0.12345678901234567]}"#, #"{"a":0.12345678901234567}"#) == true)
        // Out of double range: text only.
        #expect(match(#"{"a":[1e400]}"#, #"{"a":1e400}"#) == true)
        #expect(match(#"{"a":[1e400]}"#, #"{"a":10e399}"#) == false)
        // The smallest subnormal is spelled 4.9e-324 by the reference; 5e-324 is text only.
        #expect(match(#"{"a":[{"numeric":[">",0]}]}"#, #"{"a":4.9e-324}"#) == true)
        #expect(match(#"{"a":[{"numeric":[">",0]}]}"#, #"{"a":5e-324}"#) == false)
    }

    @Test func numberTextClassification() {
        func v(_ s: String) -> Double? { NumberText.value(Array(s.utf8)) }
        #expect(v("300") == 300)
        #expect(v("-0") == 0)
        #expect(v("1.5e3") == 1500)
        #expect(v("0.1") == 0.1)
        #expect(v("9007199254740992") == 9007199254740992)
        #expect(v("9007199254740993") == nil)
        #expect(v("1e400") == nil)
        #expect(v("123456789012345") == 123456789012345)
        #expect(v("1.7976931348623157e308") == Double.greatestFiniteMagnitude)
        #expect(v("2.2250738585072014E-308") == Double.leastNormalMagnitude)
    }

    @Test func valueListIsOr() {
        #expect(match(#"{"a":["x","y"]}"#, #"{"a":"y"}"#) == true)
        #expect(match(#"{"a":["x","y"]}"#, #"{"a":"z"}"#) == false)
        #expect(match(#"{"a":["nope",{"prefix":"y"}]}"#, #"{"a":"yes"}"#) == true)
    }

    @Test func fieldsAreAnded() {
        #expect(match(#"{"a":["1"],"b":{"c":["2"]}}"#, #"{"a":"1","b":{"c":"2"}}"#) == true)
        #expect(match(#"{"a":["1"],"b":{"c":["2"]}}"#, #"{"a":"1","b":{"c":"3"}}"#) == false)
        #expect(match(#"{"a":["1"],"b":{"c":["2"]}}"#, #"{"a":"1"}"#) == false)
    }

    @Test func leafListNeverMatchesObjectsAndObjectsNeverMatchLeaves() {
        #expect(match(#"{"a":["x"]}"#, #"{"a":{"x":"x"}}"#) == false)
        #expect(match(#"{"a":{"b":["x"]}}"#, #"{"a":"x"}"#) == false)
        #expect(match(#"{"a":[null]}"#, #"{"a":{}}"#) == false)
    }
}
