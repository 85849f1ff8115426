/// A run of a workload task waiting for a slot, as plain data: which task, and when it was
/// admitted. It has no task of its own until it is granted a slot and a worker takes it, so a full
/// queue costs a heap entry per run instead of a suspended task, its closure and its spec.
struct QueuedRun: Sendable {
    let task: SharedTaskSpec
    /// Seconds since the engine started; the run's wait in line is measured from here.
    let admittedAt: Double
}

/// One task's spec, held once and shared by reference by every queued run of that task, instead of
/// a copy per run.
final class SharedTaskSpec: Sendable {
    let spec: TaskSpec

    init(_ spec: TaskSpec) { self.spec = spec }
}
