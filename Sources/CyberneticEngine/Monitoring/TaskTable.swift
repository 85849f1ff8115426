/// Per-task figures in workload order, kept as the array snapshots carry.
///
/// A snapshot takes the array as it is (copy on write) instead of rebuilding one from a
/// dictionary: with 10,000 tasks that was 10,000 lookups into a fresh array every 100 ms. Now a
/// snapshot costs nothing until the next change copies the array once.
struct TaskTable: Sendable {
    private(set) var list: [TaskStats] = []
    private var index: [String: Int] = [:]

    /// Setting a name not yet in the table appends it; setting nil is ignored (tasks are never removed).
    subscript(name: String) -> TaskStats? {
        get { index[name].map { list[$0] } }
        set {
            guard let newValue else { return }
            if let position = index[name] {
                list[position] = newValue
            } else {
                index[name] = list.count
                list.append(newValue)
            }
        }
    }

    var count: Int { list.count }
}
