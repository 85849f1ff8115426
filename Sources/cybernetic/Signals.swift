import UnixSignals

/// Runs `body`; a SIGINT or SIGTERM cancels it, which ends its commands' process groups.
func withInterruptForwarding<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
    return await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            for await _ in signals { return nil }
            return nil
        }
        var result: T?
        while let next = await group.next() {
            if let next {
                result = next
                group.cancelAll()
            } else if result == nil {
                group.cancelAll()
            }
        }
        return result!
    }
}
