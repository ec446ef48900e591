import Testing
@testable import TrailMatch

@Suite struct ExistsTests {
    @Test func existsTrueNeedsALeaf() {
        for v in [#""x""#, #""""#, "null", "false", "0", #"["a"]"#] {
            #expect(match(#"{"a":[{"exists":true}]}"#, #"{"a":\#(v)}"#) == true, "\(v)")
            #expect(match(#"{"a":[{"exists":false}]}"#, #"{"a":\#(v)}"#) == false, "\(v)")
        }
        for v in ["{}", "[]", #"{"b":1}"#] {
            #expect(match(#"{"a":[{"exists":true}]}"#, #"{"a":\#(v)}"#) == false, "\(v)")
            #expect(match(#"{"a":[{"exists":false}]}"#, #"{"a":\#(v)}"#) == true, "\(v)")
        }
        #expect(match(#"{"a":[{"exists":true}]}"#, #"{"b":1}"#) == false)
        #expect(match(#"{"a":[{"exists":false}]}"#, #"{"b":1}"#) == true)
        #expect(match(#"{"a":{"b":[{"exists":false}]}}"#, #"{"a":"leaf"}"#) == true)
        #expect(match(#"{"a":{"b":[{"exists":true}]}}"#, #"{"a":[{"b":1}]}"#) == true)
    }

    @Test func existsFalseInArrays() {
        let items = #"{"items":[{"a":1,"b":2},{"a":3}]}"#
        // On its own: global.
        #expect(match(#"{"items":{"b":[{"exists":false}]}}"#, items) == false)
        // With a sibling condition in the same element: per element.
        #expect(match(#"{"items":{"a":[3],"b":[{"exists":false}]}}"#, items) == true)
        #expect(match(#"{"items":{"a":[1],"b":[{"exists":false}]}}"#, items) == false)
    }

    @Test func existsWithOtherConditions() {
        #expect(match(#"{"s":["x"],"e":[{"exists":false}]}"#, #"{"s":"x"}"#) == true)
        #expect(match(#"{"s":["x"],"e":[{"exists":false}]}"#, #"{"s":"x","e":"AccessDenied"}"#) == false)
        #expect(match(#"{"e":[{"exists":false},"AccessDenied"]}"#, #"{"e":"AccessDenied"}"#) == true)
        #expect(match(#"{"e":[{"exists":false},"AccessDenied"]}"#, #"{"e":"Other"}"#) == false)
        #expect(match(#"{"e":[{"exists":false},"AccessDenied"]}"#, #"{}"#) == true)
    }

    @Test func invalid() {
        #expect(patternError(#"{"a":[{"exists":"true"}]}"#) != nil)
        #expect(patternError(#"{"a":[{"exists":null}]}"#) != nil)
    }
}

@Suite struct CIDRTests {
    @Test func ipv4Blocks() {
        #expect(match(#"{"ip":[{"cidr":"203.0.113.0/24"}]}"#, #"{"ip":"203.0.113.10"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"198.51.100.0/24"}]}"#, #"{"ip":"203.0.113.10"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, #"{"ip":"1.2.3.4"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"203.0.113.77/24"}]}"#, #"{"ip":"203.0.113.1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"10.1.2.0/23"}]}"#, #"{"ip":"10.1.3.255"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"10.1.2.0/23"}]}"#, #"{"ip":"10.1.4.0"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"203.0.113.10/31"}]}"#, #"{"ip":"203.0.113.11"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"203.0.113.10/32"}]}"#, #"{"ip":"203.0.113.10"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"203.0.113.10/32"}]}"#, #"{"ip":"203.0.113.11"}"#) == false)
    }

    @Test func eventValuesMustBeAddressStrings() {
        for v in [#""AWS Internal""#, #""ec2.amazonaws.com""#, "null", "10", "true", #"" 10.0.0.1""#, #""256.1.1.1""#,
                  #""010.000.000.001""#, #""::ffff:10.0.0.1""#, #""1.2.3""#, #""1.2.3.4.5""#] {
            #expect(match(#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, #"{"ip":\#(v)}"#) == false, "\(v)")
        }
        #expect(match(#"{"ip":[{"cidr":"192.168.0.0/16"}]}"#, #"{"ip":["8.8.8.8","192.168.1.1"]}"#) == true)
    }

    @Test func ipv6Forms() {
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/64"}]}"#, #"{"ip":"2001:db8::1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/64"}]}"#, #"{"ip":"2001:db8:0:1::1"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:0db8:0000:0000:0000:0000:0000:0001"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"2001:DB8::/32"}]}"#, #"{"ip":"2001:db8:ffff::1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:DB8::ABCD"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"::/0"}]}"#, #"{"ip":"fe80::1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"fe80::/10"}]}"#, #"{"ip":"fe80::1%eth0"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/127"}]}"#, #"{"ip":"2001:db8::1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::1/128"}]}"#, #"{"ip":"2001:db8:0::1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"::ffff:0:0/96"}]}"#, #"{"ip":"::ffff:10.0.0.1"}"#) == true)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:db8::1::2"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:db8:1:2:3:4:5:6:7"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"2001:db8::/32"}]}"#, #"{"ip":"2001:db8:1:2:3:4:5::"}"#) == true)
    }

    @Test func familiesDoNotMix() {
        #expect(match(#"{"ip":[{"cidr":"::/0"}]}"#, #"{"ip":"1.2.3.4"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, #"{"ip":"2001:db8::1"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, #"{"ip":"a00::1"}"#) == false)
    }

    @Test func plainAddressStrings() {
        #expect(match(#"{"ip":["203.0.113.10"]}"#, #"{"ip":"203.0.113.10"}"#) == true)
        #expect(match(#"{"ip":["2001:db8::1"]}"#, #"{"ip":"2001:0db8:0000:0000:0000:0000:0000:0001"}"#) == true)
        #expect(match(#"{"ip":["2001:DB8::1"]}"#, #"{"ip":"2001:db8::1"}"#) == true)
        #expect(match(#"{"ip":["999.1.1.1"]}"#, #"{"ip":"999.1.1.1"}"#) == true)
        #expect(match(#"{"ip":["10.0.0.1"]}"#, #"{"ip":"10.0.0.2"}"#) == false)
        #expect(match(#"{"ip":[{"cidr":"10.0.0.0/8"}, "AWS Internal"]}"#, #"{"ip":"AWS Internal"}"#) == true)
    }

    @Test func malformedBlocks() {
        for c in ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "example.com/24", "10.0.0.256/24",
                  "10.0.0.0/8/8", "2001:db8::/129", "/8", "10.0.0.0/", "1:2:3:4:5:6:7:8:9/64"] {
            #expect(patternError(#"{"ip":[{"cidr":"\#(c)"}]}"#) != nil, "\(c)")
        }
        #expect(patternError(#"{"ip":[{"cidr":10}]}"#) != nil)
    }
}
