/// Boolean options that, as in skopeo, mean `true` when given without a value: a bare
/// `--tls-verify` is `--tls-verify=true`. `--tls-verify=false` and `--tls-verify false` keep
/// working.
enum BareBooleanOptions {
    /// The options that may stand alone.
    static let names: Set<String> = ["--tls-verify", "--src-tls-verify", "--dest-tls-verify"]

    /// `arguments` with every bare one of ``names`` (not followed by `true` or `false`) written
    /// as `NAME=true`; nothing after `--` is touched.
    static func rewrite(_ arguments: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                result += arguments[index...]
                break
            }
            let next = arguments.index(after: index)
            let valued = next < arguments.endIndex && ["true", "false"].contains(arguments[next])
            result.append(names.contains(argument) && !valued ? argument + "=true" : argument)
            index = next
        }
        return result
    }
}
