import Foundation
import Testing

/// The command-line surface that exists today: the root help and each subcommand's help.
@Suite("trailwatch help")
struct HelpTests {
    static let subcommands = ["backfill", "tail", "query", "alerts", "status", "verify", "pattern"]

    @Test("--help lists every subcommand on stdout and exits 0")
    func rootHelp() throws {
        let result = try TrailwatchBinary.run(["--help"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(result.stdout.contains("USAGE: trailwatch <subcommand>"), "\(result)")
        let listed = result.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        for name in Self.subcommands {
            #expect(listed.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + " ") },
                    "subcommand \(name) not listed\n\(result)")
        }
    }

    @Test("no arguments prints the same help as --help")
    func noArguments() throws {
        let bare = try TrailwatchBinary.run([])
        let help = try TrailwatchBinary.run(["--help"])
        #expect(bare.exitCode == 0, "\(bare)")
        #expect(bare.stdout == help.stdout)
    }

    @Test("<subcommand> --help prints its usage and exits 0", arguments: subcommands)
    func subcommandHelp(_ name: String) throws {
        let result = try TrailwatchBinary.run([name, "--help"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(result.stdout.contains("USAGE: trailwatch \(name)"), "\(result)")
        #expect(result.stdout.contains("-h, --help"), "\(result)")
    }

    @Test("help <subcommand> equals <subcommand> --help", arguments: subcommands)
    func helpSubcommand(_ name: String) throws {
        let viaHelp = try TrailwatchBinary.run(["help", name])
        let viaFlag = try TrailwatchBinary.run([name, "--help"])
        #expect(viaHelp.exitCode == 0, "\(viaHelp)")
        #expect(viaHelp.stdout == viaFlag.stdout)
    }

    @Test("an unknown subcommand fails with a message on stderr and nothing on stdout")
    func unknownSubcommand() throws {
        let result = try TrailwatchBinary.run(["frobnicate"])
        #expect(result.exitCode != 0, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("frobnicate"), "\(result)")
        #expect(result.stderr.contains("trailwatch --help"), "\(result)")
    }
}
