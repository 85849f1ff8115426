import Benchmark
import Collections
import CyberneticEngine

// Pairs, each measured in the same run (see ratios.py):
//   Queue/bare TaskGroup 10000 no-op      vs  Queue/WorkQueue 10000 no-op   (queue + limiter overhead; target ≤ 2×)
//   Heap/sorted array 10000 push+pop      vs  Heap/Heap 10000 push+pop      (the queue's ordering structure)

let count = 10_000
let limit = 100

/// The queue's key: virtual arrival time, then sequence number.
struct Key: Comparable {
    var time: Double
    var sequence: Int
    static func < (a: Key, b: Key) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
}

/// Keys as a mix of four priorities arriving over time, the same for both structures.
let keys: [Key] = (0..<count).map { i in Key(time: Double(i) * 0.001 - Double(i % 4) * 10, sequence: i) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 200)

    Benchmark("Queue/bare TaskGroup \(count) no-op") { benchmark in
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Int.self) { group in
                var started = 0
                for i in 0..<min(limit, count) { group.addTask { i }; started += 1 }
                for await value in group {
                    blackHole(value)
                    if started < count { let i = started; group.addTask { i }; started += 1 }
                }
            }
        }
    }

    Benchmark("Queue/WorkQueue \(count) no-op") { benchmark in
        for _ in benchmark.scaledIterations {
            let queue = WorkQueue(capacity: count, limit: StaticLimit(limit: limit))
            await withTaskGroup(of: Int.self) { group in
                for i in 0..<count {
                    group.addTask { (try? await queue.run(priority: TaskPriority.allCases[i % 4]) { i }) ?? -1 }
                }
                for await value in group { blackHole(value) }
            }
        }
    }

    Benchmark("Heap/sorted array \(count) push+pop") { benchmark in
        for _ in benchmark.scaledIterations {
            var array: [Key] = []
            array.reserveCapacity(count)
            for key in keys {
                var low = 0, high = array.count
                while low < high {
                    let mid = (low + high) / 2
                    if array[mid] < key { low = mid + 1 } else { high = mid }
                }
                array.insert(key, at: low)
            }
            while !array.isEmpty { blackHole(array.removeFirst()) }
        }
    }

    Benchmark("Heap/Heap \(count) push+pop") { benchmark in
        for _ in benchmark.scaledIterations {
            var heap = Heap<Key>()
            for key in keys { heap.insert(key) }
            while let key = heap.popMin() { blackHole(key) }
        }
    }
}
