import FerryEngine

/// Something that shows a copy's progress on standard error.
protocol CopyProgress: Sendable {
    /// Takes one event of the copy.
    func handle(_ event: CopyEvent)
    /// Ends the display (called once the copy ended, whichever way); safe to call twice.
    func finish()
}

extension ProgressDisplay: CopyProgress {}

/// The progress reporter for a resolved ``ProgressMode``, or `nil` for `none`.
func makeCopyProgress(_ mode: ProgressMode, heading: String) -> (any CopyProgress)? {
    switch mode {
    case .tty: return ProgressDisplay()
    case .plain: return PlainProgress(heading: heading, interval: ProgressMode.heartbeatInterval)
    case .auto, .none: return nil
    }
}
