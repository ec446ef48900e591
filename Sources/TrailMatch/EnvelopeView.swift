import TrailJSON

/// An event described without being built as a document, for matching many records cheaply.
///
/// The event is an object whose members are:
/// - every member of `base` (an object, typically a small cached document of values no record
///   holds, such as `"version"`, `"detail-type"` and `"source"`);
/// - up to four members added with ``addMember(_:detailNode:)``, whose values are nodes of
///   `detail`'s document;
/// - optionally one array member added with ``addList(_:elementsOf:member:)``: for each object
///   element of an array in `detail`'s document whose last member named `member` is a string,
///   that string, in order;
/// - `"detail"`: the `detail` value.
///
/// Matching it gives the same result as matching that object built as a document: nothing is
/// copied, and the order of members does not matter to a pattern.
public struct EnvelopeView {
    /// The constant members.
    public var base: JSONValue
    /// The value of `"detail"`; picked members and the list live in its document.
    public var detail: JSONValue

    struct Pick {
        var key: StaticString
        var node: Int
    }

    private static let noPick = Pick(key: "", node: -1)
    var picks: (Pick, Pick, Pick, Pick) = (noPick, noPick, noPick, noPick)
    private(set) var pickCount = 0
    var listKey: StaticString = ""
    var listArray = -1
    var listMember: StaticString = ""

    /// An event made of `base`'s members and `"detail"`.
    public init(base: JSONValue, detail: JSONValue) {
        self.base = base
        self.detail = detail
    }

    /// Adds member `key` whose value is node `detailNode` of `detail`'s document. At most four;
    /// a negative node adds nothing (the member is absent).
    public mutating func addMember(_ key: StaticString, detailNode: Int) {
        guard detailNode >= 0 else { return }
        let pick = Pick(key: key, node: detailNode)
        switch pickCount {
        case 0: picks.0 = pick
        case 1: picks.1 = pick
        case 2: picks.2 = pick
        case 3: picks.3 = pick
        default: preconditionFailure("EnvelopeView holds at most four picked members")
        }
        pickCount += 1
    }

    /// Adds the array member `key`: the string value of the last member named `member` of each
    /// object element of array node `array` (in `detail`'s document); elements without such a
    /// string are left out. Empty when `array` is not an array.
    public mutating func addList(_ key: StaticString, elementsOf array: Int, member: StaticString) {
        listKey = key
        listArray = array
        listMember = member
    }

    @inline(__always)
    func pick(_ i: Int) -> Pick {
        switch i {
        case 0: picks.0
        case 1: picks.1
        case 2: picks.2
        default: picks.3
        }
    }
}
