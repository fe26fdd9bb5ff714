import ArgumentParser
import FerrySpec
import Foundation

/// How a usage error reads: `ferry: error: …` (the one error style), then the usage of the
/// subcommand it concerns — also for errors found after parsing, which argument-parser would show
/// with the top-level usage — and "did you mean" for a misspelt subcommand.
enum UsageErrorText {
    /// The text for `error`; `command` is the subcommand parsed, if parsing got that far.
    static func render(_ error: any Error, command: (any ParsableCommand.Type)?, arguments: [String] = CommandLine.arguments) -> String {
        let names = Ferry.configuration.subcommands.compactMap { $0.configuration.commandName }
        if command == nil, let word = arguments.dropFirst().first, !word.hasPrefix("-"), !names.contains(word), word != "help" {
            let meant = closestMatch(to: word, among: names).map { " did you mean \"ferry \($0)\"?" } ?? ""
            return
                "ferry: error: unknown command \"\(word)\";\(meant) commands: \(names.joined(separator: ", "))\nUsage: ferry <subcommand>\n  See 'ferry --help' for more information.\n"
        }
        var text = Ferry.fullMessage(for: error)
        if let command, let name = command.configuration.commandName,
            let usage = text.range(of: "Usage: ferry <subcommand>")
        {
            text = String(text[..<usage.lowerBound]) + "Usage: " + Ferry.usageString(for: command) + "\n  See 'ferry \(name) --help' for more information."
        }
        if text.hasPrefix("Error: ") { text = "ferry: error: " + text.dropFirst("Error: ".count) }
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}
