import FuzzSupport
import TrailDetect
import TrailJSON
import TrailMatch

/// The rule loader on arbitrary bytes (one rule, an array of rules or a bare pattern), then what
/// loading a rule book does next: compile the patterns and build the detection engine.
@main enum FuzzRulesMain {
    static func main() { FuzzDriver.run(fuzzRules) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let rules: [RuleDefinition]
    do {
        rules = try RuleLoader.load(files: [(file: "rules/fuzz.json", bytes: bytes)])
    } catch {
        _ = error.description
        return 0
    }
    for rule in rules {
        _ = rule.name
        _ = rule.title
    }
    do {
        _ = try CompiledPatterns(rules.map { NamedPattern(name: $0.name, file: $0.file, pattern: $0.pattern) })
    } catch {
        _ = "\(error)"
    }
    do {
        _ = try DetectionEngine(rules: rules, state: [])
    } catch {
        _ = error.description
    }
    return 0
}
