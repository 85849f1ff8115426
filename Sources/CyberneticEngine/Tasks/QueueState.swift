import Collections

/// The waiting line and the slots: who runs next, and how many run at once.
///
/// A value type so that it can live inside the engine's `Ledger`, under the same lock as the run
/// totals, which is what keeps queue depth and totals consistent in every snapshot.
///
/// Order: a binary heap keyed by *virtual arrival time* — the arrival time minus `agingStep` per
/// priority rank — and then by sequence number. Equal priorities therefore run in submission
/// order, a higher priority overtakes lower ones that arrived less than a few aging steps before
/// it, and a low-priority run that has waited `3 × agingStep` is ahead of any critical run that
/// arrives after that: aging without ever re-sorting the heap.
///
/// Two kinds of run wait here. The engine's task runs are plain data (`QueuedRun`, admitted with
/// `admit(_:now:)`): they live in the heap entry itself, and a granted one moves to `ready` until
/// a worker takes it, so 10,000 waiting runs cost 10,000 small heap entries rather than 10,000
/// suspended tasks. Callers that wait in person (`WorkQueue`, a repeating task's next run) are
/// admitted with a priority and park a continuation in `waiting`.
struct QueueState: Sendable {
    struct Entry: Comparable, Sendable {
        var key: Double
        var sequence: UInt64
        var rank: UInt8
        /// The run itself for a data run; nil for one that waits on a continuation.
        var run: QueuedRun?

        static func < (a: Entry, b: Entry) -> Bool { (a.key, a.sequence) < (b.key, b.sequence) }
        static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    /// The continuation runs in line, by sequence number. A run is in line from admission; its
    /// continuation arrives when its task starts waiting, which may be after it was already granted
    /// a slot. A run cancelled while waiting leaves this table at once and its heap entry is skipped.
    private var waiting: [UInt64: (priority: TaskPriority, continuation: CheckedContinuation<Bool, Never>?, granted: Bool)] = [:]
    /// Data runs that hold a slot (they count in `inFlight`) and wait for a worker to take them.
    private var ready = Deque<QueuedRun>()
    /// Told whenever `ready` gains runs, so that the engine hands them to workers. Only the newest
    /// signal is buffered: one wake-up drains everything ready.
    var wake: AsyncStream<Void>.Continuation?
    /// Boxed on the heap (the adaptive limiters are too large for an existential's inline buffer),
    /// so a copy of the ledger shares the box until one side mutates it. Snapshots are built from
    /// such a copy outside the engine's lock: they read `limit` and `limiterName`, plain values
    /// kept here, never the box, which a finishing run may be updating in place meanwhile
    /// (ThreadSanitizer reported exactly that read against `onSample`).
    var limiter: any ConcurrencyLimit {
        didSet { limiterLimit = limiter.limit; limiterName = limiter.name }
    }
    private(set) var limiterLimit: Int
    private(set) var limiterName: String
    var agingStep: Double
    var capacity: Int
    private(set) var paused = false
    private var nextSequence: UInt64 = 0
    /// Admitted runs that do not hold a slot yet, per priority rank.
    private(set) var depthByPriority = [0, 0, 0, 0]
    private(set) var maxDepthByPriority = [0, 0, 0, 0]
    private(set) var maxDepth = 0
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0

    init(capacity: Int, limiter: any ConcurrencyLimit, agingStep: Double) {
        self.capacity = capacity
        self.limiter = limiter
        self.limiterLimit = limiter.limit
        self.limiterName = limiter.name
        self.agingStep = agingStep
    }

    var depth: Int { depthByPriority.reduce(0, +) }
    /// The optimizer's ceiling: an adaptive limiter moves freely below it.
    var ceiling = Int.max
    var limit: Int { min(limiterLimit, ceiling) }

    /// Puts a run that will wait on a continuation in line at `now`; nil when the queue is full
    /// (the caller rejects it). Order is fixed here, at admission, not when the submitting task
    /// gets around to waiting.
    mutating func admit(_ priority: TaskPriority, now: Double) -> UInt64? {
        guard depth < capacity else { return nil }
        let sequence = enqueue(rank: priority.rank, now: now, run: nil)
        waiting[sequence] = (priority, nil, false)
        grant()
        return sequence
    }

    /// Puts a data run in line at `now`; false when the queue is full (the caller rejects it).
    /// Once granted a slot it waits in `ready` for `nextReady()`.
    mutating func admit(_ run: QueuedRun, now: Double) -> Bool {
        guard depth < capacity else { return false }
        enqueue(rank: run.task.spec.priority.rank, now: now, run: run)
        grant()
        return true
    }

    @discardableResult
    private mutating func enqueue(rank: Int, now: Double, run: QueuedRun?) -> UInt64 {
        nextSequence += 1
        depthByPriority[rank] += 1
        maxDepthByPriority[rank] = max(maxDepthByPriority[rank], depthByPriority[rank])
        maxDepth = max(maxDepth, depth)
        heap.insert(Entry(key: now - Double(rank) * agingStep, sequence: nextSequence, rank: UInt8(rank), run: run))
        return nextSequence
    }

    /// Resumes `continuation` with true once run `sequence` holds a slot, false if it was withdrawn.
    mutating func wait(_ sequence: UInt64, continuation: CheckedContinuation<Bool, Never>) {
        guard let run = waiting[sequence] else { return continuation.resume(returning: false) }
        if run.granted {
            waiting[sequence] = nil
            continuation.resume(returning: true)
        } else {
            waiting[sequence] = (run.priority, continuation, false)
        }
    }

    /// The oldest granted data run no worker has taken yet.
    mutating func nextReady() -> QueuedRun? { ready.popFirst() }

    /// Hands free slots to the front of the line, unless intake is paused.
    mutating func grant() {
        var readied = false
        while !paused, inFlight < limit, let entry = heap.popMin() {
            if let run = entry.run {
                depthByPriority[Int(entry.rank)] -= 1
                takeSlot()
                ready.append(run)
                readied = true
                continue
            }
            guard let run = waiting[entry.sequence] else { continue }
            depthByPriority[run.priority.rank] -= 1
            takeSlot()
            if let continuation = run.continuation {
                waiting[entry.sequence] = nil
                continuation.resume(returning: true)
            } else {
                waiting[entry.sequence] = (run.priority, nil, true)
            }
        }
        if readied { wake?.yield() }
    }

    private mutating func takeSlot() {
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }

    /// Withdraws a continuation run that has not started; a slot it was already granted goes to
    /// the next one.
    mutating func cancel(_ sequence: UInt64) {
        guard let run = waiting.removeValue(forKey: sequence) else { return }
        if run.granted {
            inFlight -= 1
            grant()
        } else {
            depthByPriority[run.priority.rank] -= 1
        }
        run.continuation?.resume(returning: false)
    }

    /// A run gave its slot back after `rtt`; the limit learns from it.
    mutating func finish(rtt: Duration, dropped: Bool) {
        limiter.onSample(rtt: rtt, inFlight: inFlight, dropped: dropped)
        inFlight -= 1
        grant()
    }

    /// Withdraws every data run that has not started — in line, or granted and not yet taken by a
    /// worker — when the engine stops; returns how many there were. Continuation runs stay: their
    /// tasks withdraw them when cancelled.
    mutating func withdrawRuns() -> Int {
        var withdrawn = 0
        if heap.unordered.contains(where: { $0.run != nil }) {
            var kept: [Entry] = []
            for entry in heap.unordered {
                if entry.run == nil {
                    kept.append(entry)
                } else {
                    depthByPriority[Int(entry.rank)] -= 1
                    withdrawn += 1
                }
            }
            heap = Heap(kept)
        }
        withdrawn += ready.count
        inFlight -= ready.count
        ready.removeAll()
        return withdrawn
    }

    /// Withdraws every run still in line, when the engine stops; returns how many there were.
    mutating func cancelAll() -> Int {
        let withdrawn = withdrawRuns()
        let sequences = Array(waiting.keys)
        for sequence in sequences { cancel(sequence) }
        return withdrawn + sequences.count
    }

    mutating func setPaused(_ value: Bool) {
        paused = value
        grant()
    }

    mutating func replaceLimiter(_ new: any ConcurrencyLimit) {
        limiter = new
        grant()
    }

    mutating func scale(to limit: Int) {
        limiter.scale(to: limit)
        grant()
    }

    mutating func setCeiling(_ value: Int) {
        ceiling = max(1, value)
        grant()
    }
}
